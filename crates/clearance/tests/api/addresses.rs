//! Addresses: lifecycle, validation, the required `clientId` on lists, and client cascade.

use clearance_testkit::TestApp;
use serde_json::json;

use crate::person;

#[tokio::test]
async fn address_lifecycle_and_rules() {
    let app = TestApp::spawn().await;
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"clientId": client, "type": "main", "propertyNumber": "12", "line": "Harbour Road",
        "city": "Bristol", "postalCode": "BS1 5TX", "country": "GB", "fromDate": "2019-06-01"});
    let created = app.post("/v1/addresses", &body).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["clientId"], client.as_str());
    assert_eq!(created.body["city"], "Bristol");

    let updated = app
        .post(&format!("/v1/addresses/{id}"), &json!({"country": "FR"}))
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        (
            updated.body["country"].as_str(),
            updated.body["line"].as_str()
        ),
        (Some("FR"), Some("Harbour Road"))
    );
    let bad = app
        .post(&format!("/v1/addresses/{id}"), &json!({"country": "XX"}))
        .await;
    assert_eq!(
        (bad.status, bad.error().1.as_deref()),
        (400, Some("country"))
    );

    let list = app.get(&format!("/v1/addresses?clientId={client}")).await;
    assert_eq!(
        (list.status, list.body["totalItems"].as_u64()),
        (200, Some(1))
    );
    let no_client = app.get("/v1/addresses").await;
    assert_eq!(
        (no_client.status, no_client.error().1.as_deref()),
        (400, Some("clientId"))
    );
    assert_eq!(
        app.get("/v1/addresses?clientId=000000000000000000000000")
            .await
            .body["totalItems"],
        0
    );

    for (patch, param) in [
        (json!({"line": null}), "line"),
        (json!({"city": ""}), "city"),
        (json!({"country": "Britain"}), "country"),
        (json!({"type": "home"}), "type"),
        (json!({"fromDate": "2019-13-01"}), "fromDate"),
        (json!({"clientId": "ffffffffffffffffffffffff"}), "clientId"),
        (json!({"country": "US", "state": "New York"}), "state"),
    ] {
        let mut b = body.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = app.post("/v1/addresses", &b).await;
        assert_eq!(
            (r.status, r.error()),
            (400, ("invalid_request".into(), Some(param.into()))),
            "{patch}"
        );
    }

    assert_eq!(app.delete(&format!("/v1/addresses/{id}")).await.status, 204);
    assert_eq!(app.get(&format!("/v1/addresses/{id}")).await.status, 404);
}

#[tokio::test]
async fn deleting_a_client_deletes_its_addresses() {
    let app = TestApp::spawn().await;
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let address = app
        .post(
            "/v1/addresses",
            &json!({"clientId": client, "line": "1 Road", "city": "Leeds", "country": "GB"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.delete(&format!("/v1/clients/{client}")).await.status,
        204
    );
    assert_eq!(
        app.get(&format!("/v1/addresses/{address}")).await.status,
        404
    );
}
