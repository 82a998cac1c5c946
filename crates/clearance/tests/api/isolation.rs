//! Tenants and modes never see each other: a foreign id is a plain 404.

use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

use crate::person;

#[tokio::test]
async fn other_modes_and_accounts_see_nothing() {
    let app = TestApp::spawn().await;
    let (other_test, _) = app.other_account("other-tenant").await;
    let id = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let address = app
        .post(
            "/v1/addresses",
            &json!({"clientId": id, "line": "1 Road", "city": "Leeds", "country": "GB"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    for key in [app.live_key.as_str(), other_test.as_str()] {
        for (method, path, body) in [
            (Method::GET, format!("/v1/clients/{id}"), None),
            (
                Method::POST,
                format!("/v1/clients/{id}"),
                Some(json!({"email": "x@y.co"})),
            ),
            (Method::DELETE, format!("/v1/clients/{id}"), None),
            (Method::GET, format!("/v1/addresses/{address}"), None),
            (Method::DELETE, format!("/v1/addresses/{address}"), None),
        ] {
            let r = app
                .send(method.clone(), &path, Some(key), body.as_ref())
                .await;
            assert_eq!(r.status, 404, "{method} {path}");
            assert_eq!(r.error().0, "resource_not_found");
        }
        let list = app.send(Method::GET, "/v1/clients", Some(key), None).await;
        assert_eq!(list.body["totalItems"], 0);
        let foreign_client = app
            .send(
                Method::POST,
                "/v1/addresses",
                Some(key),
                Some(&json!({"clientId": id, "line": "1", "city": "L", "country": "GB"})),
            )
            .await;
        assert_eq!(
            (foreign_client.status, foreign_client.error().1.as_deref()),
            (400, Some("clientId"))
        );
        let audit = app
            .send(Method::GET, "/v1/auditLogs", Some(key), None)
            .await;
        assert_eq!(
            audit.body["totalItems"], 0,
            "audit trails are separated too"
        );
    }
    assert_eq!(
        app.get(&format!("/v1/clients/{id}")).await.status,
        200,
        "still there for its owner"
    );
}
