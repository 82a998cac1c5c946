//! The live `proof_of_address_check` through the API, on generated bills (`clearance-docgen`):
//! the client's recent bill at the client's address is clear; an old bill, another holder's
//! bill or a bill for another address gives attention; a blank page is `not_processed` with a
//! reason; a postcode the imported address data places gets its `latLong`.

use chrono::NaiveDate;
use clearance::reference_data::{ImportArgs, import};
use clearance_core::lookups::DatasetKind;
use clearance_docgen::{Rendering, Truth, blank, render};
use clearance_testkit::TestApp;
use clearance_testkit::fixtures::b64;
use reqwest::Method;
use serde_json::{Value, json};

use crate::checks::{id_of, settled};

fn today() -> NaiveDate {
    let now = clearance_core::clock::Clock::now_ms(&clearance_core::clock::SystemClock);
    chrono::DateTime::from_timestamp_millis(now)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn truth(first: &str, last: &str, days_old: u64) -> Truth {
    Truth {
        document_type: "utility_bill",
        issuer: "Northgate Energy".into(),
        holder: format!("Mr {first} {last}"),
        first_name: first.into(),
        last_name: last.into(),
        property_number: "12".into(),
        street: "Willow Avenue".into(),
        city: "Aberdeen".into(),
        postal_code: "AB10 1AN".into(),
        issue_date: today() - chrono::Days::new(days_old),
    }
}

/// A person client at 12 Willow Avenue, AB10 1AN, and a bill uploaded as their document.
async fn check(app: &TestApp, bill: &[u8], file: &str, line: &str) -> Value {
    let key = app.live_key.clone();
    let send = |method: Method, path: String, body: Value| {
        let app = &app;
        let key = key.clone();
        async move { app.send(method, &path, Some(&key), Some(&body)).await }
    };
    let client = send(
        Method::POST,
        "/v1/clients".into(),
        json!({"type": "person", "email": "john@example.org",
            "personDetails": {"firstName": "John", "lastName": "Smith"}}),
    )
    .await;
    let client = id_of(&client.body);
    let address = send(
        Method::POST,
        "/v1/addresses".into(),
        json!({"clientId": client, "line": line, "city": "Aberdeen",
            "postalCode": "AB10 1AN", "country": "GB"}),
    )
    .await;
    let address = id_of(&address.body);
    let doc = send(
        Method::POST,
        "/v1/documents".into(),
        json!({"clientId": client, "type": "utility_bill", "classification": "proof_of_address"}),
    )
    .await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    let doc = id_of(&doc.body);
    let up = send(
        Method::POST,
        format!("/v1/documents/{doc}/upload/front"),
        json!({"fileName": file, "data": b64(bill)}),
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let created = send(
        Method::POST,
        "/v1/checks".into(),
        json!({"clientId": client, "type": "proof_of_address_check", "documentId": doc,
            "addressId": address}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let done = settled(app, &key, &id_of(&created.body)).await;
    assert_eq!(done["status"], "complete", "{done}");
    done
}

fn bill(truth: &Truth, rendering: Rendering) -> (Vec<u8>, String) {
    let d = render(truth, 0, rendering, 7).expect("rendered");
    let name = format!("bill.{}", rendering.extension());
    (d.bytes, name)
}

#[tokio::test]
async fn the_clients_recent_bill_is_clear_and_placed_on_the_map() {
    let app = TestApp::spawn().await;
    let a = ImportArgs {
        format: "onspd".into(),
        paths: vec![
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/addresses/uk_onspd/onspd_2024_extract.csv"),
        ],
        name: None,
        date: None,
        country: None,
        code_names: None,
    };
    import(app.store.as_ref(), DatasetKind::Addresses, &a, 1)
        .await
        .unwrap();
    // A scan saved as PDF (no text layer; uploads must be 34 KB or more, which the generated
    // text PDFs are not: their text layer is read in the engine's evaluation test).
    let (bytes, file) = bill(&truth("John", "Smith", 10), Rendering::PdfImageOnly);
    let done = check(&app, &bytes, &file, "12 Willow Avenue").await;
    let result = &done["result"];
    assert_eq!(result["outcome"], "clear", "{done}");
    let b = &result["breakdown"];
    assert_eq!(b["textSource"], "ocr");
    let data = &b["extractedData"];
    assert_eq!(data["documentDetails"]["documentType"], "utility_bill");
    assert_eq!(data["holderDetails"]["entityName"], "John Smith");
    assert_eq!(data["addressDetails"]["address"]["postalCode"], "AB10 1AN");
    assert_eq!(data["addressDetails"]["address"]["propertyNumber"], "12");
    assert!(
        data["addressDetails"]["address"]["latLong"]["lat"]
            .as_f64()
            .is_some(),
        "{b}"
    );
    assert_eq!(b["geolocationAnalysis"]["address"], "clear");
    let issued = today() - chrono::Days::new(10);
    assert_eq!(
        data["documentDetails"]["issuingDate"],
        json!({"day": chrono::Datelike::day(&issued), "month": chrono::Datelike::month(&issued), "year": chrono::Datelike::year(&issued)})
    );
}

#[tokio::test]
async fn old_bills_other_holders_and_other_addresses_give_attention() {
    let app = TestApp::spawn().await;
    // A scan (JPEG, skewed, noisy) read by OCR, three months and more old.
    let (bytes, file) = bill(&truth("John", "Smith", 120), Rendering::Jpeg);
    let done = check(&app, &bytes, &file, "12 Willow Avenue").await;
    let b = &done["result"]["breakdown"];
    assert_eq!(done["result"]["outcome"], "attention", "{done}");
    assert_eq!(b["textSource"], "ocr");
    assert_eq!(b["contentAnalysis"]["issuingDate"], "attention", "{b}");
    assert_eq!(b["clientValidation"]["entityName"], "clear", "{b}");
    // No address data imported: the address's place is not examined.
    assert_eq!(b["geolocationAnalysis"]["address"], "not_processed");

    let (bytes, file) = bill(&truth("Jane", "Brown", 5), Rendering::Png);
    let done = check(&app, &bytes, &file, "12 Willow Avenue").await;
    assert_eq!(done["result"]["outcome"], "attention");
    assert_eq!(
        done["result"]["breakdown"]["clientValidation"]["entityName"],
        "attention"
    );

    let (bytes, file) = bill(&truth("John", "Smith", 5), Rendering::Jpeg);
    let done = check(&app, &bytes, &file, "40 Station Road").await;
    assert_eq!(done["result"]["outcome"], "attention");
    assert_eq!(
        done["result"]["breakdown"]["clientValidation"]["address"],
        "attention"
    );
}

#[tokio::test]
async fn a_blank_page_is_not_processed_with_a_reason() {
    let app = TestApp::spawn().await;
    let bytes = blank(Rendering::Png).expect("blank page");
    let done = check(&app, &bytes, "blank.png", "12 Willow Avenue").await;
    assert_eq!(done["result"]["outcome"], "not_processed", "{done}");
    assert_eq!(
        done["result"]["breakdown"]["notProcessedReason"]["code"],
        "address_not_found"
    );
}
