//! Operating webhooks: the delivery log, redelivery, secret rotation and per-endpoint ordering.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearance_core::resources::webhook::{signature, standard_signature};
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::person;
use crate::webhook_delivery::{Inbox, delivered, receiver, wait_for};

async fn hook(app: &TestApp, url: &str, events: Value) -> (String, String) {
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": events}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    (
        hook.body["id"].as_str().unwrap().to_string(),
        hook.body["secret"].as_str().unwrap().to_string(),
    )
}

async fn new_clients(app: &TestApp, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let c = app
            .post("/v1/clients", &person("Ada", &format!("L{i}")))
            .await;
        ids.push(c.body["id"].as_str().unwrap().to_string());
    }
    ids
}

/// Payload ids of the requests that got a 2xx, in arrival order (the receiver fails the first
/// `fail_first` requests).
fn successes(inbox: &Arc<Mutex<Inbox>>, failed_first: usize) -> Vec<String> {
    delivered(inbox)
        .iter()
        .skip(failed_first)
        .map(|b| b["payload"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// The webhook's delivery log once it holds `n` attempts (or after 5 s). The receiver has a body
/// before the server has recorded the answer, so tests wait for the log, not the receiver.
async fn logged(app: &TestApp, webhook: &str, n: u64) -> clearance_testkit::TestResponse {
    let path = format!("/v1/webhooks/{webhook}/deliveries");
    let mut log = app.get(&path).await;
    for _ in 0..250 {
        if log.body["totalItems"] == n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        log = app.get(&path).await;
    }
    log
}

#[tokio::test]
async fn the_delivery_log_records_every_attempt_without_payloads() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(2).await;
    let (id, _) = hook(&app, &url, json!(["client.created"])).await;
    new_clients(&app, 1).await;
    wait_for("a delivery after two failures", || {
        inbox.lock().unwrap().received.len() >= 3
    })
    .await;
    let path = format!("/v1/webhooks/{id}/deliveries");
    let log = logged(&app, &id, 3).await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert_eq!(log.body["totalItems"], 3, "{}", log.text);
    assert_eq!(
        (log.body["page"].clone(), log.body["pages"].clone()),
        (json!(1), json!(1))
    );
    let items = log.body["items"].as_array().unwrap();
    let event_id = delivered(&inbox)[0]["id"].as_str().unwrap().to_string();
    let attempts: Vec<(u64, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["attempt"].as_u64().unwrap(),
                i["status"].as_str().unwrap(),
                i["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (3, "delivered", "delivered"),
            (2, "failed", "retrying"),
            (1, "failed", "retrying")
        ],
        "newest first"
    );
    for item in items {
        assert_eq!(item["webhookId"], json!(id));
        assert_eq!(item["eventId"], json!(event_id));
        assert_eq!(item["eventType"], "client.created");
        assert!(item["latencyMs"].is_u64());
        assert!(item["createdAt"].is_string());
        assert!(item.get("payload").is_none());
    }
    assert_eq!(items[0]["responseStatus"], 200);
    assert_eq!(items[2]["responseStatus"], 500);
    assert_eq!(items[2]["error"], "the endpoint answered HTTP 500");
    assert!(items[2]["nextRetryAt"].is_string());
    assert!(items[0].get("nextRetryAt").is_none());
    assert!(
        !log.text.contains("Lovelace") && !log.text.contains("L0"),
        "no personal data"
    );

    let count = |q: String| {
        let (app, path) = (&app, &path);
        async move { app.get(&format!("{path}?{q}")).await.body["totalItems"].clone() }
    };
    assert_eq!(count("status=delivered".into()).await, 1);
    assert_eq!(count("status=failed".into()).await, 2);
    assert_eq!(count(format!("eventId={event_id}")).await, 3);
    assert_eq!(count("eventId=5f0000000000000000000000".into()).await, 0);
    assert_eq!(count("pageSize=1&page=2".into()).await, 3);

    let missing = app
        .get("/v1/webhooks/5f0000000000000000000000/deliveries")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().0, "resource_not_found");
    let (other, _) = app.other_account("deliveries-elsewhere").await;
    let foreign = app.send(Method::GET, &path, Some(&other), None).await;
    assert_eq!(
        foreign.status, 404,
        "another account's webhook is not found"
    );
}

#[tokio::test]
async fn later_events_wait_while_an_earlier_one_is_retried() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    // Three failures: the first event is retried at 60, 120 and 480 ms while two more wait.
    let (url, inbox) = receiver(3).await;
    let (id, _) = hook(&app, &url, json!(["client.created"])).await;
    let clients = new_clients(&app, 3).await;
    wait_for("every event delivered", || successes(&inbox, 3).len() >= 3).await;
    let all: Vec<String> = delivered(&inbox)
        .iter()
        .map(|b| b["payload"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        all,
        [
            clients[0].as_str(),
            &clients[0],
            &clients[0],
            &clients[0],
            &clients[1],
            &clients[2]
        ],
        "nothing overtakes the event being retried"
    );
    assert_eq!(logged(&app, &id, 6).await.body["totalItems"], 6);
}

#[tokio::test]
async fn redelivery_queues_past_events_again() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(0).await;
    let (id, _) = hook(&app, &url, json!(["client.created"])).await;
    let clients = new_clients(&app, 2).await;
    // Not subscribed: never redelivered.
    app.post(
        &format!("/v1/clients/{}", clients[0]),
        &json!({"email": "x@example.org"}),
    )
    .await;
    wait_for("two deliveries", || delivered(&inbox).len() >= 2).await;
    let first_event = delivered(&inbox)[0]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/webhooks/{id}/redeliver");

    let one = app.post(&path, &json!({"eventId": first_event})).await;
    assert_eq!(
        (one.status, one.body.clone()),
        (200, json!({"redelivered": 1})),
        "{}",
        one.text
    );
    wait_for("the redelivery", || delivered(&inbox).len() >= 3).await;
    assert_eq!(delivered(&inbox)[2]["id"], json!(first_event));
    // Until the server has recorded the answer the event is still queued, and a redelivery
    // would skip it.
    logged(&app, &id, 3).await;

    let window = app
        .post(
            &path,
            &json!({"createdAfter": "2020-01-01T00:00:00Z", "createdBefore": "2100-01-01T00:00:00.000Z"}),
        )
        .await;
    assert_eq!(window.body, json!({"redelivered": 2}), "{}", window.text);
    wait_for("both again, in order", || delivered(&inbox).len() >= 5).await;
    assert_eq!(successes(&inbox, 3), [clients[0].as_str(), &clients[1]]);

    for (body, param) in [
        (json!({}), "eventId"),
        (
            json!({"eventId": first_event, "createdAfter": "2020-01-01"}),
            "eventId",
        ),
        (json!({"eventId": "5f0000000000000000000000"}), "eventId"),
        (json!({"createdAfter": "soon"}), "createdAfter"),
        (
            json!({"createdAfter": "2021-01-01T00:00:00Z", "createdBefore": "2020-01-01T00:00:00Z"}),
            "createdBefore",
        ),
    ] {
        let r = app.post(&path, &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(
            r.error(),
            ("invalid_request".into(), Some(param.into())),
            "{body}"
        );
    }
    let (other, _) = app.other_account("redeliver-elsewhere").await;
    let foreign = app
        .send(
            Method::POST,
            &path,
            Some(&other),
            Some(&json!({"eventId": first_event})),
        )
        .await;
    assert_eq!(foreign.status, 404);

    app.post(&format!("/v1/webhooks/{id}"), &json!({"enabled": false}))
        .await;
    let refused = app.post(&path, &json!({"eventId": first_event})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.error(),
        ("webhook_disabled".into(), Some("enabled".into()))
    );
}

#[tokio::test]
async fn re_enabling_a_disabled_webhook_resumes_its_queue() {
    let app = TestApp::spawn_for_webhooks(100_000).await;
    let (url, inbox) = receiver(u32::MAX).await;
    let (id, _) = hook(&app, &url, json!(["client.created"])).await;
    let clients = new_clients(&app, 2).await;
    let path = format!("/v1/webhooks/{id}");
    wait_for("the webhook disabled", || {
        inbox.lock().unwrap().received.len() >= 11
    })
    .await;
    for _ in 0..200 {
        if app.get(&path).await.body["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.get(&path).await.body["enabled"], false);
    inbox.lock().unwrap().fail_first = 0;
    app.post(&path, &json!({"enabled": true})).await;
    wait_for("the waiting event", || delivered(&inbox).len() >= 12).await;
    let bodies = delivered(&inbox);
    assert_eq!(
        bodies[11]["payload"]["id"],
        json!(clients[1]),
        "the given-up event is skipped"
    );
    let first_event = bodies[0]["id"].as_str().unwrap();
    let again = app
        .post(
            &format!("{path}/redeliver"),
            &json!({"eventId": first_event}),
        )
        .await;
    assert_eq!(again.body, json!({"redelivered": 1}));
    wait_for("the redelivery", || delivered(&inbox).len() >= 13).await;
}

#[tokio::test]
async fn both_secrets_sign_during_a_rotation_overlap() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(0).await;
    let (id, old) = hook(&app, &url, json!(["client.created"])).await;
    let path = format!("/v1/webhooks/{id}/rotateSecret");
    for body in [
        json!({"overlapSeconds": -1}),
        json!({"overlapSeconds": 604_801}),
        json!({"overlapSeconds": "1"}),
    ] {
        let r = app.post(&path, &body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.error().1.as_deref(), Some("overlapSeconds"));
    }
    let rotated = app
        .send(Method::POST, &path, Some(&app.test_key), None)
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = rotated.body["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(rotated.body["previousSecretExpiresAt"].is_string());
    assert!(
        app.get(&format!("/v1/webhooks/{id}"))
            .await
            .body
            .get("secret")
            .is_none()
    );

    new_clients(&app, 1).await;
    wait_for("a delivery", || !delivered(&inbox).is_empty()).await;
    let (headers, body) = inbox.lock().unwrap().received[0].clone();
    let header = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
    assert_eq!(
        header("complycube-signature"),
        signature(&new, &body),
        "the new secret"
    );
    let ts: i64 = header("webhook-timestamp").parse().unwrap();
    let event = header("webhook-id");
    assert_eq!(
        header("webhook-signature"),
        format!(
            "{} {}",
            standard_signature(&new, &event, ts, &body),
            standard_signature(&old, &event, ts, &body)
        )
    );

    // A one-second overlap: afterwards only the newest secret signs.
    let short = app.post(&path, &json!({"overlapSeconds": 1})).await;
    let newest = short.body["secret"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    new_clients(&app, 1).await;
    wait_for("a second delivery", || delivered(&inbox).len() >= 2).await;
    let (headers, body) = inbox.lock().unwrap().received[1].clone();
    let header = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
    let ts: i64 = header("webhook-timestamp").parse().unwrap();
    assert_eq!(
        header("webhook-signature"),
        standard_signature(&newest, &header("webhook-id"), ts, &body)
    );
    // Each rotation is audited, without the secret.
    let audit = app
        .get(&format!(
            "/v1/auditLogs?resourceId={id}&trigger=rotateWebhookSecret"
        ))
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    assert_eq!(audit.body["totalItems"], json!(2), "{}", audit.text);
    let latest = audit.body["items"][0]["id"].as_str().unwrap().to_string();
    let entry = app.get(&format!("/v1/auditLogs/{latest}")).await;
    assert_eq!(entry.body["resourceType"], json!("webhook"));
    assert_eq!(entry.body["action"], json!("update"));
    assert!(
        entry.body["diff"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"] == json!(["secretVersion"])),
        "{}",
        entry.text
    );
    for secret in [&old, &new, &newest] {
        assert!(!audit.text.contains(secret.as_str()));
        assert!(!entry.text.contains(secret.as_str()));
    }
    let missing = app
        .post(
            "/v1/webhooks/5f0000000000000000000000/rotateSecret",
            &json!({}),
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_redelivery_ahead_of_the_dispatcher_never_stalls_it() {
    // No dispatcher runs here: the event stays after the cursor until this test dispatches.
    let app = TestApp::spawn_paused().await;
    let created = app
        .post(
            "/v1/webhooks",
            &json!({"url": "https://example.com/hook", "enabled": true, "events": ["client.created"]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    let client = app.post("/v1/clients", &person("Ada", "Lovelace")).await;
    assert_eq!(client.status, 200, "{}", client.text);
    let services = clearance_core::service::Services::new(
        app.store.clone(),
        Arc::new(clearance::blobs::EncryptedBlobs(app.blobs.clone())),
        Arc::new(clearance_core::clock::SystemClock),
        clearance_core::resources::Rules::default(),
    );

    // The event is not dispatched yet: redelivery leaves it to the dispatcher. Before issue
    // #21's fix it queued the delivery itself, and the dispatcher's insert of the same delivery
    // then failed its whole batch on every attempt, for every webhook of every account.
    let window =
        json!({"createdAfter": "2020-01-01T00:00:00Z", "createdBefore": "2100-01-01T00:00:00Z"});
    let path = format!("/v1/webhooks/{id}/redeliver");
    let early = app.post(&path, &window).await;
    assert_eq!(early.body, json!({"redelivered": 0}), "{}", early.text);
    assert!(
        services.dispatch_events(100).await.unwrap() >= 1,
        "the dispatcher moves on"
    );

    // Once dispatched (and still queued, as nothing sends here) it is not queued twice.
    let again = app.post(&path, &window).await;
    assert_eq!(again.body, json!({"redelivered": 0}), "{}", again.text);
}
