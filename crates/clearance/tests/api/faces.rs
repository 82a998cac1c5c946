//! The live face engines through the API: an identity check compares the passport's portrait
//! with the live photo and enrols the face when clear; face authentication recognises the
//! client later; the same face behind another client is flagged; redaction unenrols.

use clearance::accounts::find_or_create_account;
use clearance_core::store::{ListQuery, ResourceKind};
use clearance_core::{Mode, Scope};
use clearance_testkit::TestApp;
use clearance_testkit::fixtures::b64;
use reqwest::Method;
use serde_json::{Value, json};

use crate::checks::{id_of, settled};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn encode_jpeg(image: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(image)
        .unwrap();
    jpeg
}

fn encode_png(image: image::RgbImage) -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

struct Live<'a> {
    app: &'a TestApp,
    key: String,
}

impl Live<'_> {
    async fn send(&self, method: Method, path: &str, body: Value) -> Value {
        let res = self
            .app
            .send(method, path, Some(&self.key), Some(&body))
            .await;
        assert_eq!(res.status, 200, "{path}: {}", res.text);
        res.body
    }

    async fn client(&self, first: &str) -> String {
        let body = json!({"type": "person", "email": "face@example.org",
            "personDetails": {"firstName": first, "lastName": "Eriksson"}});
        id_of(&self.send(Method::POST, "/v1/clients", body).await)
    }

    async fn passport(&self, client: &str) -> String {
        let doc = self
            .send(
                Method::POST,
                "/v1/documents",
                json!({"clientId": client, "type": "passport", "issuingCountry": "GB"}),
            )
            .await;
        let doc = id_of(&doc);
        let page = fixture("synthetic_passport_td3_specimen.jpg");
        self.send(
            Method::POST,
            &format!("/v1/documents/{doc}/upload/front"),
            json!({"fileName": "passport.jpg", "data": b64(&page)}),
        )
        .await;
        doc
    }

    async fn photo(&self, client: &str, file: &str) -> String {
        let body = json!({"clientId": client, "data": b64(&fixture(file))});
        id_of(&self.send(Method::POST, "/v1/livePhotos", body).await)
    }

    async fn check(&self, body: Value) -> Value {
        let created = self.send(Method::POST, "/v1/checks", body).await;
        settled(self.app, &self.key, &id_of(&created)).await
    }

    async fn identity(&self, client: &str, doc: &str, photo: &str) -> Value {
        self.check(json!({"clientId": client, "type": "identity_check",
            "documentId": doc, "livePhotoId": photo}))
            .await
    }

    async fn authenticate(&self, client: &str, photo: &str) -> Value {
        self.check(
            json!({"clientId": client, "type": "face_authentication_check",
            "livePhotoId": photo}),
        )
        .await
    }
}

#[tokio::test]
async fn identity_enrols_a_face_that_authentication_then_recognises() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let anna = live.client("Anna").await;
    let doc = live.passport(&anna).await;
    let collins = live.photo(&anna, "face_collins.jpg").await;

    // Before any identity check there is nothing to authenticate against.
    let early = live.authenticate(&anna, &collins).await;
    assert_eq!(early["status"], "failed", "{early}");
    assert!(
        early["failureReason"]
            .as_str()
            .unwrap()
            .contains("no enrolled face"),
        "{early}"
    );

    let done = live.identity(&anna, &doc, &collins).await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];
    assert_eq!(result["outcome"], "clear", "{result}");
    let face = &result["breakdown"]["faceAnalysis"];
    assert_eq!(face["faceDetection"], "clear");
    assert_eq!(face["facialSimilarity"], "clear");
    assert_eq!(face["previouslyEnrolledFace"], "clear");
    let score = face["breakdown"]["facialSimilarityScore"].as_u64().unwrap();
    assert!(score >= 80, "score {score}");
    // The anti-spoof model takes the portrait for a live face, and the upload asked for a
    // liveness check (the default).
    let authenticity = &result["breakdown"]["authenticityAnalysis"];
    assert_eq!(
        authenticity["spoofedImageAnalysis"], "clear",
        "{authenticity}"
    );
    assert_eq!(authenticity["livenessCheck"], "clear", "{authenticity}");
    assert!(authenticity["breakdown"]["livenessScore"].as_u64().unwrap() >= 50);
    let engine = &result["breakdown"]["engine"];
    assert_eq!(engine["name"], "clearance-faces", "{result}");
    // The hashes are those of the files that ran (models/face/SHA256SUMS lists the vendored ones).
    let sums = std::fs::read_to_string(format!(
        "{}/../../models/face/SHA256SUMS",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let models = engine["models"].as_array().unwrap();
    assert_eq!(models.len(), 5);
    for model in models {
        let file = model["file"].as_str().unwrap().trim_start_matches("face/");
        let hash = model["sha256"].as_str().unwrap();
        assert!(
            sums.contains(&format!("{hash}  {file}")),
            "{model} not in SHA256SUMS"
        );
    }
    assert!(!result.to_string().contains("descriptor"), "{result}");

    // Another person on the same passport's client: attention.
    let hopper = live.photo(&anna, "face_grace_hopper.jpg").await;
    let other = live.identity(&anna, &doc, &hopper).await;
    assert_eq!(other["result"]["outcome"], "attention", "{other}");
    let face = &other["result"]["breakdown"]["faceAnalysis"];
    assert_eq!(face["facialSimilarity"], "attention");
    assert!(face["breakdown"]["facialSimilarityScore"].as_u64().unwrap() < 50);

    // Later: a second photo of the same person is recognised, another person is not.
    let again = live.photo(&anna, "face_collins_mirrored_cropped.jpg").await;
    let auth = live.authenticate(&anna, &again).await;
    assert_eq!(auth["result"]["outcome"], "clear", "{auth}");
    let details = &auth["result"]["breakdown"]["faceAuthentication"]["breakdown"];
    assert_eq!(details["facesMatched"][0]["livePhotoId"], collins.as_str());
    assert_eq!(details["enrolledFaces"]["livePhotoIds"], json!([collins]));
    let auth = live.authenticate(&anna, &hopper).await;
    assert_eq!(auth["result"]["outcome"], "attention", "{auth}");
    let details = &auth["result"]["breakdown"]["faceAuthentication"]["breakdown"];
    assert!(details.get("facesMatched").is_none(), "{details}");

    // The same face behind another client of the account is flagged.
    let bob = live.client("Bob").await;
    let bob_doc = live.passport(&bob).await;
    let bob_photo = live.photo(&bob, "face_collins.jpg").await;
    let twin = live.identity(&bob, &bob_doc, &bob_photo).await;
    assert_eq!(twin["result"]["outcome"], "attention", "{twin}");
    let face = &twin["result"]["breakdown"]["faceAnalysis"];
    assert_eq!(face["facialSimilarity"], "clear");
    assert_eq!(face["previouslyEnrolledFace"], "attention");
    // …unless the integrator turns that comparison off.
    let off = live
        .check(
            json!({"clientId": bob, "type": "identity_check", "documentId": bob_doc,
            "livePhotoId": bob_photo, "options": {"enableEnrolledFaces": false}}),
        )
        .await;
    assert_eq!(off["result"]["outcome"], "clear", "{off}");
    assert_eq!(
        off["result"]["breakdown"]["faceAnalysis"]["previouslyEnrolledFace"],
        "not_processed"
    );

    // Redacting the enrolled photo unenrols it.
    let redacted = app
        .send(
            Method::POST,
            &format!("/v1/livePhotos/{collins}/redact"),
            Some(&live.key),
            None,
        )
        .await;
    assert_eq!(redacted.status, 200, "{}", redacted.text);
    let after = live.authenticate(&anna, &again).await;
    assert_eq!(after["status"], "failed", "{after}");
}

#[tokio::test]
async fn live_photos_a_face_check_cannot_use_are_refused_at_upload() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let client = live.client("Anna").await;
    let upload = |bytes: Vec<u8>| {
        let (app, key, client) = (&app, live.key.clone(), client.clone());
        async move {
            app.send(
                Method::POST,
                "/v1/livePhotos",
                Some(&key),
                Some(&json!({"clientId": client, "data": b64(&bytes)})),
            )
            .await
        }
    };
    // A photo taken in the dark: sensor noise on black (noise also keeps it above the upload
    // size floor).
    let black = {
        let mut seed = 7u32;
        let img = image::RgbImage::from_fn(400, 400, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(seed >> 24) as u8 % 24; 3])
        });
        encode_png(img)
    };
    for (bytes, code) in [
        (
            clearance_testkit::fixtures::jpeg(320, 320),
            "no_face_detected",
        ),
        (fixture("faces_two_people.jpg"), "multiple_faces_detected"),
        (black, "under_exposure"),
        (
            fixture("synthetic_passport_td3_specimen.jpg"),
            "document_in_photo",
        ),
        (fixture("face_on_screen_minivision_f2.jpg"), "spoofed_image"),
        (small_face_photo(), "face_too_small"),
    ] {
        let refused = upload(bytes).await;
        assert_eq!(refused.status, 422, "{code}: {}", refused.text);
        assert_eq!(refused.body["type"], code, "{}", refused.text);
        assert!(refused.body["message"].as_str().unwrap().len() > 10);
    }
    // Nothing was stored for the refused photos.
    let listed = app
        .send(
            Method::GET,
            &format!("/v1/livePhotos?clientId={client}"),
            Some(&live.key),
            None,
        )
        .await;
    assert_eq!(listed.body["totalItems"], 0, "{}", listed.text);
    assert_eq!(upload(fixture("face_collins.jpg")).await.status, 200);
    // Test keys keep the sandbox's anything-goes uploads.
    let test_client = app
        .post(
            "/v1/clients",
            &json!({"type": "person", "email": "t@example.org",
                "personDetails": {"firstName": "T", "lastName": "T"}}),
        )
        .await;
    let test_client = id_of(&test_client.body);
    let sandbox = app
        .post(
            "/v1/livePhotos",
            &json!({"clientId": test_client,
                "data": b64(&clearance_testkit::fixtures::jpeg(320, 320))}),
        )
        .await;
    assert_eq!(sandbox.status, 200, "{}", sandbox.text);
}

#[tokio::test]
async fn a_document_without_a_face_never_clears_or_enrols() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let client = live.client("Anna").await;
    // A document with no face on it (the inspection refuses such live photos at upload, so
    // it is the document side that lacks one here).
    let blank_doc = id_of(
        &live
            .send(
                Method::POST,
                "/v1/documents",
                json!({"clientId": client, "type": "passport", "issuingCountry": "GB"}),
            )
            .await,
    );
    live.send(
        Method::POST,
        &format!("/v1/documents/{blank_doc}/upload/front"),
        json!({"fileName": "front.jpg",
            "data": b64(&clearance_testkit::fixtures::jpeg(640, 400))}),
    )
    .await;
    let selfie = live.photo(&client, "face_collins.jpg").await;
    let done = live.identity(&client, &blank_doc, &selfie).await;
    assert_eq!(done["result"]["outcome"], "attention", "{done}");
    let face = &done["result"]["breakdown"]["faceAnalysis"];
    assert_eq!(face["faceDetection"], "attention");
    assert_eq!(face["facialSimilarity"], "not_processed");
    // Nothing was enrolled by an attention result.
    let auth = live.authenticate(&client, &selfie).await;
    assert_eq!(auth["status"], "failed", "{auth}");
}

#[tokio::test]
async fn age_estimation_gives_a_range_and_decides_on_its_lower_end() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let client = live.client("Anna").await;
    for file in ["face_collins.jpg", "face_grace_hopper.jpg"] {
        let photo = live.photo(&client, file).await;
        let done = live
            .check(
                json!({"clientId": client, "type": "age_estimation_check", "livePhotoId": photo}),
            )
            .await;
        assert_eq!(done["status"], "complete", "{done}");
        let analysis = &done["result"]["breakdown"]["ageEstimationAnalysis"];
        let range = &analysis["breakdown"];
        let (age, min, max) = (
            range["age"].as_i64().unwrap(),
            range["ageMin"].as_i64().unwrap(),
            range["ageMax"].as_i64().unwrap(),
        );
        eprintln!("{file}: {range}");
        assert!(min < age && age < max, "{file}: {range}");
        // Error grows with age: the range is not a constant band.
        assert!(max - min >= 10, "{file}: {range}");
        let expected = if min >= 18 { "clear" } else { "attention" };
        assert_eq!(analysis["ageValidation"], expected, "{file}: {range}");
        // The anti-spoof model scored the face; the outcome needs both verdicts clear.
        let authenticity = &done["result"]["breakdown"]["authenticityAnalysis"];
        let score = authenticity["breakdown"]["livenessScore"].as_u64().unwrap();
        let live = if score >= 50 { "clear" } else { "attention" };
        assert_eq!(authenticity["spoofedImageAnalysis"], live, "{authenticity}");
        let outcome = if expected == "clear" && live == "clear" {
            "clear"
        } else {
            "attention"
        };
        assert_eq!(done["result"]["outcome"], outcome, "{done}");
        assert_eq!(
            done["result"]["breakdown"]["engine"]["name"],
            "clearance-faces"
        );
    }
}

/// The Collins portrait shrunk to 120 px (10 px between the eyes) on a 400-px noisy
/// background, as PNG (noise keeps it above the upload size floor).
fn small_face_photo() -> Vec<u8> {
    let face = image::load_from_memory(&fixture("face_collins.jpg"))
        .unwrap()
        .resize_exact(120, 120, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let mut seed = 11u32;
    let mut canvas = image::RgbImage::from_fn(400, 400, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        image::Rgb([90 + (seed >> 24) as u8 % 50; 3])
    });
    image::imageops::replace(&mut canvas, &face, 140, 140);
    encode_png(canvas)
}

/// A face shown on a screen and photographed: refused at upload when a liveness check is asked
/// for (the default), and, uploaded without one, never clear in a check.
#[tokio::test]
async fn a_face_on_a_screen_is_refused_or_never_clear() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let anna = live.client("Anna").await;
    let screen = fixture("face_on_screen_minivision_f2.jpg");
    let asked = live
        .app
        .send(
            Method::POST,
            "/v1/livePhotos",
            Some(&live.key),
            Some(&json!({"clientId": anna, "data": b64(&screen), "performLivenessCheck": true})),
        )
        .await;
    assert_eq!(asked.status, 422, "{}", asked.text);
    assert_eq!(asked.body["type"], "spoofed_image");
    let photo = live
        .send(
            Method::POST,
            "/v1/livePhotos",
            json!({"clientId": anna, "data": b64(&screen), "performLivenessCheck": false}),
        )
        .await;
    assert_eq!(photo["performLivenessCheck"], false, "{photo}");
    let photo = id_of(&photo);
    let age = live
        .check(json!({"clientId": anna, "type": "age_estimation_check", "livePhotoId": photo}))
        .await;
    let authenticity = &age["result"]["breakdown"]["authenticityAnalysis"];
    assert_eq!(authenticity["spoofedImageAnalysis"], "attention", "{age}");
    assert!(authenticity["breakdown"]["livenessScore"].as_u64().unwrap() < 10);
    assert_eq!(age["result"]["outcome"], "attention");
    let doc = live.passport(&anna).await;
    let identity = live.identity(&anna, &doc, &photo).await;
    let authenticity = &identity["result"]["breakdown"]["authenticityAnalysis"];
    assert_eq!(
        authenticity["spoofedImageAnalysis"], "attention",
        "{identity}"
    );
    // The upload asked for no liveness check: said, not run.
    assert_eq!(authenticity["livenessCheck"], "not_processed");
    assert_eq!(identity["result"]["outcome"], "attention");
    // Face authentication judges the photo too: with a face enrolled, the screen is attention
    // and says why.
    let collins = live.photo(&anna, "face_collins.jpg").await;
    let enrolled = live.identity(&anna, &doc, &collins).await;
    assert_eq!(enrolled["result"]["outcome"], "clear", "{enrolled}");
    let auth = live.authenticate(&anna, &photo).await;
    assert_eq!(auth["result"]["outcome"], "attention", "{auth}");
    assert_eq!(
        auth["result"]["breakdown"]["authenticityAnalysis"]["spoofedImageAnalysis"], "attention",
        "{auth}"
    );
    // The enrolled selfie itself authenticates, and its analysis says clear.
    let again = live.authenticate(&anna, &collins).await;
    assert_eq!(again["result"]["outcome"], "clear", "{again}");
    assert_eq!(
        again["result"]["breakdown"]["authenticityAnalysis"]["spoofedImageAnalysis"], "clear",
        "{again}"
    );
    let engine = &identity["result"]["breakdown"]["engine"]["models"];
    assert!(
        engine
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["file"] == "face/minifasnet_v2_80x80_scale2.7.pth"
                && m["licence"] == "Apache-2.0"),
        "{engine}"
    );
}

/// The Collins portrait as a hand-held camera sees it from frame to frame: shifted by
/// `(dx, dy)` pixels and scaled by `zoom` about the centre. The person does not move: only the
/// camera does.
fn camera_frame(base: &image::RgbImage, dx: f32, dy: f32, zoom: f32) -> Vec<u8> {
    let (w, h) = (base.width() as f32, base.height() as f32);
    let out = image::RgbImage::from_fn(base.width(), base.height(), |x, y| {
        let sx = (x as f32 - w / 2.0 - dx) / zoom + w / 2.0;
        let sy = (y as f32 - h / 2.0 - dy) / zoom + h / 2.0;
        let (sx, sy) = (
            sx.round().clamp(0.0, w - 1.0) as u32,
            sy.round().clamp(0.0, h - 1.0) as u32,
        );
        *base.get_pixel(sx, sy)
    });
    encode_jpeg(&out, 92)
}

/// The Collins portrait with the head turned `degrees` about its vertical axis (positive: the
/// subject's left, the nose moving to the image's right, as an un-mirrored camera sees it).
///
/// The face is modelled as a half-ellipsoid with a nose on it, placed where the detector finds
/// the face in `face_collins.jpg` (box 179,64 93×114, nose at 224,126, 44 px between the
/// eyes); every pixel inside it is moved as its depth turns with the head. A local warp of the
/// nose alone does not move the detector's landmarks; this moves the whole face, and they
/// follow (yaw about ±0.2 eye distances at ±30°).
fn turned_frame(base: &image::RgbImage, degrees: f32) -> Vec<u8> {
    const CENTRE: (f32, f32) = (225.5, 121.0);
    const RADII: (f32, f32, f32) = (56.0, 70.0, 45.0);
    const NOSE: (f32, f32, f32, f32) = (224.0, 126.0, 26.0, 15.0);
    let inside = |x: f32, y: f32| {
        1.0 - ((x - CENTRE.0) / RADII.0).powi(2) - ((y - CENTRE.1) / RADII.1).powi(2)
    };
    let depth = |x: f32, y: f32| {
        let e = inside(x, y);
        if e <= 0.0 {
            return 0.0;
        }
        let (nx, ny, height, spread) = NOSE;
        let nose =
            height * (-((x - nx).powi(2) + (y - ny).powi(2)) / (2.0 * spread * spread)).exp();
        RADII.2 * e.sqrt() + nose
    };
    let (sin, cos) = degrees.to_radians().sin_cos();
    let out = image::RgbImage::from_fn(base.width(), base.height(), |x, y| {
        let (tx, yf) = (x as f32, y as f32);
        // Where this pixel was before the turn: solved by fixed-point iteration.
        let mut sx = tx;
        for _ in 0..8 {
            sx = CENTRE.0 + (tx - CENTRE.0 - depth(sx, yf) * sin) / cos;
        }
        if inside(sx, yf) <= 0.0 {
            sx = tx;
        }
        let sx = sx.round().clamp(0.0, base.width() as f32 - 1.0) as u32;
        *base.get_pixel(sx, y)
    });
    encode_jpeg(&out, 92)
}

/// A video generated here: the face turns left, back, right and back. Its recorded challenge
/// is drawn at random when the video is created, so videos are made until one asks for a head
/// turn, which the frames perform: one person, moving, the challenge done, the passport's face:
/// clear.
#[tokio::test]
async fn enhanced_identity_clears_a_head_turn_performed_as_challenged() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let client = live.client("Anna").await;
    let doc = live.passport(&client).await;
    let base = image::load_from_memory(&fixture("face_collins.jpg"))
        .unwrap()
        .to_rgb8();
    let frames: Vec<String> = [0.0, 15.0, 30.0, 15.0, 0.0, -15.0, -30.0, -15.0]
        .iter()
        .map(|&d| b64(&turned_frame(&base, d)))
        .collect();
    let mut asked = None;
    for _ in 0..50 {
        let video = live
            .send(
                Method::POST,
                "/v1/liveVideos",
                json!({"clientId": client, "frames": frames}),
            )
            .await;
        let action = video["challenges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "actions")
            .map(|c| c["value"][0].as_str().unwrap().to_owned());
        if let Some(action @ ("turnHeadLeft" | "turnHeadRight")) = action.as_deref() {
            asked = Some((action.to_owned(), id_of(&video)));
            break;
        }
    }
    let (action, video) = asked.expect("a head-turn challenge within 50 videos");
    let done = live
        .check(
            json!({"clientId": client, "type": "enhanced_identity_check",
            "documentId": doc, "liveVideoId": video}),
        )
        .await;
    assert_eq!(done["status"], "complete", "{done}");
    let breakdown = &done["result"]["breakdown"];
    let liveness = &breakdown["livenessAnalysis"];
    assert_eq!(liveness["videoChallenges"], "clear", "{action}: {liveness}");
    assert_eq!(liveness["spoofedVideoAnalysis"], "clear", "{liveness}");
    assert!(liveness["breakdown"]["livenessScore"].as_u64().unwrap() >= 50);
    assert_eq!(
        breakdown["faceAnalysis"]["facialSimilarity"], "clear",
        "{breakdown}"
    );
    assert_eq!(done["result"]["outcome"], "clear", "{done}");
}

#[tokio::test]
async fn enhanced_identity_reads_the_frames_and_refuses_a_still_picture() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let client = live.client("Anna").await;
    let doc = live.passport(&client).await;
    let check = |frames: Vec<Vec<u8>>| {
        let live = &live;
        let (client, doc) = (client.clone(), doc.clone());
        async move {
            let frames: Vec<String> = frames.iter().map(|f| b64(f)).collect();
            let video = live
                .send(
                    Method::POST,
                    "/v1/liveVideos",
                    json!({"clientId": client, "frames": frames}),
                )
                .await;
            live.check(
                json!({"clientId": client, "type": "enhanced_identity_check",
                "documentId": doc, "liveVideoId": id_of(&video)}),
            )
            .await
        }
    };
    let base = image::load_from_memory(&fixture("face_collins.jpg"))
        .unwrap()
        .to_rgb8();

    // The camera moves, the person holds still: one person, really filmed, matching the
    // passport; but the head movement the video asked for is not in it.
    let frames = [
        (0.0, 0.0, 1.0),
        (6.0, 2.0, 1.03),
        (-4.0, 5.0, 1.06),
        (2.0, -3.0, 0.97),
    ]
    .iter()
    .map(|&(dx, dy, zoom)| camera_frame(&base, dx, dy, zoom))
    .collect();
    let done = check(frames).await;
    assert_eq!(done["status"], "complete", "{done}");
    let breakdown = &done["result"]["breakdown"];
    assert_eq!(
        breakdown["faceAnalysis"]["facialSimilarity"], "clear",
        "{breakdown}"
    );
    assert!(
        breakdown["faceAnalysis"]["breakdown"]["facialSimilarityScore"]
            .as_u64()
            .unwrap()
            >= 70
    );
    let liveness = &breakdown["livenessAnalysis"];
    assert_eq!(liveness["spoofedVideoAnalysis"], "clear", "{liveness}");
    assert_eq!(liveness["videoChallenges"], "attention", "{liveness}");
    assert_eq!(done["result"]["outcome"], "attention");
    assert_eq!(
        breakdown["engine"]["name"], "clearance-faces",
        "{breakdown}"
    );

    // One still picture repeated: attention, however well it matches the passport.
    let still = fixture("face_collins.jpg");
    let done = check(vec![still.clone(), still.clone(), still.clone(), still]).await;
    assert_eq!(done["result"]["outcome"], "attention", "{done}");
    let liveness = &done["result"]["breakdown"]["livenessAnalysis"];
    assert_eq!(liveness["spoofedVideoAnalysis"], "attention", "{liveness}");

    // Another person in the frames than on the passport.
    let hopper = fixture("face_grace_hopper.jpg");
    let hopper_moved = {
        let img = image::load_from_memory(&hopper).unwrap().to_rgb8();
        camera_frame(&img, 5.0, 3.0, 1.04)
    };
    let done = check(vec![hopper, hopper_moved]).await;
    assert_eq!(
        done["result"]["breakdown"]["faceAnalysis"]["facialSimilarity"], "attention",
        "{done}"
    );
}

/// The live scope of the test server's account, for reading what the API never returns.
async fn live_scope(app: &TestApp) -> Scope {
    let account = find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .unwrap();
    Scope::new(account.id, Mode::Live)
}

/// Enrolments keep a sealed descriptor only, and go with their client (#24, privacy).
#[tokio::test]
async fn an_enrolment_is_sealed_and_deleted_with_its_client() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let anna = live.client("Anna").await;
    let doc = live.passport(&anna).await;
    let photo = live.photo(&anna, "face_collins.jpg").await;
    let done = live.identity(&anna, &doc, &photo).await;
    assert_eq!(done["result"]["outcome"], "clear", "{done}");

    let scope = live_scope(&app).await;
    let enrolments = || async {
        app.store
            .list(&ListQuery::newest(
                scope.clone(),
                ResourceKind::FaceEnrolment,
                100,
            ))
            .await
            .unwrap()
            .items
    };
    let stored = enrolments().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].client_id.as_deref(), Some(anna.as_str()));
    assert_eq!(stored[0].body["livePhotoId"], photo.as_str());
    // The descriptor is an envelope under the master key, not 128 numbers.
    let sealed = stored[0].body["descriptor"].as_str().unwrap();
    let bytes =
        base64::engine::Engine::decode(&base64::engine::general_purpose::STANDARD, sealed).unwrap();
    assert_eq!(&bytes[..4], b"CLBL", "sealed with the blob envelope");
    assert!(
        bytes.len() > 128 * 4,
        "the descriptor and the envelope's header"
    );

    let deleted = app
        .send(
            Method::DELETE,
            &format!("/v1/clients/{anna}"),
            Some(&live.key),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert!(
        enrolments().await.is_empty(),
        "the enrolment went with the client"
    );
}

/// A second face much smaller than the person's (a poster behind them) is accepted at upload,
/// and the check judges the same photo the same way: clear, not `multiple_faces_detected`.
#[tokio::test]
async fn a_small_face_in_the_background_is_ignored_at_upload_and_in_the_check() {
    let app = TestApp::spawn().await;
    let live = Live {
        app: &app,
        key: app.live_key.clone(),
    };
    let anna = live.client("Anna").await;
    let doc = live.passport(&anna).await;
    let photo = live
        .photo(&anna, "face_collins_with_small_portrait.jpg")
        .await;
    let done = live.identity(&anna, &doc, &photo).await;
    assert_eq!(done["result"]["outcome"], "clear", "{done}");
    let age = live
        .check(json!({"clientId": anna, "type": "age_estimation_check", "livePhotoId": photo}))
        .await;
    assert_ne!(
        age["result"]["breakdown"]["ageEstimationAnalysis"]["breakdown"]["age"],
        0
    );
}
