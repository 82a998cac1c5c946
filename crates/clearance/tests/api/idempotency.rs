//! `Idempotency-Key` on POSTs (issue #21): a retry gets the first answer, never a second
//! resource; another request under the same key is refused; keys are per account and mode.

use clearance_testkit::TestApp;
use serde_json::{Value, json};

use crate::person;

struct Answer {
    status: u16,
    replayed: bool,
    body: Value,
}

async fn post(app: &TestApp, key: &str, path: &str, idem: &str, body: &Value) -> Answer {
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .header("Authorization", key)
        .header("Idempotency-Key", idem)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let replayed = r
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let body = r.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        replayed,
        body,
    }
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_creates_nothing_twice() {
    let app = TestApp::spawn().await;
    let ada = person("Ada", "Lovelace");
    let first = post(&app, &app.test_key, "/v1/clients", "retry-1", &ada).await;
    assert_eq!(
        (first.status, first.replayed),
        (200, false),
        "{}",
        first.body
    );
    let again = post(&app, &app.test_key, "/v1/clients", "retry-1", &ada).await;
    assert_eq!((again.status, again.replayed), (200, true));
    assert_eq!(again.body, first.body, "the very same answer");
    let listed = app.get("/v1/clients").await;
    assert_eq!(listed.body["totalItems"], 1, "{}", listed.text);

    // The same key for another request: refused, whatever differs.
    let other = post(
        &app,
        &app.test_key,
        "/v1/clients",
        "retry-1",
        &person("Alan", "Turing"),
    )
    .await;
    assert_eq!(other.status, 400, "{}", other.body);
    assert_eq!(other.body["type"], "invalid_request");
    assert!(
        other.body["message"]
            .as_str()
            .unwrap()
            .contains("different request")
    );
    let elsewhere = post(&app, &app.test_key, "/v1/addresses", "retry-1", &ada).await;
    assert_eq!(elsewhere.status, 400, "{}", elsewhere.body);

    // A refusal is an answer too: replayed, not run again.
    let bad = json!({"type": "person"});
    let refused = post(&app, &app.test_key, "/v1/clients", "retry-2", &bad).await;
    assert_eq!((refused.status, refused.replayed), (400, false));
    let refused_again = post(&app, &app.test_key, "/v1/clients", "retry-2", &bad).await;
    assert_eq!((refused_again.status, refused_again.replayed), (400, true));
    assert_eq!(refused_again.body, refused.body);

    // Keys belong to an account and mode.
    let live = post(&app, &app.live_key, "/v1/clients", "retry-1", &ada).await;
    assert_eq!((live.status, live.replayed), (200, false));
    let (other_account, _) = app.other_account("elsewhere").await;
    let theirs = post(&app, &other_account, "/v1/clients", "retry-1", &ada).await;
    assert_eq!((theirs.status, theirs.replayed), (200, false));
    assert_ne!(theirs.body["id"], first.body["id"]);

    for bad_key in ["", &"k".repeat(256), "with space"] {
        let r = post(&app, &app.test_key, "/v1/clients", bad_key, &ada).await;
        assert_eq!(r.status, 400, "{bad_key:?}: {}", r.body);
    }
}

#[tokio::test]
async fn concurrent_retries_start_one_check() {
    let app = TestApp::spawn().await;
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body;
    let body = json!({"clientId": client["id"], "type": "standard_screening_check"});
    let answers = futures_util::future::join_all(
        (0..10).map(|_| post(&app, &app.test_key, "/v1/checks", "one-check", &body)),
    )
    .await;
    let ids: std::collections::HashSet<_> = answers
        .iter()
        .filter(|a| a.status == 200)
        .map(|a| a.body["id"].clone())
        .collect();
    assert_eq!(ids.len(), 1, "every answered retry names the same check");
    for a in &answers {
        assert!(matches!(a.status, 200 | 409), "{} {}", a.status, a.body);
    }
    let listed = app
        .get(&format!(
            "/v1/checks?clientId={}",
            client["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(listed.body["totalItems"], 1, "{}", listed.text);
}
