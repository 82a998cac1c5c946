//! The storage port of the queue, implemented by each database adapter.

use async_trait::async_trait;

use crate::job::{Job, NewJob};

/// Failures of the queue's storage.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// A job with this id already exists.
    #[error("job already exists: {0}")]
    Duplicate(String),
    /// The database failed.
    #[error("queue storage error: {0}")]
    Backend(String),
}

/// How many jobs are in each state; for metrics, readiness and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting to run (including ones waiting for a retry).
    pub queued: u64,
    /// Claimed under a lease that has not expired.
    pub running: u64,
    /// Gave up after their last attempt.
    pub dead: u64,
}

/// Durable storage of jobs. Every method that takes a `worker` only acts while that worker
/// still holds the job's lease, so a worker whose lease expired cannot undo another's work.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Adds a job outside any other change.
    async fn enqueue(&self, job: NewJob) -> Result<(), QueueError>;

    /// Leases up to `limit` runnable jobs of the given queues to `worker` until
    /// `now_ms + lease_ms`, counting an attempt for each. Fair keys take turns: a job is
    /// queued one turn after its key's newest queued job, or at the queue's head when its key
    /// has none, and claims go by turn, then `run_at`; so a key with a long backlog gets one job
    /// per turn like any other. One queue per claim walks one index in order; several are
    /// sorted. Runnable means
    /// queued, due, and not under a live lease (an expired lease is claimable again). Two
    /// concurrent claims never return the same job.
    async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Job>, QueueError>;

    /// Extends the lease; false when the worker no longer holds it.
    async fn heartbeat(
        &self,
        id: &str,
        worker: &str,
        lease_until_ms: i64,
    ) -> Result<bool, QueueError>;

    /// Removes a finished job.
    async fn complete(&self, id: &str, worker: &str) -> Result<(), QueueError>;

    /// Releases the lease and schedules another attempt at `run_at_ms`.
    async fn retry(
        &self,
        id: &str,
        worker: &str,
        run_at_ms: i64,
        error: &str,
    ) -> Result<(), QueueError>;

    /// Gives up on a job: it stays stored as dead, with its last error, for an operator.
    async fn bury(&self, id: &str, worker: &str, error: &str) -> Result<(), QueueError>;

    /// Hands a job back untouched (graceful shutdown): runnable at once, attempt not counted.
    async fn release(&self, id: &str, worker: &str) -> Result<(), QueueError>;

    /// Jobs per state at `now_ms`.
    async fn counts(&self, now_ms: i64) -> Result<QueueCounts, QueueError>;
    /// Removes up to `limit` dead jobs whose last attempt was due before `before_ms` (retention:
    /// an operator has had that long to look at them); answers how many it removed.
    async fn purge_dead(&self, before_ms: i64, limit: u32) -> Result<u64, QueueError>;
}
