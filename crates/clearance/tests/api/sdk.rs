//! The capture API (`/v1/sdk/…`): SDK-token authentication, origin and app-id binding, CORS,
//! and uploads restricted to the token's client.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use clearance_tokens::{Binding, KeySet, SdkClaims};
use reqwest::Method;
use serde_json::{Value, json};

use crate::person;

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The wire error of a refusal: `unauthorized`, flat, with a message.
    pub(crate) fn assert_refused(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["type"], "unauthorized", "{}", self.body);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(
            self.header("access-control-allow-origin").is_none(),
            "refusals are not readable cross-origin"
        );
    }
}

pub(crate) async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut request = app.client.request(method, format!("{}{path}", app.base));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

pub(crate) async fn new_client(app: &TestApp) -> String {
    let r = app.post("/v1/clients", &person("Grace", "Hopper")).await;
    r.body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn token(app: &TestApp, body: Value) -> String {
    let r = app.post("/v1/tokens", &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    format!("Bearer {}", r.body["token"].as_str().unwrap())
}

pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub(crate) const SITE: &str = "https://app.example.com";

#[tokio::test]
async fn a_web_token_works_only_from_the_origins_its_pattern_admits() {
    let app = TestApp::spawn().await;
    let client = new_client(&app).await;
    let auth = token(
        &app,
        json!({"clientId": client, "referrer": "https://*.example.com/*"}),
    )
    .await;

    let ok = call(
        &app,
        Method::GET,
        "/v1/sdk/session",
        &[("Authorization", &auth), ("Origin", SITE)],
        None,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["clientId"], client.as_str());
    assert_eq!(ok.body["mode"], "test");
    assert_eq!(ok.body["referrer"], "https://*.example.com/*");
    assert!(ok.body["actions"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(ok.body["expiresAt"].as_str().is_some());
    assert_eq!(ok.header("access-control-allow-origin"), Some(SITE));
    assert_eq!(ok.header("vary"), Some("Origin"));

    let by_referer = call(
        &app,
        Method::GET,
        "/v1/sdk/session",
        &[
            ("Authorization", &auth),
            ("Referer", "https://example.com/verify/step1"),
        ],
        None,
    )
    .await;
    assert_eq!(by_referer.status, 200, "a Referer is enough without Origin");
    assert!(by_referer.header("access-control-allow-origin").is_none());

    for origin in [
        "https://evil-example.com",
        "http://app.example.com",
        "https://example.com.evil.org",
        "null",
    ] {
        call(
            &app,
            Method::GET,
            "/v1/sdk/session",
            &[("Authorization", &auth), ("Origin", origin)],
            None,
        )
        .await
        .assert_refused(403);
    }
    call(
        &app,
        Method::GET,
        "/v1/sdk/session",
        &[("Authorization", &auth)],
        None,
    )
    .await
    .assert_refused(403);
}

#[tokio::test]
async fn missing_tampered_expired_foreign_and_orphaned_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let client = new_client(&app).await;
    let auth = token(&app, json!({"clientId": client, "referrer": "*://*/*"})).await;
    let get = |headers: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(app, Method::GET, "/v1/sdk/session", &pairs, None).await
        }
    };
    get(vec![("Origin", SITE.into())]).await.assert_refused(401);
    get(vec![
        ("Authorization", app.test_key.clone()),
        ("Origin", SITE.into()),
    ])
    .await
    .assert_refused(401);
    get(vec![
        ("Authorization", format!("Bearer {}", app.test_key)),
        ("Origin", SITE.into()),
    ])
    .await
    .assert_refused(401);

    // One flipped character in the signature.
    let mut tampered: Vec<char> = auth.chars().collect();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    get(vec![("Authorization", tampered), ("Origin", SITE.into())])
        .await
        .assert_refused(401);

    // Claims for this client signed with a key the server does not hold.
    let account =
        clearance_tokens::jwt::peek_claims(auth.trim_start_matches("Bearer ")).unwrap()["account"]
            .as_str()
            .unwrap()
            .to_string();
    let claims = |iat| {
        SdkClaims::new(
            &account,
            "test",
            &client,
            Binding::Referrer("*://*/*".into()),
            iat,
        )
    };
    let foreign = KeySet::generate(now_secs())
        .sign(&claims(now_secs()))
        .unwrap();
    get(vec![
        ("Authorization", format!("Bearer {foreign}")),
        ("Origin", SITE.into()),
    ])
    .await
    .assert_refused(401);

    // Signed by the server's key, but issued 61 minutes ago.
    let expired = app.token_keys.sign(&claims(now_secs() - 3660)).unwrap();
    let r = get(vec![
        ("Authorization", format!("Bearer {expired}")),
        ("Origin", SITE.into()),
    ])
    .await;
    r.assert_refused(401);
    assert!(r.body["message"].as_str().unwrap().contains("expired"));

    // Still valid now; refused once the client is deleted.
    let fresh = app.token_keys.sign(&claims(now_secs())).unwrap();
    let fresh = format!("Bearer {fresh}");
    assert_eq!(
        get(vec![
            ("Authorization", fresh.clone()),
            ("Origin", SITE.into())
        ])
        .await
        .status,
        200
    );
    assert_eq!(
        app.delete(&format!("/v1/clients/{client}")).await.status,
        204
    );
    get(vec![("Authorization", fresh), ("Origin", SITE.into())])
        .await
        .assert_refused(401);
    get(vec![("Authorization", auth), ("Origin", SITE.into())])
        .await
        .assert_refused(401);
}

#[tokio::test]
async fn a_mobile_token_needs_its_app_id() {
    let app = TestApp::spawn().await;
    let client = new_client(&app).await;
    let auth = token(
        &app,
        json!({"clientId": client, "appId": "com.example.kyc"}),
    )
    .await;
    let ok = call(
        &app,
        Method::GET,
        "/v1/sdk/session",
        &[
            ("Authorization", &auth),
            ("X-Application-Id", "com.example.kyc"),
        ],
        None,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["appId"], "com.example.kyc");
    for headers in [
        vec![("Authorization", auth.as_str())],
        vec![
            ("Authorization", auth.as_str()),
            ("X-Application-Id", "com.example.other"),
        ],
        vec![("Authorization", auth.as_str()), ("Origin", SITE)],
    ] {
        call(&app, Method::GET, "/v1/sdk/session", &headers, None)
            .await
            .assert_refused(403);
    }
}

#[tokio::test]
async fn preflights_are_answered_for_web_origins() {
    let app = TestApp::spawn().await;
    let r = call(
        &app,
        Method::OPTIONS,
        "/v1/sdk/documents",
        &[
            ("Origin", SITE),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(SITE));
    let allowed = r
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    assert!(
        r.header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert!(
        r.header("access-control-allow-credentials").is_none(),
        "no cookies are involved"
    );
    let r = call(
        &app,
        Method::OPTIONS,
        "/v1/sdk/session",
        &[("Origin", "null")],
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn uploads_act_only_on_the_tokens_client() {
    let app = TestApp::spawn().await;
    let mine = new_client(&app).await;
    let theirs = new_client(&app).await;
    let auth = token(
        &app,
        json!({"clientId": mine, "referrer": "https://app.example.com/*"}),
    )
    .await;
    let headers = [("Authorization", auth.as_str()), ("Origin", SITE)];

    let doc = call(
        &app,
        Method::POST,
        "/v1/sdk/documents",
        &headers,
        Some(&json!({"type": "passport", "issuingCountry": "GB"})),
    )
    .await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    assert_eq!(doc.body["clientId"], mine.as_str());
    assert_eq!(doc.header("access-control-allow-origin"), Some(SITE));
    let doc_id = doc.body["id"].as_str().unwrap().to_string();

    let up = call(
        &app,
        Method::POST,
        &format!("/v1/sdk/documents/{doc_id}/upload/front"),
        &headers,
        Some(&json!({"fileName": "front.jpg", "data": b64(&jpeg(320, 240))})),
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.body["documentSide"], "front");
    let seen = app.get(&format!("/v1/documents/{doc_id}")).await;
    assert_eq!(seen.body["images"].as_array().map(Vec::len), Some(1));

    let selfie = call(
        &app,
        Method::POST,
        "/v1/sdk/livePhotos",
        &headers,
        Some(&json!({"data": b64(&jpeg(300, 300))})),
    )
    .await;
    assert_eq!(selfie.status, 200, "{}", selfie.body);
    assert_eq!(selfie.body["clientId"], mine.as_str());

    // Another client's document is invisible; another client id in a body is refused.
    let other_doc = app
        .post(
            "/v1/documents",
            &json!({"clientId": theirs, "type": "passport", "issuingCountry": "GB"}),
        )
        .await;
    let other_id = other_doc.body["id"].as_str().unwrap();
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/sdk/documents/{other_id}/upload/front"),
        &headers,
        Some(&json!({"fileName": "front.jpg", "data": b64(&jpeg(320, 240))})),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.body["type"], "resource_not_found");
    let r = call(
        &app,
        Method::POST,
        "/v1/sdk/documents",
        &headers,
        Some(&json!({"clientId": theirs, "type": "passport"})),
    )
    .await;
    assert_eq!(
        (r.status, r.body["type"].as_str()),
        (403, Some("unauthorized"))
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(SITE),
        "the admitted page may read why"
    );
    let theirs_docs = app.get(&format!("/v1/documents?clientId={theirs}")).await;
    assert_eq!(
        theirs_docs.body["totalItems"], 1,
        "nothing was added to the other client"
    );

    // Validation errors keep the wire shape and name the field.
    let bad = call(
        &app,
        Method::POST,
        "/v1/sdk/documents",
        &headers,
        Some(&json!({"type": "spaceship"})),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["param"], "type");
}
