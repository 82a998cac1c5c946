//! Webhook secrets at rest (issue #21, finding 9): the stored record never holds a secret in
//! plain text, deliveries still verify with it, and records written in plain text by an earlier
//! version keep working and are sealed by the upgrade pass.

use std::sync::Arc;

use clearance::accounts::find_or_create_account;
use clearance_core::clock::SystemClock;
use clearance_core::resources::Rules;
use clearance_core::resources::webhook::signature;
use clearance_core::service::Services;
use clearance_core::store::{Change, Resource, ResourceKind};
use clearance_core::{Mode, Scope};
use clearance_testkit::TestApp;
use serde_json::{Value, json};

use crate::person;
use crate::webhook_delivery::{receiver, wait_for};

async fn test_scope(app: &TestApp) -> Scope {
    let account = find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .unwrap();
    Scope::new(account.id, Mode::Test)
}

/// The secret record as stored, its body as JSON text.
async fn stored_secret(app: &TestApp, hook: &str) -> (Resource, String) {
    let scope = test_scope(app).await;
    let record = app
        .store
        .get(
            &scope,
            ResourceKind::WebhookSecret,
            &format!("{hook}-secret"),
        )
        .await
        .unwrap()
        .expect("the secret record");
    let text = Value::Object(record.body.clone()).to_string();
    (record, text)
}

/// Creates a client and waits until the receiver got `n` requests; answers the last one's
/// `ComplyCube-Signature` and body.
async fn next_delivery(
    app: &TestApp,
    inbox: &Arc<std::sync::Mutex<crate::webhook_delivery::Inbox>>,
    n: usize,
) -> (String, Vec<u8>) {
    let client = app.post("/v1/clients", &person("Ada", "Lovelace")).await;
    assert_eq!(client.status, 200, "{}", client.text);
    wait_for("a delivery", || inbox.lock().unwrap().received.len() >= n).await;
    let inbox = inbox.lock().unwrap();
    let (headers, body) = inbox.received.last().unwrap();
    let header = headers
        .get("complycube-signature")
        .unwrap()
        .to_str()
        .unwrap();
    (header.to_string(), body.to_vec())
}

#[tokio::test]
async fn secrets_are_stored_sealed_and_deliveries_still_verify() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(0).await;
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["client.created"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let id = hook.body["id"].as_str().unwrap().to_string();
    let secret = hook.body["secret"].as_str().unwrap().to_string();

    let (_, stored) = stored_secret(&app, &id).await;
    assert!(!stored.contains(&secret), "plain secret at rest: {stored}");
    assert!(stored.contains("\"sealed\""), "{stored}");

    let (sig, body) = next_delivery(&app, &inbox, 1).await;
    assert_eq!(sig, signature(&secret, &body), "signed with the secret");

    // After a rotation with an overlap the record holds two secrets, neither in the clear.
    let rotated = app
        .post(&format!("/v1/webhooks/{id}/rotateSecret"), &json!({}))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_string();
    let (_, stored) = stored_secret(&app, &id).await;
    assert!(
        !stored.contains(&secret),
        "previous secret at rest: {stored}"
    );
    assert!(
        !stored.contains(&new_secret),
        "new secret at rest: {stored}"
    );
    let (sig, body) = next_delivery(&app, &inbox, 2).await;
    assert_eq!(sig, signature(&new_secret, &body));
}

#[tokio::test]
async fn a_plain_text_record_keeps_signing_and_is_sealed_by_the_upgrade_pass() {
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(0).await;
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["client.created"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let id = hook.body["id"].as_str().unwrap().to_string();
    // What an earlier version stored: the secret as it is.
    let legacy = "legacyPlainTextSecret0123456789abcdefghij";
    let (record, _) = stored_secret(&app, &id).await;
    app.store
        .apply(vec![Change::Update(Resource {
            body: json!({"secret": legacy}).as_object().unwrap().clone(),
            version: record.version + 1,
            ..record
        })])
        .await
        .unwrap();

    let (sig, body) = next_delivery(&app, &inbox, 1).await;
    assert_eq!(sig, signature(legacy, &body), "read as it is");

    let services = Services::new(
        app.store.clone(),
        Arc::new(clearance::blobs::EncryptedBlobs(app.blobs.clone())),
        Arc::new(SystemClock),
        Rules::default(),
    );
    assert_eq!(services.seal_plaintext_secrets().await.unwrap(), 1);
    assert_eq!(
        services.seal_plaintext_secrets().await.unwrap(),
        0,
        "nothing left"
    );
    let (_, stored) = stored_secret(&app, &id).await;
    assert!(!stored.contains(legacy), "sealed now: {stored}");
    let (sig, body) = next_delivery(&app, &inbox, 2).await;
    assert_eq!(sig, signature(legacy, &body), "the same secret, sealed");
}

#[tokio::test]
async fn a_sealed_secret_moved_to_another_webhook_does_not_open() {
    let app = TestApp::spawn_paused().await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let hook = app
            .post(
                "/v1/webhooks",
                &json!({"url": "https://example.com/hook", "enabled": true, "events": ["client.created"]}),
            )
            .await;
        assert_eq!(hook.status, 200, "{}", hook.text);
        ids.push(hook.body["id"].as_str().unwrap().to_string());
    }
    let (first, _) = stored_secret(&app, &ids[0]).await;
    let (second, _) = stored_secret(&app, &ids[1]).await;
    app.store
        .apply(vec![Change::Update(Resource {
            body: first.body,
            version: second.version + 1,
            ..second
        })])
        .await
        .unwrap();
    let services = Services::new(
        app.store.clone(),
        Arc::new(clearance::blobs::EncryptedBlobs(app.blobs.clone())),
        Arc::new(SystemClock),
        Rules::default(),
    );
    let scope = test_scope(&app).await;
    assert!(
        services
            .webhook_signing_secrets(&scope, &ids[0])
            .await
            .is_ok()
    );
    assert!(
        services
            .webhook_signing_secrets(&scope, &ids[1])
            .await
            .is_err(),
        "bound to the record it was sealed for"
    );
}
