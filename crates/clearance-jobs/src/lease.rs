//! Named leases in the database: at most one holder at a time across every process that shares
//! it, for work that must not run twice at once (draining one webhook's queue, say).
//!
//! A lease is taken until a deadline and renewed while its work goes on; a holder that dies
//! simply stops renewing, and once the deadline passes anyone may take it over. Someone who
//! finds a lease held can *ask* the holder to look again before it lets go ([`Leases::ask_lease_holder`]);
//! the holder lets go only when nobody asked ([`Leases::release_lease_unless_asked`]), so a request
//! made while it was finishing is never lost.

use async_trait::async_trait;

use crate::queue::QueueError;

/// Storage of named leases. Times are epoch milliseconds of the caller's clock; nodes sharing a
/// database should keep their clocks within a small part of a lease's length.
#[async_trait]
pub trait Leases: Send + Sync {
    /// Takes `name` for `holder` until `until_ms` when nobody holds it, its holder's deadline
    /// passed by `now_ms`, or `holder` already holds it; clears any request to look again
    /// (the new holder starts from the beginning). True when `holder` holds it now.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, QueueError>;

    /// Moves the deadline to `until_ms`; false when `holder` no longer holds the lease.
    async fn renew_lease(
        &self,
        name: &str,
        holder: &str,
        until_ms: i64,
    ) -> Result<bool, QueueError>;

    /// Asks the live holder of `name` (deadline after `now_ms`) to look again before it lets
    /// go. False when nobody holds it live: the caller should try to take it instead.
    async fn ask_lease_holder(&self, name: &str, now_ms: i64) -> Result<bool, QueueError>;

    /// Lets go of the lease unless someone asked meanwhile. True when someone did: the request
    /// is cleared, `holder` still holds the lease and should look again. False when it let go
    /// (or no longer held it).
    async fn release_lease_unless_asked(
        &self,
        name: &str,
        holder: &str,
    ) -> Result<bool, QueueError>;

    /// Lets go of the lease whatever was asked (the caller's work will run again anyway).
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), QueueError>;

    /// How many leases whose name starts with `prefix` have a deadline after `now_ms` (the
    /// nodes that announced themselves, say). `prefix` holds no `%` or `_`.
    async fn count_live_leases(&self, prefix: &str, now_ms: i64) -> Result<u64, QueueError>;
    /// Removes up to `limit` leases whose deadline passed before `before_ms`: left behind by
    /// holders that died (a crashed server's `node:` lease, say), they are free to take anyway.
    /// Answers how many it removed.
    async fn purge_expired_leases(&self, before_ms: i64, limit: u32) -> Result<u64, QueueError>;
}
