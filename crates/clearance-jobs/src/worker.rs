//! The worker pool: claims jobs, runs their handlers under a heartbeated lease, and settles them.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use rand::Rng;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::job::Job;
use crate::queue::JobQueue;

/// Why a handler did not finish its job.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Worth another attempt later (a database hiccup, an engine busy).
    #[error("{0}")]
    Retry(String),
    /// Worth another attempt after this delay (the handler keeps its own schedule).
    #[error("{0}")]
    RetryAfter(String, Duration),
    /// Will never succeed; bury the job at once.
    #[error("{0}")]
    Permanent(String),
}

/// Runs the jobs of one queue. Must be idempotent: a job may run more than once.
#[async_trait]
pub trait Handler: Send + Sync {
    async fn handle(&self, job: &Job) -> Result<(), HandlerError>;
}

/// How a worker pool behaves.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Names this process in leases (unique per process).
    pub worker_id: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// How long a claim lasts without a heartbeat; heartbeats come every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for work other processes enqueued.
    pub poll_interval: Duration,
    /// How long shutdown waits for running jobs before handing them back.
    pub shutdown_grace: Duration,
    /// First retry delay; doubles per attempt up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl WorkerConfig {
    /// Defaults suited to a server process.
    pub fn new(worker_id: impl Into<String>) -> Self {
        WorkerConfig {
            worker_id: worker_id.into(),
            concurrency: 8,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(10),
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(600),
        }
    }
}

/// Counters of what this pool did, for metrics and tests.
#[derive(Debug, Default)]
pub struct WorkerStats {
    pub claimed: AtomicU64,
    pub completed: AtomicU64,
    pub retried: AtomicU64,
    pub buried: AtomicU64,
    pub released: AtomicU64,
}

/// The delay before retry number `attempt` (1-based): doubling from `base_ms`, capped at
/// `max_ms`, with ±20 % jitter so a burst of failures does not retry in lockstep.
pub fn backoff_ms(attempt: u32, base_ms: i64, max_ms: i64) -> i64 {
    let exp = attempt.saturating_sub(1).min(30);
    let raw = base_ms.saturating_mul(1i64 << exp).min(max_ms);
    let jitter = rand::rng().random_range(0.8..1.2);
    ((raw as f64) * jitter) as i64
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A pool of job runners sharing one queue store. Queues run in groups, each with its own
/// number of runners, so a slow queue (webhooks to slow endpoints) cannot hold the slots of
/// another (checks).
pub struct Workers {
    queue: Arc<dyn JobQueue>,
    handlers: HashMap<String, Arc<dyn Handler>>,
    /// The first group takes every queue registered with [`Workers::handle`].
    groups: Vec<Group>,
    config: WorkerConfig,
    wake: Arc<Notify>,
    stats: Arc<WorkerStats>,
}

/// Queues that share runners.
struct Group {
    queues: Vec<String>,
    concurrency: usize,
}

struct Shared {
    queue: Arc<dyn JobQueue>,
    config: WorkerConfig,
    stats: Arc<WorkerStats>,
    running: Mutex<HashSet<String>>,
}

impl Workers {
    /// A pool with no handlers yet.
    pub fn new(queue: Arc<dyn JobQueue>, config: WorkerConfig) -> Self {
        Workers {
            queue,
            handlers: HashMap::new(),
            groups: vec![Group {
                queues: Vec::new(),
                concurrency: config.concurrency,
            }],
            config,
            wake: Arc::new(Notify::new()),
            stats: Arc::new(WorkerStats::default()),
        }
    }

    /// Registers the handler of a queue, run by the pool's shared runners
    /// (`WorkerConfig::concurrency` of them).
    pub fn handle(mut self, queue: impl Into<String>, handler: Arc<dyn Handler>) -> Self {
        let queue = queue.into();
        self.groups[0].queues.push(queue.clone());
        self.handlers.insert(queue, handler);
        self
    }

    /// Registers the handler of a queue that gets `concurrency` runners of its own.
    pub fn handle_apart(
        mut self,
        queue: impl Into<String>,
        handler: Arc<dyn Handler>,
        concurrency: usize,
    ) -> Self {
        let queue = queue.into();
        self.groups.push(Group {
            queues: vec![queue.clone()],
            concurrency,
        });
        self.handlers.insert(queue, handler);
        self
    }

    /// Notifying it makes an idle pool look for work at once (call after an enqueue).
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The pool's counters.
    pub fn stats(&self) -> Arc<WorkerStats> {
        self.stats.clone()
    }

    /// Runs until `shutdown` turns true, then stops claiming, lets running jobs finish within
    /// the grace period and hands the rest back to the queue.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let handlers = Arc::new(self.handlers);
        let mut groups = JoinSet::new();
        let mut wakes = Vec::new();
        for group in self.groups.into_iter().filter(|g| !g.queues.is_empty()) {
            let wake = Arc::new(Notify::new());
            wakes.push(wake.clone());
            let shared = Arc::new(Shared {
                queue: self.queue.clone(),
                config: WorkerConfig {
                    concurrency: group.concurrency.max(1),
                    ..self.config.clone()
                },
                stats: self.stats.clone(),
                running: Mutex::new(HashSet::new()),
            });
            groups.spawn(run_group(
                shared,
                handlers.clone(),
                group.queues,
                wake,
                shutdown.clone(),
            ));
        }
        // One wake-up for the pool reaches every group: an enqueue does not say which queue.
        let outer = self.wake;
        let fan_out = tokio::spawn(async move {
            loop {
                outer.notified().await;
                for wake in &wakes {
                    wake.notify_one();
                }
            }
        });
        while groups.join_next().await.is_some() {}
        fan_out.abort();
    }
}

/// One group's claim loop: claims while it has free runners, then waits for a wake-up, a
/// finished job or the poll interval.
async fn run_group(
    shared: Arc<Shared>,
    handlers: Arc<HashMap<String, Arc<dyn Handler>>>,
    queues: Vec<String>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(shared.config.concurrency));
    let mut tasks = JoinSet::new();
    // A dropped sender counts as a shutdown request too.
    let stopping = |rx: &watch::Receiver<bool>| rx.has_changed().is_err() || *rx.borrow();
    while !stopping(&shutdown) {
        while tasks.try_join_next().is_some() {}
        let free = permits.available_permits();
        let mut filled = false;
        if free > 0 {
            let claimed = shared
                .queue
                .claim(
                    &queues,
                    &shared.config.worker_id,
                    now_ms(),
                    shared.config.lease.as_millis() as i64,
                    free as u32,
                )
                .await;
            match claimed {
                Ok(jobs) => {
                    filled = jobs.len() == free;
                    for job in jobs {
                        let Ok(permit) = permits.clone().try_acquire_owned() else {
                            break;
                        };
                        shared.stats.claimed.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut running) = shared.running.lock() {
                            running.insert(job.id.clone());
                        }
                        let handler = handlers.get(&job.queue).cloned();
                        let shared = shared.clone();
                        tasks.spawn(async move {
                            run_one(&shared, handler, job).await;
                            drop(permit);
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not claim jobs"),
            }
        }
        if filled {
            // A full batch: there may be more waiting; claim again as soon as a slot frees.
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = tasks.join_next(), if !tasks.is_empty() => {}
            }
            continue;
        }
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(shared.config.poll_interval) => {}
            _ = tasks.join_next(), if !tasks.is_empty() && free == 0 => {}
        }
    }
    let drained = tokio::time::timeout(shared.config.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        let left: Vec<String> = shared
            .running
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default();
        for id in left {
            match shared.queue.release(&id, &shared.config.worker_id).await {
                Ok(()) => {
                    shared.stats.released.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => tracing::warn!(error = %e, job = %id, "could not release a job"),
            }
        }
    }
}

async fn run_one(shared: &Shared, handler: Option<Arc<dyn Handler>>, job: Job) {
    let worker = shared.config.worker_id.as_str();
    let outcome = match handler {
        None => Err(HandlerError::Permanent(format!(
            "no handler for queue {}",
            job.queue
        ))),
        Some(handler) => {
            let heartbeat = async {
                let every = shared.config.lease / 3;
                loop {
                    tokio::time::sleep(every).await;
                    let until = now_ms() + shared.config.lease.as_millis() as i64;
                    match shared.queue.heartbeat(&job.id, worker, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = %job.id, "lost the lease of a running job");
                            std::future::pending::<()>().await;
                        }
                        Err(e) => tracing::warn!(error = %e, job = %job.id, "heartbeat failed"),
                    }
                }
            };
            tokio::select! {
                outcome = handler.handle(&job) => outcome,
                _ = heartbeat => unreachable_heartbeat(),
            }
        }
    };
    let settled = match outcome {
        Ok(()) => {
            shared.stats.completed.fetch_add(1, Ordering::Relaxed);
            shared.queue.complete(&job.id, worker).await
        }
        Err(HandlerError::Retry(error)) if job.attempts < job.max_attempts => {
            shared.stats.retried.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(job = %job.id, queue = %job.queue, attempt = job.attempts, %error, "job failed; retrying");
            let delay = backoff_ms(
                job.attempts,
                shared.config.base_backoff.as_millis() as i64,
                shared.config.max_backoff.as_millis() as i64,
            );
            shared
                .queue
                .retry(&job.id, worker, now_ms() + delay, &error)
                .await
        }
        Err(HandlerError::RetryAfter(error, delay)) if job.attempts < job.max_attempts => {
            shared.stats.retried.fetch_add(1, Ordering::Relaxed);
            tracing::info!(job = %job.id, queue = %job.queue, attempt = job.attempts, %error, "job failed; retrying on its schedule");
            shared
                .queue
                .retry(&job.id, worker, now_ms() + delay.as_millis() as i64, &error)
                .await
        }
        Err(
            HandlerError::Retry(error)
            | HandlerError::RetryAfter(error, _)
            | HandlerError::Permanent(error),
        ) => {
            shared.stats.buried.fetch_add(1, Ordering::Relaxed);
            tracing::error!(job = %job.id, queue = %job.queue, attempts = job.attempts, %error, "job buried");
            shared.queue.bury(&job.id, worker, &error).await
        }
    };
    if let Err(e) = settled {
        // The lease will expire and the job run again; handlers are idempotent.
        tracing::warn!(error = %e, job = %job.id, "could not settle a job");
    }
    if let Ok(mut running) = shared.running.lock() {
        running.remove(&job.id);
    }
}

/// The heartbeat loop never ends on its own; this keeps the select's arms the same type.
fn unreachable_heartbeat() -> Result<(), HandlerError> {
    Err(HandlerError::Retry("heartbeat loop ended".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        for _ in 0..50 {
            let first = backoff_ms(1, 1000, 60_000);
            assert!((800..=1200).contains(&first), "{first}");
            let fourth = backoff_ms(4, 1000, 60_000);
            assert!((6400..=9600).contains(&fourth), "{fourth}");
            let late = backoff_ms(40, 1000, 60_000);
            assert!((48_000..=72_000).contains(&late), "{late}");
        }
    }
}
