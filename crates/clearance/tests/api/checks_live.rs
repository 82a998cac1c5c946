//! Checks with a live key: what cannot run fails with a reason, the document check reads the
//! specimen passport, and risk profiles come from the country table and screenings.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::b64;
use reqwest::Method;
use serde_json::{Value, json};

use crate::person;

use crate::checks::{events_of, id_of, settled};

#[tokio::test]
async fn live_checks_that_cannot_run_fail_with_a_reason() {
    let app = TestApp::spawn().await;
    let key = app.live_key.clone();
    let client = app
        .send(
            Method::POST,
            "/v1/clients",
            Some(&key),
            Some(&person("Ada", "attention")),
        )
        .await;
    let client = id_of(&client.body);
    let created = app
        .send(
            Method::POST,
            "/v1/checks",
            Some(&key),
            Some(&json!({"clientId": client, "type": "multi_bureau_check", "addressId": "x"})),
        )
        .await;
    assert_eq!(created.error().1.as_deref(), Some("addressId"));
    let created = app
        .send(
            Method::POST,
            "/v1/checks",
            Some(&key),
            Some(&json!({"clientId": client, "type": "extensive_screening_check"})),
        )
        .await;
    let id = id_of(&created.body);
    let done = settled(&app, &key, &id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(done.get("result").is_none(), "no invented outcome: {done}");
    assert!(
        done["failureReason"]
            .as_str()
            .unwrap()
            .contains("No screening lists are loaded"),
        "{done}"
    );
    assert_eq!(
        events_of(&app, &id).await,
        ["check.pending", "check.failed"]
    );
}

#[tokio::test]
async fn a_live_document_check_reads_the_specimen_passport() {
    live_document_check_reads_the_specimen("synthetic_passport_td3_specimen.jpg").await;
}

#[tokio::test]
async fn a_live_document_check_reads_the_specimen_passport_scanned_into_a_pdf() {
    // The same page placed on an A4 PDF (`tests/fixtures/make_specimen_pdf.py`).
    live_document_check_reads_the_specimen("synthetic_passport_td3_specimen.pdf").await;
}

async fn live_document_check_reads_the_specimen(file: &str) {
    let specimen = std::fs::read(format!(
        "{}/../../tests/fixtures/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (done, _) = live_document_check_of(specimen, file).await;
    let result = &done["result"];
    let extracted = &result["breakdown"]["extractedData"];
    assert_eq!(
        extracted["documentDetails"]["documentNumber"], "L898902C3",
        "{result}"
    );
    assert_eq!(
        extracted["holderDetails"]["lastName"],
        json!(["ERIKSSON"]),
        "{result}"
    );
    // The visual zone prints what the MRZ says, and the issue date no MRZ carries.
    for key in ["firstName", "lastName", "dob"] {
        assert_eq!(
            result["breakdown"]["consistencyAnalysis"][key], "clear",
            "{key}: {result}"
        );
    }
    assert_eq!(
        extracted["documentDetails"]["issuingDate"],
        json!({"day": 16, "month": 4, "year": 2007}),
        "{result}"
    );
    // The specimen expired in 2012: a real reading flags it.
    assert_eq!(result["outcome"], "attention", "{result}");
    assert_eq!(
        result["breakdown"]["forensicAnalysis"]["imageTampering"], "not_processed",
        "no editor in the metadata proves nothing, so it never reports a pass"
    );
}

/// The specimen saved by an image editor (its EXIF names Photoshop): the metadata is stripped
/// at upload, but the editor is kept on the image record, and the check's forensic analysis
/// says attention and names it.
#[tokio::test]
async fn an_image_saved_by_an_editor_is_a_forensic_signal() {
    let specimen = std::fs::read(format!(
        "{}/../../tests/fixtures/synthetic_passport_td3_specimen.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let name = b"Adobe Photoshop 25.0 (Windows)\0";
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x31\x01\x02\0".to_vec();
    exif.extend_from_slice(&u32::try_from(name.len()).unwrap().to_le_bytes());
    exif.extend_from_slice(&26u32.to_le_bytes());
    exif.extend_from_slice(&[0; 4]);
    exif.extend_from_slice(name);
    let mut edited = specimen[..2].to_vec();
    edited.extend_from_slice(&[0xFF, 0xE1]);
    edited.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    edited.extend_from_slice(&exif);
    edited.extend_from_slice(&specimen[2..]);
    let (done, document) = live_document_check_of(edited, "passport.jpg").await;
    let forensic = &done["result"]["breakdown"]["forensicAnalysis"];
    assert_eq!(forensic["imageTampering"], "attention", "{done}");
    assert_eq!(
        forensic["editingSoftware"], "Adobe Photoshop 25.0 (Windows)",
        "{forensic}"
    );
    assert_eq!(done["result"]["outcome"], "attention");
    assert_eq!(
        document["images"][0]["editingSoftware"], "Adobe Photoshop 25.0 (Windows)",
        "{document}"
    );
}

/// With a live key, an identity document's image the check could not read is refused at
/// upload with its code; a bill's is not judged by the passport rules, and test keys keep the
/// sandbox's anything-goes uploads.
#[tokio::test]
async fn an_unreadable_identity_image_is_refused_at_upload() {
    let app = TestApp::spawn().await;
    let dark = {
        // Sensor noise in the dark (noise keeps it above the upload size floor).
        let mut seed = 5u32;
        let img = image::RgbImage::from_fn(900, 640, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(seed >> 24) as u8 % 30; 3])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    };
    for (key, kind, status) in [
        (app.live_key.clone(), "passport", 422),
        (app.live_key.clone(), "utility_bill", 200),
        (app.test_key.clone(), "passport", 200),
    ] {
        let client = app
            .send(
                Method::POST,
                "/v1/clients",
                Some(&key),
                Some(&person("Ada", "clear")),
            )
            .await;
        let doc = app
            .send(
                Method::POST,
                "/v1/documents",
                Some(&key),
                Some(&json!({"clientId": id_of(&client.body), "type": kind})),
            )
            .await;
        let up = app
            .send(
                Method::POST,
                &format!("/v1/documents/{}/upload/front", id_of(&doc.body)),
                Some(&key),
                Some(&json!({"fileName": "front.png", "data": b64(&dark)})),
            )
            .await;
        assert_eq!(up.status, status, "{kind}: {}", up.text);
        if status == 422 {
            assert_eq!(up.body["type"], "under_exposure", "{}", up.text);
            let message = up.body["message"].as_str().unwrap();
            assert!(
                message.contains("too dark") && message.contains("again"),
                "{message}"
            );
        }
    }
}

/// Uploads `specimen` as a passport's front for a client named as the specimen, runs a live
/// document check on it, and returns the settled check and the document record.
async fn live_document_check_of(specimen: Vec<u8>, file: &str) -> (Value, Value) {
    let app = TestApp::spawn().await;
    let key = app.live_key.clone();
    let send = |method: Method, path: String, body: Value| {
        let app = &app;
        let key = key.clone();
        async move { app.send(method, &path, Some(&key), Some(&body)).await }
    };
    let client = send(
        Method::POST,
        "/v1/clients".into(),
        json!({"type": "person", "email": "anna@example.org",
            "personDetails": {"firstName": "Anna Maria", "lastName": "Eriksson", "dob": "1974-08-12"}}),
    )
    .await;
    let client = id_of(&client.body);
    let doc = send(
        Method::POST,
        "/v1/documents".into(),
        json!({"clientId": client, "type": "passport", "classification": "proof_of_identity", "issuingCountry": "GB"}),
    )
    .await;
    let doc = id_of(&doc.body);
    let up = send(
        Method::POST,
        format!("/v1/documents/{doc}/upload/front"),
        json!({"fileName": file, "data": b64(&specimen)}),
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let created = send(
        Method::POST,
        "/v1/checks".into(),
        json!({"clientId": client, "type": "document_check", "documentId": doc,
            "options": {"clientDataValidation": true}}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let done = settled(&app, &key, &id_of(&created.body)).await;
    assert_eq!(done["status"], "complete", "{done}");
    let document = app
        .send(
            Method::GET,
            &format!("/v1/documents/{doc}"),
            Some(&key),
            None,
        )
        .await;
    (done, document.body)
}

#[tokio::test]
async fn a_document_check_it_cannot_read_says_why() {
    // A driving licence carries no MRZ, which is what the engine reads (issue #23): the check
    // ends not_processed, and says so in the result, not only in the server's log.
    let app = TestApp::spawn().await;
    let key = app.live_key.clone();
    let post = |path: String, body: Value| {
        let (app, key) = (&app, key.clone());
        async move { app.send(Method::POST, &path, Some(&key), Some(&body)).await }
    };
    let client = post(
        "/v1/clients".into(),
        json!({"type": "person", "email": "anna@example.org",
            "personDetails": {"firstName": "Anna", "lastName": "Eriksson"}}),
    )
    .await;
    let client = id_of(&client.body);
    let doc = post(
        "/v1/documents".into(),
        json!({"clientId": client, "type": "driving_license",
            "classification": "proof_of_identity", "issuingCountry": "GB"}),
    )
    .await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    let doc = id_of(&doc.body);
    let page = std::fs::read(format!(
        "{}/../../tests/fixtures/synthetic_passport_td3_specimen.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let up = post(
        format!("/v1/documents/{doc}/upload/front"),
        json!({"fileName": "front.jpg", "data": b64(&page)}),
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let created = post(
        "/v1/checks".into(),
        json!({"clientId": client, "type": "document_check", "documentId": doc}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let done = settled(&app, &key, &id_of(&created.body)).await;
    let result = &done["result"];
    assert_eq!(result["outcome"], "not_processed", "{done}");
    assert_eq!(
        result["breakdown"]["notProcessedReason"]["code"], "no_mrz_expected",
        "{result}"
    );
    assert!(
        result["breakdown"]["notProcessedReason"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{result}"
    );
}

#[tokio::test]
async fn live_risk_profiles_come_from_the_country_table_and_screenings() {
    let app = TestApp::spawn().await;
    let key = app.live_key.clone();
    let mut body = person("Ada", "Lovelace");
    body["personDetails"]["nationality"] = json!("KP");
    let client = app
        .send(Method::POST, "/v1/clients", Some(&key), Some(&body))
        .await;
    let id = id_of(&client.body);
    let profile = app
        .send(
            Method::GET,
            &format!("/v1/clients/{id}/riskProfile"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(profile.status, 200, "{}", profile.text);
    assert_eq!(
        profile.body["countryRisk"]["country"], "KP",
        "{}",
        profile.text
    );
    assert_eq!(profile.body["countryRisk"]["risk"], "high");
    assert!(
        profile.body["countryRisk"]["breakdown"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    assert_eq!(
        profile.body["overall"], "high",
        "the highest component drives it"
    );
    // No screening has run: the screening-driven components are not set, never guessed.
    assert_eq!(profile.body["politicalExposureRisk"]["risk"], "not_set");
    assert_eq!(profile.body["watchlistRisk"]["risk"], "not_set");
    let gb = app
        .send(
            Method::POST,
            "/v1/clients",
            Some(&key),
            Some(&person("Ada", "Byron")),
        )
        .await;
    let gb_profile = app
        .send(
            Method::GET,
            &format!("/v1/clients/{}/riskProfile", id_of(&gb.body)),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(gb_profile.body["overall"], "low", "{}", gb_profile.text);
}
