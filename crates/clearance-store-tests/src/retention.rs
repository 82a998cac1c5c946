//! Housekeeping across scopes: deletion by age in bounded batches (records, outbox events up to
//! a position and not held, dead jobs, lapsed leases) and walks over a kind.

use std::sync::Arc;

use clearance_core::events::Event;
use clearance_core::store::{Change, Resource, ResourceKind, Store};
use clearance_core::{Mode, Scope};
use clearance_jobs::NewJob;
use serde_json::{Map, json};

fn record(id: &str, scope: &Scope, kind: ResourceKind, at: i64) -> Resource {
    Resource {
        id: id.into(),
        scope: scope.clone(),
        kind,
        client_id: Some("hook".into()),
        created_at: at,
        updated_at: at,
        version: 1,
        body: Map::from_iter([("n".to_string(), json!(id))]),
    }
}

fn event(id: &str, at: i64) -> Event {
    Event {
        id: id.into(),
        scope: Scope::new("acct-retention", Mode::Live),
        event_type: "client.created".into(),
        resource_type: "client".into(),
        resource_id: "c1".into(),
        payload: Map::new(),
        created_at: at,
    }
}

pub async fn old_records_of_one_kind_go_in_every_scope(store: &Arc<dyn Store>) {
    let a = Scope::new("acct-a", Mode::Test);
    let b = Scope::new("acct-b", Mode::Live);
    let attempt = ResourceKind::WebhookAttempt;
    store
        .apply(vec![
            Change::Insert(record("at-a1", &a, attempt, 1_000)),
            Change::Insert(record("at-b1", &b, attempt, 1_500)),
            Change::Insert(record("at-a2", &a, attempt, 3_000)),
            Change::Insert(record("client-old", &a, ResourceKind::Client, 100)),
        ])
        .await
        .unwrap();
    assert_eq!(
        store
            .delete_created_before(attempt, 2_000, 1)
            .await
            .unwrap(),
        1,
        "a batch stops at its limit"
    );
    assert_eq!(
        store
            .delete_created_before(attempt, 2_000, 100)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .delete_created_before(attempt, 2_000, 100)
            .await
            .unwrap(),
        0
    );
    assert!(store.get(&a, attempt, "at-a2").await.unwrap().is_some());
    assert!(
        store
            .get(&a, ResourceKind::Client, "client-old")
            .await
            .unwrap()
            .is_some(),
        "other kinds are left alone, however old"
    );
}

pub async fn old_events_go_only_up_to_a_position_and_unless_held(store: &Arc<dyn Store>) {
    let scope = event("x", 0).scope;
    let held_by = ResourceKind::WebhookDelivery;
    store
        .apply(vec![
            Change::Event(event("ev-old-1", 1_000)),
            Change::Event(event("ev-old-2", 2_000)),
            Change::Event(event("ev-held", 3_000)),
            Change::Event(event("ev-new", 9_000)),
            // Holds the event of its scope and time; the same time elsewhere holds nothing.
            Change::Insert(record("delivery", &scope, held_by, 3_000)),
            Change::Insert(record(
                "elsewhere",
                &Scope::new("acct-retention", Mode::Test),
                held_by,
                2_000,
            )),
        ])
        .await
        .unwrap();
    let seqs: Vec<i64> = store
        .events_after(0, 10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs.len(), 4);
    assert_eq!(
        store
            .delete_events_before(5_000, seqs[0], held_by, 100)
            .await
            .unwrap(),
        1,
        "old, but past the position: kept"
    );
    assert_eq!(
        store
            .delete_events_before(5_000, seqs[3], held_by, 100)
            .await
            .unwrap(),
        1,
        "held, or new enough: kept"
    );
    let left: Vec<String> = store
        .events_after(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.id)
        .collect();
    assert_eq!(left, ["ev-held", "ev-new"]);
    store
        .apply(vec![Change::Delete {
            scope,
            kind: held_by,
            id: "delivery".into(),
        }])
        .await
        .unwrap();
    assert_eq!(
        store
            .delete_events_before(5_000, seqs[3], held_by, 100)
            .await
            .unwrap(),
        1,
        "no longer held"
    );
}

pub async fn a_kind_can_be_walked_across_scopes(store: &Arc<dyn Store>) {
    let secret = ResourceKind::WebhookSecret;
    let mut changes = Vec::new();
    for (n, account) in ["acct-x", "acct-y", "acct-z"].iter().enumerate() {
        let scope = Scope::new(*account, Mode::Test);
        changes.push(Change::Insert(record(&format!("s{n}"), &scope, secret, 1)));
    }
    changes.push(Change::Insert(record(
        "other",
        &Scope::new("acct-x", Mode::Test),
        ResourceKind::Webhook,
        1,
    )));
    store.apply(changes).await.unwrap();
    let first = store.scan_kind(secret, None, 2).await.unwrap();
    let ids: Vec<&str> = first.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["s0", "s1"]);
    assert_eq!(first[1].scope, Scope::new("acct-y", Mode::Test));
    let rest = store.scan_kind(secret, Some("s1"), 2).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id, "s2");
    assert!(
        store
            .scan_kind(secret, Some("s2"), 2)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn old_dead_jobs_and_lapsed_leases_go(store: &Arc<dyn Store>) {
    let queue = vec!["retention".to_string()];
    for (id, run_at) in [
        ("dead-old", 1_000),
        ("dead-new", 8_000),
        ("queued-old", 1_000),
    ] {
        store
            .enqueue(NewJob {
                id: id.into(),
                queue: "retention".into(),
                payload: json!({}),
                run_at_ms: run_at,
                max_attempts: 1,
                fair_key: String::new(),
            })
            .await
            .unwrap();
    }
    let claimed = store.claim(&queue, "w", 9_000, 60_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    for id in ["dead-old", "dead-new"] {
        store.bury(id, "w", "gave up").await.unwrap();
    }
    store
        .retry("queued-old", "w", 1_000, "later")
        .await
        .unwrap();
    assert_eq!(store.purge_dead(5_000, 100).await.unwrap(), 1);
    let counts = store.counts(9_000).await.unwrap();
    assert_eq!((counts.dead, counts.queued), (1, 1), "{counts:?}");

    assert!(
        store
            .take_lease("node:gone", "gone", 0, 1_000)
            .await
            .unwrap()
    );
    assert!(
        store
            .take_lease("node:live", "live", 0, 9_000)
            .await
            .unwrap()
    );
    assert_eq!(store.purge_expired_leases(5_000, 100).await.unwrap(), 1);
    assert_eq!(store.count_live_leases("node:", 0).await.unwrap(), 1);
    assert!(
        !store
            .take_lease("node:live", "other", 5_000, 6_000)
            .await
            .unwrap(),
        "a live lease keeps its holder"
    );
}
