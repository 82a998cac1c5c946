//! Finishing hosted-flow sessions that need more than a document and a selfie, finishing the
//! same session from two requests at once, and retrying a finish that failed half-way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clearance_core::audit::Actor;
use clearance_core::clock::SystemClock;
use clearance_core::resources::Rules;
use clearance_core::service::Services;
use clearance_core::store::{Change, ResourceKind, StoreError};
use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use serde_json::json;

use crate::flow::{body, capture, client, flow_post, page_status, session, stored_session};

#[tokio::test]
async fn enhanced_identity_and_proof_of_address_use_their_own_captures() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["checkTypes"] = json!(["enhanced_identity_check", "proof_of_address_check"]);
    let token = session(&app, &request).await;

    let page = app
        .client
        .get(format!("{}/flow/{token}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for step in ["front", "address", "video"] {
        assert!(page.contains(&format!("data-step=\"{step}\"")), "{step}");
    }
    assert!(!page.contains("data-step=\"selfie\""));

    let doc = flow_post(
        &app,
        &token,
        "/documents",
        &json!({"type": "passport", "issuingCountry": "GB"}),
    )
    .await;
    let doc_id = doc.body["id"].as_str().unwrap().to_string();
    let front = json!({"fileName": "front.jpg", "data": b64(&jpeg(320, 240))});
    let r = flow_post(
        &app,
        &token,
        &format!("/documents/{doc_id}/upload/front"),
        &front,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let bill = flow_post(&app, &token, "/documents", &json!({"type": "utility_bill"})).await;
    assert_eq!(bill.status, 200, "{}", bill.text);
    let bill_id = bill.body["id"].as_str().unwrap().to_string();
    let r = flow_post(
        &app,
        &token,
        &format!("/documents/{bill_id}/upload/front"),
        &front,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let frame = b64(&jpeg(320, 240));
    let video = flow_post(
        &app,
        &token,
        "/liveVideos",
        &json!({"frames": [frame, frame, frame]}),
    )
    .await;
    assert_eq!(video.status, 200, "{}", video.text);
    let video_id = video.body["id"].as_str().unwrap().to_string();

    let r = flow_post(
        &app,
        &token,
        "/finish",
        &json!({"consent": true, "documentId": doc_id, "liveVideoId": video_id}),
    )
    .await;
    assert_eq!(
        r.error().1.as_deref(),
        Some("addressDocumentId"),
        "{}",
        r.text
    );
    let r = flow_post(
        &app,
        &token,
        "/finish",
        &json!({"consent": true, "documentId": doc_id, "liveVideoId": video_id,
            "addressDocumentId": bill_id}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let checks = app.get(&format!("/v1/checks?clientId={id}")).await;
    assert_eq!(checks.body["totalItems"], 2, "{}", checks.text);
    for check in checks.body["items"].as_array().unwrap() {
        match check["type"].as_str().unwrap() {
            "enhanced_identity_check" => {
                assert_eq!(check["documentId"], doc_id.as_str());
                assert_eq!(check["liveVideoId"], video_id.as_str());
            }
            "proof_of_address_check" => assert_eq!(check["documentId"], bill_id.as_str()),
            other => panic!("unexpected check {other}"),
        }
    }
}

#[tokio::test]
async fn concurrent_finishes_create_each_check_once() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["checkTypes"] = json!([
        "standard_screening_check",
        "document_check",
        "identity_check"
    ]);
    let token = session(&app, &request).await;
    let (doc_id, photo_id) = capture(&app, &token).await;
    let finish = json!({"consent": true, "documentId": doc_id, "livePhotoId": photo_id});

    let answers = futures_join(&app, &token, &finish).await;
    for (status, text) in &answers {
        // The loser either sees the finished outcome or is told to retry.
        assert!(matches!(status, 200 | 409), "{status} {text}");
    }
    assert!(answers.iter().any(|(s, _)| *s == 200));
    let again = flow_post(&app, &token, "/finish", &finish).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let checks = app.get(&format!("/v1/checks?clientId={id}")).await;
    assert_eq!(checks.body["totalItems"], 3, "{}", checks.text);
    assert_eq!(page_status(&app, &token).await, 410);
}

#[tokio::test]
async fn a_finished_session_is_stored_in_its_usual_shape() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["checkTypes"] = json!(["standard_screening_check", "document_check"]);
    request["messages"] = json!({"cancel": "Back to the shop"});
    let token = session(&app, &request).await;
    let (doc_id, _) = capture(&app, &token).await;
    let finish = json!({"consent": true, "documentId": doc_id});
    let done = flow_post(&app, &token, "/finish", &finish).await;
    assert_eq!(done.status, 200, "{}", done.text);

    let stored = stored_session(&app, &token).await.body;
    let expected = [
        "clientId",
        "checkTypes",
        "successUrl",
        "cancelUrl",
        "enableMonitoring",
        "language",
        "theme",
        "allowDocumentUpload",
        "messages",
        "documentTypes",
        "shortUrl",
        "status",
        "expiresAt",
        "completedAt",
        "checks",
    ];
    let mut keys: Vec<&str> = stored.keys().map(String::as_str).collect();
    if on_postgres() {
        // jsonb keeps its own key order, so there only the set of keys is the promise.
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        keys.sort_unstable();
        assert_eq!(
            keys, expected,
            "the keys sessions finished at the first attempt always had"
        );
    } else {
        assert_eq!(
            keys, expected,
            "the key order sessions finished at the first attempt always had"
        );
    }
    assert_eq!(stored["status"], "completed");
    let checks = stored["checks"].as_array().unwrap();
    let types: Vec<_> = checks.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["standard_screening_check", "document_check"]);
    assert!(checks.iter().all(|c| c.as_object().unwrap().len() == 2));
}

/// Whether a change set records a made check on a flow session.
fn records_a_check(changes: &[Change]) -> bool {
    changes.iter().any(|change| match change {
        Change::Update(session) if session.kind == ResourceKind::FlowSession => session
            .body
            .get("checks")
            .and_then(|checks| checks.as_array())
            .is_some_and(|checks| !checks.is_empty()),
        _ => false,
    })
}

#[tokio::test]
async fn a_finish_that_fails_while_recording_a_check_is_retried_without_duplicates() {
    // Issue #21, finding 11: a finish that dies between creating a check and recording it on
    // the session must not leave a check the retry then creates again.
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    let types = [
        "standard_screening_check",
        "document_check",
        "identity_check",
    ];
    request["checkTypes"] = json!(types);
    let token = session(&app, &request).await;
    let (doc_id, photo_id) = capture(&app, &token).await;
    let finish = json!({"consent": true, "documentId": doc_id, "livePhotoId": photo_id});

    // A finisher on the same database whose first commit recording a check fails, as a crash or
    // a lost connection at that point would.
    let failed = Arc::new(AtomicBool::new(false));
    let fault = {
        let failed = failed.clone();
        move |changes: &[Change]| {
            if records_a_check(changes) && !failed.swap(true, Ordering::SeqCst) {
                return Err(StoreError::Backend("injected fault".into()));
            }
            Ok(())
        }
    };
    let crashing = Services::new(
        app.store.clone(),
        Arc::new(clearance::blobs::EncryptedBlobs(app.blobs.clone())),
        Arc::new(SystemClock),
        Rules::default(),
    )
    .with_token_keys(app.token_keys.clone())
    .with_commit_fault(Arc::new(fault));
    let first = crashing
        .finish_flow_session(&token, &Actor::default(), &finish)
        .await;
    assert!(first.is_err(), "{first:?}");
    assert!(failed.load(Ordering::SeqCst), "the fault was never reached");

    let again = flow_post(&app, &token, "/finish", &finish).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let checks = app.get(&format!("/v1/checks?clientId={id}")).await;
    assert_eq!(checks.status, 200, "{}", checks.text);
    let items = checks.body["items"].as_array().unwrap();
    for check_type in types {
        let made = items.iter().filter(|c| c["type"] == check_type).count();
        assert_eq!(made, 1, "{check_type}: {}", checks.text);
    }
    assert_eq!(checks.body["totalItems"], types.len(), "{}", checks.text);
    // The session records exactly the checks that exist.
    let stored = stored_session(&app, &token).await.body;
    let mut recorded: Vec<_> = stored["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut listed: Vec<_> = items
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    recorded.sort_unstable();
    listed.sort_unstable();
    assert_eq!(recorded, listed);
    assert_eq!(page_status(&app, &token).await, 410);
}

fn on_postgres() -> bool {
    std::env::var("CLEARANCE_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty())
}

async fn futures_join(
    app: &TestApp,
    token: &str,
    finish: &serde_json::Value,
) -> Vec<(u16, String)> {
    let (a, b, c) = tokio::join!(
        flow_post(app, token, "/finish", finish),
        flow_post(app, token, "/finish", finish),
        flow_post(app, token, "/finish", finish),
    );
    [a, b, c].into_iter().map(|r| (r.status, r.text)).collect()
}
