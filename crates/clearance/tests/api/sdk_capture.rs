//! The capture API's live videos and checks (`/v1/sdk/liveVideos`, `/v1/sdk/checks`): created
//! for the token's client only, never touching another client, account or mode.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use clearance_tokens::{Binding, SdkClaims};
use reqwest::Method;
use serde_json::{Value, json};

use crate::checks::settled;
use crate::person;
use crate::sdk::{Answer, SITE, call, new_client, now_secs, token};

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// A token for a new client of the test key's account, with the headers a page of `SITE` sends.
/// A new live-mode client and the `Authorization` value of a web SDK token for it.
async fn live_mode_token(app: &TestApp) -> (String, String) {
    let client = app
        .send(
            Method::POST,
            "/v1/clients",
            Some(&app.live_key),
            Some(&person("Ada", "Lovelace")),
        )
        .await;
    let client_id = id_of(&client.body);
    let token = app
        .send(
            Method::POST,
            "/v1/tokens",
            Some(&app.live_key),
            Some(&json!({"clientId": client_id, "referrer": "https://app.example.com/*"})),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    let auth = format!("Bearer {}", token.body["token"].as_str().unwrap());
    (client_id, auth)
}

struct Capture {
    client: String,
    auth: String,
}

impl Capture {
    async fn start(app: &TestApp) -> Self {
        Self::issued(app, None).await
    }

    /// A token for a new client, issued for these check types (the capture defaults if none).
    async fn issued(app: &TestApp, check_types: Option<Value>) -> Self {
        let client = new_client(app).await;
        let mut request = json!({"clientId": client, "referrer": "https://app.example.com/*"});
        if let Some(types) = check_types {
            request["checkTypes"] = types;
        }
        let auth = token(app, request).await;
        Capture { client, auth }
    }

    async fn post(&self, app: &TestApp, path: &str, body: &Value) -> Answer {
        let headers = [("Authorization", self.auth.as_str()), ("Origin", SITE)];
        call(app, Method::POST, path, &headers, Some(body)).await
    }

    /// A passport with its front image and a live photo, both through the capture API.
    async fn document_and_selfie(&self, app: &TestApp) -> (String, String) {
        let doc = self
            .post(
                app,
                "/v1/sdk/documents",
                &json!({"type": "passport", "issuingCountry": "GB"}),
            )
            .await;
        assert_eq!(doc.status, 200, "{}", doc.body);
        let doc = id_of(&doc.body);
        let up = self
            .post(
                app,
                &format!("/v1/sdk/documents/{doc}/upload/front"),
                &json!({"fileName": "front.jpg", "data": b64(&jpeg(640, 400))}),
            )
            .await;
        assert_eq!(up.status, 200, "{}", up.body);
        let photo = self
            .post(
                app,
                "/v1/sdk/livePhotos",
                &json!({"data": b64(&jpeg(300, 300))}),
            )
            .await;
        assert_eq!(photo.status, 200, "{}", photo.body);
        (doc, id_of(&photo.body))
    }
}

fn assert_not_found(r: &Answer) {
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.body["type"], "resource_not_found", "{}", r.body);
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn live_videos_are_created_for_the_tokens_client() {
    let app = TestApp::spawn().await;
    let capture = Capture::start(&app).await;
    let theirs = new_client(&app).await;

    let video = capture
        .post(
            &app,
            "/v1/sdk/liveVideos",
            &json!({"language": "fr-FR", "frames": [b64(&jpeg(320, 240))]}),
        )
        .await;
    assert_eq!(video.status, 200, "{}", video.body);
    assert_eq!(video.body["clientId"], capture.client.as_str());
    assert_eq!(video.header("access-control-allow-origin"), Some(SITE));
    let seen = app
        .get(&format!("/v1/liveVideos/{}", id_of(&video.body)))
        .await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["clientId"], capture.client.as_str());
    assert_eq!(seen.body["language"], "fr-FR");

    // The same validation as `POST /v1/liveVideos`, naming the field.
    let bad = capture
        .post(&app, "/v1/sdk/liveVideos", &json!({"language": "fr FR"}))
        .await;
    assert_eq!(
        (bad.status, bad.body["param"].as_str()),
        (400, Some("language"))
    );
    let bad = capture
        .post(&app, "/v1/sdk/liveVideos", &json!({"frames": "not a list"}))
        .await;
    assert_eq!(
        (bad.status, bad.body["param"].as_str()),
        (400, Some("frames"))
    );

    let r = capture
        .post(&app, "/v1/sdk/liveVideos", &json!({"clientId": theirs}))
        .await;
    assert_eq!(
        (r.status, r.body["type"].as_str()),
        (403, Some("unauthorized"))
    );
    let listed = app.get(&format!("/v1/liveVideos?clientId={theirs}")).await;
    assert_eq!(listed.body["totalItems"], 0, "{}", listed.text);
}

#[tokio::test]
async fn a_check_created_through_the_sdk_completes_and_is_seen_with_the_api_key() {
    let app = TestApp::spawn().await;
    let types = json!([
        "identity_check",
        "document_check",
        "standard_screening_check"
    ]);
    let capture = Capture::issued(&app, Some(types)).await;
    let (doc, photo) = capture.document_and_selfie(&app).await;

    let created = capture
        .post(
            &app,
            "/v1/sdk/checks",
            &json!({"type": "identity_check", "documentId": doc, "livePhotoId": photo}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["status"], "pending");
    assert_eq!(created.body["clientId"], capture.client.as_str());
    assert_eq!(created.header("access-control-allow-origin"), Some(SITE));
    let id = id_of(&created.body);

    let done = settled(&app, &app.test_key, &id).await;
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(done["type"], "identity_check");
    assert_eq!(done["documentId"], doc.as_str());
    assert_eq!(done["livePhotoId"], photo.as_str());
    assert!(done["result"]["outcome"].as_str().is_some(), "{done}");

    // The token's own client id in the body is accepted; the domain's rules still apply.
    let screening = capture
        .post(
            &app,
            "/v1/sdk/checks",
            &json!({"clientId": capture.client, "type": "standard_screening_check"}),
        )
        .await;
    assert_eq!(screening.status, 200, "{}", screening.body);
    for (body, param) in [
        (json!({"type": "spaceship_check"}), "type"),
        (json!({"type": "document_check"}), "documentId"),
        (
            json!({"type": "standard_screening_check", "documentId": doc}),
            "documentId",
        ),
        // The person being verified cannot choose how they are screened (issue #21.1).
        (
            json!({"type": "standard_screening_check",
                "options": {"screeningNameSearchMode": "precise"}}),
            "options",
        ),
        (
            json!({"type": "standard_screening_check",
                "options": {"screeningListsScope": {"mode": "include", "lists": ["none"]}}}),
            "options",
        ),
    ] {
        let r = capture.post(&app, "/v1/sdk/checks", &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(r.body["type"], "invalid_request");
        assert_eq!(r.body["param"], param, "{body}");
    }
    let listed = app
        .get(&format!("/v1/checks?clientId={}", capture.client))
        .await;
    assert_eq!(listed.body["totalItems"], 2, "{}", listed.text);
}

/// Issue #21.1: the person holding the token starts only the checks the issuer meant, and only
/// so many of them.
#[tokio::test]
async fn an_sdk_token_starts_only_its_check_types_and_only_so_many() {
    let app = TestApp::spawn().await;
    let by_default = Capture::start(&app).await;
    let headers = [
        ("Authorization", by_default.auth.as_str()),
        ("Origin", SITE),
    ];
    let session = call(&app, Method::GET, "/v1/sdk/session", &headers, None).await;
    assert_eq!(
        session.body["checkTypes"],
        json!([
            "document_check",
            "identity_check",
            "enhanced_identity_check",
            "proof_of_address_check",
            "face_authentication_check",
            "age_estimation_check"
        ]),
        "{}",
        session.body
    );
    // Screening is not capture: without the issuer's say-so the holder cannot screen anyone,
    // themselves included.
    for kind in [
        "standard_screening_check",
        "extensive_screening_check",
        "multi_bureau_check",
    ] {
        let r = by_default
            .post(&app, "/v1/sdk/checks", &json!({"type": kind}))
            .await;
        assert_eq!(
            (r.status, r.body["type"].as_str()),
            (403, Some("unauthorized")),
            "{kind}: {}",
            r.body
        );
        assert!(
            r.body["message"].as_str().unwrap().contains(kind),
            "{}",
            r.body
        );
    }

    let screening_only = Capture::issued(&app, Some(json!(["standard_screening_check"]))).await;
    let (doc, _) = screening_only.document_and_selfie(&app).await;
    let r = screening_only
        .post(
            &app,
            "/v1/sdk/checks",
            &json!({"type": "document_check", "documentId": doc}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // The bound holds under concurrency: of 14 requests at once, exactly 10 start a check.
    let screening = json!({"type": "standard_screening_check"});
    let answers = futures_util::future::join_all(
        (0..14).map(|_| screening_only.post(&app, "/v1/sdk/checks", &screening)),
    )
    .await;
    let started = answers.iter().filter(|a| a.status == 200).count();
    let refused: Vec<_> = answers.iter().filter(|a| a.status != 200).collect();
    assert_eq!(
        started,
        10,
        "{:?}",
        refused.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
    for r in refused {
        assert_eq!(
            (r.status, r.body["type"].as_str()),
            (403, Some("unauthorized"))
        );
        assert!(
            r.body["message"].as_str().unwrap().contains("new token"),
            "{}",
            r.body
        );
    }
    let listed = app
        .get(&format!("/v1/checks?clientId={}", screening_only.client))
        .await;
    assert_eq!(listed.body["totalItems"], 10, "{}", listed.text);
    // A new token for the same client starts again.
    let again = token(
        &app,
        json!({"clientId": screening_only.client, "referrer": "https://app.example.com/*",
            "checkTypes": ["standard_screening_check"]}),
    )
    .await;
    let headers = [("Authorization", again.as_str()), ("Origin", SITE)];
    let body = json!({"type": "standard_screening_check"});
    let r = call(&app, Method::POST, "/v1/sdk/checks", &headers, Some(&body)).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // What the issuer may name is checked when the token is issued.
    for bad in [
        json!("standard_screening_check"),
        json!(["spaceship_check"]),
        json!([1]),
    ] {
        let r = app
            .post(
                "/v1/tokens",
                &json!({"clientId": screening_only.client,
                    "referrer": "https://app.example.com/*", "checkTypes": bad}),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.body["param"], "checkTypes", "{}", r.body);
    }
}

#[tokio::test]
async fn sdk_checks_never_reach_another_client_account_or_mode() {
    let app = TestApp::spawn().await;
    let capture = Capture::start(&app).await;
    let (doc, photo) = capture.document_and_selfie(&app).await;

    // Another client of the same account and mode.
    let theirs = new_client(&app).await;
    let their_doc = app
        .post(
            "/v1/documents",
            &json!({"clientId": theirs, "type": "passport", "issuingCountry": "GB"}),
        )
        .await;
    let their_doc = id_of(&their_doc.body);
    let their_photo = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": theirs, "data": b64(&jpeg(300, 300))}),
        )
        .await;
    let their_photo = id_of(&their_photo.body);
    let their_video = app
        .post("/v1/liveVideos", &json!({"clientId": theirs}))
        .await;
    let their_video = id_of(&their_video.body);

    // A client of another account, and one of this account in live mode.
    let (other_test, _) = app.other_account("elsewhere").await;
    let send = |key: &str, path: &str, body: Value| {
        let (app, key, path) = (&app, key.to_string(), path.to_string());
        async move { app.send(Method::POST, &path, Some(&key), Some(&body)).await }
    };
    let foreign_client = send(&other_test, "/v1/clients", person("Alan", "Turing")).await;
    let foreign_doc = send(
        &other_test,
        "/v1/documents",
        json!({"clientId": id_of(&foreign_client.body), "type": "passport", "issuingCountry": "GB"}),
    )
    .await;
    let live_client = send(&app.live_key, "/v1/clients", person("Ada", "Lovelace")).await;
    let live_doc = send(
        &app.live_key,
        "/v1/documents",
        json!({"clientId": id_of(&live_client.body), "type": "passport", "issuingCountry": "GB"}),
    )
    .await;

    for body in [
        json!({"type": "document_check", "documentId": their_doc}),
        json!({"type": "identity_check", "documentId": doc, "livePhotoId": their_photo}),
        json!({"type": "enhanced_identity_check", "documentId": doc, "liveVideoId": their_video}),
        json!({"type": "document_check", "documentId": id_of(&foreign_doc.body)}),
        json!({"type": "document_check", "documentId": id_of(&live_doc.body)}),
        json!({"type": "document_check", "documentId": "000000000000000000000000"}),
        // A foreign id is unknown even where the type would refuse the field.
        json!({"type": "standard_screening_check", "documentId": their_doc}),
    ] {
        assert_not_found(&capture.post(&app, "/v1/sdk/checks", &body).await);
    }
    for client in [
        theirs.clone(),
        id_of(&foreign_client.body),
        id_of(&live_client.body),
    ] {
        let r = capture
            .post(
                &app,
                "/v1/sdk/checks",
                &json!({"clientId": client, "type": "identity_check", "documentId": doc, "livePhotoId": photo}),
            )
            .await;
        assert_eq!(
            (r.status, r.body["type"].as_str()),
            (403, Some("unauthorized")),
            "{}",
            r.body
        );
    }
    let all = app.get("/v1/checks").await;
    assert_eq!(all.body["totalItems"], 0, "{}", all.text);
    let elsewhere = app
        .send(Method::GET, "/v1/checks", Some(&other_test), None)
        .await;
    assert_eq!(elsewhere.body["totalItems"], 0);
    let live = app
        .send(Method::GET, "/v1/checks", Some(&app.live_key), None)
        .await;
    assert_eq!(live.body["totalItems"], 0);
}

#[tokio::test]
async fn expired_and_tampered_tokens_create_nothing() {
    let app = TestApp::spawn().await;
    let capture = Capture::start(&app).await;
    let raw = capture.auth.trim_start_matches("Bearer ");
    let account = clearance_tokens::jwt::peek_claims(raw).unwrap()["account"]
        .as_str()
        .unwrap()
        .to_string();
    let expired = app
        .token_keys
        .sign(&SdkClaims::new(
            &account,
            "test",
            &capture.client,
            Binding::Referrer("https://app.example.com/*".into()),
            now_secs() - 3660,
        ))
        .unwrap();
    let mut tampered: Vec<char> = raw.chars().collect();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    // A live-mode token acts in live mode only: its client is unknown to test mode.
    let (live_client_id, live_auth) = live_mode_token(&app).await;

    for bad in [format!("Bearer {expired}"), format!("Bearer {tampered}")] {
        let headers = [("Authorization", bad.as_str()), ("Origin", SITE)];
        for (path, body) in [
            ("/v1/sdk/liveVideos", json!({})),
            (
                "/v1/sdk/checks",
                json!({"type": "standard_screening_check"}),
            ),
        ] {
            call(&app, Method::POST, path, &headers, Some(&body))
                .await
                .assert_refused(401);
        }
    }
    let headers = [("Authorization", live_auth.as_str()), ("Origin", SITE)];
    let r = call(
        &app,
        Method::POST,
        "/v1/sdk/checks",
        &headers,
        Some(&json!({"clientId": capture.client, "type": "standard_screening_check"})),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        "/v1/sdk/liveVideos",
        &headers,
        Some(&json!({})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let test_videos = app
        .get(&format!("/v1/liveVideos?clientId={}", capture.client))
        .await;
    assert_eq!(test_videos.body["totalItems"], 0);
    let checks = app.get("/v1/checks").await;
    assert_eq!(checks.body["totalItems"], 0, "{}", checks.text);
    let live_videos = app
        .send(
            Method::GET,
            &format!("/v1/liveVideos?clientId={live_client_id}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(
        live_videos.body["totalItems"], 1,
        "the live token's video is in live mode"
    );
}

#[tokio::test]
async fn each_token_is_rate_limited_at_its_modes_rate() {
    let app = TestApp::spawn_with(clearance_api::ApiConfig {
        rate_limit_test: 3,
        rate_limit_live: 0,
        ..clearance_api::ApiConfig::default()
    })
    .await;
    let capture = Capture::start(&app).await;
    let second = token(
        &app,
        json!({"clientId": capture.client, "referrer": "https://app.example.com/*"}),
    )
    .await;
    let session = |auth: String| {
        let app = &app;
        async move {
            let headers = [("Authorization", auth.as_str()), ("Origin", SITE)];
            call(app, Method::GET, "/v1/sdk/session", &headers, None).await
        }
    };

    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(session(capture.auth.clone()).await);
    }
    assert_eq!(answers[0].status, 200, "{}", answers[0].body);
    assert_eq!(answers[0].header("ratelimit-limit"), Some("3"));
    assert_eq!(answers[0].header("ratelimit-remaining"), Some("2"));
    let limited = answers
        .iter()
        .find(|a| a.status == 429)
        .expect("the fourth request in a second is refused");
    assert_eq!(
        limited.body["type"], "rate_limit_exceeded",
        "{}",
        limited.body
    );
    assert_eq!(
        limited.body["message"],
        "You have exceeded the rate limit prescribed to your plan"
    );
    assert!(
        limited
            .header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s >= 1)
    );
    assert_eq!(limited.header("ratelimit-remaining"), Some("0"));
    assert_eq!(
        limited.header("access-control-allow-origin"),
        Some(SITE),
        "the page may read the refusal"
    );
    assert!(
        limited
            .header("access-control-expose-headers")
            .is_some_and(|h| h.contains("Retry-After") && h.contains("RateLimit-Reset"))
    );

    // Another token of the same client has its own bucket, and a bucket refills.
    assert_eq!(session(second).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(session(capture.auth.clone()).await.status, 200, "refilled");

    // Live tokens follow the live rate (here: none).
    let (_, live_auth) = live_mode_token(&app).await;
    for _ in 0..5 {
        let r = session(live_auth.clone()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.header("ratelimit-limit").is_none());
    }
}
