//! The load: journeys of a client, its document, uploads and checks, run concurrently.

use super::*;

/// What one journey got accepted.
#[derive(Clone, Debug)]
pub(crate) struct Journey {
    pub(crate) mode: Mode,
    pub(crate) email: String,
    pub(crate) client: String,
    pub(crate) document: String,
    pub(crate) front_sha: String,
    /// The live photo and its sha-256 (test keys only: live keys inspect photos for a face).
    pub(crate) photo: Option<(String, String)>,
    pub(crate) checks: Vec<String>,
}

/// A distinct image per journey (below 10,000) and side, so every stored file has its own
/// digest.
pub(crate) fn image(n: usize, side: u32) -> Vec<u8> {
    let (w, h) = (
        u32::try_from(n % 200).unwrap(),
        u32::try_from(n / 200 % 50).unwrap(),
    );
    match side {
        // Wide enough for the live upload's quality gate (500 px on the longer side): the
        // passport's front, which live keys inspect at upload.
        0 => jpeg(520 + w, 240 + h),
        _ => jpeg(300 + w, 300 + h),
    }
}

/// A client, a passport with its front uploaded and, with a test key, a live photo (live keys
/// inspect photos for a real face): what the checks of a journey need.
pub(crate) async fn onboard(api: &Api, keys: &Keys, tag: &str, n: usize, mode: Mode) -> Journey {
    let key = keys.of(mode);
    let idem = |step: &str| format!("{tag}-{n}-{step}");
    let email = format!("{tag}-{n}@example.org");
    let client = api
        .post(
            key,
            "/v1/clients",
            &json!({"type": "person", "email": email,
                "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}}),
            &idem("client"),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let document = api
        .post(
            key,
            "/v1/documents",
            &json!({"clientId": client, "type": "passport",
                "classification": "proof_of_identity", "issuingCountry": "GB"}),
            &idem("document"),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let front = image(n, 0);
    api.post(
        key,
        &format!("/v1/documents/{document}/upload/front"),
        &json!({"fileName": "front.jpg", "data": b64(&front)}),
        &idem("front"),
    )
    .await;
    let photo = if mode == Mode::Test {
        let selfie = image(n, 1);
        let photo = api
            .post(
                key,
                "/v1/livePhotos",
                &json!({"clientId": client, "data": b64(&selfie)}),
                &idem("photo"),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        Some((photo, sha256_hex(&selfie)))
    } else {
        None
    };
    Journey {
        mode,
        email,
        client,
        document,
        front_sha: sha256_hex(&front),
        photo,
        checks: Vec::new(),
    }
}

/// [`onboard`], then checks: with a test key screening, document and identity checks (the
/// sandbox); with a live key a `document_check`, which reads the uploaded file when it runs.
pub(crate) async fn journey(api: &Api, keys: &Keys, tag: &str, n: usize, mode: Mode) -> Journey {
    let mut journey = onboard(api, keys, tag, n, mode).await;
    let Some((photo, _)) = journey.photo.clone() else {
        journey
            .checks
            .push(live_document_check(api, keys, &journey, tag, n).await);
        return journey;
    };
    let (client, document) = (&journey.client, &journey.document);
    for (step, check) in [
        (
            "screening",
            json!({"clientId": client, "type": "standard_screening_check"}),
        ),
        (
            "document-check",
            json!({"clientId": client, "type": "document_check", "documentId": document}),
        ),
        (
            "identity-check",
            json!({"clientId": client, "type": "identity_check",
                "documentId": document, "livePhotoId": photo}),
        ),
    ] {
        let id = api
            .post(
                keys.of(mode),
                "/v1/checks",
                &check,
                &format!("{tag}-{n}-{step}"),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        journey.checks.push(id);
    }
    journey
}

/// Starts the live `document_check` of a journey.
pub(crate) async fn live_document_check(
    api: &Api,
    keys: &Keys,
    j: &Journey,
    tag: &str,
    n: usize,
) -> String {
    api.post(
        keys.of(Mode::Live),
        "/v1/checks",
        &json!({"clientId": j.client, "type": "document_check", "documentId": j.document}),
        &format!("{tag}-{n}-live-document-check"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// How a load is shaped.
#[derive(Clone, Copy)]
pub(crate) struct Load {
    /// Journeys numbered from `first`.
    pub(crate) first: usize,
    pub(crate) journeys: usize,
    /// Every n-th journey uses the live key (0: none).
    pub(crate) live_every: usize,
    /// Journeys started per second.
    pub(crate) per_second: u32,
    /// Journeys running at once at most.
    pub(crate) concurrency: usize,
}

pub(crate) fn mode_of(load: &Load, n: usize) -> Mode {
    if load.live_every > 0 && n % load.live_every == load.live_every - 1 {
        Mode::Live
    } else {
        Mode::Test
    }
}

/// Runs a load to its end: every journey finishes (its requests are retried until accepted).
pub(crate) async fn run_load(api: Api, keys: Arc<Keys>, tag: String, load: Load) -> Vec<Journey> {
    let gate = Arc::new(Semaphore::new(load.concurrency));
    let pace = Duration::from_secs(1) / load.per_second;
    let mut tasks = Vec::new();
    for n in load.first..load.first + load.journeys {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let (api, keys, tag) = (api.clone(), keys.clone(), tag.clone());
        let mode = mode_of(&load, n);
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            journey(&api, &keys, &tag, n, mode).await
        }));
        tokio::time::sleep(pace).await;
    }
    let mut journeys = Vec::new();
    for task in tasks {
        journeys.push(task.await.unwrap());
    }
    journeys
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver.
