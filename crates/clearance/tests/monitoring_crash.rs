//! A monitoring run survives `kill -9` (#25, item 4): real `clearance serve` processes on one
//! database; the server is killed while the run that follows an import is raising alerts, and
//! restarted. Every monitored check gets its alert, and no check's alert is raised twice (one
//! `check.monitoring.attention` event id per check, one match for the new entry).

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
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
/// Monitored checks that the import's new entry matches.
const CLIENTS: usize = 400;
const LIST: &str = "Monitoring crash test list";

fn fixture(version: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/screening/list_deltas")
        .join(version)
}

fn run(cluster: &Cluster, args: &[&str]) -> String {
    let out = cluster.command().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn import(cluster: &Cluster, version: &str) {
    let path = fixture(version);
    run(
        cluster,
        &[
            "lists",
            "import",
            "ofac-csv",
            path.to_str().unwrap(),
            "--name",
            LIST,
        ],
    );
}

/// (event id, check id) of every `check.monitoring.attention` delivered, in arrival order.
type Inbox = Arc<Mutex<Vec<(String, String)>>>;

async fn receive(State(inbox): State<Inbox>, body: Bytes) -> StatusCode {
    let v: Value = serde_json::from_slice(&body).unwrap();
    if v["type"] == "check.monitoring.attention" {
        inbox.lock().unwrap().push((
            v["id"].as_str().unwrap().to_string(),
            v["payload"]["id"].as_str().unwrap().to_string(),
        ));
    }
    StatusCode::OK
}

async fn receiver() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
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

async fn monitored_check(server: &ServerProcess, key: &str, n: usize) -> String {
    let client = json!({"type": "person", "email": format!("r{n}@example.org"),
        "personDetails": {"firstName": "Ramzan", "lastName": "Kadyrov", "dob": "1976-10-05"}});
    let (status, client) = server.call(key, "/v1/clients", Some(&client)).await;
    assert_eq!(status, 200, "{client}");
    let check = json!({"clientId": client["id"], "type": "standard_screening_check",
        "enableMonitoring": true});
    let (status, check) = server.call(key, "/v1/checks", Some(&check)).await;
    assert_eq!(status, 200, "{check}");
    check["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_alert_is_raised_once_across_a_kill_during_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(BIN, dir.path().join("data"), None)
        .env("CLEARANCE_LISTS_SNAPSHOT", "off")
        .env("CLEARANCE_RATE_LIMIT_LIVE", "0")
        .env("CLEARANCE_WEBHOOK_ALLOW_PRIVATE", "true");
    let live = run(&cluster, &["keys", "create", "--mode", "live"]);
    import(&cluster, "v1");
    let server = cluster.serve(&[]).await;
    let (url, inbox) = receiver().await;
    let hook = json!({"url": url, "enabled": true, "events": ["check.monitoring.attention"]});
    let (status, body) = server.call(&live, "/v1/webhooks", Some(&hook)).await;
    assert_eq!(status, 200, "{body}");

    let mut checks = Vec::with_capacity(CLIENTS);
    for n in 0..CLIENTS {
        checks.push(monitored_check(&server, &live, n).await);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    for id in &checks {
        loop {
            let (_, check) = server.call(&live, &format!("/v1/checks/{id}"), None).await;
            if check["status"] == "complete" {
                assert_eq!(check["result"]["outcome"], "clear", "{check}");
                break;
            }
            assert!(Instant::now() < deadline, "the checks did not complete");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // v2 adds the entry every client is named like; kill the server mid-run.
    import(&cluster, "v2");
    let deadline = Instant::now() + Duration::from_secs(60);
    while inbox.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no alert arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let at_kill = inbox.lock().unwrap().len();
    server.kill();
    println!("killed after {at_kill} of {CLIENTS} alerts had arrived");

    let server = cluster.serve(&[]).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let alerted: HashSet<String> = inbox
            .lock()
            .unwrap()
            .iter()
            .map(|(_, check)| check.clone())
            .collect();
        if alerted.len() == CLIENTS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {CLIENTS} checks alerted",
            alerted.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Deliveries in flight at the kill may arrive again (at least once, by event id); events
    // raised twice would carry two ids for one check.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    for (event, check) in inbox.lock().unwrap().iter() {
        ids.entry(check.clone()).or_default().insert(event.clone());
    }
    assert_eq!(ids.len(), CLIENTS);
    assert!(
        ids.values().all(|events| events.len() == 1),
        "an alert raised twice"
    );
    for id in checks.iter().step_by(40) {
        let (_, check) = server.call(&live, &format!("/v1/checks/{id}"), None).await;
        let matches = check["result"]["breakdown"]["matches"].as_array().unwrap();
        let kadyrov: Vec<&Value> = matches
            .iter()
            .filter(|m| m["entityId"] == "us_ofac_sdn:23343")
            .collect();
        assert_eq!(kadyrov.len(), 1, "{check}");
        assert_eq!(kadyrov[0]["monitoring"]["change"], "added");
        assert_eq!(check["result"]["outcome"], "attention");
    }
}
