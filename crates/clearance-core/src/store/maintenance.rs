//! The housekeeping port: work across every account at once, by kind and age, which no request
//! path needs (requests always read and write inside one scope).

use async_trait::async_trait;

use super::{Resource, ResourceKind, StoreError};

/// What retention and one-off upgrades need from a store. Every delete takes a `limit`, so a
/// large backlog is removed in short transactions that never hold the writer for long.
#[async_trait]
pub trait Maintenance: Send + Sync {
    /// Deletes up to `limit` resources of `kind`, in any scope, created before `before_ms`;
    /// answers how many it deleted.
    async fn delete_created_before(
        &self,
        kind: ResourceKind,
        before_ms: i64,
        limit: u32,
    ) -> Result<u64, StoreError>;

    /// Deletes up to `limit` outbox events created before `before_ms` whose position is at most
    /// `up_to_seq`, except any that a resource of kind `held_by` in the event's scope, created
    /// at the event's time, may stand for (a pending webhook delivery); answers how many it
    /// deleted.
    async fn delete_events_before(
        &self,
        before_ms: i64,
        up_to_seq: i64,
        held_by: ResourceKind,
        limit: u32,
    ) -> Result<u64, StoreError>;

    /// Up to `limit` resources of `kind`, in any scope, with ids after `after_id` (all when
    /// `None`), in id order: a walk over every record of a kind.
    async fn scan_kind(
        &self,
        kind: ResourceKind,
        after_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Resource>, StoreError>;
}
