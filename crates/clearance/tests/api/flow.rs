//! `POST /v1/flow/sessions` (check-driven style): validation naming each field, and the link.

use clearance_core::keys::hash_key;
use clearance_core::scope::{Mode, Scope};
use clearance_core::store::{Resource, ResourceKind};
use clearance_testkit::fixtures::{b64, jpeg};
use clearance_testkit::{TestApp, TestResponse};
use reqwest::Method;
use serde_json::{Value, json};

use crate::person;

pub(crate) async fn client(app: &TestApp) -> String {
    let r = app.post("/v1/clients", &person("Alan", "Turing")).await;
    r.body["id"].as_str().unwrap().to_string()
}

pub(crate) fn body(client: &str) -> Value {
    json!({
        "clientId": client,
        "checkTypes": ["extensive_screening_check", "identity_check", "document_check"],
        "successUrl": "https://www.example.com/success",
        "cancelUrl": "https://www.example.com/cancel",
    })
}

#[tokio::test]
async fn a_session_answers_a_link_under_the_public_url() {
    let app = TestApp::spawn().await;
    let id = client(&app).await;
    let mut full = body(&id);
    for (k, v) in [
        ("enableMonitoring", json!(true)),
        ("language", json!("fr")),
        ("theme", json!("dark")),
        ("allowDocumentUpload", json!(false)),
        ("supportEmail", json!("support@example.com")),
        (
            "documentTypes",
            json!({"passport": true, "driving_license": false}),
        ),
        ("shortUrl", json!(true)),
        ("messages", json!({"welcome": "Bonjour"})),
    ] {
        full[k] = v;
    }
    for request in [body(&id), full] {
        let r = app.post("/v1/flow/sessions", &request).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body.as_object().unwrap().len(), 1, "{}", r.text);
        let url = r.body["redirectUrl"].as_str().unwrap();
        let token = url
            .strip_prefix(&format!("{}/flow/", app.base))
            .unwrap_or_else(|| panic!("{url} is not under {}", app.base));
        assert_eq!(token.len(), 40);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
    let a = app.post("/v1/flow/sessions", &body(&id)).await;
    let b = app.post("/v1/flow/sessions", &body(&id)).await;
    assert_ne!(a.body["redirectUrl"], b.body["redirectUrl"]);

    let logs = app.get("/v1/auditLogs?resourceType=flowSession").await;
    assert!(
        logs.body["totalItems"].as_u64().unwrap() >= 1,
        "{}",
        logs.text
    );
    assert!(
        !logs.text.contains(
            a.body["redirectUrl"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        ),
        "the link token is not stored in the audit trail"
    );
}

#[tokio::test]
async fn unknown_and_foreign_mode_clients_are_invalid() {
    let app = TestApp::spawn().await;
    let id = client(&app).await;
    for (key, client) in [
        (&app.test_key, "5f0c7e6a2b1d4c3e9a8b7c6d"),
        (&app.live_key, id.as_str()),
    ] {
        let r = app
            .send(
                Method::POST,
                "/v1/flow/sessions",
                Some(key),
                Some(&body(client)),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(
            r.body,
            json!({"type": "invalid_request", "message": "'clientId' is invalid", "param": "clientId"})
        );
    }
}

#[tokio::test]
async fn every_invalid_field_is_named() {
    let app = TestApp::spawn().await;
    let id = client(&app).await;
    let with = |k: &str, v: Value| {
        let mut b = body(&id);
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    for (request, param) in [
        (with("clientId", Value::Null), "clientId"),
        (with("checkTypes", Value::Null), "checkTypes"),
        (with("checkTypes", json!([])), "checkTypes"),
        (with("checkTypes", json!("document_check")), "checkTypes"),
        (
            with("checkTypes", json!(["document_check", "nope"])),
            "checkTypes",
        ),
        (with("successUrl", Value::Null), "successUrl"),
        (with("successUrl", json!("www.example.com")), "successUrl"),
        (with("cancelUrl", json!("ftp://example.com/x")), "cancelUrl"),
        (with("language", json!("klingon")), "language"),
        (with("theme", json!("sepia")), "theme"),
        (
            with("allowDocumentUpload", json!("no")),
            "allowDocumentUpload",
        ),
        (with("supportEmail", json!("not an email")), "supportEmail"),
        (
            with("documentTypes", json!({"visa": true})),
            "documentTypes.visa",
        ),
        (
            with("documentTypes", json!({"passport": "yes"})),
            "documentTypes.passport",
        ),
        (with("shortUrl", json!(1)), "shortUrl"),
        (
            with("workflowTemplateId", json!("abc")),
            "workflowTemplateId",
        ),
    ] {
        let r = app.post("/v1/flow/sessions", &request).await;
        assert_eq!(r.status, 400, "{request}: {}", r.text);
        assert_eq!(r.error().1.as_deref(), Some(param), "{request}: {}", r.text);
    }
    let mut monitoring = body(&id);
    monitoring["checkTypes"] = json!(["document_check"]);
    monitoring["enableMonitoring"] = json!(true);
    let r = app.post("/v1/flow/sessions", &monitoring).await;
    assert_eq!(r.error().1.as_deref(), Some("enableMonitoring"));
}

#[tokio::test]
async fn the_link_opens_a_page_under_a_strict_policy_until_the_client_is_deleted() {
    let app = TestApp::spawn().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["language"] = json!("fr");
    request["cancelUrl"] = json!("https://www.example.com/cancel?a=1&b=\"x\"");
    request["supportEmail"] = json!("help@example.com");
    let url = app.post("/v1/flow/sessions", &request).await.body["redirectUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(html.contains("lang=\"fr\""), "{html}");
    assert!(
        html.contains("https://www.example.com/cancel?a=1&amp;b=&quot;x&quot;"),
        "escaped: {html}"
    );
    assert!(html.contains("help@example.com"));
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/flow-assets/flow.js\"").count(),
        "only our own script file, nothing inline: {html}"
    );
    assert!(!html.contains("style=\""), "no inline styles");
    assert!(
        html.contains("Vérifiez votre identité"),
        "the French catalogue"
    );

    let unknown = app
        .client
        .get(format!("{}/flow/{}", app.base, "a".repeat(40)))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    assert_eq!(app.delete(&format!("/v1/clients/{id}")).await.status, 204);
    let gone = app.client.get(&url).send().await.unwrap();
    assert_eq!(gone.status(), 404, "sessions go with their client");
}

/// A session's link token and its client.
pub(crate) async fn session(app: &TestApp, request: &Value) -> String {
    let r = app.post("/v1/flow/sessions", request).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let url = r.body["redirectUrl"].as_str().unwrap();
    url.rsplit('/').next().unwrap().to_string()
}

/// The stored session behind a link token, read through its link record.
pub(crate) async fn stored_session(app: &TestApp, token: &str) -> Resource {
    let link = app
        .store
        .get(
            &Scope::new("_system", Mode::Live),
            ResourceKind::FlowLink,
            &hash_key(token),
        )
        .await
        .unwrap()
        .unwrap();
    let scope = Scope::new(
        link.body["accountId"].as_str().unwrap(),
        Mode::parse(link.body["mode"].as_str().unwrap()).unwrap(),
    );
    app.store
        .get(
            &scope,
            ResourceKind::FlowSession,
            link.body["sessionId"].as_str().unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
}

pub(crate) async fn flow_post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &Value,
) -> TestResponse {
    app.send(
        Method::POST,
        &format!("/flow/{token}{path}"),
        None,
        Some(body),
    )
    .await
}

pub(crate) async fn page_status(app: &TestApp, token: &str) -> u16 {
    let r = app.client.get(format!("{}/flow/{token}", app.base));
    r.send().await.unwrap().status().as_u16()
}

/// Uploads a passport (front) and a selfie through the flow endpoints; answers their ids.
pub(crate) async fn capture(app: &TestApp, token: &str) -> (String, String) {
    let doc = flow_post(
        app,
        token,
        "/documents",
        &json!({"type": "passport", "issuingCountry": "GB"}),
    )
    .await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    let doc_id = doc.body["id"].as_str().unwrap().to_string();
    let image = flow_post(
        app,
        token,
        &format!("/documents/{doc_id}/upload/front"),
        &json!({"fileName": "front.jpg", "data": b64(&jpeg(320, 240))}),
    )
    .await;
    assert_eq!(image.status, 200, "{}", image.text);
    assert_eq!(image.body["documentSide"], "front");
    let photo = flow_post(
        app,
        token,
        "/livePhotos",
        &json!({"data": b64(&jpeg(300, 300))}),
    )
    .await;
    assert_eq!(photo.status, 200, "{}", photo.text);
    (doc_id, photo.body["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn finishing_creates_the_sessions_checks_once_and_spends_the_link() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["checkTypes"] = json!([
        "standard_screening_check",
        "document_check",
        "identity_check"
    ]);
    request["enableMonitoring"] = json!(true);
    let token = session(&app, &request).await;
    let (doc_id, photo_id) = capture(&app, &token).await;

    let finish = json!({"consent": true, "documentId": doc_id, "livePhotoId": photo_id});
    let first = flow_post(&app, &token, "/finish", &finish).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        first.body,
        json!({"redirectUrl": "https://www.example.com/success"})
    );
    let second = flow_post(&app, &token, "/finish", &finish).await;
    assert_eq!(second.status, 200, "finishing twice: {}", second.text);
    assert_eq!(second.body, first.body);

    let checks = app.get(&format!("/v1/checks?clientId={id}")).await;
    assert_eq!(checks.body["totalItems"], 3, "{}", checks.text);
    for check in checks.body["items"].as_array().unwrap() {
        assert_eq!(check["clientConsent"], true);
        match check["type"].as_str().unwrap() {
            "standard_screening_check" => assert_eq!(check["enableMonitoring"], true),
            "document_check" => assert_eq!(check["documentId"], doc_id.as_str()),
            "identity_check" => {
                assert_eq!(check["documentId"], doc_id.as_str());
                assert_eq!(check["livePhotoId"], photo_id.as_str());
            }
            other => panic!("unexpected check {other}"),
        }
    }

    assert_eq!(
        page_status(&app, &token).await,
        410,
        "a completed link is gone"
    );
    let late = flow_post(&app, &token, "/livePhotos", &json!({"data": "x"})).await;
    assert_eq!(late.status, 410, "{}", late.text);
    assert_eq!(late.body["type"], "resource_not_found");
}

#[tokio::test]
async fn screening_only_sessions_finish_with_consent_alone() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["checkTypes"] = json!(["extensive_screening_check"]);
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
    assert!(!page.contains("data-step=\"front\""), "no capture steps");
    assert!(!page.contains("data-step=\"selfie\""));
    let done = flow_post(&app, &token, "/finish", &json!({"consent": true})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let checks = app.get(&format!("/v1/checks?clientId={id}")).await;
    assert_eq!(checks.body["totalItems"], 1, "{}", checks.text);
    assert_eq!(checks.body["items"][0]["enableMonitoring"], false);
}

#[tokio::test]
async fn bad_captures_and_finishes_are_named_in_the_wire_shape() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let mut request = body(&id);
    request["checkTypes"] = json!(["identity_check"]);
    request["documentTypes"] = json!({"passport": true});
    let token = session(&app, &request).await;

    let other = client(&app).await;
    let photo = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": other, "data": b64(&jpeg(300, 300))}),
        )
        .await;
    let foreign_photo = photo.body["id"].as_str().unwrap().to_string();
    let (doc_id, _) = capture(&app, &token).await;

    for (path, request, param) in [
        (
            "/documents".to_string(),
            json!({"type": "driving_license", "issuingCountry": "GB"}),
            Some("type"),
        ),
        (
            "/documents".to_string(),
            json!({"type": "utility_bill"}),
            Some("type"),
        ),
        (
            format!("/documents/{doc_id}/upload/front"),
            json!({"fileName": "front.jpg", "data": b64(&[0xff, 0xd8, 0xff])}),
            Some("data"),
        ),
        (
            format!("/documents/{doc_id}/upload/middle"),
            json!({"fileName": "front.jpg", "data": b64(&jpeg(320, 240))}),
            Some("side"),
        ),
        (
            "/livePhotos".to_string(),
            json!({"data": "%%%"}),
            Some("data"),
        ),
        (
            "/finish".to_string(),
            json!({"documentId": doc_id}),
            Some("consent"),
        ),
        (
            "/finish".to_string(),
            json!({"consent": true, "livePhotoId": foreign_photo}),
            Some("documentId"),
        ),
        (
            "/finish".to_string(),
            json!({"consent": true, "documentId": doc_id, "livePhotoId": foreign_photo}),
            Some("livePhotoId"),
        ),
        (
            "/finish".to_string(),
            json!({"consent": true, "documentId": doc_id, "livePhotoId": foreign_photo,
                "liveVideoId": "abc"}),
            Some("liveVideoId"),
        ),
        ("/finish".to_string(), json!(["consent"]), None),
    ] {
        let r = flow_post(&app, &token, &path, &request).await;
        assert_eq!(r.status, 400, "{path} {request}: {}", r.text);
        assert_eq!(r.body["type"], "invalid_request", "{}", r.text);
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(
            r.error().1.as_deref(),
            param,
            "{path} {request}: {}",
            r.text
        );
    }

    // Another client's document is not reachable through this link.
    let theirs = app
        .post(
            "/v1/documents",
            &json!({"clientId": other, "type": "passport", "issuingCountry": "GB"}),
        )
        .await;
    let theirs = theirs.body["id"].as_str().unwrap();
    let r = flow_post(
        &app,
        &token,
        &format!("/documents/{theirs}/upload/front"),
        &json!({"fileName": "front.jpg", "data": b64(&jpeg(320, 240))}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Requests from another site's page are refused.
    let cross = app
        .client
        .post(format!("{}/flow/{token}/finish", app.base))
        .header("Origin", "https://evil.example")
        .json(&json!({"consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert!(cross.headers().get("access-control-allow-origin").is_none());

    // Nothing was created, and the session is still open.
    let checks = app.get(&format!("/v1/checks?clientId={id}")).await;
    assert_eq!(checks.body["totalItems"], 0, "{}", checks.text);
    assert_eq!(page_status(&app, &token).await, 200);
}
