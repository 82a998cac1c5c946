//! The job queue and the outbox: leases, retries, exclusivity, atomic enqueue with a change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use clearance_core::events::{Event, EventQuery};
use clearance_core::store::{Change, Resource, ResourceKind, Store, StoreError};
use clearance_core::{Mode, Scope};
use clearance_jobs::{
    Handler, HandlerError, Job, JobQueue, NewJob, QueueError, WorkerConfig, Workers,
};
use serde_json::{Map, json};

fn job(id: &str, queue: &str, run_at: i64) -> NewJob {
    NewJob {
        id: id.into(),
        queue: queue.into(),
        payload: json!({"n": id}),
        run_at_ms: run_at,
        max_attempts: 3,
        fair_key: String::new(),
    }
}

fn queues(name: &str) -> Vec<String> {
    vec![name.to_string()]
}

pub async fn leases_retries_and_burial(store: &Arc<dyn Store>) {
    let q = queues("lease");
    store.enqueue(job("lease-1", "lease", 1_000)).await.unwrap();
    assert!(matches!(
        store.enqueue(job("lease-1", "lease", 1_000)).await,
        Err(QueueError::Duplicate(_))
    ));
    assert!(
        store.claim(&q, "a", 999, 100, 10).await.unwrap().is_empty(),
        "not due yet"
    );

    let claimed = store.claim(&q, "a", 1_000, 100, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempts, 1);
    assert_eq!(claimed[0].payload, json!({"n": "lease-1"}));
    assert!(
        store
            .claim(&q, "b", 1_050, 100, 10)
            .await
            .unwrap()
            .is_empty(),
        "lease is live"
    );
    assert!(store.heartbeat("lease-1", "a", 1_200).await.unwrap());
    assert!(
        store
            .claim(&q, "b", 1_150, 100, 10)
            .await
            .unwrap()
            .is_empty(),
        "heartbeat extended it"
    );

    // Worker a stops heartbeating: once the lease expires, b runs the job again.
    let again = store.claim(&q, "b", 1_201, 100, 10).await.unwrap();
    assert_eq!(again.len(), 1, "an expired lease is claimable");
    assert_eq!(again[0].attempts, 2);
    assert!(
        !store.heartbeat("lease-1", "a", 5_000).await.unwrap(),
        "a lost the lease"
    );
    store.complete("lease-1", "a").await.unwrap(); // ignored: a no longer holds it
    let counts = store.counts(1_250).await.unwrap();
    assert_eq!(counts.running, 1);

    store.retry("lease-1", "b", 2_000, "flaky").await.unwrap();
    assert!(
        store
            .claim(&q, "c", 1_999, 100, 10)
            .await
            .unwrap()
            .is_empty(),
        "backing off"
    );
    let third = store.claim(&q, "c", 2_000, 100, 10).await.unwrap();
    assert_eq!(third[0].attempts, 3);

    store.release("lease-1", "c").await.unwrap();
    let released = store.claim(&q, "d", 2_001, 100, 10).await.unwrap();
    assert_eq!(
        released[0].attempts, 3,
        "a released claim does not count as an attempt"
    );

    store.bury("lease-1", "d", "gave up").await.unwrap();
    assert!(
        store
            .claim(&q, "e", 9_000, 100, 10)
            .await
            .unwrap()
            .is_empty(),
        "dead jobs stay dead"
    );
    assert_eq!(store.counts(9_000).await.unwrap().dead, 1);

    store.enqueue(job("lease-2", "lease", 1_000)).await.unwrap();
    store.claim(&q, "f", 3_000, 100, 10).await.unwrap();
    store.complete("lease-2", "f").await.unwrap();
    assert!(
        store
            .claim(&q, "g", 99_000, 100, 10)
            .await
            .unwrap()
            .is_empty(),
        "completed jobs are gone"
    );
    assert!(
        store
            .claim(&queues("other"), "g", 99_000, 100, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn concurrent_claims_never_share_a_job(store: &Arc<dyn Store>) {
    for i in 0..60 {
        store
            .enqueue(job(&format!("race-{i:02}"), "race", 10))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim(&queues("race"), &format!("w{w}"), 20, 60_000, 3)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for t in tasks {
        for id in t.await.unwrap() {
            *seen.entry(id).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 60, "every job claimed");
    assert!(
        seen.values().all(|&n| n == 1),
        "no job claimed twice: {seen:?}"
    );
}

pub async fn enqueues_and_events_commit_with_their_change(store: &Arc<dyn Store>) {
    let scope = Scope::new("acct-outbox", Mode::Test);
    let resource = Resource {
        id: "outbox-res".into(),
        scope: scope.clone(),
        kind: ResourceKind::Check,
        client_id: None,
        created_at: 5,
        updated_at: 5,
        version: 1,
        body: Map::new(),
    };
    let event = |id: &str, t: &str| Event {
        id: id.into(),
        scope: scope.clone(),
        event_type: t.into(),
        resource_type: "check".into(),
        resource_id: "outbox-res".into(),
        payload: Map::from_iter([("id".to_string(), json!("outbox-res"))]),
        created_at: 5,
    };
    let before = store.events_after(0, 1000).await.unwrap().len();
    store
        .apply(vec![
            Change::Insert(resource.clone()),
            Change::Enqueue(job("outbox-job", "outbox", 1)),
            Change::Event(event("ev-1", "check.pending")),
        ])
        .await
        .unwrap();
    // A failing change set (duplicate resource) leaves neither its job nor its event behind.
    let failed = store
        .apply(vec![
            Change::Enqueue(job("outbox-job-2", "outbox", 1)),
            Change::Event(event("ev-2", "check.pending")),
            Change::Insert(resource),
        ])
        .await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    let claimed = store
        .claim(&queues("outbox"), "x", 10, 100, 10)
        .await
        .unwrap();
    let ids: Vec<_> = claimed.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["outbox-job"]);

    store
        .apply(vec![Change::Event(event("ev-3", "check.completed"))])
        .await
        .unwrap();
    let events = store.events_after(0, 1000).await.unwrap();
    let mine: Vec<_> = events[before..].iter().collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].event.event_type, "check.pending");
    assert_eq!(mine[1].event.event_type, "check.completed");
    assert!(mine[0].seq < mine[1].seq, "seq grows");
    assert_eq!(mine[0].event.payload["id"], json!("outbox-res"));
    assert_eq!(mine[0].event.scope, scope);
    let tail = store.events_after(mine[0].seq, 1000).await.unwrap();
    assert_eq!(tail.len(), 1);

    // Redelivery searches one scope's outbox by id or by a strict time window.
    let mut late = event("ev-4", "check.updated");
    late.created_at = 9;
    let mut foreign = event("ev-5", "check.updated");
    foreign.scope = Scope::new("acct-outbox", Mode::Live);
    store
        .apply(vec![Change::Event(late), Change::Event(foreign)])
        .await
        .unwrap();
    let find = |id: Option<&str>, after: Option<i64>, before: Option<i64>| EventQuery {
        scope: scope.clone(),
        id: id.map(str::to_string),
        created_after: after,
        created_before: before,
        limit: 10,
    };
    let ids = |found: Vec<clearance_core::events::StoredEvent>| {
        found.into_iter().map(|e| e.event.id).collect::<Vec<_>>()
    };
    let all = store.find_events(&find(None, None, None)).await.unwrap();
    assert_eq!(
        ids(all),
        ["ev-1", "ev-3", "ev-4"],
        "one scope, oldest first"
    );
    let one = store.find_events(&find(Some("ev-3"), None, None)).await;
    assert_eq!(ids(one.unwrap()), ["ev-3"]);
    let other = store.find_events(&find(Some("ev-5"), None, None)).await;
    assert!(
        other.unwrap().is_empty(),
        "another mode's event is not found"
    );
    let window = store.find_events(&find(None, Some(5), Some(10))).await;
    assert_eq!(ids(window.unwrap()), ["ev-4"], "bounds are strict");
    let window = store.find_events(&find(None, Some(4), Some(9))).await;
    assert_eq!(ids(window.unwrap()), ["ev-1", "ev-3"]);
}

struct Recorder {
    runs: Mutex<HashMap<String, u32>>,
    fail_first: bool,
}

#[async_trait]
impl Handler for Recorder {
    async fn handle(&self, job: &Job) -> Result<(), HandlerError> {
        let n = {
            let mut runs = self.runs.lock().unwrap();
            let n = runs.entry(job.id.clone()).or_default();
            *n += 1;
            *n
        };
        if self.fail_first && n == 1 {
            return Err(HandlerError::Retry("first attempt fails".into()));
        }
        Ok(())
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub async fn worker_pools_share_a_queue(store: &Arc<dyn Store>) {
    let now = now_ms();
    for i in 0..40 {
        store
            .enqueue(job(&format!("pool-{i:02}"), "pool", now))
            .await
            .unwrap();
    }
    let recorder = Arc::new(Recorder {
        runs: Mutex::new(HashMap::new()),
        fail_first: true,
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut pools = Vec::new();
    let mut stats = Vec::new();
    for name in ["pool-a", "pool-b"] {
        let mut config = WorkerConfig::new(name);
        config.concurrency = 4;
        config.poll_interval = Duration::from_millis(10);
        config.base_backoff = Duration::from_millis(5);
        let queue: Arc<dyn JobQueue> = store.clone();
        let workers = Workers::new(queue, config).handle("pool", recorder.clone());
        stats.push(workers.stats());
        pools.push(tokio::spawn(workers.run(stopped.clone())));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let done = stats
            .iter()
            .map(|s| s.completed.load(std::sync::atomic::Ordering::Relaxed))
            .sum::<u64>();
        if done == 40 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {done} of 40 jobs completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    for p in pools {
        p.await.unwrap();
    }
    let runs = recorder.runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 40);
    assert!(
        runs.values().all(|&n| n == 2),
        "each job failed once, then succeeded once: {runs:?}"
    );
    assert!(
        store
            .claim(&queues("pool"), "z", now_ms() + 60_000, 100, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

struct Sleeper;

#[async_trait]
impl Handler for Sleeper {
    async fn handle(&self, _job: &Job) -> Result<(), HandlerError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    }
}

pub async fn shutdown_hands_back_unfinished_jobs(store: &Arc<dyn Store>) {
    store
        .enqueue(job("slow-1", "slow", now_ms()))
        .await
        .unwrap();
    let mut config = WorkerConfig::new("slow-pool");
    config.poll_interval = Duration::from_millis(10);
    config.shutdown_grace = Duration::from_millis(100);
    let queue: Arc<dyn JobQueue> = store.clone();
    let workers = Workers::new(queue, config).handle("slow", Arc::new(Sleeper));
    let stats = workers.stats();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let pool = tokio::spawn(workers.run(stopped));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while stats.claimed.load(std::sync::atomic::Ordering::Relaxed) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the job was never claimed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), pool)
        .await
        .expect("shutdown waits only for the grace period")
        .unwrap();
    assert_eq!(stats.released.load(std::sync::atomic::Ordering::Relaxed), 1);
    let again = store
        .claim(&queues("slow"), "other", now_ms(), 1_000, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "the released job is runnable at once");
    assert_eq!(
        again[0].attempts, 1,
        "the interrupted run did not count as an attempt"
    );
}

/// Counts the jobs it ran.
#[derive(Default)]
struct Counter {
    ran: std::sync::atomic::AtomicU64,
}

#[async_trait]
impl Handler for Counter {
    async fn handle(&self, _job: &Job) -> Result<(), HandlerError> {
        self.ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

/// A queue with runners of its own keeps running while slow jobs of another queue hold every
/// shared runner (issue #21.2: webhooks to slow endpoints must not stop checks).
pub async fn a_queue_apart_runs_while_another_holds_every_shared_runner(store: &Arc<dyn Store>) {
    let now = now_ms();
    for i in 0..4 {
        store
            .enqueue(job(&format!("hog-{i}"), "hog", now))
            .await
            .unwrap();
    }
    let mut config = WorkerConfig::new("apart");
    config.concurrency = 2;
    config.poll_interval = Duration::from_millis(10);
    config.shutdown_grace = Duration::from_millis(50);
    let counter = Arc::new(Counter::default());
    let queue: Arc<dyn JobQueue> = store.clone();
    let workers = Workers::new(queue, config)
        .handle("hog", Arc::new(Sleeper))
        .handle_apart("quick", counter.clone(), 1);
    let stats = workers.stats();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let pool = tokio::spawn(workers.run(stopped));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while stats.claimed.load(std::sync::atomic::Ordering::Relaxed) < 2 {
        assert!(tokio::time::Instant::now() < deadline, "the hogs never ran");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Both shared runners now sleep for 30 s; the quick queue's jobs still run.
    for i in 0..5 {
        store
            .enqueue(job(&format!("quick-{i}"), "quick", now_ms()))
            .await
            .unwrap();
    }
    while counter.ran.load(std::sync::atomic::Ordering::Relaxed) < 5 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue apart waited for the shared runners"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), pool)
        .await
        .expect("every group stops within the grace period")
        .unwrap();
    assert_eq!(
        stats.released.load(std::sync::atomic::Ordering::Relaxed),
        2,
        "the two running hogs were handed back"
    );
}

/// Claims take turns between fair keys: a key with a long backlog gets one job per turn, and a
/// newer key's first job comes before the backlog's second (issue #21.2).
pub async fn claims_take_turns_between_keys(store: &Arc<dyn Store>) {
    let now = now_ms();
    for i in 0..10 {
        store
            .enqueue(job(&format!("busy-{i}"), "fair", now - 10_000 + i).fair_to("busy"))
            .await
            .unwrap();
    }
    for i in 0..2 {
        store
            .enqueue(job(&format!("quiet-{i}"), "fair", now - 100 + i).fair_to("quiet"))
            .await
            .unwrap();
    }
    let first = store
        .claim(&queues("fair"), "w", now, 60_000, 4)
        .await
        .unwrap();
    let mut ids: Vec<_> = first.iter().map(|j| j.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["busy-0", "busy-1", "quiet-0", "quiet-1"]);
    // With the quiet key served, the backlog goes on in order.
    let next = store
        .claim(&queues("fair"), "w", now, 60_000, 3)
        .await
        .unwrap();
    let mut ids: Vec<_> = next.iter().map(|j| j.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["busy-2", "busy-3", "busy-4"]);
}

/// A retried job (a delivery yielding after its time slice, say) goes to the back of its key's
/// line: another key's waiting job is claimed before it, not after.
pub async fn a_retried_job_goes_to_the_back_of_its_keys_line(store: &Arc<dyn Store>) {
    let now = now_ms();
    for (id, key, run_at) in [
        ("a-0", "a", now - 300),
        ("a-1", "a", now - 200),
        ("b-0", "b", now - 100),
    ] {
        store
            .enqueue(job(id, "turns", run_at).fair_to(key))
            .await
            .unwrap();
    }
    let first = store
        .claim(&queues("turns"), "w", now, 60_000, 1)
        .await
        .unwrap();
    assert_eq!(first[0].id, "a-0");
    store.retry("a-0", "w", now, "slice used").await.unwrap();
    let mut order = Vec::new();
    for _ in 0..3 {
        let next = store
            .claim(&queues("turns"), "w", now, 60_000, 1)
            .await
            .unwrap();
        order.push(next[0].id.clone());
    }
    assert_eq!(order, ["b-0", "a-1", "a-0"]);
}
