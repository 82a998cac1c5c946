//! The store conformance suite: behaviour both adapters must share, run from each adapter's own
//! tests against a real database. Panics (test failures) name the broken rule.

#![expect(
    clippy::unwrap_used,
    reason = "a test suite: a failed unwrap is a failed test"
)]

mod accounts;
mod jobs;
mod resources;
mod screening_lists;

use std::sync::Arc;

use clearance_core::store::Store;

/// Runs every conformance scenario against a freshly migrated, empty store.
pub async fn run_all(store: Arc<dyn Store>) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // migrations are idempotent
    store.ping().await.unwrap();
    accounts::accounts_and_keys(store.as_ref()).await;
    resources::insert_get_and_scope_isolation(store.as_ref()).await;
    resources::updates_are_versioned(store.as_ref()).await;
    resources::change_sets_are_atomic(store.as_ref()).await;
    resources::lists_filter_sort_and_page(store.as_ref()).await;
    resources::deleting_a_client_keeps_its_audit_trail(store.as_ref()).await;
    jobs::leases_retries_and_burial(store.as_ref()).await;
    jobs::concurrent_claims_never_share_a_job(store.clone()).await;
    jobs::enqueues_and_events_commit_with_their_change(store.as_ref()).await;
    jobs::worker_pools_share_a_queue(store.clone()).await;
    jobs::shutdown_hands_back_unfinished_jobs(store.clone()).await;
    screening_lists::lists_are_replaced_whole(store.as_ref()).await;
}
