//! The lease that keeps one webhook's queue to one drainer across every server on the database.
//! Without it two servers would each send the queue's head, and the endpoint would receive most
//! events twice.
//!
//! The holder is the delivery job's id, not the process: when a server dies, its job is claimed
//! again by another server (once the job's own lease lapses), takes its drain lease back at
//! once, and finds any request to look again that was addressed to it.

use std::time::Duration;

use clearance_jobs::{HandlerError, QueueError};

use crate::store::Store;

/// How long a drain lease lasts without renewal. Longer than a webhook's answer may take (15 s),
/// with room to spare, since the drainer renews it between sends.
pub(super) const DRAIN_LEASE_MS: i64 = 60_000;

fn retry(e: QueueError) -> HandlerError {
    HandlerError::Retry(e.to_string())
}

/// One delivery job's hold on its webhook's queue.
pub(super) struct DrainLease {
    name: String,
    holder: String,
    /// When to renew next (half way to the deadline).
    renew_at: i64,
    /// Another drainer took the lease over (ours lapsed): stop sending.
    lost: bool,
}

impl DrainLease {
    pub(super) fn new(hook_id: &str, job_id: &str) -> Self {
        DrainLease {
            name: format!("webhook-drain:{hook_id}"),
            holder: job_id.to_string(),
            renew_at: 0,
            lost: false,
        }
    }

    /// Takes the lease, or asks its live holder to drain once more before it lets go. False
    /// when the holder was asked: this job has nothing more to do.
    pub(super) async fn take(
        &mut self,
        store: &dyn Store,
        now: impl Fn() -> i64,
    ) -> Result<bool, HandlerError> {
        // The lease can change hands between the two statements; a few rounds settle it.
        for _ in 0..3 {
            let at = now();
            if store
                .take_lease(&self.name, &self.holder, at, at + DRAIN_LEASE_MS)
                .await
                .map_err(retry)?
            {
                self.renew_at = at + DRAIN_LEASE_MS / 2;
                return Ok(true);
            }
            if store
                .ask_lease_holder(&self.name, at)
                .await
                .map_err(retry)?
            {
                return Ok(false);
            }
        }
        Err(HandlerError::RetryAfter(
            "the webhook's drain lease is changing hands".into(),
            Duration::from_millis(100),
        ))
    }

    /// Whether this job may send the next delivery: renews the lease when half of it is used,
    /// and answers false once it was lost to another drainer.
    pub(super) async fn keep(&mut self, store: &dyn Store, now: i64) -> Result<bool, HandlerError> {
        if self.lost {
            return Ok(false);
        }
        if now >= self.renew_at {
            if !store
                .renew_lease(&self.name, &self.holder, now + DRAIN_LEASE_MS)
                .await
                .map_err(retry)?
            {
                tracing::warn!(lease = %self.name, "webhook drain lease lost to another drainer");
                self.lost = true;
                return Ok(false);
            }
            self.renew_at = now + DRAIN_LEASE_MS / 2;
        }
        Ok(true)
    }

    /// Lets go unless someone asked for another look meanwhile; true when asked (drain again).
    pub(super) async fn finish(&self, store: &dyn Store) -> Result<bool, HandlerError> {
        if self.lost {
            return Ok(false);
        }
        store
            .release_lease_unless_asked(&self.name, &self.holder)
            .await
            .map_err(retry)
    }

    /// Lets go whatever was asked: the job stops with an error or a scheduled retry and will run
    /// again, so a request to it is answered then.
    pub(super) async fn abandon(&self, store: &dyn Store) {
        if let Err(e) = store.release_lease(&self.name, &self.holder).await {
            // It lapses by itself; this job takes it back when it runs again.
            tracing::warn!(lease = %self.name, error = %e, "releasing a webhook drain lease failed");
        }
    }
}
