//! Hosted-flow links that are unknown, expired or flooded: gone, refused before their body is
//! read, and rate limited per link and per client address.

use clearance_core::store::{Change, Resource};
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

use crate::flow::{body, client, flow_post, page_status, session, stored_session};

#[tokio::test]
async fn unknown_and_expired_links_are_gone() {
    let app = TestApp::spawn_paused().await;
    let id = client(&app).await;
    let token = session(&app, &body(&id)).await;

    for wrong in ["a".repeat(40), "short".to_string(), format!("{token}x")] {
        assert_eq!(page_status(&app, &wrong).await, 404);
        let r = flow_post(&app, &wrong, "/finish", &json!({"consent": true})).await;
        assert_eq!(r.status, 410, "{}", r.text);
        assert_eq!(r.body["type"], "resource_not_found");
        let r = flow_post(&app, &wrong, "/documents", &json!({"type": "passport"})).await;
        assert_eq!(r.status, 410, "{}", r.text);
    }

    // Age the session past its 14 days.
    let session = stored_session(&app, &token).await;
    let mut body = session.body.clone();
    body.insert("expiresAt".into(), json!("2020-01-01T00:00:00.000Z"));
    let aged = Resource {
        version: session.version + 1,
        body,
        ..session
    };
    app.store.apply(vec![Change::Update(aged)]).await.unwrap();
    assert_eq!(page_status(&app, &token).await, 404);
    let r = flow_post(&app, &token, "/finish", &json!({"consent": true})).await;
    assert_eq!(r.status, 410, "{}", r.text);
}

/// The link is checked before the body is read (#21, finding 4): an unknown link answers 410
/// whatever is posted to it, even a body that is not JSON at all.
#[tokio::test]
async fn an_unknown_link_is_refused_before_its_body_is_read() {
    let app = TestApp::spawn().await;
    let garbage = vec![b'{'; 512 * 1024];
    for path in ["/documents", "/livePhotos", "/finish"] {
        let r = app
            .send_raw(
                Method::POST,
                &format!("/flow/{}{path}", "b".repeat(43)),
                "application/json",
                garbage.clone(),
            )
            .await;
        assert_eq!(r.status, 410, "{path}: {}", r.text);
    }
}

/// Each link has its own bucket: a burst beyond it answers 429, and another link is unaffected.
/// Issue #21.4: one address cannot spread a flood over many links (or made-up ones): it is
/// limited before any link is looked up; another address, named by a trusted proxy, is not.
#[tokio::test]
async fn each_client_address_is_rate_limited_across_links() {
    let app = TestApp::spawn_with(clearance_api::ApiConfig {
        rate_limit_test: 0,
        rate_limit_live: 0,
        rate_limit_flow: 0,
        rate_limit_flow_address: 5,
        client_ip_header: Some("x-forwarded-for".into()),
        ..clearance_api::ApiConfig::default()
    })
    .await;
    let id = client(&app).await;
    let links = [
        session(&app, &body(&id)).await,
        session(&app, &body(&id)).await,
        "made-up-link-0000000000000000000000000000".to_string(),
    ];
    let post_from = |token: &str, from: &str| {
        let url = format!("{}/flow/{token}/documents", app.base);
        let request = app
            .client
            .post(url)
            .header("x-forwarded-for", format!("203.0.113.9, {from}"))
            .json(&json!({"type": "unknown"}));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let mut refused = 0;
    for i in 0..40 {
        let status = post_from(&links[i % links.len()], "198.51.100.7").await;
        assert!(matches!(status, 400 | 410 | 429), "{status}");
        refused += usize::from(status == 429);
    }
    assert!(
        refused > 0,
        "40 requests from one address across links were all let through"
    );
    // The proxy's last entry is the address; a spoofed first entry changes nothing, and
    // another address still gets through at once.
    assert_eq!(post_from(&links[0], "198.51.100.8").await, 400);
    // An IPv6 client counts by its /64: a neighbour in the same /64 shares the limit.
    let mut v6_refused = 0;
    for i in 0..40 {
        let from = format!("2001:db8:1:2::{:x}", i + 1);
        v6_refused += usize::from(post_from(&links[0], &from).await == 429);
    }
    assert!(v6_refused > 0, "addresses of one /64 were counted apart");

    // Without a proxy header, the connection's peer address is the one counted.
    let direct = TestApp::spawn_with(clearance_api::ApiConfig {
        rate_limit_flow: 0,
        rate_limit_flow_address: 5,
        ..clearance_api::ApiConfig::default()
    })
    .await;
    let mut refused = 0;
    for i in 0..40 {
        let token = format!("made-up-link-{i:030}");
        let r = flow_post(&direct, &token, "/documents", &json!({"type": "unknown"})).await;
        refused += usize::from(r.status == 429);
    }
    assert!(
        refused > 0,
        "40 requests from one peer were all let through"
    );
}

#[tokio::test]
async fn each_link_is_rate_limited_on_its_own() {
    let app = TestApp::spawn_with(clearance_api::ApiConfig {
        rate_limit_test: 0,
        rate_limit_live: 0,
        rate_limit_flow: 5,
        ..clearance_api::ApiConfig::default()
    })
    .await;
    let id = client(&app).await;
    let hammered = session(&app, &body(&id)).await;
    let other = session(&app, &body(&id)).await;
    let mut refused = 0;
    for _ in 0..40 {
        let r = flow_post(&app, &hammered, "/documents", &json!({"type": "unknown"})).await;
        if r.status == 429 {
            assert_eq!(r.body["type"], "rate_limit_exceeded", "{}", r.text);
            refused += 1;
        }
    }
    assert!(
        refused > 0,
        "40 requests at once stayed under the link's rate"
    );
    let r = flow_post(&app, &other, "/documents", &json!({"type": "unknown"})).await;
    assert_eq!(r.status, 400, "{}", r.text);
}
