//! Retention (issue #21, finding 13): housekeeping removes old events, delivery attempts and
//! dead jobs, keeps recent ones, and never removes an event a webhook has still to deliver or
//! the dispatcher has not reached.

use std::sync::Arc;
use std::time::Duration;

use clearance::accounts::find_or_create_account;
use clearance_core::clock::SystemClock;
use clearance_core::events::Event;
use clearance_core::resources::Rules;
use clearance_core::service::{Retention, Services};
use clearance_core::store::{Change, ListQuery, Resource, ResourceKind};
use clearance_core::{Mode, Scope};
use clearance_jobs::NewJob;
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Map, json};

use crate::person;

const DAY_MS: i64 = 24 * 3600 * 1000;

fn now_ms() -> i64 {
    clearance_core::clock::Clock::now_ms(&SystemClock)
}

fn old_event(id: &str, scope: &Scope, at: i64) -> Change {
    Change::Event(Event {
        id: id.into(),
        scope: scope.clone(),
        event_type: "client.created".into(),
        resource_type: "client".into(),
        resource_id: format!("{id}-client"),
        payload: Map::from_iter([("id".to_string(), json!(format!("{id}-client")))]),
        created_at: at,
    })
}

fn attempt(id: &str, scope: &Scope, hook: &str, at: i64) -> Change {
    let body = json!({"webhookId": hook, "eventId": "e", "eventType": "client.created",
        "attempt": 1, "latencyMs": 3, "status": "failed", "error": "refused",
        "outcome": "retrying"});
    Change::Insert(Resource {
        id: id.into(),
        scope: scope.clone(),
        kind: ResourceKind::WebhookAttempt,
        client_id: Some(hook.into()),
        created_at: at,
        updated_at: at,
        version: 1,
        body: body.as_object().unwrap().clone(),
    })
}

async fn dead_job(app: &TestApp, id: &str, due: i64) {
    let store = &app.store;
    store
        .enqueue(NewJob {
            id: id.into(),
            queue: "retention-test".into(),
            payload: json!({}),
            run_at_ms: due,
            max_attempts: 1,
            fair_key: String::new(),
        })
        .await
        .unwrap();
    let claimed = store
        .claim(&["retention-test".into()], "w", now_ms(), 60_000, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    store.bury(id, "w", "gave up").await.unwrap();
}

async fn event_ids(app: &TestApp) -> Vec<String> {
    let events = app.store.events_after(0, 1_000).await.unwrap();
    events.into_iter().map(|e| e.event.id).collect()
}

#[tokio::test]
async fn housekeeping_removes_only_what_retention_no_longer_keeps() {
    // No dispatcher or workers here: this test moves events itself, and nothing is sent, so a
    // queued delivery stays pending.
    let app = TestApp::spawn_paused().await;
    let account = find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .unwrap();
    let test = Scope::new(account.id.clone(), Mode::Test);
    let live = Scope::new(account.id.clone(), Mode::Live);
    let services = Services::new(
        app.store.clone(),
        Arc::new(clearance::blobs::EncryptedBlobs(app.blobs.clone())),
        Arc::new(SystemClock),
        Rules::default(),
    );
    let two_days_ago = now_ms() - 2 * DAY_MS;

    // Old events: one a webhook will still wait for (redelivered below), one nobody wants.
    app.store
        .apply(vec![
            old_event("old-pending", &test, two_days_ago),
            old_event("old-done", &live, two_days_ago),
        ])
        .await
        .unwrap();
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": "https://example.com/hook", "enabled": true, "events": ["client.created"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let hook_id = hook.body["id"].as_str().unwrap().to_string();
    // A recent event, queued for the webhook.
    let client = app.post("/v1/clients", &person("Ada", "Lovelace")).await;
    assert_eq!(client.status, 200, "{}", client.text);
    while services.dispatch_events(100).await.unwrap() > 0 {}
    let redelivered = app
        .post(
            &format!("/v1/webhooks/{hook_id}/redeliver"),
            &json!({"eventId": "old-pending"}),
        )
        .await;
    assert_eq!(
        redelivered.body,
        json!({"redelivered": 1}),
        "{}",
        redelivered.text
    );
    // Old, but the dispatcher has not read it yet.
    app.store
        .apply(vec![old_event("old-undispatched", &live, two_days_ago)])
        .await
        .unwrap();

    app.store
        .apply(vec![
            attempt("attempt-old", &test, &hook_id, two_days_ago),
            attempt("attempt-new", &test, &hook_id, now_ms()),
        ])
        .await
        .unwrap();
    dead_job(&app, "dead-old", two_days_ago).await;
    dead_job(&app, "dead-new", now_ms()).await;
    assert!(
        app.store
            .take_lease("node:crashed", "x", 0, two_days_ago)
            .await
            .unwrap()
    );

    let day = Some(Duration::from_secs(24 * 3600));
    let swept = services
        .housekeep(&Retention {
            events: day,
            webhook_attempts: day,
            dead_jobs: day,
        })
        .await
        .unwrap();
    assert_eq!(
        (
            swept.events,
            swept.webhook_attempts,
            swept.dead_jobs,
            swept.leases
        ),
        (1, 1, 1, 1),
        "{swept:?}"
    );

    let events = event_ids(&app).await;
    assert!(!events.contains(&"old-done".to_string()), "{events:?}");
    assert!(
        events.contains(&"old-pending".to_string()),
        "an event a webhook still waits for is kept: {events:?}"
    );
    assert!(
        events.contains(&"old-undispatched".to_string()),
        "an event the dispatcher has not read is kept: {events:?}"
    );
    assert_eq!(events.len(), 3, "the recent event is kept too: {events:?}");

    let attempts = app
        .store
        .list(&ListQuery {
            client_id: Some(hook_id.clone()),
            ..ListQuery::newest(test.clone(), ResourceKind::WebhookAttempt, 10)
        })
        .await
        .unwrap();
    let ids: Vec<&str> = attempts.items.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["attempt-new"]);
    assert_eq!(app.store.counts(now_ms()).await.unwrap().dead, 1);

    // Once delivered, the old event goes at the next round; keeping forever keeps it.
    let pending = app
        .store
        .list(&ListQuery::newest(
            test.clone(),
            ResourceKind::WebhookDelivery,
            10,
        ))
        .await
        .unwrap();
    let forever = Retention {
        events: None,
        webhook_attempts: None,
        dead_jobs: None,
    };
    let delivered: Vec<Change> = pending
        .items
        .iter()
        .map(|d| Change::Delete {
            scope: test.clone(),
            kind: ResourceKind::WebhookDelivery,
            id: d.id.clone(),
        })
        .collect();
    app.store.apply(delivered).await.unwrap();
    assert_eq!(services.housekeep(&forever).await.unwrap().events, 0);
    assert_eq!(
        services
            .housekeep(&Retention::default())
            .await
            .unwrap()
            .events,
        0,
        "30 days by default"
    );
    let swept = services
        .housekeep(&Retention {
            events: day,
            ..forever
        })
        .await
        .unwrap();
    assert_eq!(swept.events, 1, "{swept:?}");
    assert!(!event_ids(&app).await.contains(&"old-pending".to_string()));
    let gone = app
        .send(
            Method::POST,
            &format!("/v1/webhooks/{hook_id}/redeliver"),
            Some(&app.test_key),
            Some(&json!({"eventId": "old-pending"})),
        )
        .await;
    assert_eq!(
        gone.status, 400,
        "past retention, redelivery finds no event: {}",
        gone.text
    );
}
