//! Checks: creation with linked resources, the asynchronous runner with the sandbox simulator,
//! the outbox events, review (update, validate, redact), lifecycle guards and risk profiles.

use std::time::Duration;

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{company, person};

pub(crate) fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// A client with everything any check type needs: a two-sided national ID, a live photo, a
/// live video and an address.
struct Subject {
    client: String,
    document: String,
    live_photo: String,
    live_video: String,
    address: String,
}

async fn subject(app: &TestApp, last_name: &str) -> Subject {
    let client = app.post("/v1/clients", &person("Ada", last_name)).await;
    assert_eq!(client.status, 200, "{}", client.text);
    let client = id_of(&client.body);
    let doc = app
        .post(
            "/v1/documents",
            &json!({"clientId": client, "type": "national_identity_card", "classification": "proof_of_identity", "issuingCountry": "FR"}),
        )
        .await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    let document = id_of(&doc.body);
    for side in ["front", "back"] {
        let up = app
            .post(
                &format!("/v1/documents/{document}/upload/{side}"),
                &json!({"fileName": format!("{side}.jpg"), "data": b64(&jpeg(640, 400))}),
            )
            .await;
        assert_eq!(up.status, 200, "{}", up.text);
    }
    let photo = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": client, "data": b64(&jpeg(300, 300))}),
        )
        .await;
    assert_eq!(photo.status, 200, "{}", photo.text);
    let video = app
        .post("/v1/liveVideos", &json!({"clientId": client}))
        .await;
    assert_eq!(video.status, 200, "{}", video.text);
    let address = app
        .post(
            "/v1/addresses",
            &json!({"clientId": client, "type": "main", "line": "1 Main Street", "city": "London", "postalCode": "SW1A 1AA", "country": "GB"}),
        )
        .await;
    assert_eq!(address.status, 200, "{}", address.text);
    Subject {
        client,
        document,
        live_photo: id_of(&photo.body),
        live_video: id_of(&video.body),
        address: id_of(&address.body),
    }
}

fn request(s: &Subject, check_type: &str) -> Value {
    let mut body = json!({"clientId": s.client, "type": check_type});
    let links: &[(&str, &str)] = match check_type {
        "document_check" => &[("documentId", &s.document)],
        "identity_check" => &[("documentId", &s.document), ("livePhotoId", &s.live_photo)],
        "enhanced_identity_check" => &[("documentId", &s.document), ("liveVideoId", &s.live_video)],
        "proof_of_address_check" => &[("documentId", &s.document), ("addressId", &s.address)],
        "multi_bureau_check" => &[("addressId", &s.address)],
        "face_authentication_check" | "age_estimation_check" => &[("livePhotoId", &s.live_photo)],
        _ => &[],
    };
    for (k, v) in links {
        body[*k] = json!(v);
    }
    body
}

const TYPES: [&str; 9] = [
    "standard_screening_check",
    "extensive_screening_check",
    "document_check",
    "identity_check",
    "enhanced_identity_check",
    "proof_of_address_check",
    "multi_bureau_check",
    "face_authentication_check",
    "age_estimation_check",
];

/// Polls a check until it leaves `pending`.
pub(crate) async fn settled(app: &TestApp, key: &str, id: &str) -> Value {
    for _ in 0..400 {
        let got = app
            .send(Method::GET, &format!("/v1/checks/{id}"), Some(key), None)
            .await;
        assert_eq!(got.status, 200, "{}", got.text);
        if got.body["status"] != "pending" {
            return got.body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("check {id} never completed");
}

pub(crate) async fn events_of(app: &TestApp, id: &str) -> Vec<String> {
    app.store
        .events_after(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.resource_id == id)
        .map(|e| e.event.event_type)
        .collect()
}

#[tokio::test]
async fn every_type_completes_with_the_documented_trigger_outcomes() {
    let app = TestApp::spawn().await;
    for (last_name, outcome) in [
        ("Lovelace", "clear"),
        ("attention", "attention"),
        ("failed", "not_processed"),
    ] {
        let s = subject(&app, last_name).await;
        for check_type in TYPES {
            let created = app.post("/v1/checks", &request(&s, check_type)).await;
            assert_eq!(created.status, 200, "{check_type}: {}", created.text);
            assert_eq!(created.body["status"], "pending");
            assert_eq!(created.body["entityName"], format!("Ada {last_name}"));
            assert!(
                created.body.get("result").is_none(),
                "no result while pending"
            );
            let id = id_of(&created.body);
            let done = settled(&app, &app.test_key, &id).await;
            assert_eq!(done["status"], "complete", "{check_type}: {done}");
            assert_eq!(done["result"]["outcome"], outcome, "{check_type}: {done}");
            assert!(done["result"]["breakdown"].is_object(), "{check_type}");
            assert_eq!(
                events_of(&app, &id).await,
                [
                    "check.pending".to_string(),
                    "check.completed".into(),
                    format!("check.completed.{outcome}")
                ],
                "{check_type}"
            );
        }
    }
    let listed = app
        .get("/v1/checks?type=document_check&result.outcome=attention")
        .await;
    assert_eq!(listed.body["totalItems"], 1, "{}", listed.text);
    let all = app.get("/v1/checks?pageSize=5").await;
    assert_eq!(all.body["totalItems"], 27);
    assert_eq!(all.body["pages"], 6);
}

#[tokio::test]
async fn screening_matches_are_validated_one_by_one() {
    let app = TestApp::spawn().await;
    let s = subject(&app, "attention").await;
    let created = app
        .post("/v1/checks", &request(&s, "extensive_screening_check"))
        .await;
    let id = id_of(&created.body);
    let done = settled(&app, &app.test_key, &id).await;
    let summary = &done["result"]["breakdown"]["summary"];
    for group in ["pep", "watchlist", "adverseMedia", "otherLists"] {
        assert!(summary[group].is_object(), "{group} in {summary}");
    }
    let matches: Vec<String> = done["result"]["breakdown"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert!(!matches.is_empty());

    let unknown = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            &json!({"outcome": "rejected", "matchId": "nope"}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error().1.as_deref(), Some("matchId"));
    let no_match = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            &json!({"outcome": "rejected"}),
        )
        .await;
    assert_eq!(no_match.error().1.as_deref(), Some("matchId"));

    for m in &matches {
        let v = app
            .post(
                &format!("/v1/checks/{id}/validate"),
                &json!({"outcome": "rejected", "matchId": m, "comment": "Different date of birth."}),
            )
            .await;
        assert_eq!(v.status, 200, "{}", v.text);
        assert_eq!(v.body, json!({"outcome": "rejected"}));
    }
    let cleared = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(cleared.body["result"]["outcome"], "clear");
    let confirm = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            &json!({"outcome": "confirmed", "matchId": matches[0]}),
        )
        .await;
    assert_eq!(confirm.body["outcome"], "confirmed");
    let confirmed = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(confirmed.body["result"]["outcome"], "match_confirmed");
    let events = events_of(&app, &id).await;
    assert!(
        events.contains(&"check.completed.clear".to_string()),
        "{events:?}"
    );
    assert!(
        events.contains(&"check.completed.match_confirmed".to_string()),
        "{events:?}"
    );

    let monitored = app
        .post(
            &format!("/v1/checks/{id}"),
            &json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(monitored.status, 200, "{}", monitored.text);
    assert_eq!(monitored.body["enableMonitoring"], true);
    let other_field = app
        .post(
            &format!("/v1/checks/{id}"),
            &json!({"type": "document_check"}),
        )
        .await;
    assert_eq!(other_field.error().1.as_deref(), Some("type"));
}

#[tokio::test]
async fn document_checks_are_reviewed_and_redacted() {
    let app = TestApp::spawn().await;
    let s = subject(&app, "Lovelace").await;
    let created = app.post("/v1/checks", &request(&s, "document_check")).await;
    let id = id_of(&created.body);
    settled(&app, &app.test_key, &id).await;
    // The images the check decided on cannot be swapped or removed afterwards (#21.7).
    let swap = app
        .post(
            &format!("/v1/documents/{}/upload/front", s.document),
            &json!({"fileName": "other.jpg", "data": b64(&jpeg(640, 400))}),
        )
        .await;
    assert_eq!(swap.status, 422, "{}", swap.text);
    assert_eq!(swap.error().0, "resource_in_use");
    let removed = app
        .delete(&format!("/v1/documents/{}/front", s.document))
        .await;
    assert_eq!(removed.status, 422, "{}", removed.text);
    let not_screening = app
        .post(
            &format!("/v1/checks/{id}"),
            &json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(not_screening.status, 422);
    assert_eq!(not_screening.error().0, "invalid_check_update");
    let rejected = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            &json!({"outcome": "rejected", "rejectionReasons": ["document_is_specimen"]}),
        )
        .await;
    assert_eq!(rejected.body, json!({"outcome": "rejected"}));
    let bad_reason = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            &json!({"outcome": "rejected", "rejectionReasons": ["looks_odd"]}),
        )
        .await;
    assert_eq!(bad_reason.error().1.as_deref(), Some("rejectionReasons"));
    let check = app.get(&format!("/v1/checks/{id}")).await;
    assert_eq!(check.body["result"]["outcome"], "rejected");
    assert!(check.body["result"]["breakdown"]["extractedData"]["holderDetails"]["dob"].is_object());
    let redacted = app
        .post(
            &format!("/v1/checks/{id}/redact"),
            &json!({"attributes": ["dob", "mrz"], "images": ["all"]}),
        )
        .await;
    assert_eq!(redacted.status, 200, "{}", redacted.text);
    let extracted = &redacted.body["result"]["breakdown"]["extractedData"];
    assert!(
        extracted["holderDetails"].get("dob").is_none(),
        "{extracted}"
    );
    assert!(extracted.get("mrzDetails").is_none(), "{extracted}");
    // The redaction's audit entry records that the data went, not the data (#21, finding 6).
    let trail = app
        .get(&format!(
            "/v1/auditLogs?resourceId={id}&trigger=updateCheck"
        ))
        .await;
    let newest = trail.body["items"][0]["id"].as_str().unwrap().to_string();
    let entry = app.get(&format!("/v1/auditLogs/{newest}")).await;
    let diff = entry.body["diff"].as_array().unwrap();
    let erased: Vec<_> = diff
        .iter()
        .filter(|d| {
            d["path"].as_array().is_some_and(|p| {
                p.len() >= 3
                    && p[..3] == [json!("result"), json!("breakdown"), json!("extractedData")]
            })
        })
        .collect();
    assert!(!erased.is_empty(), "{diff:?}");
    for change in erased {
        assert_eq!(change["redacted"], true, "{change}");
        assert!(
            change.get("old").is_none() && change.get("new").is_none(),
            "{change}"
        );
    }

    // A document used by a check cannot be deleted; deleting the client removes both.
    let in_use = app.delete(&format!("/v1/documents/{}", s.document)).await;
    assert_eq!(in_use.status, 422, "{}", in_use.text);
    assert_eq!(in_use.error().0, "resource_in_use");
    assert_eq!(
        app.delete(&format!("/v1/clients/{}", s.client))
            .await
            .status,
        204
    );
    assert_eq!(app.get(&format!("/v1/checks/{id}")).await.status, 404);
}

#[tokio::test]
async fn bad_check_requests_get_the_documented_errors() {
    let app = TestApp::spawn_paused().await;
    let s = subject(&app, "Lovelace").await;
    let other = subject(&app, "Byron").await;
    let firm = app.post("/v1/clients", &company("Northwind Ltd")).await;
    let firm = id_of(&firm.body);
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (
            json!({"clientId": s.client, "type": "eid_check"}),
            400,
            "invalid_request",
            Some("type"),
        ),
        (
            json!({"clientId": s.client}),
            400,
            "invalid_request",
            Some("type"),
        ),
        (
            json!({"type": "document_check", "documentId": s.document}),
            400,
            "invalid_request",
            Some("clientId"),
        ),
        (
            json!({"clientId": "000000000000000000000000", "type": "standard_screening_check"}),
            400,
            "invalid_request",
            Some("clientId"),
        ),
        (
            json!({"clientId": s.client, "type": "document_check"}),
            400,
            "invalid_request",
            Some("documentId"),
        ),
        (
            json!({"clientId": s.client, "type": "document_check", "documentId": other.document}),
            400,
            "invalid_request",
            Some("documentId"),
        ),
        (
            json!({"clientId": s.client, "type": "document_check", "documentId": "000000000000000000000000"}),
            400,
            "invalid_request",
            Some("documentId"),
        ),
        (
            json!({"clientId": s.client, "type": "identity_check", "documentId": s.document, "livePhotoId": other.live_photo}),
            400,
            "invalid_request",
            Some("livePhotoId"),
        ),
        (
            json!({"clientId": s.client, "type": "document_check", "documentId": s.document, "options": {"minimumPermittedAge": "eighteen"}}),
            400,
            "invalid_request",
            Some("options.minimumPermittedAge"),
        ),
        (
            json!({"clientId": s.client, "type": "document_check", "documentId": s.document, "options": {"screeningNameSearchMode": "fuzzy"}}),
            400,
            "invalid_request",
            Some("options.screeningNameSearchMode"),
        ),
        (
            json!({"clientId": s.client, "type": "standard_screening_check", "options": "fuzzy"}),
            400,
            "invalid_request",
            Some("options"),
        ),
        (
            json!({"clientId": s.client, "type": "standard_screening_check", "enableMonitoring": "yes"}),
            400,
            "invalid_request",
            Some("enableMonitoring"),
        ),
        (
            json!({"clientId": firm, "type": "age_estimation_check", "livePhotoId": s.live_photo}),
            400,
            "invalid_request",
            Some("clientId"),
        ),
    ];
    for (body, status, kind, param) in cases {
        let r = app.post("/v1/checks", &body).await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
        assert_eq!(
            r.error(),
            (kind.to_string(), param.map(str::to_string)),
            "{body}"
        );
    }

    // Processing errors are answered before the check is created.
    let no_country = app
        .post(
            "/v1/documents",
            &json!({"clientId": s.client, "type": "passport", "classification": "proof_of_identity"}),
        )
        .await;
    let no_country = id_of(&no_country.body);
    let r = app
        .post(
            "/v1/checks",
            &json!({"clientId": s.client, "type": "document_check", "documentId": no_country}),
        )
        .await;
    assert_eq!(
        (r.status, r.error().0.as_str()),
        (422, "document_requires_issuing_country")
    );
    let one_side = app
        .post(
            "/v1/documents",
            &json!({"clientId": s.client, "type": "national_identity_card", "classification": "proof_of_identity", "issuingCountry": "DE"}),
        )
        .await;
    let one_side = id_of(&one_side.body);
    app.post(
        &format!("/v1/documents/{one_side}/upload/front"),
        &json!({"fileName": "front.jpg", "data": b64(&jpeg(640, 400))}),
    )
    .await;
    let r = app
        .post(
            "/v1/checks",
            &json!({"clientId": s.client, "type": "document_check", "documentId": one_side}),
        )
        .await;
    // As the hosted service does, the check is accepted and runs on the front alone.
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["type"], "document_check");

    // Nothing runs on this server, so the check stays pending and cannot be changed yet.
    let pending = app
        .post("/v1/checks", &request(&s, "standard_screening_check"))
        .await;
    let id = id_of(&pending.body);
    let r = app
        .post(
            &format!("/v1/checks/{id}"),
            &json!({"enableMonitoring": true}),
        )
        .await;
    assert_eq!(
        (r.status, r.error().0.as_str()),
        (422, "pending_check_unmodifiable")
    );
    let r = app
        .post(
            &format!("/v1/checks/{id}/validate"),
            &json!({"outcome": "rejected", "matchId": "x"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error().0.as_str()),
        (422, "pending_check_unmodifiable")
    );
    assert_eq!(
        app.get("/v1/checks/000000000000000000000000").await.status,
        404
    );
    let live = app
        .send(
            Method::GET,
            &format!("/v1/checks/{id}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(
        live.status, 404,
        "test-mode checks are invisible to live keys"
    );
}

#[tokio::test]
async fn risk_profiles_follow_the_sandbox_triggers() {
    let app = TestApp::spawn().await;
    let bare = app
        .post(
            "/v1/clients",
            &json!({"type": "person", "email": "a@example.org", "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}}),
        )
        .await;
    let profile = app
        .get(&format!("/v1/clients/{}/riskProfile", id_of(&bare.body)))
        .await;
    assert_eq!(profile.status, 200, "{}", profile.text);
    for member in [
        "countryRisk",
        "politicalExposureRisk",
        "occupationRisk",
        "watchlistRisk",
    ] {
        assert_eq!(
            profile.body[member]["risk"], "not_set",
            "{member}: {}",
            profile.text
        );
    }
    assert_eq!(profile.body["overall"], "not_set");
    for (middle, level) in [
        (None, "low"),
        (Some("medium-risk"), "medium"),
        (Some("high-risk"), "high"),
    ] {
        let mut body = person("Ada", "Lovelace");
        if let Some(m) = middle {
            body["personDetails"]["middleName"] = json!(m);
        }
        let client = app.post("/v1/clients", &body).await;
        let profile = app
            .get(&format!("/v1/clients/{}/riskProfile", id_of(&client.body)))
            .await;
        assert_eq!(profile.body["overall"], level, "{}", profile.text);
        assert!(profile.body["updatedAt"].as_str().unwrap().ends_with('Z'));
    }
    let missing = app
        .get("/v1/clients/000000000000000000000000/riskProfile")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().0, "resource_not_found");
}
