//! `POST /v1/autofill`: the specimen's data read from its image, field sources, and refusals.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use reqwest::Method;
use serde_json::json;

fn specimen() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/synthetic_passport_td3_specimen.jpg"
    ))
    .unwrap()
}

#[tokio::test]
async fn autofill_reads_the_specimen_passport_with_a_source_per_field() {
    let app = TestApp::spawn().await;
    let body = json!({"data": b64(&specimen())});
    let read = app
        .send(
            Method::POST,
            "/v1/autofill",
            Some(&app.live_key),
            Some(&body),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    let data = &read.body["extractedData"];
    assert_eq!(data["documentDetails"]["documentNumber"], "L898902C3");
    assert_eq!(data["documentDetails"]["documentType"], "passport");
    assert_eq!(data["holderDetails"]["lastName"], json!(["ERIKSSON"]));
    assert_eq!(data["holderDetails"]["firstName"], json!(["ANNA", "MARIA"]));
    assert_eq!(
        data["holderDetails"]["dob"],
        json!({"day": 12, "month": 8, "year": 1974})
    );
    let sources = &read.body["fieldSources"];
    assert_eq!(sources["documentDetails.documentNumber"]["source"], "mrz");
    assert_eq!(
        sources["documentDetails.documentNumber"]["confidence"], 0.99,
        "its check digit matches"
    );
    assert!(sources["holderDetails.lastName"]["basis"].is_string());
    // The visual zone: it agrees on names and birth date, and gives the issue date.
    assert_eq!(sources["holderDetails.lastName"]["visualZone"], "agrees");
    assert_eq!(sources["holderDetails.dob"]["visualZone"], "agrees");
    assert_eq!(
        data["documentDetails"]["issuingDate"],
        json!({"day": 16, "month": 4, "year": 2007})
    );
    assert_eq!(
        sources["documentDetails.issuingDate"]["source"],
        "visual_zone"
    );

    // Test keys read documents too (there is no documented sandbox for autofill).
    let test = app
        .send(
            Method::POST,
            "/v1/autofill",
            Some(&app.test_key),
            Some(&body),
        )
        .await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert_eq!(test.body["extractedData"], read.body["extractedData"]);
}

#[tokio::test]
async fn autofill_refuses_what_it_cannot_read_in_the_wire_shape() {
    let app = TestApp::spawn().await;
    let key = app.live_key.clone();
    let post = |body: serde_json::Value| {
        let (app, key) = (&app, key.clone());
        async move {
            app.send(Method::POST, "/v1/autofill", Some(&key), Some(&body))
                .await
        }
    };
    // Noise is a valid image with no document on it.
    let noise = post(json!({"data": b64(&jpeg(900, 600))})).await;
    assert_eq!(noise.status, 422, "{}", noise.text);
    let (code, _) = noise.error();
    assert!(
        [
            "document_type_undetected",
            "image_unreadable",
            "excessive_glare",
            "under_exposure"
        ]
        .contains(&code.as_str()),
        "{}",
        noise.text
    );

    let missing = post(json!({})).await;
    assert_eq!(missing.status, 400, "{}", missing.text);
    assert_eq!(
        missing.error(),
        ("invalid_request".into(), Some("data".into()))
    );

    let not_base64 = post(json!({"data": "%%% not base64 %%%"})).await;
    assert_eq!(not_base64.status, 400);
    assert_eq!(not_base64.error().1.as_deref(), Some("data"));

    let unknown = post(json!({"data": b64(&specimen()), "side": "front"})).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error().1.as_deref(), Some("side"));

    let anonymous = app
        .send(
            Method::POST,
            "/v1/autofill",
            None,
            Some(&json!({"data": "x"})),
        )
        .await;
    assert_eq!(anonymous.status, 401);
}
