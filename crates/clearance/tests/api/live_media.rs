//! Live photos and live videos.

use clearance_testkit::TestApp;
use clearance_testkit::fixtures::{b64, jpeg};
use reqwest::Method;
use serde_json::json;

use crate::person;

#[tokio::test]
async fn live_photo_lifecycle() {
    let app = TestApp::spawn().await;
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let selfie = jpeg(300, 300);
    let up = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": client, "data": b64(&selfie)}),
        )
        .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let id = up.body["id"].as_str().unwrap().to_string();
    assert_eq!(up.body["performLivenessCheck"], true);
    assert_eq!(up.body["contentType"], "images/jpg");
    assert_eq!(
        up.body["downloadLink"],
        format!("/livePhotos/{id}/download")
    );
    assert_eq!(up.body["size"], selfie.len());

    let down = app.get(&format!("/v1/livePhotos/{id}/download")).await;
    assert_eq!(
        (
            down.body["data"].as_str(),
            down.body["contentType"].as_str()
        ),
        (Some(b64(&selfie).as_str()), Some("images/jpg")),
        "the hosted service spells a live photo's type `images/jpg`, in its download too"
    );
    assert!(
        down.body["fileName"]
            .as_str()
            .unwrap()
            .starts_with("selfie_")
    );
    assert_eq!(
        app.get(&format!("/v1/livePhotos?clientId={client}"))
            .await
            .body["totalItems"],
        1
    );

    let pdf = {
        let mut p = b"%PDF-1.4\n".to_vec();
        p.resize(50_000, b' ');
        p.extend_from_slice(b"%%EOF\n");
        p
    };
    let refused = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": client, "data": b64(&pdf)}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.error().1.as_deref()),
        (400, Some("data")),
        "PDFs are for documents only"
    );
    let flag = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": client, "data": b64(&selfie), "performLivenessCheck": "yes"}),
        )
        .await;
    assert_eq!(flag.error().1.as_deref(), Some("performLivenessCheck"));
    let live = app
        .send(
            Method::GET,
            &format!("/v1/livePhotos/{id}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(live.status, 404);
    assert_eq!(
        live.body["message"],
        format!("Invalid live photo id '{id}'")
    );

    let redact = app
        .send(
            Method::POST,
            &format!("/v1/livePhotos/{id}/redact"),
            Some(&app.test_key),
            None,
        )
        .await;
    assert_eq!(
        (redact.status, redact.body.clone()),
        (200, json!({})),
        "a body-less POST is accepted"
    );
    assert!(app.blobs.list("").await.unwrap().is_empty());
    assert_eq!(
        app.get(&format!("/v1/livePhotos/{id}")).await.body["redacted"],
        true
    );
    assert_eq!(
        app.get(&format!("/v1/livePhotos/{id}/download"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.delete(&format!("/v1/livePhotos/{id}")).await.status,
        204
    );
    assert_eq!(app.get(&format!("/v1/livePhotos/{id}")).await.status, 404);
}

#[tokio::test]
async fn live_video_lifecycle() {
    let app = TestApp::spawn().await;
    let client = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = app
        .post(
            "/v1/liveVideos",
            &json!({"clientId": client, "frames": [b64(&jpeg(300, 300)), b64(&jpeg(310, 300))]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["language"], "en-GB");
    let challenges = created.body["challenges"].as_array().unwrap();
    assert_eq!(challenges[0]["type"], "voice");
    assert_eq!(challenges[0]["value"].as_array().unwrap().len(), 4);
    assert_eq!(
        app.blobs.list("").await.unwrap().len(),
        2,
        "frames are stored"
    );
    assert_eq!(
        app.get(&format!("/v1/liveVideos?clientId={client}"))
            .await
            .body["totalItems"],
        1
    );
    let bad = app
        .post(
            "/v1/liveVideos",
            &json!({"clientId": client, "frames": ["nope"]}),
        )
        .await;
    assert_eq!(bad.error().1.as_deref(), Some("frames"));

    let redact = app
        .post(&format!("/v1/liveVideos/{id}/redact"), &json!({}))
        .await;
    assert_eq!((redact.status, redact.body.clone()), (200, json!({})));
    assert!(app.blobs.list("").await.unwrap().is_empty());
    assert_eq!(
        app.delete(&format!("/v1/liveVideos/{id}")).await.status,
        204
    );
    assert_eq!(app.get(&format!("/v1/liveVideos/{id}")).await.status, 404);
}
