//! Team members, account info, health, metrics and the OpenAPI document.

use clearance_testkit::TestApp;
use reqwest::Method;

#[tokio::test]
async fn team_members_are_seeded_and_shared_by_both_modes() {
    let app = TestApp::spawn().await;
    let list = app.get("/v1/teamMembers").await;
    assert_eq!(list.body["totalItems"], 1);
    let owner = &list.body["items"][0];
    assert_eq!(owner["role"], "owner");
    let id = owner["id"].as_str().unwrap();
    assert_eq!(id.len(), 17);
    let live = app
        .send(
            Method::GET,
            &format!("/v1/teamMembers/{id}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(live.status, 200);
    assert_eq!(
        app.get("/v1/teamMembers?role=owner").await.body["totalItems"],
        1
    );
    assert_eq!(
        app.get("/v1/teamMembers?role=analyst").await.body["totalItems"],
        0
    );
    let (other, _) = app.other_account("elsewhere").await;
    assert_eq!(
        app.send(
            Method::GET,
            &format!("/v1/teamMembers/{id}"),
            Some(&other),
            None
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn account_info() {
    let app = TestApp::spawn().await;
    let info = app.get("/v1/accountInfo").await;
    assert_eq!(info.status, 200);
    assert_eq!(info.body["username"], "test-account");
    assert!(info.body["plan"].is_string());
}

#[tokio::test]
async fn invented_methods_leave_one_metrics_series_per_route() {
    // Issue #21, finding 5: a client inventing methods must not add series to /metrics.
    let app = TestApp::spawn().await;
    let rounds = 150;
    for n in 0..rounds {
        let method = Method::from_bytes(format!("INVENTED{n}").as_bytes()).unwrap();
        for path in ["/v1/clients", "/v1/nothing-here"] {
            let r = app
                .send(method.clone(), path, Some(&app.test_key), None)
                .await;
            assert!(
                (400..500).contains(&r.status),
                "{path}: {} {}",
                r.status,
                r.text
            );
        }
    }
    let metrics = app.send(Method::GET, "/metrics", None, None).await;
    assert!(!metrics.text.contains("INVENTED"), "{}", metrics.text);
    let other: Vec<&str> = metrics
        .text
        .lines()
        .filter(|l| l.starts_with("clearance_http_requests_total{method=\"OTHER\""))
        .collect();
    // One series for each route and status, however many methods were sent.
    assert_eq!(other.len(), 2, "{other:?}");
    let counted: u64 = other
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(counted, 2 * rounds);
}

#[tokio::test]
async fn health_metrics_and_docs_need_no_key() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.send(Method::GET, "/healthz", None, None).await.status,
        200
    );
    assert_eq!(
        app.send(Method::GET, "/readyz", None, None).await.body["status"],
        "ready"
    );
    app.get("/v1/clients").await;
    let metrics = app.send(Method::GET, "/metrics", None, None).await;
    assert!(metrics.text.contains(
        "clearance_http_requests_total{method=\"GET\",route=\"/v1/clients\",status=\"200\"}"
    ));
    let doc = app.send(Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/clients",
        "/v1/clients/{id}",
        "/v1/addresses",
        "/v1/auditLogs/{id}",
        "/v1/teamMembers",
        "/v1/accountInfo",
    ] {
        assert!(
            doc.body["paths"].get(path).is_some(),
            "{path} is documented"
        );
    }
    let page = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "docs page is served locally");
    assert!(!html.contains("cdn") && !html.contains("unpkg"), "no CDN");
}

#[tokio::test]
async fn supported_documents_come_from_the_check_table() {
    let app = clearance_testkit::TestApp::spawn().await;
    let table = app.get("/v1/static/supportedDocuments").await;
    assert_eq!(table.status, 200, "{}", table.text);
    assert_eq!(table.body["document_check"]["passport"]["GB"]["sides"], 1);
    assert_eq!(
        table.body["document_check"]["national_identity_card"]["FR"]["sides"],
        2
    );
    let anonymous = app
        .send(
            reqwest::Method::GET,
            "/v1/static/supportedDocuments",
            None,
            None,
        )
        .await;
    assert_eq!(anonymous.status, 401);
}
