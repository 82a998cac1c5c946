//! Webhook delivery from the outbox to a real HTTP receiver: signatures, retries, disabling.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use clearance_core::resources::webhook::{signature, standard_signature};
use clearance_testkit::TestApp;
use serde_json::{Value, json};

use crate::person;

#[derive(Default)]
pub(crate) struct Inbox {
    /// Requests received (headers, body), failures included.
    pub(crate) received: Vec<(HeaderMap, Bytes)>,
    /// How many requests to fail before answering 200 (`u32::MAX`: always).
    pub(crate) fail_first: u32,
}

async fn receive(
    State(inbox): State<Arc<Mutex<Inbox>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inbox = inbox.lock().unwrap();
    inbox.received.push((headers, body));
    if inbox.fail_first > 0 {
        if inbox.fail_first != u32::MAX {
            inbox.fail_first -= 1;
        }
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::OK
}

pub(crate) async fn receiver(fail_first: u32) -> (String, Arc<Mutex<Inbox>>) {
    let inbox = Arc::new(Mutex::new(Inbox {
        received: Vec::new(),
        fail_first,
    }));
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, inbox)
}

pub(crate) async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

pub(crate) fn delivered(inbox: &Arc<Mutex<Inbox>>) -> Vec<Value> {
    inbox
        .lock()
        .unwrap()
        .received
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect()
}

#[tokio::test]
async fn events_arrive_signed_both_ways() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(0).await;
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["client.created", "check.completed"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let secret = hook.body["secret"].as_str().unwrap().to_string();
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body;
    let check = app
        .post(
            "/v1/checks",
            &json!({"clientId": client["id"], "type": "standard_screening_check"}),
        )
        .await
        .body;
    wait_for("two deliveries", || {
        inbox.lock().unwrap().received.len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = inbox.lock().unwrap().received.clone();
    assert_eq!(received.len(), 2, "only subscribed events, once each");
    let bodies = delivered(&inbox);
    let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["client.created", "check.completed"]);
    assert_eq!(bodies[1]["resourceType"], "check");
    assert_eq!(bodies[1]["payload"]["id"], check["id"]);
    assert_eq!(bodies[1]["payload"]["outcome"], "clear");
    for (headers, body) in &received {
        let header = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
        assert_eq!(header("complycube-signature"), signature(&secret, body));
        let id = header("webhook-id");
        let ts: i64 = header("webhook-timestamp").parse().unwrap();
        assert_eq!(
            header("webhook-signature"),
            standard_signature(&secret, &id, ts, body)
        );
        let body: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            body["id"].as_str().unwrap(),
            id,
            "webhook-id is the event id"
        );
    }
}

#[tokio::test]
async fn a_failing_receiver_gets_every_event_once_it_recovers() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    // The first six requests fail (500): every event needs retries, none may be lost.
    let (url, inbox) = receiver(6).await;
    app.post(
        "/v1/webhooks",
        &json!({"url": url, "enabled": true, "events": ["client.created"]}),
    )
    .await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let c = app
            .post("/v1/clients", &person("Ada", &format!("L{n}")))
            .await;
        ids.push(c.body["id"].as_str().unwrap().to_string());
    }
    wait_for("every event delivered", || {
        let ok: std::collections::HashSet<String> = delivered(&inbox)
            .iter()
            .map(|b| b["payload"]["id"].as_str().unwrap().to_string())
            .collect();
        ids.iter().all(|id| ok.contains(id)) && inbox.lock().unwrap().fail_first == 0
    })
    .await;
    let hooks = app.get("/v1/webhooks").await;
    assert_eq!(
        hooks.body["items"][0]["enabled"], true,
        "recovered before the last attempt"
    );
}

#[tokio::test]
async fn the_webhook_is_disabled_after_the_last_failed_attempt() {
    // 100,000× faster: ten retries take about a second.
    let app = TestApp::spawn_for_webhooks(100_000).await;
    let (url, inbox) = receiver(u32::MAX).await;
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["client.created"]}),
        )
        .await;
    let id = hook.body["id"].as_str().unwrap().to_string();
    app.post("/v1/clients", &person("Ada", "Lovelace")).await;
    let mut disabled = false;
    for _ in 0..400 {
        let got = app.get(&format!("/v1/webhooks/{id}")).await;
        if got.body["enabled"] == false {
            disabled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(disabled, "the webhook was not disabled");
    assert_eq!(
        inbox.lock().unwrap().received.len(),
        11,
        "one attempt and ten retries"
    );
    let logs = app
        .get("/v1/auditLogs?resourceType=webhook&action=update")
        .await;
    assert_eq!(
        logs.body["totalItems"], 1,
        "the disabling is audited: {}",
        logs.text
    );
    let log = app.get(&format!("/v1/webhooks/{id}/deliveries")).await;
    assert_eq!(log.body["totalItems"], 11, "{}", log.text);
    assert_eq!(log.body["items"][0]["outcome"], "disabled");
    assert_eq!(log.body["items"][0]["attempt"], 11);
    assert_eq!(log.body["items"][1]["outcome"], "retrying");
    let metrics = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    assert!(
        metrics.text.contains("clearance_webhooks_disabled_total 1"),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("clearance_webhook_deliveries_total{outcome=\"failed\"} 11"),
        "{}",
        metrics.text
    );
}
