//! A durable job queue that knows nothing of what its jobs do.
//!
//! Jobs live in the database next to the data they act on, so a job can be enqueued in the same
//! transaction as the change that needs it. A worker *claims* a job by taking a time-limited
//! lease, keeps the lease alive with heartbeats while the handler runs, and then completes,
//! retries (with exponential back-off) or buries it. A worker that dies simply stops
//! heartbeating: once its lease expires another worker claims the job again. Delivery is
//! therefore at least once, and handlers must be idempotent.

mod job;
mod lease;
mod queue;
mod worker;

pub use job::{Job, NewJob};
pub use lease::Leases;
pub use queue::{JobQueue, QueueCounts, QueueError};
pub use worker::{Handler, HandlerError, WorkerConfig, WorkerStats, Workers, backoff_ms};
