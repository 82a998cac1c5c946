//! The store conformance suite: behaviour both adapters must share, run from each adapter's own
//! tests against a real database. [`conformance_tests!`] makes each scenario a test of its own,
//! on a fresh database, so a failure names the broken rule.

#![expect(
    clippy::unwrap_used,
    reason = "a test suite: a failed unwrap is a failed test"
)]

mod accounts;
mod jobs;
mod leases;
mod reference_data;
mod resources;
mod retention;
mod screening_list_deltas;
mod screening_lists;

use std::sync::Arc;

use clearance_core::store::Store;

pub use accounts::accounts_and_keys;
pub use jobs::{
    a_queue_apart_runs_while_another_holds_every_shared_runner,
    a_retried_job_goes_to_the_back_of_its_keys_line, claims_take_turns_between_keys,
    concurrent_claims_never_share_a_job, enqueues_and_events_commit_with_their_change,
    leases_retries_and_burial, shutdown_hands_back_unfinished_jobs, worker_pools_share_a_queue,
};
pub use leases::{
    a_holder_asked_to_look_again_keeps_its_lease, a_lease_has_one_holder_until_released_or_expired,
    concurrent_takers_get_one_lease, live_leases_are_counted_by_prefix,
};
pub use reference_data::reference_datasets_are_replaced_whole;
pub use resources::{
    change_sets_are_atomic, deleting_a_client_keeps_its_audit_trail,
    insert_get_and_scope_isolation, lists_filter_sort_and_page, updates_are_versioned,
};
pub use retention::{
    a_kind_can_be_walked_across_scopes, old_dead_jobs_and_lapsed_leases_go,
    old_events_go_only_up_to_a_position_and_unless_held, old_records_of_one_kind_go_in_every_scope,
};
pub use screening_list_deltas::{
    list_deltas_are_bounded_per_list, list_deltas_are_recorded_with_their_version,
};
pub use screening_lists::{fetch_states_are_kept_per_source, lists_are_replaced_whole};

/// A store opened for one scenario, with whatever must outlive it (a temporary directory).
pub struct FreshStore {
    pub store: Arc<dyn Store>,
    _keep: Box<dyn Send>,
}

impl FreshStore {
    /// A store that needs nothing kept beside it.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::keeping(store, ())
    }

    /// A store whose files live as long as `keep` does.
    pub fn keeping(store: Arc<dyn Store>, keep: impl Send + 'static) -> Self {
        FreshStore {
            store,
            _keep: Box::new(keep),
        }
    }
}

/// Migrates a freshly opened store, as a server does at start, before a scenario runs on it.
pub async fn migrate(fresh: &FreshStore) {
    fresh.store.migrate().await.unwrap();
}

/// Migrating an up-to-date store again changes nothing and leaves it usable.
pub async fn migrating_again_changes_nothing(store: &Arc<dyn Store>) {
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.count_accounts().await.unwrap(), 0);
}

/// One `#[tokio::test]` per conformance scenario. `$fresh` names an `async fn() ->
/// Option<FreshStore>` opening an empty store, a new one on each call; `None` skips the
/// scenario (the function says why on stderr). The calling crate needs `tokio` with the
/// `macros` and `rt` features among its dev-dependencies.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh;
            migrating_again_changes_nothing,
            accounts_and_keys,
            insert_get_and_scope_isolation,
            updates_are_versioned,
            change_sets_are_atomic,
            lists_filter_sort_and_page,
            deleting_a_client_keeps_its_audit_trail,
            leases_retries_and_burial,
            concurrent_claims_never_share_a_job,
            enqueues_and_events_commit_with_their_change,
            worker_pools_share_a_queue,
            shutdown_hands_back_unfinished_jobs,
            a_queue_apart_runs_while_another_holds_every_shared_runner,
            claims_take_turns_between_keys,
            a_retried_job_goes_to_the_back_of_its_keys_line,
            a_lease_has_one_holder_until_released_or_expired,
            a_holder_asked_to_look_again_keeps_its_lease,
            concurrent_takers_get_one_lease,
            live_leases_are_counted_by_prefix,
            lists_are_replaced_whole,
            fetch_states_are_kept_per_source,
            reference_datasets_are_replaced_whole,
            list_deltas_are_recorded_with_their_version,
            list_deltas_are_bounded_per_list,
            old_records_of_one_kind_go_in_every_scope,
            old_events_go_only_up_to_a_position_and_unless_held,
            a_kind_can_be_walked_across_scopes,
            old_dead_jobs_and_lapsed_leases_go,
        );
    };
    (@each $fresh:path; $($scenario:ident,)+) => {
        $(
            #[tokio::test]
            async fn $scenario() {
                if let Some(fresh) = $fresh().await {
                    $crate::migrate(&fresh).await;
                    $crate::$scenario(&fresh.store).await;
                }
            }
        )+
    };
}
