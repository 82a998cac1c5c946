//! `POST /v1/flow/sessions` (check-driven style): validation naming each field, and the link.

use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::person;

async fn client(app: &TestApp) -> String {
    let r = app.post("/v1/clients", &person("Alan", "Turing")).await;
    r.body["id"].as_str().unwrap().to_string()
}

fn body(client: &str) -> Value {
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
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(html.contains("lang=\"fr\""), "{html}");
    assert!(
        html.contains("https://www.example.com/cancel?a=1&amp;b=&quot;x&quot;"),
        "escaped: {html}"
    );
    assert!(html.contains("help@example.com"));
    assert!(!html.contains("<script"), "no scripts yet");

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
