//! Durability of the check pipeline against real `clearance serve` processes: a `kill -9` in the
//! middle of a backlog loses no accepted check and completes none twice, and two servers on one
//! PostgreSQL database share a backlog.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clearance_core::store::Store;
use clearance_testkit::process::{Cluster, ServerProcess};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

/// Four workers, each check taking `latency_ms` in the sandbox.
fn workers(latency_ms: u64) -> [(&'static str, String); 2] {
    [
        ("CLEARANCE_WORKERS", "4".into()),
        ("CLEARANCE_SANDBOX_LATENCY_MS", latency_ms.to_string()),
    ]
}

async fn create_checks(
    server: &ServerProcess,
    key: &str,
    client: &str,
    count: usize,
) -> Vec<String> {
    let gate = Arc::new(Semaphore::new(16));
    let mut tasks = Vec::new();
    for _ in 0..count {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let (http, base, key, client) = (
            server.http.clone(),
            server.base.clone(),
            key.to_string(),
            client.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let response = http
                .post(format!("{base}/v1/checks"))
                .header("Authorization", key)
                .json(&json!({"clientId": client, "type": "standard_screening_check"}))
                .send()
                .await
                .ok()?;
            if response.status() != 200 {
                return None;
            }
            let body: Value = response.json().await.ok()?;
            body["id"].as_str().map(str::to_string)
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        if let Some(id) = t.await.unwrap() {
            ids.push(id);
        }
    }
    ids
}

async fn wait_until_none_pending(server: &ServerProcess, key: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, page) = server
            .try_call(key, "/v1/checks?status=pending&pageSize=1", None)
            .await
            .unwrap();
        if page["totalItems"] == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "checks still pending: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every accepted check is complete, with exactly one pending and one pair of completion events.
async fn assert_completed_exactly_once(
    server: &ServerProcess,
    key: &str,
    store: &dyn Store,
    ids: &[String],
) {
    let mut events: HashMap<String, Vec<String>> = HashMap::new();
    for e in store.events_after(0, 1_000_000).await.unwrap() {
        events
            .entry(e.event.resource_id)
            .or_default()
            .push(e.event.event_type);
    }
    for id in ids {
        let (status, check) = server
            .try_call(key, &format!("/v1/checks/{id}"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        assert_eq!(check["status"], "complete", "{check}");
        let outcome = check["result"]["outcome"].as_str().unwrap();
        assert_eq!(
            events.get(id).cloned().unwrap_or_default(),
            [
                "check.pending".to_string(),
                "check.completed".into(),
                format!("check.completed.{outcome}")
            ],
            "events of {id}"
        );
    }
}

async fn new_client(server: &ServerProcess, key: &str) -> String {
    let (status, client) = server
        .call(
            key,
            "/v1/clients",
            Some(&json!({"type": "person", "email": "ada@example.org",
                "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}})),
        )
        .await;
    assert_eq!(status, 200, "{client}");
    client["id"].as_str().unwrap().to_string()
}

async fn sqlite_store(data_dir: &Path) -> Arc<dyn Store> {
    Arc::new(
        clearance_store_sqlite::open(&data_dir.join("clearance.db"))
            .await
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_loses_no_check_and_completes_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let env = Cluster::new(BIN, &data_dir, None).env("CLEARANCE_LOG_FORMAT", "text");
    let key = env.test_key();
    // 20 ms per check and 4 workers: a backlog builds while the checks are created.
    let first = env.serve(&workers(20)).await;
    let client = new_client(&first, &key).await;
    let mut accepted = create_checks(&first, &key, &client, 250).await;
    first.kill();

    let store = sqlite_store(&data_dir).await;
    let pending = store
        .list(&clearance_core::store::ListQuery {
            scope: clearance_core::Scope::new(
                store
                    .list_api_keys()
                    .await
                    .unwrap()
                    .first()
                    .unwrap()
                    .account_id
                    .clone(),
                clearance_core::Mode::Test,
            ),
            kind: clearance_core::store::ResourceKind::Check,
            client_id: None,
            filters: vec![clearance_core::store::AttrFilter {
                path: vec!["status".into()],
                value: "pending".into(),
            }],
            created_after: None,
            created_before: None,
            updated_after: None,
            updated_before: None,
            offset: 0,
            limit: 1,
            oldest_first: false,
        })
        .await
        .unwrap();
    assert!(pending.total > 0, "the kill should interrupt a backlog");

    let second = env.serve(&workers(0)).await;
    accepted.extend(create_checks(&second, &key, &client, 500 - accepted.len()).await);
    assert_eq!(accepted.len(), 500);
    wait_until_none_pending(&second, &key).await;
    assert_completed_exactly_once(&second, &key, store.as_ref(), &accepted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_database_share_the_backlog() {
    let Ok(url) = std::env::var("CLEARANCE_TEST_DATABASE_URL") else {
        eprintln!("skipped: CLEARANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let admin = sqlx_admin(&url).await;
    let name = format!("clearance_shared_{}", std::process::id());
    admin
        .execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .await;
    admin.execute(&format!("CREATE DATABASE {name}")).await;
    let db_url = with_database(&url, &name);

    let dir = tempfile::tempdir().unwrap();
    // The job count below is of check jobs: a first start's list import would add the
    // monitoring runs it announces.
    let env = Cluster::new(BIN, dir.path().join("data"), Some(db_url.clone()))
        .env("CLEARANCE_LOG_FORMAT", "text")
        .env("CLEARANCE_LISTS_SNAPSHOT", "off");
    let key = env.test_key();
    let a = env.serve(&workers(10)).await;
    let b = env.serve(&workers(10)).await;
    let client = new_client(&a, &key).await;
    let mut accepted = create_checks(&a, &key, &client, 150).await;
    accepted.extend(create_checks(&b, &key, &client, 150).await);
    assert_eq!(accepted.len(), 300);
    wait_until_none_pending(&a, &key).await;

    let store = clearance_store_postgres::connect(&db_url, None)
        .await
        .unwrap();
    assert_completed_exactly_once(&a, &key, &store, &accepted).await;
    let completed = r#"clearance_jobs_total{outcome="completed"} "#;
    let (done_a, done_b) = (a.metric(completed).await, b.metric(completed).await);
    assert!(
        done_a > 0 && done_b > 0,
        "both servers worked: {done_a} and {done_b}"
    );
    assert_eq!(done_a + done_b, 300, "no job ran to completion twice");
    drop((a, b));
    admin
        .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

struct Admin(sqlx::PgPool);

impl Admin {
    async fn execute(&self, sql: &str) {
        sqlx::query(sql).execute(&self.0).await.unwrap();
    }
}

async fn sqlx_admin(url: &str) -> Admin {
    Admin(
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .unwrap(),
    )
}
