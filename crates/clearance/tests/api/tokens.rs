//! `POST /v1/tokens`: SDK tokens bound to a client and to a referrer pattern or an app id.

use clearance_testkit::TestApp;
use clearance_tokens::jwt::peek_claims;
use reqwest::Method;
use serde_json::{Value, json};

use crate::person;

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn client(app: &TestApp, key: &str) -> String {
    let r = app
        .send(
            Method::POST,
            "/v1/clients",
            Some(key),
            Some(&person("Ada", "Lovelace")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_web_token_carries_its_claims_and_verifies_with_the_server_key() {
    let app = TestApp::spawn().await;
    let id = client(&app, &app.test_key).await;
    let r = app
        .post(
            "/v1/tokens",
            &json!({"clientId": id, "referrer": "https://*.example.com/*"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let obj = r.body.as_object().unwrap();
    assert_eq!(obj.len(), 1, "only the token: {}", r.text);
    let token = r.body["token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a compact JWT");

    let claims = peek_claims(token).unwrap();
    assert_eq!(claims["clientId"], id.as_str());
    assert_eq!(claims["mode"], "test");
    assert!(claims["account"].as_str().is_some_and(|a| !a.is_empty()));
    assert_eq!(claims["referrer"], "https://*.example.com/*");
    assert!(claims.get("appId").is_none());
    let iat = claims["iat"].as_i64().unwrap();
    assert!((iat - now_secs()).abs() < 30);
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 3600, "60 minutes");
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));

    let verified = app.token_keys.verify(token, now_secs()).unwrap();
    assert_eq!(verified.client_id, id);
    assert!(
        app.token_keys.verify(token, now_secs() + 3601).is_err(),
        "expired after an hour"
    );

    let again = app
        .post(
            "/v1/tokens",
            &json!({"clientId": id, "referrer": "https://*.example.com/*"}),
        )
        .await;
    let other = peek_claims(again.body["token"].as_str().unwrap()).unwrap();
    assert_ne!(other["jti"], claims["jti"], "every token has its own id");
}

#[tokio::test]
async fn a_mobile_token_is_bound_to_its_app_id() {
    let app = TestApp::spawn().await;
    let id = client(&app, &app.live_key).await;
    let r = app
        .send(
            Method::POST,
            "/v1/tokens",
            Some(&app.live_key),
            Some(&json!({"clientId": id, "appId": "com.myapp.demo.app"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let claims = peek_claims(r.body["token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["appId"], "com.myapp.demo.app");
    assert_eq!(claims["mode"], "live");
    assert!(claims.get("referrer").is_none());
}

#[tokio::test]
async fn unknown_foreign_mode_and_foreign_account_clients_are_invalid() {
    let app = TestApp::spawn().await;
    let test_client = client(&app, &app.test_key).await;
    let (other_test, _) = app.other_account("other").await;
    let other_client = client(&app, &other_test).await;
    let expected =
        json!({"type": "invalid_request", "message": "'clientId' is invalid", "param": "clientId"});
    for (key, id) in [
        (&app.test_key, "5f0c7e6a2b1d4c3e9a8b7c6d".to_string()),
        (&app.live_key, test_client.clone()),
        (&app.test_key, other_client),
    ] {
        let r = app
            .send(
                Method::POST,
                "/v1/tokens",
                Some(key),
                Some(&json!({"clientId": id, "referrer": "*://*/*"})),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body, expected);
    }
    let r = app
        .send(
            Method::POST,
            "/v1/tokens",
            None,
            Some(&json!({"clientId": test_client, "referrer": "*://*/*"})),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn bad_patterns_app_ids_and_combinations_name_the_param() {
    let app = TestApp::spawn().await;
    let id = client(&app, &app.test_key).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"clientId": id, "referrer": "random stuff"}),
            "referrer",
        ),
        (
            json!({"clientId": id, "referrer": "https://www.example.com"}),
            "referrer",
        ),
        (
            json!({"clientId": id, "referrer": "https://*foo/bar"}),
            "referrer",
        ),
        (
            json!({"clientId": id, "referrer": "com.example.app"}),
            "referrer",
        ),
        (json!({"clientId": id, "referrer": 7}), "referrer"),
        (json!({"clientId": id, "appId": "random stuff"}), "appId"),
        (
            json!({"clientId": id, "appId": "https://www.example.com/*"}),
            "appId",
        ),
        (json!({"clientId": id}), "referrer"),
        (
            json!({"clientId": id, "referrer": "*://*/*", "appId": "com.example.app"}),
            "appId",
        ),
        (json!({"referrer": "*://*/*"}), "clientId"),
    ];
    for (body, param) in cases {
        let r = app.post("/v1/tokens", &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        let (kind, p) = r.error();
        assert_eq!(kind, "invalid_request");
        assert_eq!(p.as_deref(), Some(param), "{body}: {}", r.text);
    }
    for good in [
        "<all_urls>",
        "*://*/*",
        "http://localhost/*",
        "https://*.example.com:8443/verify*",
    ] {
        let r = app
            .post("/v1/tokens", &json!({"clientId": id, "referrer": good}))
            .await;
        assert_eq!(r.status, 200, "{good}: {}", r.text);
    }
}
