//! The HTTP edge: authentication, malformed bodies, content types, unknown routes, wrong
//! methods and oversize bodies all answer in the wire error shape.

use clearance_api::ApiConfig;
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

use crate::person;

#[tokio::test]
async fn keys_are_required_and_checked() {
    let app = TestApp::spawn().await;
    for key in [
        None,
        Some(""),
        Some("test_wrong000000000000000000"),
        Some("nonsense"),
        Some("live_"),
    ] {
        let r = app.send(Method::GET, "/v1/clients", key, None).await;
        assert_eq!(r.status, 401, "{key:?}");
        assert_eq!(r.error().0, "unauthorized");
        assert_eq!(r.body["message"], "The 'Authorization' header is invalid");
    }
    let bearer = format!("Bearer {}", app.test_key);
    assert_eq!(
        app.send(Method::GET, "/v1/clients", Some(&bearer), None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn revoked_keys_stop_working() {
    let app = TestApp::spawn().await;
    let (key, _) = app.other_account("revocation").await;
    let hash = clearance_core::keys::hash_key(&key);
    let stored = app.store.find_api_key(&hash).await.unwrap().unwrap();
    app.store.revoke_api_key(&stored.id, 1).await.unwrap();
    assert_eq!(
        app.send(Method::GET, "/v1/clients", Some(&key), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn malformed_bodies_get_wire_errors() {
    let app = TestApp::spawn().await;
    let broken = app
        .send_raw(
            Method::POST,
            "/v1/clients",
            "application/json",
            b"{\"type\": \"person\",".to_vec(),
        )
        .await;
    assert_eq!(
        (broken.status, broken.error().0.as_str()),
        (400, "invalid_request")
    );
    let not_object = app.post("/v1/clients", &json!(["a"])).await;
    assert_eq!(
        (not_object.status, not_object.error().0.as_str()),
        (400, "invalid_request")
    );
    let empty = app
        .send_raw(Method::POST, "/v1/clients", "application/json", Vec::new())
        .await;
    assert_eq!(empty.status, 400);
    empty.error();
    let text = app
        .send_raw(Method::POST, "/v1/clients", "text/plain", b"{}".to_vec())
        .await;
    assert_eq!(
        (text.status, text.error().0.as_str()),
        (415, "invalid_request")
    );
    let binary = app
        .send_raw(
            Method::POST,
            "/v1/clients",
            "application/json",
            vec![0xff, 0xfe, 0x00],
        )
        .await;
    assert_eq!(binary.status, 400);
    binary.error();
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods() {
    let app = TestApp::spawn().await;
    let unknown = app.get("/v1/nothing-here").await;
    assert_eq!(
        (unknown.status, unknown.error().0.as_str()),
        (404, "resource_not_found")
    );
    let root = app.get("/").await;
    assert_eq!(root.status, 404);
    root.error();
    let method = app
        .send(
            Method::PUT,
            "/v1/clients",
            Some(&app.test_key),
            Some(&json!({})),
        )
        .await;
    assert_eq!(method.status, 405, "{}", method.text);
    method.error();
    let patch = app
        .send(
            Method::PATCH,
            "/v1/clients/abc",
            Some(&app.test_key),
            Some(&json!({})),
        )
        .await;
    assert_eq!(patch.status, 405);
    patch.error();
}

#[tokio::test]
async fn oversize_bodies_are_413() {
    let app = TestApp::spawn_with(ApiConfig {
        max_body_bytes: 4096,
        rate_limit_test: 0,
        rate_limit_live: 0,
        ..ApiConfig::default()
    })
    .await;
    let mut body = person("Ada", "Lovelace");
    body["externalId"] = json!("x".repeat(10_000));
    let r = app.post("/v1/clients", &body).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.error().0, "invalid_request");
}

#[tokio::test]
async fn rate_limits_answer_429_with_headers() {
    let app = TestApp::spawn_with(ApiConfig {
        rate_limit_test: 3,
        rate_limit_live: 0,
        ..ApiConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.get("/v1/clients").await);
    }
    assert_eq!(statuses[0].status, 200);
    assert_eq!(statuses[0].headers["ratelimit-limit"], "3");
    let limited = statuses
        .iter()
        .find(|r| r.status == 429)
        .expect("the fourth request in a second is refused");
    assert_eq!(limited.error().0, "rate_limit_exceeded");
    assert_eq!(
        limited.body["message"],
        "You have exceeded the rate limit prescribed to your plan"
    );
    assert!(limited.headers.contains_key("retry-after"));
    let live = app
        .send(Method::GET, "/v1/clients", Some(&app.live_key), None)
        .await;
    assert_eq!(
        live.status, 200,
        "live keys have their own (here: no) limit"
    );
}

#[tokio::test]
async fn trailing_slashes_reach_the_same_endpoints() {
    // The official Node SDK writes collection paths as `/v1/clients/`.
    let app = clearance_testkit::TestApp::spawn().await;
    let created = app
        .post("/v1/clients/", &crate::person("Ada", "Lovelace"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/clients/{id}/")).await.status, 200);
    assert_eq!(app.get("/v1/clients/").await.body["totalItems"], 1);
}
