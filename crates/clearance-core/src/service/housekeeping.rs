//! Retention: what the server keeps only for a while, and the sweep that removes the rest.
//!
//! - Outbox events, once the dispatcher has read past them *and* no webhook still waits to
//!   deliver them (an event with a pending delivery is kept whatever its age: the delivery's
//!   body is rebuilt from it). Older events can no longer be redelivered.
//! - Webhook delivery attempts (the log behind `GET /v1/webhooks/:id/deliveries`).
//! - Dead jobs, once an operator has had the retention period to look at them.
//! - Named leases whose holder died (a crashed server's `node:` lease, a drain it never
//!   finished): past their deadline they are free anyway, so after a day they go.
//! - Idempotency keys, after their 24-hour window.
//! - SDK tokens' check counts: a token lives 60 minutes, so after a day its count guards
//!   nothing.
//!
//! The sweep is safe to run on several servers at once (each delete is by age, in bounded
//! batches), but the binary runs it on one server at a time, under a lease.

use std::time::Duration;

use super::Services;
use crate::error::Result;
use crate::store::{ResourceKind, StoreError};

/// Rows removed per statement: a backlog goes in short transactions, so the sweep never holds
/// SQLite's single writer (or PostgreSQL's row locks) for long.
const BATCH: u32 = 1_000;
/// How long after its deadline a lease nobody renewed is removed. Leases last seconds to a
/// minute; one lapsed this long has no holder that will come back for it.
const LAPSED_LEASE_GRACE: Duration = Duration::from_secs(24 * 3600);
/// How long an SDK token's check count is kept: well past the token's 60-minute life.
const TOKEN_USE_KEPT: Duration = Duration::from_secs(24 * 3600);
/// The default retention of events, delivery attempts and dead jobs.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long each kind of record is kept; `None` keeps it forever.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Outbox events already dispatched and delivered everywhere (the redelivery window).
    pub events: Option<Duration>,
    /// Webhook delivery attempts.
    pub webhook_attempts: Option<Duration>,
    /// Dead jobs.
    pub dead_jobs: Option<Duration>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            events: Some(DEFAULT_RETENTION),
            webhook_attempts: Some(DEFAULT_RETENTION),
            dead_jobs: Some(DEFAULT_RETENTION),
        }
    }
}

/// What one sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub events: u64,
    pub webhook_attempts: u64,
    pub dead_jobs: u64,
    pub leases: u64,
    pub token_uses: u64,
    pub idempotency_keys: u64,
}

impl Swept {
    /// Whether the sweep removed anything.
    pub fn is_empty(&self) -> bool {
        *self == Swept::default()
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Runs a bounded delete until a batch comes back short.
async fn in_batches<F, Fut>(mut delete: F) -> Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<u64, StoreError>>,
{
    let mut total = 0;
    loop {
        let n = delete().await?;
        total += n;
        // Each batch is its own statement: writes waiting for the writer get it in between.
        if n < u64::from(BATCH) {
            return Ok(total);
        }
    }
}

fn queue_failure(e: clearance_jobs::QueueError) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl Services {
    /// Removes what `retention` no longer keeps, as of now.
    pub async fn housekeep(&self, retention: &Retention) -> Result<Swept> {
        let now = self.now_ms();
        let cutoff = |d: Duration| now.saturating_sub(millis(d));
        let store = self.store.as_ref();
        let mut swept = Swept::default();
        if let Some(keep) = retention.events {
            swept.events = self.purge_events(cutoff(keep)).await?;
        }
        if let Some(keep) = retention.webhook_attempts {
            let before = cutoff(keep);
            swept.webhook_attempts = in_batches(|| {
                store.delete_created_before(ResourceKind::WebhookAttempt, before, BATCH)
            })
            .await?;
        }
        if let Some(keep) = retention.dead_jobs {
            let before = cutoff(keep);
            swept.dead_jobs = in_batches(|| async move {
                store.purge_dead(before, BATCH).await.map_err(queue_failure)
            })
            .await?;
        }
        let before = cutoff(LAPSED_LEASE_GRACE);
        swept.leases = in_batches(|| async move {
            store
                .purge_expired_leases(before, BATCH)
                .await
                .map_err(queue_failure)
        })
        .await?;
        let before = cutoff(TOKEN_USE_KEPT);
        swept.token_uses =
            in_batches(|| store.delete_created_before(ResourceKind::SdkTokenUse, before, BATCH))
                .await?;
        let before = now.saturating_sub(super::idempotency::IDEMPOTENCY_WINDOW_MS);
        swept.idempotency_keys =
            in_batches(|| store.delete_created_before(ResourceKind::IdempotencyKey, before, BATCH))
                .await?;
        Ok(swept)
    }

    /// Removes events created before `before` that every webhook is done with.
    async fn purge_events(&self, before: i64) -> Result<u64> {
        // The cursor first, then (in each delete) the pending deliveries: the dispatcher commits
        // a range's deliveries with the cursor that covers it, so every event up to the cursor
        // read here has its deliveries visible to the deletes. (The other order could miss the
        // deliveries of a range dispatched in between.)
        let up_to = self.dispatched_up_to().await?;
        // A pending delivery is created at its event's time in its webhook's scope, which is
        // how the store tells which events it holds. One endpoint that stays down, or a
        // disabled webhook's queue, keeps only its own events.
        let store = self.store.as_ref();
        in_batches(|| {
            store.delete_events_before(before, up_to, ResourceKind::WebhookDelivery, BATCH)
        })
        .await
    }
}
