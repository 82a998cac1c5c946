//! Issue #21.2: one tenant's slow webhook endpoints must not stop another tenant's checks.
//! Deliveries run on runners of their own, so checks go on while every delivery waits.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::json;
use tokio::sync::watch;

use crate::person;
use crate::webhook_delivery::wait_for;

/// An endpoint that holds every request until the test opens the gate.
struct Held {
    started: AtomicUsize,
    answered: AtomicUsize,
    gate: watch::Receiver<bool>,
}

async fn hold(State(held): State<Arc<Held>>) -> StatusCode {
    held.started.fetch_add(1, Ordering::SeqCst);
    let mut gate = held.gate.clone();
    let _ = gate.wait_for(|open| *open).await;
    held.answered.fetch_add(1, Ordering::SeqCst);
    StatusCode::OK
}

async fn held_receiver() -> (String, Arc<Held>, watch::Sender<bool>) {
    let (open, gate) = watch::channel(false);
    let held = Arc::new(Held {
        started: AtomicUsize::new(0),
        answered: AtomicUsize::new(0),
        gate,
    });
    let app = Router::new()
        .route("/hook", post(hold))
        .with_state(held.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, held, open)
}

#[tokio::test]
async fn slow_endpoints_of_one_account_do_not_hold_another_accounts_checks() {
    // The test server runs 4 check runners; 6 endpoints that never answer would hold them all
    // if deliveries shared them.
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, held, open) = held_receiver().await;
    for _ in 0..6 {
        let hook = app
            .post(
                "/v1/webhooks",
                &json!({"url": url, "enabled": true, "events": ["client.created"]}),
            )
            .await;
        assert_eq!(hook.status, 200, "{}", hook.text);
    }
    app.post("/v1/clients", &person("Ada", "Lovelace")).await;
    wait_for("six held deliveries", || {
        held.started.load(Ordering::SeqCst) >= 6
    })
    .await;

    let (other, _) = app.other_account("patient").await;
    let send = |path: &str, body: serde_json::Value| {
        let (app, key, path) = (&app, other.clone(), path.to_string());
        async move { app.send(Method::POST, &path, Some(&key), Some(&body)).await }
    };
    let client = send("/v1/clients", person("Alan", "Turing")).await;
    let check = send(
        "/v1/checks",
        json!({"clientId": client.body["id"], "type": "standard_screening_check"}),
    )
    .await;
    assert_eq!(check.status, 200, "{}", check.text);
    let id = check.body["id"].as_str().unwrap().to_string();
    // `settled` gives up after about ten seconds; every delivery is still held meanwhile.
    let done = crate::checks::settled(&app, &other, &id).await;
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(
        held.answered.load(Ordering::SeqCst),
        0,
        "the check completed while every delivery was still held"
    );
    open.send(true).unwrap();
}

/// An endpoint that takes `delay` to answer each event, recording the event ids it got.
async fn slow_receiver(delay: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let record = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: axum::body::Bytes| {
            let got = record.clone();
            async move {
                tokio::time::sleep(delay).await;
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let id = event["id"].as_str().unwrap_or_default().to_string();
                got.lock().unwrap().push(id);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, got)
}

#[tokio::test]
async fn a_long_queue_hands_its_runner_back_after_its_slice() {
    // One delivery runner, and a slice far shorter than the busy endpoint's backlog.
    let app = TestApp::spawn_for_webhook_slices(Duration::from_millis(300)).await;
    let (busy_url, busy) = slow_receiver(Duration::from_millis(100)).await;
    let hook = json!({"url": busy_url, "enabled": true, "events": ["client.created"]});
    assert_eq!(app.post("/v1/webhooks", &hook).await.status, 200);
    for i in 0..30 {
        let created = app
            .post("/v1/clients", &person("Ada", &format!("Busy{i}")))
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
    }
    wait_for("the busy endpoint's first event", || {
        !busy.lock().unwrap().is_empty()
    })
    .await;

    let (other, _) = app.other_account("quiet").await;
    let (quiet_url, quiet) = slow_receiver(Duration::ZERO).await;
    let send = |path: &str, body: serde_json::Value| {
        let (app, key, path) = (&app, other.clone(), path.to_string());
        async move { app.send(Method::POST, &path, Some(&key), Some(&body)).await }
    };
    let hook = json!({"url": quiet_url, "enabled": true, "events": ["client.created"]});
    assert_eq!(send("/v1/webhooks", hook).await.status, 200);
    assert_eq!(
        send("/v1/clients", person("Alan", "Turing")).await.status,
        200
    );
    wait_for("the quiet endpoint's event", || {
        !quiet.lock().unwrap().is_empty()
    })
    .await;
    // Three seconds of backlog at 100 ms an event: the quiet event went in between.
    let busy_then = busy.lock().unwrap().len();
    assert!(
        busy_then < 30,
        "the quiet event waited for the whole backlog"
    );

    // The backlog still arrives whole, each event once.
    wait_for("the whole backlog", || busy.lock().unwrap().len() >= 30).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut ids = busy.lock().unwrap().clone();
    ids.sort();
    ids.dedup();
    assert_eq!((ids.len(), busy.lock().unwrap().len()), (30, 30));
}
