//! Webhooks go straight to the pinned address, never through a proxy named in the environment:
//! a proxy would connect wherever the URL points, bypassing the public-address checks (#21).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use clearance_testkit::process::Cluster;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_ignore_proxy_settings() {
    let received = Arc::new(Mutex::new(0_u32));
    let app = Router::new()
        .route(
            "/hook",
            post(|State(n): State<Arc<Mutex<u32>>>| async move {
                *n.lock().unwrap() += 1;
                "ok"
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // A proxy that refuses every connection: a sender that used it would never deliver.
    let dir = tempfile::tempdir().unwrap();
    let dead_proxy = "http://127.0.0.1:9";
    let env = Cluster::new(BIN, dir.path().join("data"), None)
        .env("CLEARANCE_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("HTTP_PROXY", dead_proxy)
        .env("HTTPS_PROXY", dead_proxy)
        .env("ALL_PROXY", dead_proxy)
        .env("http_proxy", dead_proxy)
        .env("NO_PROXY", "");
    let key = env.test_key();
    let server = env.serve(&[]).await;
    let (status, hook) = server
        .call(
            &key,
            "/v1/webhooks",
            Some(&json!({"url": format!("http://127.0.0.1:{port}/hook"),
                "enabled": true, "events": ["client.created"]})),
        )
        .await;
    assert_eq!(status, 200, "{hook}");
    let (status, client) = server
        .call(
            &key,
            "/v1/clients",
            Some(&json!({"type": "person", "email": "ada@example.org",
                "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}})),
        )
        .await;
    assert_eq!(status, 200, "{client}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while *received.lock().unwrap() == 0 {
        assert!(Instant::now() < deadline, "no delivery arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
