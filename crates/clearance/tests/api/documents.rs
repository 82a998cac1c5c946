//! Documents and their images: lifecycle, validation of untrusted files, encryption at rest,
//! redaction and cascades.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg, png};
use reqwest::Method;
use serde_json::json;

use crate::person;

async fn client_and_document(app: &TestApp) -> (String, String) {
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = app
        .post("/v1/documents", &json!({"clientId": client, "type": "passport", "classification": "proof_of_identity", "issuingCountry": "GB"}))
        .await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    (client, doc.body["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn document_records_and_their_rules() {
    let app = TestApp::spawn().await;
    let (client, id) = client_and_document(&app).await;
    let got = app.get(&format!("/v1/documents/{id}")).await;
    assert_eq!(got.body["type"], "passport");
    assert!(
        got.body.get("images").is_none(),
        "no images before an upload"
    );
    let updated = app
        .post(
            &format!("/v1/documents/{id}"),
            &json!({"issuingCountry": "FR", "documentNumber": "X123"}),
        )
        .await;
    assert_eq!(
        (
            updated.body["issuingCountry"].as_str(),
            updated.body["type"].as_str()
        ),
        (Some("FR"), Some("passport"))
    );
    let list = app
        .get(&format!("/v1/documents?clientId={client}&type=passport"))
        .await;
    assert_eq!(list.body["totalItems"], 1);
    assert_eq!(
        app.get("/v1/documents").await.error().1.as_deref(),
        Some("clientId")
    );
    for (body, param) in [
        (json!({"clientId": client, "type": "selfie"}), "type"),
        (json!({"clientId": client}), "type"),
        (
            json!({"clientId": client, "type": "passport", "classification": "nope"}),
            "classification",
        ),
        (
            json!({"clientId": client, "type": "passport", "issuingCountry": "XX"}),
            "issuingCountry",
        ),
        (
            json!({"clientId": "ffffffffffffffffffffffff", "type": "passport"}),
            "clientId",
        ),
    ] {
        let r = app.post("/v1/documents", &body).await;
        assert_eq!(
            (r.status, r.error().1.as_deref()),
            (400, Some(param)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn upload_download_replace_and_delete_images() {
    let app = TestApp::spawn().await;
    let (_, id) = client_and_document(&app).await;
    let front = jpeg(320, 240);
    let up = app
        .post(
            &format!("/v1/documents/{id}/upload/front"),
            &json!({"fileName": "front.jpg", "data": b64(&front)}),
        )
        .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let image_id = up.body["id"].as_str().unwrap().to_string();
    assert_eq!(up.body["documentSide"], "front");
    assert_eq!(up.body["contentType"], "image/jpg");
    assert_eq!(
        up.body["downloadLink"],
        format!("/documents/{id}/images/{image_id}/download")
    );
    assert_eq!(up.body["fileName"], "front.jpg");

    let back = png(300, 200);
    let up_back = app
        .post(
            &format!("/v1/documents/{id}/upload/back"),
            &json!({"fileName": "back.png", "data": b64(&back)}),
        )
        .await;
    assert_eq!(
        (up_back.status, up_back.body["contentType"].as_str()),
        (200, Some("image/png"))
    );

    let doc = app.get(&format!("/v1/documents/{id}")).await;
    let sides: Vec<_> = doc.body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["documentSide"].clone())
        .collect();
    assert_eq!(sides, [json!("front"), json!("back")]);

    let down = app.get(&format!("/v1/documents/{id}/download/front")).await;
    assert_eq!(down.status, 200);
    assert_eq!(
        down.body["data"],
        b64(&front),
        "bytes round-trip (a generated JPEG has no metadata to strip)"
    );
    assert_eq!(down.body["contentType"], "image/jpg");
    let by_link = app
        .get(&format!("/v1{}", up.body["downloadLink"].as_str().unwrap()))
        .await;
    assert_eq!(by_link.body["data"], down.body["data"]);
    let unknown_side = app
        .get(&format!("/v1/documents/{id}/download/INVALIDSIDE"))
        .await;
    assert_eq!(
        (unknown_side.status, &unknown_side.body["data"]),
        (200, &down.body["data"]),
        "a side the server does not know downloads the front, as on the hosted service"
    );
    let wrong_link = app
        .get(&format!(
            "/v1/documents/{id}/images/ffffffffffffffffffffffff/download"
        ))
        .await;
    assert_eq!(
        (wrong_link.status, wrong_link.error().0.as_str()),
        (404, "resource_not_found")
    );

    let replacement = jpeg(330, 250);
    app.post(
        &format!("/v1/documents/{id}/upload/front"),
        &json!({"fileName": "front2.jpg", "data": b64(&replacement)}),
    )
    .await;
    let doc = app.get(&format!("/v1/documents/{id}")).await;
    assert_eq!(
        doc.body["images"].as_array().unwrap().len(),
        2,
        "re-uploading a side replaces it"
    );
    assert_eq!(
        app.get(&format!("/v1/documents/{id}/download/front"))
            .await
            .body["data"],
        b64(&replacement)
    );
    assert_eq!(
        app.blobs.list("").await.unwrap().len(),
        2,
        "the replaced file is gone from storage"
    );

    assert_eq!(
        app.delete(&format!("/v1/documents/{id}/back")).await.status,
        204
    );
    assert_eq!(
        app.get(&format!("/v1/documents/{id}/download/back"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/v1/documents/{id}/back")).await.status,
        404
    );
    assert_eq!(app.blobs.list("").await.unwrap().len(), 1);

    assert_eq!(app.delete(&format!("/v1/documents/{id}")).await.status, 204);
    assert!(
        app.blobs.list("").await.unwrap().is_empty(),
        "deleting the document deletes its files"
    );
}

#[tokio::test]
async fn untrusted_files_get_clear_errors() {
    let app = TestApp::spawn().await;
    let (_, id) = client_and_document(&app).await;
    let (other_test, _) = app.other_account("uploads-elsewhere").await;
    let upload = |side: &str| format!("/v1/documents/{id}/upload/{side}");
    let mut exe = b"MZ\x90\x00".to_vec();
    exe.resize(50_000, 7);
    let mut html = b"<html><script>alert(1)</script>".to_vec();
    html.resize(50_000, b' ');
    let mut truncated = jpeg(320, 240);
    truncated.truncate(truncated.len() * 2 / 3);
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bomb.extend_from_slice(&30_000u32.to_be_bytes());
    bomb.extend_from_slice(&30_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bomb.resize(50_000, 0);
    let cases = [
        (
            json!({"fileName": "a.jpg", "data": "this is not base64!!"}),
            "data",
            400,
        ),
        (
            json!({"fileName": "a.jpg", "data": b64(&jpeg(16, 16))}),
            "data",
            400,
        ),
        (
            json!({"fileName": "a.jpg", "data": b64(&vec![0xFF; 5 * 1024 * 1024])}),
            "",
            413,
        ),
        (json!({"fileName": "a.jpg", "data": b64(&exe)}), "data", 400),
        (
            json!({"fileName": "a.jpg", "data": b64(&html)}),
            "data",
            400,
        ),
        (
            json!({"fileName": "a.jpg", "data": b64(&truncated)}),
            "data",
            400,
        ),
        (
            json!({"fileName": "a.png", "data": b64(&bomb)}),
            "data",
            400,
        ),
        (
            json!({"fileName": "a.exe", "data": b64(&jpeg(320, 240))}),
            "fileName",
            400,
        ),
        (json!({"data": b64(&jpeg(320, 240))}), "fileName", 400),
        (json!({"fileName": "a.jpg"}), "data", 400),
    ];
    for (n, (body, param, status)) in cases.into_iter().enumerate() {
        let r = app.post(&upload("front"), &body).await;
        assert_eq!(r.status, status, "case {n} ({param}): {}", r.text);
        if status == 400 {
            assert_eq!(r.error(), ("invalid_request".into(), Some(param.into())));
        } else {
            r.error();
        }
    }
    let small = app
        .post(
            &upload("front"),
            &json!({"fileName": "a.jpg", "data": b64(&jpeg(16, 16))}),
        )
        .await;
    assert_eq!(
        small.body["message"],
        "Image file size should be between 34KB and 4MB"
    );
    let side = app
        .post(
            &upload("left"),
            &json!({"fileName": "a.jpg", "data": b64(&jpeg(320, 240))}),
        )
        .await;
    assert_eq!(
        (side.status, side.error().1.as_deref()),
        (400, Some("side"))
    );
    let unknown = app
        .post(
            "/v1/documents/ffffffffffffffffffffffff/upload/front",
            &json!({"fileName": "a.jpg", "data": b64(&jpeg(320, 240))}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.error().0.as_str()),
        (404, "resource_not_found")
    );
    let foreign = app
        .send(
            Method::POST,
            &upload("front"),
            Some(&other_test),
            Some(&json!({"fileName": "a.jpg", "data": b64(&jpeg(320, 240))})),
        )
        .await;
    assert_eq!(foreign.status, 404);
    assert!(
        app.blobs.list("").await.unwrap().is_empty(),
        "nothing refused was stored"
    );
    assert_eq!(
        app.get("/healthz").await.status,
        200,
        "the server is still up"
    );
}

#[tokio::test]
async fn stored_files_are_encrypted_and_redaction_erases_them() {
    let app = TestApp::spawn().await;
    let (client, id) = client_and_document(&app).await;
    let front = jpeg(320, 240);
    app.post(
        &format!("/v1/documents/{id}/upload/front"),
        &json!({"fileName": "front.jpg", "data": b64(&front)}),
    )
    .await;
    let raw = app.raw_blobs.all(&app.blobs).await;
    assert_eq!(raw.len(), 1);
    let needle = &front[front.len() / 2..front.len() / 2 + 64];
    assert!(
        !raw[0].windows(needle.len()).any(|w| w == needle),
        "no plaintext image bytes at rest"
    );

    let redacted = app
        .post(
            &format!("/v1/documents/{id}/redact"),
            &json!({"attributes": ["images"]}),
        )
        .await;
    assert_eq!((redacted.status, redacted.body.clone()), (200, json!({})));
    assert!(
        app.raw_blobs.all(&app.blobs).await.is_empty(),
        "redaction removes the object for good"
    );
    let doc = app.get(&format!("/v1/documents/{id}")).await;
    assert_eq!(
        doc.body["images"][0]["redacted"], true,
        "a tombstone says so"
    );
    assert!(doc.body["images"][0].get("downloadLink").is_none());
    assert_eq!(
        app.get(&format!("/v1/documents/{id}/download/front"))
            .await
            .status,
        404
    );
    let bad = app
        .post(
            &format!("/v1/documents/{id}/redact"),
            &json!({"attributes": ["everything"]}),
        )
        .await;
    assert_eq!(bad.error().1.as_deref(), Some("attributes"));

    app.post(
        &format!("/v1/documents/{id}/upload/back"),
        &json!({"fileName": "b.jpg", "data": b64(&front)}),
    )
    .await;
    assert_eq!(app.blobs.list("").await.unwrap().len(), 1);
    assert_eq!(
        app.delete(&format!("/v1/clients/{client}")).await.status,
        204
    );
    assert!(
        app.blobs.list("").await.unwrap().is_empty(),
        "deleting the client deletes its files"
    );
    assert_eq!(app.get(&format!("/v1/documents/{id}")).await.status, 404);
}
