//! Webhook endpoints: the secret is shown once, URLs and events are checked, filters work.

use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn webhook_lifecycle_and_rules() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/v1/webhooks",
            &json!({"url": "https://hooks.example.com/cc", "enabled": true,
                "events": ["check.completed.clear", "client.created"], "description": "CRM"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    let secret = created.body["secret"].as_str().unwrap();
    assert!(secret.len() >= 32, "a strong secret");
    let got = app.get(&format!("/v1/webhooks/{id}")).await;
    assert_eq!(got.body["url"], "https://hooks.example.com/cc");
    assert!(
        got.body.get("secret").is_none(),
        "the secret is shown only once"
    );
    assert!(!got.text.contains(secret));
    let logs = app.get("/v1/auditLogs").await;
    assert!(!logs.text.contains(secret), "nor in the audit log");

    let updated = app
        .post(
            &format!("/v1/webhooks/{id}"),
            &json!({"enabled": false, "description": null}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["enabled"], false);
    assert!(updated.body.get("description").is_none());
    assert!(updated.body.get("secret").is_none());

    app.post(
        "/v1/webhooks",
        &json!({"url": "https://other.example.com/", "enabled": true, "events": ["*"]}),
    )
    .await;
    let filtered = app
        .get("/v1/webhooks?enabled=false&events=check.completed.clear")
        .await;
    assert_eq!(filtered.body["totalItems"], 1, "{}", filtered.text);
    assert_eq!(filtered.body["items"][0]["id"], id.as_str());
    assert_eq!(app.get("/v1/webhooks").await.body["totalItems"], 2);
    let live = app
        .send(Method::GET, "/v1/webhooks", Some(&app.live_key), None)
        .await;
    assert_eq!(
        live.body["totalItems"], 0,
        "test and live webhooks are separate"
    );

    for (body, param) in [
        (
            json!({"url": "http://hooks.example.com", "enabled": true, "events": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://192.168.0.10/x", "enabled": true, "events": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://hooks.example.com", "events": ["*"]}),
            "enabled",
        ),
        (
            json!({"url": "https://hooks.example.com", "enabled": true, "events": ["check.done"]}),
            "events",
        ),
        (
            json!({"url": "https://hooks.example.com", "enabled": true}),
            "events",
        ),
    ] {
        let r = app.post("/v1/webhooks", &body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.error().1.as_deref(), Some(param), "{body}");
    }
    for n in 2..20 {
        let r = app
            .post(
                "/v1/webhooks",
                &json!({"url": format!("https://h{n}.example.com"), "enabled": true, "events": ["*"]}),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let over = app
        .post(
            "/v1/webhooks",
            &json!({"url": "https://h21.example.com", "enabled": true, "events": ["*"]}),
        )
        .await;
    assert_eq!(over.status, 400, "at most 20");
    assert_eq!(app.delete(&format!("/v1/webhooks/{id}")).await.status, 204);
    assert_eq!(app.get(&format!("/v1/webhooks/{id}")).await.status, 404);
}
