//! Issue #21.10: on PostgreSQL an event's sequence number is taken before its transaction
//! commits, so a later event can be visible first. The dispatcher must wait for the earlier
//! one however slow its transaction is, never skip it by age and lose it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clearance_testkit::TestApp;
use sqlx::{Connection, Executor};

use crate::person;
use crate::webhook_delivery::{delivered, receiver, wait_for};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn a_slow_transaction_holds_back_later_events_until_it_commits() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let Some((url, schema)) = app.postgres() else {
        eprintln!("skipped: the outbox can only have a gap on PostgreSQL");
        return;
    };
    let (hook_url, inbox) = receiver(0).await;
    let hook = app
        .post(
            "/v1/webhooks",
            &serde_json::json!({"url": hook_url, "enabled": true, "events": ["client.created"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let first = app.post("/v1/clients", &person("Ada", "Lovelace")).await;
    wait_for("the first delivery", || delivered(&inbox).len() == 1).await;
    let account = app.store.events_after(0, 10).await.unwrap()[0]
        .event
        .scope
        .account_id
        .clone();
    assert_eq!(delivered(&inbox)[0]["payload"]["id"], first.body["id"]);

    // A transaction takes the next number and stays open, as a slow request's would.
    let mut slow = sqlx::PgConnection::connect(url).await.unwrap();
    slow.execute(format!("SET search_path TO {schema}").as_str())
        .await
        .unwrap();
    slow.execute("BEGIN").await.unwrap();
    sqlx::query(
        "INSERT INTO events (id, account_id, mode, type, resource_type, resource_id, payload, created_at) \
         VALUES ('slow-event', $1, 'test', 'client.created', 'client', 'slow-client', '{\"id\": \"slow-client\"}', $2)",
    )
    .bind(&account)
    .bind(now_ms())
    .execute(&mut slow)
    .await
    .unwrap();

    // A later event commits first. Longer than the old 10 s age rule, nothing passes the gap.
    let later = app.post("/v1/clients", &person("Alan", "Turing")).await;
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(
        delivered(&inbox).len(),
        1,
        "nothing is sent past a gap whose transaction is still running"
    );

    slow.execute("COMMIT").await.unwrap();
    wait_for("both held events", || delivered(&inbox).len() == 3).await;
    let ids: Vec<_> = delivered(&inbox)
        .iter()
        .map(|e| e["payload"]["id"].clone())
        .collect();
    assert_eq!(
        ids[1..],
        [serde_json::json!("slow-client"), later.body["id"].clone()],
        "each event once, in sequence order"
    );
}
