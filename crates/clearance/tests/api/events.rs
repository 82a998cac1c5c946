//! The outbox: every change subscribers can follow is recorded with the change, in order.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use serde_json::json;

use crate::person;

#[tokio::test]
async fn client_address_and_document_changes_are_recorded_in_order() {
    let app = TestApp::spawn().await;
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body;
    let client = client["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v1/clients/{client}"),
        &json!({"mobile": "+44 7700 900123"}),
    )
    .await;
    let address = app
        .post(
            "/v1/addresses",
            &json!({"clientId": client, "type": "main", "line": "1 Main Street", "city": "London", "postalCode": "SW1A 1AA", "country": "GB"}),
        )
        .await
        .body;
    let address = address["id"].as_str().unwrap().to_string();
    let doc = app
        .post(
            "/v1/documents",
            &json!({"clientId": client, "type": "passport", "classification": "proof_of_identity", "issuingCountry": "GB"}),
        )
        .await
        .body;
    let doc = doc["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v1/documents/{doc}/upload/front"),
        &json!({"fileName": "front.jpg", "data": b64(&jpeg(640, 400))}),
    )
    .await;
    assert_eq!(
        app.delete(&format!("/v1/documents/{doc}/front"))
            .await
            .status,
        204
    );
    assert_eq!(
        app.delete(&format!("/v1/documents/{doc}")).await.status,
        204
    );
    assert_eq!(
        app.delete(&format!("/v1/addresses/{address}")).await.status,
        204
    );
    assert_eq!(
        app.delete(&format!("/v1/clients/{client}")).await.status,
        204
    );

    let events = app.store.events_after(0, 1000).await.unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.event.event_type.as_str()).collect();
    assert_eq!(
        names,
        [
            "client.created",
            "client.updated",
            "address.created",
            "document.created",
            "document.updated",
            "document.updated.image_uploaded",
            "document.updated",
            "document.updated.image_deleted",
            "document.deleted",
            "address.deleted",
            "client.deleted",
        ]
    );
    let first = &events[0].event;
    assert_eq!(first.resource_type, "client");
    assert_eq!(first.payload["id"], json!(client));
    assert!(
        first.payload.get("email").is_none(),
        "the payload is a slim projection"
    );
    let upload = &events[5].event;
    assert_eq!(upload.payload["clientId"], json!(client));
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
}
