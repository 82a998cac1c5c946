//! Named leases: one holder at a time, renewal, takeover after the deadline, and requests to
//! look again that a holder cannot miss when it lets go.

use std::sync::Arc;

use clearance_core::store::Store;

const NAME: &str = "webhook-drain:hook-1";

pub async fn a_lease_has_one_holder_until_released_or_expired(store: &Arc<dyn Store>) {
    assert!(store.take_lease(NAME, "a", 1_000, 2_000).await.unwrap());
    assert!(
        !store.take_lease(NAME, "b", 1_500, 2_500).await.unwrap(),
        "held by a until 2000"
    );
    assert!(
        store.take_lease(NAME, "a", 1_500, 2_500).await.unwrap(),
        "the holder may take it again (a job run again after a crash)"
    );
    assert!(store.renew_lease(NAME, "a", 3_000).await.unwrap());
    assert!(
        !store.take_lease(NAME, "b", 2_999, 4_000).await.unwrap(),
        "renewal moved the deadline"
    );
    assert!(
        store
            .take_lease("other-name", "b", 2_999, 4_000)
            .await
            .unwrap(),
        "names are independent"
    );

    // a stops renewing (a crash): at the deadline b takes over, and a cannot renew any more.
    assert!(store.take_lease(NAME, "b", 3_000, 4_000).await.unwrap());
    assert!(
        !store.renew_lease(NAME, "a", 5_000).await.unwrap(),
        "a lost it"
    );
    store.release_lease(NAME, "a").await.unwrap(); // ignored: a no longer holds it
    assert!(
        !store.take_lease(NAME, "c", 3_500, 4_500).await.unwrap(),
        "a's release did not free b's lease"
    );

    // Released, it is free at once, long before its deadline.
    store.release_lease(NAME, "b").await.unwrap();
    assert!(store.take_lease(NAME, "c", 3_501, 9_000).await.unwrap());
    assert!(!store.release_lease_unless_asked(NAME, "c").await.unwrap());
    assert!(store.take_lease(NAME, "d", 3_502, 9_000).await.unwrap());
}

pub async fn a_holder_asked_to_look_again_keeps_its_lease(store: &Arc<dyn Store>) {
    assert!(
        !store.ask_lease_holder(NAME, 1_000).await.unwrap(),
        "nobody holds it: the caller should take it"
    );
    assert!(store.take_lease(NAME, "a", 1_000, 2_000).await.unwrap());
    assert!(!store.take_lease(NAME, "b", 1_100, 2_100).await.unwrap());
    assert!(
        store.ask_lease_holder(NAME, 1_100).await.unwrap(),
        "a is live"
    );
    assert!(
        store.ask_lease_holder(NAME, 1_200).await.unwrap(),
        "asking twice is one request"
    );

    // a finishes: it is told to look again and still holds the lease.
    assert!(store.release_lease_unless_asked(NAME, "a").await.unwrap());
    assert!(!store.take_lease(NAME, "b", 1_300, 2_300).await.unwrap());
    // Nobody asked since: now it lets go.
    assert!(!store.release_lease_unless_asked(NAME, "a").await.unwrap());
    assert!(store.take_lease(NAME, "b", 1_400, 2_400).await.unwrap());

    // A request to a holder whose deadline passed is refused: that holder may be dead.
    assert!(!store.ask_lease_holder(NAME, 2_400).await.unwrap());
    // A new holder starts afresh: an old request is not carried over to it.
    assert!(store.ask_lease_holder(NAME, 2_000).await.unwrap());
    assert!(store.take_lease(NAME, "c", 2_400, 3_400).await.unwrap());
    assert!(!store.release_lease_unless_asked(NAME, "c").await.unwrap());
    // A holder that lost its lease is not told to look again.
    assert!(store.take_lease(NAME, "d", 2_500, 3_000).await.unwrap());
    assert!(store.ask_lease_holder(NAME, 2_600).await.unwrap());
    assert!(store.take_lease(NAME, "e", 3_000, 4_000).await.unwrap());
    assert!(!store.release_lease_unless_asked(NAME, "d").await.unwrap());
}

/// Many contenders at once: exactly one takes the lease.
pub async fn concurrent_takers_get_one_lease(store: &Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .take_lease(NAME, &format!("holder-{i}"), 1_000, 60_000)
                .await
                .unwrap()
        }));
    }
    let mut taken = 0;
    for t in tasks {
        if t.await.unwrap() {
            taken += 1;
        }
    }
    assert_eq!(taken, 1);
}

/// Leases counted by name prefix, live ones only: how nodes learn how many of them there are.
pub async fn live_leases_are_counted_by_prefix(store: &Arc<dyn Store>) {
    assert_eq!(store.count_live_leases("node:", 1_000).await.unwrap(), 0);
    assert!(store.take_lease("node:a", "a", 1_000, 2_000).await.unwrap());
    assert!(store.take_lease("node:b", "b", 1_000, 3_000).await.unwrap());
    assert!(
        store
            .take_lease("webhook-drain:x", "j", 1_000, 3_000)
            .await
            .unwrap()
    );
    assert_eq!(store.count_live_leases("node:", 1_500).await.unwrap(), 2);
    assert_eq!(
        store.count_live_leases("node:", 2_000).await.unwrap(),
        1,
        "a lapsed"
    );
    store.release_lease("node:b", "b").await.unwrap();
    assert_eq!(store.count_live_leases("node:", 2_000).await.unwrap(), 0);
}
