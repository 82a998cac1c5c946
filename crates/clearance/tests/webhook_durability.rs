//! Nothing lost (issue #5): a receiver that is down, then answers 500, then hangs past the sender
//! timeout, then recovers, while real `clearance serve` processes are killed with `kill -9` and
//! restarted. Every event arrives at least once, in order per endpoint, and the delivery log shows
//! the failed attempts.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use clearance_testkit::process::{Cluster, ServerProcess};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Fail,
    Hang,
    Ok,
}

#[derive(Default)]
struct Inbox {
    /// (event id, payload id) of every request answered 200 in `Ok` mode, in arrival order.
    accepted: Vec<(String, String)>,
    failed: usize,
    hung: usize,
}

struct Receiver {
    mode: Arc<Mutex<Mode>>,
    inbox: Arc<Mutex<Inbox>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    port: u16,
}

type Shared = (Arc<Mutex<Mode>>, Arc<Mutex<Inbox>>);

async fn receive(State((mode, inbox)): State<Shared>, body: Bytes) -> StatusCode {
    let mode = *mode.lock().unwrap();
    match mode {
        Mode::Fail => {
            inbox.lock().unwrap().failed += 1;
            StatusCode::INTERNAL_SERVER_ERROR
        }
        Mode::Hang => {
            inbox.lock().unwrap().hung += 1;
            tokio::time::sleep(Duration::from_secs(3)).await;
            StatusCode::OK
        }
        Mode::Ok => {
            let v: Value = serde_json::from_slice(&body).unwrap();
            let ids = (
                v["id"].as_str().unwrap().to_string(),
                v["payload"]["id"].as_str().unwrap().to_string(),
            );
            inbox.lock().unwrap().accepted.push(ids);
            StatusCode::OK
        }
    }
}

impl Receiver {
    /// A receiver on a reserved port that is not listening yet: connections are refused.
    fn down() -> Self {
        Receiver {
            mode: Arc::new(Mutex::new(Mode::Fail)),
            inbox: Arc::default(),
            stop: None,
            port: free_port(),
        }
    }

    async fn up(&mut self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
        if self.stop.is_some() {
            return;
        }
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state((self.mode.clone(), self.inbox.clone()));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.stop = Some(tx);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
    }
}

async fn create_clients(server: &ServerProcess, key: &str, n: usize, into: &mut Vec<String>) {
    for _ in 0..n {
        let (status, client) = server
            .call(
                key,
                "/v1/clients",
                Some(&json!({"type": "person", "email": "ada@example.org",
                    "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}})),
            )
            .await;
        assert_eq!(status, 200, "{client}");
        into.push(client["id"].as_str().unwrap().to_string());
    }
}

/// Waits until `done` holds (the phases follow the attempts the server actually made).
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn nothing_lost(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let env = Cluster::new(BIN, dir.path().join("data"), database_url)
        .env("CLEARANCE_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("CLEARANCE_WEBHOOK_TIMEOUT_MS", "300")
        // 60 s → 50 ms, 120 s → 100 ms, 480 s → 400 ms, …: ten retries in about 100 s.
        .env("CLEARANCE_WEBHOOK_RETRY_DIVISOR", "1200");
    let key = env.test_key();
    let mut receiver = Receiver::down();
    let mut clients = Vec::new();

    // Down: connections refused.
    let first = env.serve(&[]).await;
    let (status, hook) = first
        .call(
            &key,
            "/v1/webhooks",
            Some(
                &json!({"url": format!("http://127.0.0.1:{}/hook", receiver.port),
                "enabled": true, "events": ["client.created"]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{hook}");
    let hook_id = hook["id"].as_str().unwrap().to_string();
    create_clients(&first, &key, 4, &mut clients).await;
    let log_path = format!("/v1/webhooks/{hook_id}/deliveries?status=failed");
    until("two refused attempts", async || {
        first.call(&key, &log_path, None).await.1["totalItems"].as_u64() >= Some(2)
    })
    .await;
    drop(first); // SIGKILL: no graceful shutdown

    // 500s, across a restart.
    receiver.up(Mode::Fail).await;
    let second = env.serve(&[]).await;
    create_clients(&second, &key, 3, &mut clients).await;
    let inbox = receiver.inbox.clone();
    until("two 500s", async || inbox.lock().unwrap().failed >= 2).await;

    // Answers that never come in time, then another kill -9.
    *receiver.mode.lock().unwrap() = Mode::Hang;
    create_clients(&second, &key, 3, &mut clients).await;
    until("a timed-out attempt", async || {
        inbox.lock().unwrap().hung >= 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(second);

    // Recovered.
    receiver.up(Mode::Ok).await;
    let third = env.serve(&[]).await;
    create_clients(&third, &key, 2, &mut clients).await;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let got: HashSet<String> = receiver
            .inbox
            .lock()
            .unwrap()
            .accepted
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        if clients.iter().all(|c| got.contains(c)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not delivered: {:?}",
            clients
                .iter()
                .filter(|c| !got.contains(*c))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // In order: the first successful delivery of each event follows creation order.
    let accepted = receiver.inbox.lock().unwrap().accepted.clone();
    let mut firsts: Vec<String> = Vec::new();
    for (_, c) in &accepted {
        if !firsts.contains(c) {
            firsts.push(c.clone());
        }
    }
    assert_eq!(firsts, clients, "per-endpoint order");
    let (_, hook) = third
        .call(&key, &format!("/v1/webhooks/{hook_id}"), None)
        .await;
    assert_eq!(hook["enabled"], true, "recovered before the last attempt");

    // The log shows the failed attempts of each kind and one delivery per event. The receiver
    // sees the last event a moment before the server records the answer, so wait for the log.
    let event_ids: HashSet<String> = accepted.iter().map(|(e, _)| e.clone()).collect();
    let mut log = Value::Null;
    for _ in 0..100 {
        let (status, page) = third
            .call(
                &key,
                &format!("/v1/webhooks/{hook_id}/deliveries?pageSize=1000"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        log = page;
        let logged = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["status"] == "delivered")
            .count();
        if logged >= event_ids.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let items = log["items"].as_array().unwrap();
    let errors: Vec<&str> = items.iter().filter_map(|i| i["error"].as_str()).collect();
    for kind in [
        "refused the connection",
        "answered HTTP 500",
        "did not answer within",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(kind)),
            "no '{kind}' attempt in {errors:?}"
        );
    }
    let delivered: HashSet<String> = items
        .iter()
        .filter(|i| i["status"] == "delivered")
        .map(|i| i["eventId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(delivered, event_ids, "every delivered event is in the log");
    assert_eq!(delivered.len(), clients.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_across_outages_and_kill_9_on_sqlite() {
    nothing_lost(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_across_outages_and_kill_9_on_postgres() {
    let Ok(url) = std::env::var("CLEARANCE_TEST_DATABASE_URL") else {
        eprintln!("skipped: CLEARANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("clearance_webhooks_{}", std::process::id());
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    let (base, query) = url
        .split_once('?')
        .map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    let db_url = match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    };
    nothing_lost(Some(db_url)).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
}
