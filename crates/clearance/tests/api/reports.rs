//! PDF reports through the API, read back with poppler's `pdftotext` and `pdfimages` (Debian
//! `poppler-utils`, installed by `.ci/run`; CI sets `CLEARANCE_REQUIRE_POPPLER` so a missing
//! tool fails instead of skipping).

use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use reqwest::Method;
use serde_json::{Value, json};

use super::screening::{import_sample, live_client, run_check, salazar};

/// The PDF of a `{contentType, data}` answer.
pub(crate) fn pdf_of(answer: &Value) -> Vec<u8> {
    assert_eq!(answer["contentType"], "application/pdf", "{answer}");
    let pdf = STANDARD.decode(answer["data"].as_str().unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    pdf
}

/// Whether poppler is here; without it the text assertions are skipped, loudly, unless CI
/// asked for them.
pub(crate) fn poppler() -> bool {
    let present = Command::new("pdftotext").arg("-v").output().is_ok();
    if !present {
        assert!(
            std::env::var_os("CLEARANCE_REQUIRE_POPPLER").is_none(),
            "pdftotext (Debian poppler-utils) is required here"
        );
        eprintln!(
            "pdftotext not installed: report text not checked (apt-get install poppler-utils)"
        );
    }
    present
}

/// The PDF's text with whitespace runs folded to one space (table cells wrap).
pub(crate) fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many images the PDF embeds.
fn images_in(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .unwrap();
    // Two header lines, then one line per image.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .count()
        .saturating_sub(2)
}

/// A test-mode person client; answers its id.
async fn ada(app: &TestApp) -> String {
    let client = app
        .post("/v1/clients", &super::person("Ada", "Lovelace"))
        .await;
    client.body["id"].as_str().unwrap().to_string()
}

async fn report(app: &TestApp, key: &str, query: &str) -> clearance_testkit::TestResponse {
    app.send(
        Method::GET,
        &format!("/v1/reports?{query}"),
        Some(key),
        None,
    )
    .await
}

#[tokio::test]
async fn a_client_report_holds_the_client_its_documents_checks_matches_and_trail() {
    let app = TestApp::spawn().await;
    import_sample(&app).await;
    let key = app.live_key.clone();
    let client = live_client(&app, salazar()).await;
    let address = app
        .send(
            Method::POST,
            "/v1/addresses",
            Some(&key),
            Some(
                &json!({"clientId": client, "type": "main", "line": "12 Calle Reforma",
                "city": "Ciudad de México", "country": "MX", "postalCode": "06600"}),
            ),
        )
        .await;
    assert_eq!(address.status, 200, "{}", address.text);
    let doc = app
        .send(
            Method::POST,
            "/v1/documents",
            Some(&key),
            Some(&json!({"clientId": client, "type": "passport", "issuingCountry": "MX"})),
        )
        .await;
    let doc = doc.body["id"].as_str().unwrap().to_string();
    let specimen = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/synthetic_passport_td3_specimen.jpg"
    ))
    .unwrap();
    let up = app
        .send(
            Method::POST,
            &format!("/v1/documents/{doc}/upload/front"),
            Some(&key),
            Some(&json!({"fileName": "passport.jpg", "data": b64(&specimen)})),
        )
        .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let check = run_check(&app, &client, json!({"type": "standard_screening_check"})).await;
    assert_eq!(check["result"]["outcome"], "attention", "{check}");
    let check_id = check["id"].as_str().unwrap();
    let matched = check["result"]["breakdown"]["matches"][0]["names"][0]["fullName"]
        .as_str()
        .unwrap()
        .to_string();

    let answer = report(&app, &key, &format!("clientId={client}")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let pdf = pdf_of(&answer.body);
    // Reports are snapshots: the same request later (nothing changed) gives the same facts.
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    for expected in [
        "Client report: Jesus Alfredo Salazar Ramirez",
        "1974-03-24",
        "12 Calle Reforma",
        "Ciudad de México",
        &doc,
        "passport",
        check_id,
        "standard_screening_check",
        "attention",
        &matched,
        "OFAC Specially Designated Nationals (SDN) List",
        "Audit trail",
        "Risk profile",
        "createClient",
        "createCheck",
        "live data",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from: {text}");
    }
    assert_eq!(images_in(&pdf), 1, "the passport's front, small");
}

#[tokio::test]
async fn a_check_report_explains_the_match_and_names_the_list_version() {
    let app = TestApp::spawn().await;
    import_sample(&app).await;
    let client = live_client(&app, salazar()).await;
    let check = run_check(&app, &client, json!({"type": "standard_screening_check"})).await;
    let check_id = check["id"].as_str().unwrap();
    let first = &check["result"]["breakdown"]["matches"][0];
    let version = check["result"]["breakdown"]["screenedLists"][0]["version"]
        .as_str()
        .unwrap();

    let answer = report(&app, &app.live_key, &format!("checkId={check_id}")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let pdf = pdf_of(&answer.body);
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    for expected in [
        "Check report: standard_screening_check for Jesus Alfredo Salazar Ramirez".to_string(),
        format!("Check {check_id}"),
        "Outcome attention".to_string(),
        format!("score {}", first["score"]),
        first["names"][0]["fullName"].as_str().unwrap().to_string(),
        format!("version {version}"),
        "Matched on name".into(),
        "Name similarity".into(),
    ] {
        assert!(
            text.contains(&expected),
            "{expected:?} missing from: {text}"
        );
    }
}

#[tokio::test]
async fn every_check_type_reports_its_outcome_and_breakdown() {
    let app = TestApp::spawn().await;
    let key = app.test_key.clone();
    let client = ada(&app).await;
    let image = json!({"fileName": "f.jpg", "data": b64(&jpeg(640, 480))});
    let doc = app
        .send(
            Method::POST,
            "/v1/documents",
            Some(&key),
            Some(&json!({"clientId": client, "type": "passport", "issuingCountry": "GB"})),
        )
        .await;
    let doc = doc.body["id"].as_str().unwrap().to_string();
    app.send(
        Method::POST,
        &format!("/v1/documents/{doc}/upload/front"),
        Some(&key),
        Some(&image),
    )
    .await;
    let photo = app
        .send(
            Method::POST,
            "/v1/livePhotos",
            Some(&key),
            Some(&json!({"clientId": client, "data": image["data"]})),
        )
        .await;
    assert_eq!(photo.status, 200, "{}", photo.text);
    let photo = photo.body["id"].as_str().unwrap().to_string();
    let video = app
        .send(
            Method::POST,
            "/v1/liveVideos",
            Some(&key),
            Some(&json!({"clientId": client})),
        )
        .await;
    let video = video.body["id"].as_str().unwrap_or_default().to_string();
    let address = app
        .send(Method::POST, "/v1/addresses", Some(&key),
            Some(&json!({"clientId": client, "line": "1 Main St", "city": "London", "country": "GB"})))
        .await;
    let address = address.body["id"].as_str().unwrap().to_string();
    let bodies = [
        json!({"type": "standard_screening_check"}),
        json!({"type": "extensive_screening_check"}),
        json!({"type": "document_check", "documentId": doc}),
        json!({"type": "identity_check", "documentId": doc, "livePhotoId": photo}),
        json!({"type": "enhanced_identity_check", "documentId": doc, "liveVideoId": video}),
        json!({"type": "proof_of_address_check", "documentId": doc}),
        json!({"type": "multi_bureau_check", "addressId": address}),
        json!({"type": "face_authentication_check", "livePhotoId": photo}),
        json!({"type": "age_estimation_check", "livePhotoId": photo}),
    ];
    let check_poppler = poppler();
    for body in bodies {
        let mut request = body.clone();
        request["clientId"] = json!(client);
        let created = app
            .send(Method::POST, "/v1/checks", Some(&key), Some(&request))
            .await;
        assert_eq!(created.status, 200, "{body}: {}", created.text);
        let id = created.body["id"].as_str().unwrap().to_string();
        let mut done = created.body.clone();
        for _ in 0..400 {
            done = app
                .send(Method::GET, &format!("/v1/checks/{id}"), Some(&key), None)
                .await
                .body;
            if done["status"] != "pending" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(done["status"], "complete", "{done}");
        let answer = report(&app, &key, &format!("checkId={id}")).await;
        assert_eq!(answer.status, 200, "{body}: {}", answer.text);
        let pdf = pdf_of(&answer.body);
        if !check_poppler {
            continue;
        }
        let text = text_of(&pdf);
        let kind = body["type"].as_str().unwrap();
        assert!(text.contains(kind), "{kind}: {text}");
        assert!(text.contains("Outcome clear"), "{kind}: {text}");
        assert!(
            text.contains("Breakdown") || text.contains("Screening summary"),
            "{kind}: {text}"
        );
        assert!(text.contains("test (sandbox) data"), "{kind}: {text}");
    }
}

#[tokio::test]
async fn a_pending_check_gets_a_report_that_says_so() {
    let app = TestApp::spawn_paused().await;
    let key = app.test_key.clone();
    let client = ada(&app).await;
    let check = app
        .send(
            Method::POST,
            "/v1/checks",
            Some(&key),
            Some(&json!({"clientId": client, "type": "standard_screening_check"})),
        )
        .await;
    let id = check.body["id"].as_str().unwrap();
    let answer = report(&app, &key, &format!("checkId={id}")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let pdf = pdf_of(&answer.body);
    if poppler() {
        let text = text_of(&pdf);
        assert!(text.contains("Status pending"), "{text}");
        assert!(text.contains("it has no result yet"), "{text}");
    }
}

#[tokio::test]
async fn reports_name_what_is_wrong_and_stay_inside_the_account_and_mode() {
    let app = TestApp::spawn().await;
    let key = app.test_key.clone();
    let client = ada(&app).await;

    let none = report(&app, &key, "").await;
    assert_eq!(none.status, 400, "{}", none.text);
    assert_eq!(
        none.error(),
        ("invalid_request".into(), Some("clientId".into()))
    );
    let both = report(&app, &key, &format!("clientId={client}&checkId=abc")).await;
    assert_eq!(both.status, 400, "{}", both.text);
    assert_eq!(both.error().1.as_deref(), Some("checkId"));

    let unknown = report(&app, &key, "clientId=5ed1712e99c81a0007b9a3d6").await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert_eq!(unknown.body["type"], "resource_not_found");
    assert_eq!(
        unknown.body["message"],
        "Invalid client id '5ed1712e99c81a0007b9a3d6'"
    );
    let unknown = report(&app, &key, "checkId=5ed1712e99c81a0007b9a3d6").await;
    assert_eq!(unknown.status, 404);
    let session = report(&app, &key, "workflowSessionId=5ed1712e99c81a0007b9a3d6").await;
    assert_eq!(session.status, 404);
    assert_eq!(
        session.body["message"],
        "Invalid workflow session id '5ed1712e99c81a0007b9a3d6'"
    );

    // The live key and another account see nothing of this test-mode client.
    let live = report(&app, &app.live_key, &format!("clientId={client}")).await;
    assert_eq!(live.status, 404);
    let (other_test, _) = app.other_account("other").await;
    let other = report(&app, &other_test, &format!("clientId={client}")).await;
    assert_eq!(other.status, 404);

    // POST (the hosted reference's verb) answers the same, and the SDK's trailing slash too.
    let posted = app
        .send(
            Method::POST,
            &format!("/v1/reports/?clientId={client}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.text);
    pdf_of(&posted.body);
}
