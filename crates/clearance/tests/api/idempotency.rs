//! `Idempotency-Key` on POSTs (issue #21): a retry gets the first answer, never a second
//! resource; another request under the same key is refused; keys are per account and mode.

use std::sync::Arc;

use clearance_core::clock::{Clock, SystemClock};
use clearance_core::resources::Rules;
use clearance_core::service::{IdempotentStart, Services, request_hash};
use clearance_core::store::{Change, ListQuery, ResourceKind};
use clearance_core::{Mode, Scope};
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

#[tokio::test]
async fn deleting_a_client_erases_the_kept_answers_that_name_it() {
    let app = TestApp::spawn().await;
    let key = &app.test_key;
    let ada = person("Ada", "Lovelace");
    let created = post(&app, key, "/v1/clients", "erase-client", &ada).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["id"].as_str().expect("an id").to_string();
    let home = json!({"clientId": id, "type": "main", "line": "12 Harbour Road", "city": "Bristol",
        "postalCode": "BS1 5TX", "country": "GB"});
    let address = post(&app, key, "/v1/addresses", "erase-address", &home).await;
    assert_eq!(address.status, 200, "{}", address.body);
    assert!(
        post(&app, key, "/v1/addresses", "erase-address", &home)
            .await
            .replayed
    );

    assert!(app.delete(&format!("/v1/clients/{id}")).await.status < 300);

    // Nothing kept names Ada any more: each key runs its request again.
    let again = post(&app, key, "/v1/clients", "erase-client", &ada).await;
    assert_eq!(
        (again.status, again.replayed),
        (200, false),
        "{}",
        again.body
    );
    assert_ne!(
        again.body["id"], created.body["id"],
        "a new client, not the erased one"
    );
    let gone = post(&app, key, "/v1/addresses", "erase-address", &home).await;
    assert!(!gone.replayed);
    assert_eq!(
        (gone.status, gone.body["param"].as_str()),
        (400, Some("clientId")),
        "the client is gone: {}",
        gone.body
    );
}

/// Moves the last change of every kept idempotency record of the test key's account back by
/// `ms`, and passes each body through `edit`: what a server sees when a claim is that old.
async fn age_records(app: &TestApp, ms: i64, edit: impl Fn(&mut serde_json::Map<String, Value>)) {
    let account = clearance::accounts::find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .expect("the test account");
    let scope = Scope::new(account.id, Mode::Test);
    let query = ListQuery::newest(scope, ResourceKind::IdempotencyKey, 100);
    let records = app
        .store
        .list(&query)
        .await
        .expect("lists the records")
        .items;
    assert!(!records.is_empty(), "a record was kept");
    let changes = records
        .into_iter()
        .map(|mut record| {
            record.updated_at -= ms;
            record.version += 1;
            edit(&mut record.body);
            Change::Update(record)
        })
        .collect();
    app.store.apply(changes).await.expect("ages the records");
}

/// The real clock moved on by a fixed time.
struct Later(i64);

impl Clock for Later {
    fn now_ms(&self) -> i64 {
        SystemClock.now_ms() + self.0
    }
}

#[tokio::test]
async fn a_key_older_than_a_day_starts_over() {
    let app = TestApp::spawn().await;
    let ada = person("Ada", "Lovelace");
    let first = post(&app, &app.test_key, "/v1/clients", "day-old", &ada).await;
    assert_eq!(first.status, 200, "{}", first.body);
    // The same request, seen by the services of a server whose clock is later.
    let account = clearance::accounts::find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .expect("the test account");
    let scope = Scope::new(account.id, Mode::Test);
    let hash = request_hash("POST", "/v1/clients", &serde_json::to_vec(&ada).unwrap());
    let at = |later_ms: i64| {
        let blobs = Arc::new(clearance_core::blobs::MemoryBlobs::default());
        Services::new(
            app.store.clone(),
            blobs,
            Arc::new(Later(later_ms)),
            Rules::default(),
        )
    };
    let day = 24 * 3600 * 1000;
    let within = at(day - 60_000)
        .start_idempotent(&scope, "day-old", &hash)
        .await;
    assert!(
        matches!(within, Ok(IdempotentStart::Replay(ref a)) if a.status == 200),
        "a minute short of a day: the first answer ({within:?})"
    );
    let after = at(day + 60_000)
        .start_idempotent(&scope, "day-old", &hash)
        .await;
    assert!(
        matches!(after, Ok(IdempotentStart::Run(_))),
        "a minute past a day: the request runs again ({after:?})"
    );
}

#[tokio::test]
async fn a_claim_left_without_an_answer_is_taken_over_after_a_minute() {
    let app = TestApp::spawn().await;
    let ada = person("Ada", "Lovelace");
    let first = post(&app, &app.test_key, "/v1/clients", "orphan", &ada).await;
    assert_eq!(first.status, 200, "{}", first.body);
    // A server that claimed the key and died before answering leaves a claim with no answer.
    let forget_answer = |body: &mut serde_json::Map<String, Value>| {
        body.remove("answer");
    };
    age_records(&app, 10_000, forget_answer).await;
    let running = post(&app, &app.test_key, "/v1/clients", "orphan", &ada).await;
    assert_eq!(
        running.status, 409,
        "a fresh claim is still running: {}",
        running.body
    );
    assert_eq!(running.body["type"], "invalid_request", "{}", running.body);

    age_records(&app, 60_000, forget_answer).await;
    let taken = post(&app, &app.test_key, "/v1/clients", "orphan", &ada).await;
    assert_eq!(
        (taken.status, taken.replayed),
        (200, false),
        "{}",
        taken.body
    );
    let replay = post(&app, &app.test_key, "/v1/clients", "orphan", &ada).await;
    assert_eq!(replay.body, taken.body, "the new run's answer is kept");
    assert!(replay.replayed);
}

/// Services of the test server's store, and the test key's scope.
async fn services_and_scope(app: &TestApp) -> (Services, Scope) {
    let account = clearance::accounts::find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .expect("the test account");
    let services = Services::new(
        app.store.clone(),
        Arc::new(clearance_core::blobs::MemoryBlobs::default()),
        Arc::new(SystemClock),
        Rules::default(),
    );
    (services, Scope::new(account.id, Mode::Test))
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_answered_with_what_it_created() {
    let app = TestApp::spawn().await;
    let (services, scope) = services_and_scope(&app).await;
    let ada = person("Ada", "Lovelace");
    let hash = request_hash("POST", "/v1/clients", &serde_json::to_vec(&ada).unwrap());
    // A server claims the key, creates the client, and dies before it can keep the answer (or
    // the database applied the commit but its reply never came back).
    let Ok(IdempotentStart::Run(claim)) = services.start_idempotent(&scope, "lost", &hash).await
    else {
        panic!("a new key runs");
    };
    let actor = clearance_core::audit::Actor::api_key("key");
    let (created, _) = services
        .run_claimed(claim, services.create_client(&scope, &actor, &ada))
        .await;
    let created = created.expect("the client is created");

    let retry = post(&app, &app.test_key, "/v1/clients", "lost", &ada).await;
    assert_eq!(
        (retry.status, retry.replayed),
        (200, true),
        "{}",
        retry.body
    );
    assert_eq!(
        retry.body["id"],
        created.id.as_str(),
        "the client it created"
    );
    assert_eq!(retry.body["personDetails"]["firstName"], "Ada");
    let listed = app.get("/v1/clients").await;
    assert_eq!(
        listed.body["totalItems"], 1,
        "none created twice: {}",
        listed.text
    );
}

#[tokio::test]
async fn a_create_that_failed_after_its_commit_is_not_run_again() {
    let app = TestApp::spawn().await;
    let (services, scope) = services_and_scope(&app).await;
    let client = post(&app, &app.test_key, "/v1/clients", "c", &person("Ada", "L")).await;
    let check = json!({"clientId": client.body["id"], "type": "standard_screening_check"});
    let hash = request_hash("POST", "/v1/checks", &serde_json::to_vec(&check).unwrap());
    let Ok(IdempotentStart::Run(claim)) = services.start_idempotent(&scope, "5xx", &hash).await
    else {
        panic!("a new key runs");
    };
    let actor = clearance_core::audit::Actor::api_key("key");
    let (created, claim) = services
        .run_claimed(claim, services.create_check(&scope, &actor, &check))
        .await;
    let created = created.expect("the check is created");
    // The server answered 500 (the commit's reply was lost) and let go of the key, as it does
    // after a server error: the commit is on record, so the key is kept.
    services.abandon_idempotent(claim).await.unwrap();

    let retry = post(&app, &app.test_key, "/v1/checks", "5xx", &check).await;
    assert_eq!(
        (retry.status, retry.replayed),
        (200, true),
        "{}",
        retry.body
    );
    assert_eq!(retry.body["id"], created.id.as_str());
    let listed = app.get("/v1/checks").await;
    assert_eq!(
        listed.body["totalItems"], 1,
        "none created twice: {}",
        listed.text
    );

    // A create that failed before its commit leaves nothing on record: the retry runs.
    let Ok(IdempotentStart::Run(claim)) = services.start_idempotent(&scope, "early", &hash).await
    else {
        panic!("a new key runs");
    };
    services.abandon_idempotent(claim).await.unwrap();
    let ran = post(&app, &app.test_key, "/v1/checks", "early", &check).await;
    assert_eq!((ran.status, ran.replayed), (200, false), "{}", ran.body);
    assert_ne!(ran.body["id"], created.id.as_str());
}

#[tokio::test]
async fn an_upload_whose_answer_was_lost_is_answered_with_its_image() {
    let app = TestApp::spawn().await;
    let (services, scope) = services_and_scope(&app).await;
    let client = post(&app, &app.test_key, "/v1/clients", "c", &person("Ada", "L")).await;
    let document = post(
        &app,
        &app.test_key,
        "/v1/documents",
        "d",
        &json!({"clientId": client.body["id"], "type": "passport",
            "classification": "proof_of_identity", "issuingCountry": "GB"}),
    )
    .await;
    let id = document.body["id"].as_str().unwrap().to_string();
    let path = format!("/v1/documents/{id}/upload/front");
    let upload = json!({"fileName": "front.jpg",
        "data": clearance_testkit::fixtures::b64(&clearance_testkit::fixtures::jpeg(400, 300))});
    let hash = request_hash("POST", &path, &serde_json::to_vec(&upload).unwrap());
    // The upload commits, and the server dies before it answers.
    let Ok(IdempotentStart::Run(claim)) = services.start_idempotent(&scope, "up", &hash).await
    else {
        panic!("a new key runs");
    };
    let actor = clearance_core::audit::Actor::api_key("key");
    let (image, _) = services
        .run_claimed(
            claim,
            services.upload_document_image(&scope, &actor, &id, "front", &upload),
        )
        .await;
    let image = image.expect("the upload commits");

    let retry = post(&app, &app.test_key, &path, "up", &upload).await;
    assert_eq!(
        (retry.status, retry.replayed),
        (200, true),
        "{}",
        retry.body
    );
    assert_eq!(retry.body["id"], image.id.as_str(), "the image it stored");
    assert_eq!(retry.body["documentSide"], "front");
    // Not run twice: the outbox holds the upload's document.updated once.
    let events = app.store.events_after(0, 1000).await.unwrap();
    let updates = events
        .iter()
        .filter(|e| e.event.event_type == "document.updated" && e.event.resource_id == id)
        .count();
    assert_eq!(updates, 1, "one upload, one update");
}
