//! The reliability suite (issue #21): real `clearance serve` processes under a load of clients,
//! documents, uploads and checks (test and live keys) while a fault is injected, then a count
//! of what the server holds against what it accepted. Nothing accepted may be lost and nothing
//! may be done twice: every accepted check exists once and completes, every event is in the
//! outbox once and reaches the webhook receiver, every accepted file reads back with its bytes.
//!
//! - `postgres_restarted_under_load`: a private, disposable PostgreSQL cluster (never the
//!   machine's shared one) restarted twice in the middle of the load: a fast restart, then an
//!   immediate stop (a crash: WAL recovery at the next start) with the database down for 3 s.
//! - `s3_stopped_and_started_under_load`: uploads go to moto (S3) through a TCP proxy in this
//!   test that stops (listener closed, open connections cut) for 6 s and starts again; live
//!   document checks whose files cannot be read meanwhile run again once they can.
//! - `data_disk_full_under_load`: SQLite and local files on a small tmpfs, filled up in the
//!   middle of the load and freed again.
//!
//! Clients retry what failed (a 5xx, a 409 "still in progress", a broken connection) with the
//! same `Idempotency-Key`, as a careful integrator would. Webhook deliveries are at least once
//! by contract, so "duplicated" for them means two event ids for one check's completion, not
//! a delivery repeated.
//!
//! The scenarios need root (tmpfs, `runuser`), the PostgreSQL server binaries and moto, so each
//! is skipped unless `CLEARANCE_TEST_RELIABILITY=1`:
//!
//! ```sh
//! CLEARANCE_TEST_RELIABILITY=1 bash tests/support/with-moto.sh \
//!   cargo test -p clearance --test reliability -- --nocapture --test-threads 1
//! ```

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use base64::Engine as _;
use clearance_core::events::StoredEvent;
use clearance_core::store::Store;
use clearance_testkit::fixtures::{b64, jpeg};
use clearance_testkit::process::{Cluster, ServerProcess};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::{AbortHandle, JoinHandle};

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

/// Longest a single request may take before the client gives up on it and retries: a server
/// that hangs on a fault shows up as timeouts in the report.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest one logical request may keep failing. An idempotency claim left by a request the
/// database outage interrupted is taken over after 60 s, so a retry may see 409 that long.
const GIVE_UP_AFTER: Duration = Duration::from_secs(100);

fn enabled(scenario: &str) -> bool {
    if std::env::var("CLEARANCE_TEST_RELIABILITY").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "skipped {scenario}: set CLEARANCE_TEST_RELIABILITY=1 to run the reliability suite \
         (root, PostgreSQL server binaries, moto through tests/support/with-moto.sh)"
    );
    false
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Where a scenario's server log goes (kept after the run for a look).
fn log_path(scenario: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("reliability-{scenario}.log"));
    let _ = std::fs::remove_file(&path);
    path
}

/// Warnings and errors the server logged.
fn log_counts(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let count = |level: &str| text.lines().filter(|l| l.contains(level)).count();
    (count("WARN"), count("ERROR"))
}

// ---------------------------------------------------------------------------------------------
// The client side: requests retried with one idempotency key, and a tally of what happened.

#[derive(Default, Debug)]
struct Tally {
    sent: u64,
    accepted: u64,
    replayed: u64,
    retried: u64,
    server_errors: BTreeMap<u16, u64>,
    /// 409: the same key is still being processed (or its claim awaits takeover).
    in_progress: u64,
    transport_errors: u64,
    timeouts: u64,
    /// 5xx answers not in the `{type, message, param}` shape.
    misshapen: Vec<String>,
    /// One 5xx body, to show what a caller sees.
    sample_error: Option<String>,
    slowest: Duration,
}

impl Tally {
    fn failures(&self) -> u64 {
        self.server_errors.values().sum::<u64>()
            + self.in_progress
            + self.transport_errors
            + self.timeouts
    }
}

/// The wire error shape: an object with a `type` and a non-empty `message`, and nothing but
/// `type`, `message` and `param`.
fn wire_error(text: &str) -> Result<(), String> {
    let body: Value = serde_json::from_str(text).map_err(|_| format!("not JSON: {text}"))?;
    let obj = body.as_object().ok_or(format!("not an object: {text}"))?;
    let ok = obj["type"].as_str().is_some_and(|t| !t.is_empty())
        && obj
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty())
        && obj
            .keys()
            .all(|k| ["type", "message", "param"].contains(&k.as_str()));
    if ok {
        Ok(())
    } else {
        Err(format!("not the wire error shape: {text}"))
    }
}

#[derive(Clone)]
struct Api {
    base: String,
    http: reqwest::Client,
    tally: Arc<Mutex<Tally>>,
}

impl Api {
    fn new(server: &ServerProcess) -> Self {
        Api {
            base: server.base.clone(),
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .unwrap(),
            tally: Arc::default(),
        }
    }

    /// The tally, also after a journey panicked holding it.
    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn tally<T>(&self, read: impl FnOnce(&Tally) -> T) -> T {
        read(&self.lock())
    }

    /// POSTs `body` until it is accepted, with `idempotency_key` on every attempt; the body.
    async fn post(&self, key: &str, path: &str, body: &Value, idempotency_key: &str) -> Value {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let sent_at = Instant::now();
            let answer = match self
                .http
                .post(format!("{}{path}", self.base))
                .header("Authorization", key)
                .header("Idempotency-Key", idempotency_key)
                .json(body)
                .send()
                .await
            {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let replayed = r.headers().contains_key("idempotent-replayed");
                    r.text().await.map(|text| (status, replayed, text))
                }
                Err(e) => Err(e),
            };
            let last = {
                let mut t = self.lock();
                t.sent += 1;
                t.slowest = t.slowest.max(sent_at.elapsed());
                match answer {
                    Ok((status, replayed, text)) if (200..300).contains(&status) => {
                        t.accepted += 1;
                        t.replayed += u64::from(replayed);
                        return serde_json::from_str(&text).unwrap();
                    }
                    Ok((status, _, text)) if status >= 500 => {
                        *t.server_errors.entry(status).or_default() += 1;
                        if let Err(e) = wire_error(&text) {
                            t.misshapen.push(format!("POST {path}: {status}: {e}"));
                        }
                        t.sample_error
                            .get_or_insert_with(|| format!("{status} {text}"));
                        format!("{status} {text}")
                    }
                    Ok((409, _, text)) => {
                        t.in_progress += 1;
                        format!("409 {text}")
                    }
                    Ok((status, _, text)) => {
                        drop(t);
                        panic!("POST {path} (key {idempotency_key}) answered {status}: {text}")
                    }
                    Err(e) => {
                        if e.is_timeout() {
                            t.timeouts += 1;
                        } else {
                            t.transport_errors += 1;
                        }
                        e.to_string()
                    }
                }
            };
            self.lock().retried += 1;
            attempt += 1;
            assert!(
                started.elapsed() < GIVE_UP_AFTER,
                "POST {path} (key {idempotency_key}) still failing after {attempt} attempts: {last}"
            );
            let backoff = (50u64 << attempt.min(5)).min(1000);
            tokio::time::sleep(Duration::from_millis(backoff)).await;
        }
    }

    /// A GET that must answer 200; the body.
    async fn get(&self, key: &str, path: &str) -> Value {
        let (status, text, _) = self.probe(key, path).await;
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A GET, whatever it answers: status (0 for no answer), body and time taken.
    async fn probe(&self, key: &str, path: &str) -> (u16, String, Duration) {
        let started = Instant::now();
        match self
            .http
            .get(format!("{}{path}", self.base))
            .header("Authorization", key)
            .send()
            .await
        {
            Ok(r) => {
                let status = r.status().as_u16();
                (
                    status,
                    r.text().await.unwrap_or_default(),
                    started.elapsed(),
                )
            }
            Err(e) => (0, e.to_string(), started.elapsed()),
        }
    }

    /// Every item of a list endpoint, page by page.
    async fn list_all(&self, key: &str, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        for page in 1.. {
            let join = if path.contains('?') { '&' } else { '?' };
            let body = self
                .get(key, &format!("{path}{join}pageSize=1000&page={page}"))
                .await;
            let got = body["items"].as_array().cloned().unwrap_or_default();
            let done = got.len() < 1000;
            items.extend(got);
            if done {
                break;
            }
        }
        items
    }

    /// The sha-256 of a download's `data`, or why there is none.
    async fn download_sha(&self, key: &str, path: &str) -> Result<String, String> {
        let (status, text, _) = self.probe(key, path).await;
        if status != 200 {
            return Err(format!("GET {path}: {status} {text}"));
        }
        let body: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(body["data"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        Ok(sha256_hex(&data))
    }
}

// ---------------------------------------------------------------------------------------------
// The load: journeys of an integrator onboarding one person.

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Test,
    Live,
}

struct Keys {
    test: String,
    live: String,
}

impl Keys {
    fn of(&self, mode: Mode) -> &str {
        match mode {
            Mode::Test => &self.test,
            Mode::Live => &self.live,
        }
    }

    fn create(cluster: &Cluster) -> Self {
        let key = |mode: &str| {
            let out = cluster
                .command()
                .args(["keys", "create", "--mode", mode])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        Keys {
            test: key("test"),
            live: key("live"),
        }
    }
}

/// What one journey got accepted.
#[derive(Clone, Debug)]
struct Journey {
    mode: Mode,
    email: String,
    client: String,
    document: String,
    front_sha: String,
    /// The live photo and its sha-256 (test keys only: live keys inspect photos for a face).
    photo: Option<(String, String)>,
    checks: Vec<String>,
}

/// A distinct image per journey (below 10,000) and side, so every stored file has its own
/// digest.
fn image(n: usize, side: u32) -> Vec<u8> {
    let (w, h) = (
        u32::try_from(n % 200).unwrap(),
        u32::try_from(n / 200 % 50).unwrap(),
    );
    match side {
        0 => jpeg(320 + w, 240 + h),
        _ => jpeg(300 + w, 300 + h),
    }
}

/// A client, a passport with its front uploaded and, with a test key, a live photo (live keys
/// inspect photos for a real face): what the checks of a journey need.
async fn onboard(api: &Api, keys: &Keys, tag: &str, n: usize, mode: Mode) -> Journey {
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
async fn journey(api: &Api, keys: &Keys, tag: &str, n: usize, mode: Mode) -> Journey {
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
async fn live_document_check(api: &Api, keys: &Keys, j: &Journey, tag: &str, n: usize) -> String {
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
struct Load {
    /// Journeys numbered from `first`.
    first: usize,
    journeys: usize,
    /// Every n-th journey uses the live key (0: none).
    live_every: usize,
    /// Journeys started per second.
    per_second: u32,
    /// Journeys running at once at most.
    concurrency: usize,
}

fn mode_of(load: &Load, n: usize) -> Mode {
    if load.live_every > 0 && n % load.live_every == load.live_every - 1 {
        Mode::Live
    } else {
        Mode::Test
    }
}

/// Runs a load to its end: every journey finishes (its requests are retried until accepted).
async fn run_load(api: Api, keys: Arc<Keys>, tag: String, load: Load) -> Vec<Journey> {
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

#[derive(Default)]
struct Inbox {
    /// (event id, event type, resource id) of every delivery, repeats included.
    deliveries: Vec<(String, String, String)>,
}

async fn receive(State(inbox): State<Arc<Mutex<Inbox>>>, body: Bytes) -> StatusCode {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let field = |v: &Value| v.as_str().unwrap_or_default().to_string();
    inbox.lock().unwrap().deliveries.push((
        field(&v["id"]),
        field(&v["type"]),
        field(&v["payload"]["id"]),
    ));
    StatusCode::OK
}

/// A receiver on 127.0.0.1, subscribed to `check.completed` for both keys.
async fn webhook_receiver(api: &Api, keys: &Keys, tag: &str) -> Arc<Mutex<Inbox>> {
    let inbox: Arc<Mutex<Inbox>> = Arc::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(inbox.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    for mode in [Mode::Test, Mode::Live] {
        api.post(
            keys.of(mode),
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["check.completed"]}),
            &format!("{tag}-webhook-{mode:?}"),
        )
        .await;
    }
    inbox
}

// ---------------------------------------------------------------------------------------------
// Waiting and counting.

/// Waits until no check of either key is pending.
async fn wait_until_settled(api: &Api, keys: &Keys, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let mut pending = 0;
        for mode in [Mode::Test, Mode::Live] {
            let page = api
                .get(keys.of(mode), "/v1/checks?status=pending&pageSize=1")
                .await;
            pending += page["totalItems"].as_u64().unwrap();
        }
        if pending == 0 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{pending} checks still pending after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until every check's completion has reached the receiver.
async fn wait_for_deliveries(inbox: &Arc<Mutex<Inbox>>, checks: &[String], within: Duration) {
    let started = Instant::now();
    loop {
        let got: HashSet<String> = inbox
            .lock()
            .unwrap()
            .deliveries
            .iter()
            .map(|(_, _, r)| r.clone())
            .collect();
        let missing = checks.iter().filter(|c| !got.contains(*c)).count();
        if missing == 0 {
            return;
        }
        if started.elapsed() > within {
            // Left for the verification to report, with the rest.
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn all_events(store: &dyn Store) -> Vec<StoredEvent> {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = store.events_after(after, 1000).await.unwrap();
        let Some(last) = page.last() else {
            return events;
        };
        after = last.seq;
        events.extend(page);
    }
}

/// Files in a local blob folder.
fn local_objects(root: &Path) -> usize {
    let mut count = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                count += 1;
            }
        }
    }
    count
}

/// What the verification found; every count of lost or duplicated things must be zero.
#[derive(Default, Debug)]
struct Verified {
    journeys: usize,
    clients: usize,
    checks: usize,
    events: usize,
    deliveries: usize,
    files: usize,
    stored_objects: usize,
    lost_checks: usize,
    duplicated_checks: usize,
    lost_events: usize,
    duplicated_events: usize,
    lost_files: usize,
    duplicated_files: usize,
    problems: Vec<String>,
}

impl Verified {
    fn problem(&mut self, what: String) {
        if self.problems.len() < 40 {
            self.problems.push(what);
        }
    }
}

/// Counts what the server holds against what the journeys got accepted.
async fn verify(
    api: &Api,
    keys: &Keys,
    journeys: &[Journey],
    events: &[StoredEvent],
    inbox: &Inbox,
    stored_objects: usize,
) -> Verified {
    let mut v = Verified {
        journeys: journeys.len(),
        stored_objects,
        events: events.len(),
        deliveries: inbox.deliveries.len(),
        ..Verified::default()
    };
    // What the server holds: clients by email, the rest by client.
    let mut clients_by_email: HashMap<String, Vec<String>> = HashMap::new();
    for mode in [Mode::Test, Mode::Live] {
        for c in api.list_all(keys.of(mode), "/v1/clients").await {
            clients_by_email
                .entry(c["email"].as_str().unwrap_or_default().to_string())
                .or_default()
                .push(c["id"].as_str().unwrap().to_string());
        }
    }
    let mut by_client: HashMap<(&str, String), Vec<Value>> = HashMap::new();
    for j in journeys {
        for (kind, path) in [
            ("document", "/v1/documents"),
            ("livePhoto", "/v1/livePhotos"),
            ("check", "/v1/checks"),
        ] {
            let items = api
                .list_all(keys.of(j.mode), &format!("{path}?clientId={}", j.client))
                .await;
            by_client.insert((kind, j.client.clone()), items);
        }
    }
    let mut events_of: HashMap<&str, Vec<&StoredEvent>> = HashMap::new();
    let mut event_ids = HashSet::new();
    for e in events {
        if !event_ids.insert(e.event.id.as_str()) {
            v.duplicated_events += 1;
            v.problem(format!("event id {} stored twice", e.event.id));
        }
        events_of
            .entry(e.event.resource_id.as_str())
            .or_default()
            .push(e);
    }
    let mut delivered: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (event, kind, resource) in &inbox.deliveries {
        if kind == "check.completed" {
            delivered.entry(resource).or_default().insert(event);
        }
    }

    for j in journeys {
        let key = keys.of(j.mode);
        v.clients += 1;
        match clients_by_email.get(&j.email).map(Vec::as_slice) {
            Some([one]) if *one == j.client => {}
            other => v.problem(format!("client {}: stored as {other:?}", j.email)),
        }
        let held = |kind: &'static str| {
            by_client
                .get(&(kind, j.client.clone()))
                .cloned()
                .unwrap_or_default()
        };
        // The document, its one front image, and the bytes of every accepted file.
        let documents = held("document");
        let images = documents
            .first()
            .and_then(|d| d["images"].as_array().cloned())
            .unwrap_or_default();
        if documents.len() != 1 || documents[0]["id"] != j.document.as_str() || images.len() != 1 {
            v.duplicated_files += images.len().saturating_sub(1);
            v.problem(format!(
                "document of {}: {} stored, {} images",
                j.client,
                documents.len(),
                images.len()
            ));
        }
        let mut files = vec![(
            format!("/v1/documents/{}/download/front", j.document),
            j.front_sha.clone(),
        )];
        let photos = held("livePhoto");
        match &j.photo {
            Some((photo, sha)) => {
                files.push((format!("/v1/livePhotos/{photo}/download"), sha.clone()));
                if photos.len() != 1 || photos[0]["id"] != photo.as_str() {
                    v.duplicated_files += photos.len().saturating_sub(1);
                    v.problem(format!(
                        "live photos of {}: {} stored",
                        j.client,
                        photos.len()
                    ));
                }
            }
            None if !photos.is_empty() => {
                v.duplicated_files += photos.len();
                v.problem(format!("unexpected live photos of {}", j.client));
            }
            None => {}
        }
        for (path, sha) in files {
            v.files += 1;
            match api.download_sha(key, &path).await {
                Ok(got) if got == sha => {}
                Ok(_) => {
                    v.lost_files += 1;
                    v.problem(format!("{path}: other bytes than uploaded"));
                }
                Err(e) => {
                    v.lost_files += 1;
                    v.problem(e);
                }
            }
        }
        // The checks: exactly those accepted, each complete, each with its events once.
        let checks = held("check");
        let stored: HashSet<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
        v.duplicated_checks += checks.len().saturating_sub(j.checks.len());
        for id in &j.checks {
            v.checks += 1;
            let Some(check) = checks.iter().find(|c| c["id"] == id.as_str()) else {
                v.lost_checks += 1;
                v.problem(format!("check {id} of {} is missing", j.client));
                continue;
            };
            if check["status"] != "complete" {
                v.lost_checks += 1;
                v.problem(format!(
                    "check {id} ({}) is {}: {}",
                    check["type"], check["status"], check["failureReason"]
                ));
                continue;
            }
            let outcome = check["result"]["outcome"].as_str().unwrap_or_default();
            let mut types: Vec<&str> = events_of
                .get(id.as_str())
                .map(|es| es.iter().map(|e| e.event.event_type.as_str()).collect())
                .unwrap_or_default();
            types.sort_unstable();
            let completed = format!("check.completed.{outcome}");
            let mut expected = vec!["check.completed", completed.as_str(), "check.pending"];
            expected.sort_unstable();
            if types != expected {
                let missing = expected.iter().filter(|t| !types.contains(t)).count();
                v.lost_events += missing;
                v.duplicated_events += types.len() + missing - expected.len();
                v.problem(format!("events of check {id}: {types:?}"));
            }
            let completion: Vec<&str> = events_of
                .get(id.as_str())
                .into_iter()
                .flatten()
                .filter(|e| e.event.event_type == "check.completed")
                .map(|e| e.event.id.as_str())
                .collect();
            let got = delivered.get(id.as_str()).cloned().unwrap_or_default();
            match (completion.as_slice(), got.len()) {
                ([event], 1) if got.contains(event) => {}
                (_, 0) => {
                    v.lost_events += 1;
                    v.problem(format!("check.completed of {id} never delivered"));
                }
                _ => {
                    v.duplicated_events += got.len().saturating_sub(1);
                    v.problem(format!(
                        "check.completed of {id}: stored {completion:?}, delivered {got:?}"
                    ));
                }
            }
        }
        if stored.len() != j.checks.len() {
            v.problem(format!(
                "{} holds {} checks, {} were accepted",
                j.client,
                stored.len(),
                j.checks.len()
            ));
        }
        // Other resources' events: each kind once (a retried write would add a second).
        for id in [&j.client, &j.document]
            .into_iter()
            .chain(j.photo.as_ref().map(|(p, _)| p))
        {
            let mut seen = HashSet::new();
            for e in events_of.get(id.as_str()).into_iter().flatten() {
                if !seen.insert(e.event.event_type.as_str()) {
                    v.duplicated_events += 1;
                    v.problem(format!("{} of {id} stored twice", e.event.event_type));
                }
            }
        }
        if !events_of
            .get(j.client.as_str())
            .is_some_and(|es| es.iter().any(|e| e.event.event_type == "client.created"))
        {
            v.lost_events += 1;
            v.problem(format!("client.created of {} is missing", j.client));
        }
    }
    // Every stored object is an accepted file or a leftover of a refused upload (never read).
    if stored_objects < v.files {
        v.problem(format!(
            "{stored_objects} objects stored for {} accepted files",
            v.files
        ));
    }
    v
}

/// The scenario's report, then the verdict.
fn report(
    scenario: &str,
    api: &Api,
    v: &Verified,
    faults: &[String],
    elapsed: Duration,
    log: &Path,
) {
    let t = api.tally(|t| {
        format!(
            "requests: {} sent, {} accepted ({} replayed), {} retried after {} failures \
             (5xx {:?}, 409 in progress {}, transport {}, timeouts {}); slowest answer {:.1} s",
            t.sent,
            t.accepted,
            t.replayed,
            t.retried,
            t.failures(),
            t.server_errors,
            t.in_progress,
            t.transport_errors,
            t.timeouts,
            t.slowest.as_secs_f64()
        )
    });
    let sample = api.tally(|t| t.sample_error.clone().unwrap_or_else(|| "none".into()));
    let (warnings, errors) = log_counts(log);
    let orphans = v.stored_objects.saturating_sub(v.files);
    let mut out = format!(
        "\n=== reliability: {scenario} ({:.1} s) ===\n",
        elapsed.as_secs_f64()
    );
    for fault in faults {
        let _ = writeln!(out, "fault: {fault}");
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(out, "a failed request answered: {sample}");
    let _ = writeln!(
        out,
        "verified: {} journeys, {} clients, {} checks complete, {} files read back, \
         {} outbox events, {} webhook deliveries; {} stored objects ({} unreferenced, from \
         refused uploads)",
        v.journeys,
        v.clients,
        v.checks - v.lost_checks,
        v.files - v.lost_files,
        v.events,
        v.deliveries,
        v.stored_objects,
        orphans
    );
    let _ = writeln!(
        out,
        "lost: checks {}, events {}, files {}; duplicated: checks {}, events {}, files {}",
        v.lost_checks,
        v.lost_events,
        v.lost_files,
        v.duplicated_checks,
        v.duplicated_events,
        v.duplicated_files
    );
    let _ = writeln!(
        out,
        "server log ({}): {warnings} warnings, {errors} errors",
        log.display()
    );
    eprintln!("{out}");
    let refused = api.tally(|t| t.server_errors.values().sum::<u64>());
    assert!(
        orphans as u64 <= refused,
        "{orphans} unreferenced objects but only {refused} refused requests"
    );
    let hung = api.tally(|t| t.timeouts);
    assert_eq!(hung, 0, "requests unanswered after {REQUEST_TIMEOUT:?}");
    let misshapen = api.tally(|t| t.misshapen.clone());
    assert!(
        misshapen.is_empty(),
        "errors not in the wire shape: {misshapen:#?}"
    );
    assert!(
        v.problems.is_empty(),
        "{scenario}: {} problems:\n{}",
        v.problems.len(),
        v.problems.join("\n")
    );
    assert_eq!(
        (
            v.lost_checks,
            v.lost_events,
            v.lost_files,
            v.duplicated_checks,
            v.duplicated_events,
            v.duplicated_files
        ),
        (0, 0, 0, 0, 0, 0)
    );
}

async fn metric(server: &ServerProcess, name: &str) -> u64 {
    server.metric(&format!("{name} ")).await
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: PostgreSQL restarted in the middle of the load.

/// A disposable PostgreSQL cluster of this test's own, run by the `postgres` user.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    fn bin_dir() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("pg_ctl").exists() && p.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop()
    }

    fn as_postgres(&self, program: &str, args: &[&str]) -> std::process::Output {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn start() -> Self {
        let bin = Self::bin_dir()
            .expect("the PostgreSQL server binaries (/usr/lib/postgresql/*/bin, Debian's postgresql package)");
        let dir = tempfile::Builder::new()
            .prefix("clearance-reliability-pg")
            .tempdir()
            .unwrap();
        let chown = Command::new("chown")
            .args(["postgres:"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(
            chown.success(),
            "chown to postgres (the suite runs as root)"
        );
        let pg = PrivatePostgres {
            dir,
            bin,
            port: free_port(),
        };
        let data = pg.data();
        let init = pg.as_postgres(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        );
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        pg.ctl(&["start", "-w"]);
        pg
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// `pg_ctl` with the cluster's folder, log, port and socket folder.
    fn ctl(&self, args: &[&str]) {
        let data = self.data();
        let log = self.dir.path().join("postgres.log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let mut all = vec!["-D", &data, "-l", &log, "-o", &options];
        all.extend_from_slice(args);
        let out = self.as_postgres("pg_ctl", &all);
        assert!(
            out.status.success(),
            "pg_ctl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.as_postgres("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}

/// Runs `ctl` on a blocking thread; how long it took.
async fn pg_ctl(pg: &Arc<PrivatePostgres>, args: &'static [&'static str]) -> Duration {
    let pg = pg.clone();
    let started = Instant::now();
    tokio::task::spawn_blocking(move || pg.ctl(args))
        .await
        .unwrap();
    started.elapsed()
}

fn server_env(latency_ms: u64) -> Vec<(&'static str, String)> {
    vec![
        ("CLEARANCE_WORKERS", "8".into()),
        ("CLEARANCE_SANDBOX_LATENCY_MS", latency_ms.to_string()),
    ]
}

fn cluster(data_dir: &Path, database_url: Option<String>, log: &Path) -> Cluster {
    Cluster::new(BIN, data_dir, database_url)
        .env("CLEARANCE_LOG_FORMAT", "text")
        .env("CLEARANCE_RATE_LIMIT_LIVE", "0")
        .env("CLEARANCE_WEBHOOK_ALLOW_PRIVATE", "true")
        // Webhook retries 600 times sooner: 60 s → 100 ms.
        .env("CLEARANCE_WEBHOOK_RETRY_DIVISOR", "600")
        // No list import at start (live document checks do not screen).
        .env("CLEARANCE_LISTS_SNAPSHOT", "off")
        .log_to(log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load() {
    if !enabled("postgres_restarted_under_load") {
        return;
    }
    let started = Instant::now();
    let pg = Arc::new(
        tokio::task::spawn_blocking(PrivatePostgres::start)
            .await
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let log = log_path("postgres");
    let cluster = cluster(&dir.path().join("data"), Some(pg.url()), &log);
    let keys = Arc::new(Keys::create(&cluster));
    let server = cluster.serve(&server_env(30)).await;
    let api = Api::new(&server);
    let inbox = webhook_receiver(&api, &keys, "pg").await;

    let load = Load {
        first: 0,
        journeys: 80,
        live_every: 10,
        per_second: 16,
        concurrency: 16,
    };
    let faults = async {
        let mut faults = Vec::new();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let before = api.tally(|t| t.accepted);
        let took = pg_ctl(&pg, &["restart", "-m", "fast", "-w"]).await;
        faults.push(format!(
            "PostgreSQL fast restart after {before} accepted requests (down and up in {:.1} s)",
            took.as_secs_f64()
        ));
        tokio::time::sleep(Duration::from_millis(2000)).await;
        let before = api.tally(|t| t.accepted);
        pg_ctl(&pg, &["stop", "-m", "immediate", "-w"]).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let took = pg_ctl(&pg, &["start", "-w"]).await;
        faults.push(format!(
            "PostgreSQL immediate stop (a crash) after {before} accepted requests, down 3 s, \
             recovered and up in {:.1} s",
            took.as_secs_f64()
        ));
        faults
    };
    let (journeys, faults) = tokio::join!(
        run_load(api.clone(), keys.clone(), "pg".into(), load),
        faults
    );
    let load_done = api.tally(|t| t.accepted);
    assert!(
        api.tally(Tally::failures) > 0,
        "the restarts should have failed some requests"
    );
    let settled = wait_until_settled(&api, &keys, Duration::from_secs(120)).await;
    let checks: Vec<String> = journeys.iter().flat_map(|j| j.checks.clone()).collect();
    wait_for_deliveries(&inbox, &checks, Duration::from_secs(60)).await;

    let store = clearance_store_postgres::connect(&pg.url(), None)
        .await
        .unwrap();
    let events = all_events(&store).await;
    let objects = local_objects(&dir.path().join("data").join("blobs"));
    let verified = {
        let inbox = inbox.lock().unwrap().deliveries.clone();
        verify(
            &api,
            &keys,
            &journeys,
            &events,
            &Inbox { deliveries: inbox },
            objects,
        )
        .await
    };
    let mut faults = faults;
    faults.push(format!(
        "{load_done} requests accepted by the end of the load; every check settled {:.1} s later; \
         jobs retried {}, buried {}",
        settled.as_secs_f64(),
        metric(&server, "clearance_jobs_total{outcome=\"retried\"}").await,
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await
    ));
    report(
        "PostgreSQL restarted under load",
        &api,
        &verified,
        &faults,
        started.elapsed(),
        &log,
    );
    assert_eq!(
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await,
        0,
        "no job gave up"
    );
}

// ---------------------------------------------------------------------------------------------
// Scenario 2: the S3 service stopped and started again.

/// A TCP proxy that can be stopped (its port refuses connections and every open connection is
/// cut, as when the service behind it dies) and started again on the same port.
struct FaultProxy {
    port: u16,
    target: SocketAddr,
    accept: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl FaultProxy {
    async fn start(target: SocketAddr) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Arc::new(FaultProxy {
            port: listener.local_addr().unwrap().port(),
            target,
            accept: Mutex::new(None),
            connections: Arc::default(),
        });
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (target, connections) = (self.target, self.connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut open = connections.lock().unwrap();
                open.retain(|c| !c.is_finished());
                open.push(pipe.abort_handle());
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// Stops: the listener closes and open connections are cut; how many were cut.
    fn stop(&self) -> usize {
        if let Some(task) = self.accept.lock().unwrap().take() {
            task.abort();
        }
        let open: Vec<AbortHandle> = std::mem::take(&mut *self.connections.lock().unwrap());
        let cut = open.iter().filter(|c| !c.is_finished()).count();
        for c in open {
            c.abort();
        }
        cut
    }

    /// Starts again on the same port.
    async fn resume(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => return self.serve(listener),
                Err(e) => {
                    assert!(Instant::now() < deadline, "port {} taken: {e}", self.port);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// Objects under `prefix/` in a bucket of the S3-compatible server (moto).
async fn s3_objects(endpoint: &str, bucket: &str, prefix: &str) -> usize {
    let mut count = 0;
    let mut token: Option<String> = None;
    loop {
        let mut url = format!("{endpoint}/{bucket}?list-type=2&prefix={prefix}/");
        if let Some(t) = &token {
            url.push_str(&format!("&continuation-token={t}"));
        }
        let text = reqwest::get(url).await.unwrap().text().await.unwrap();
        count += text.matches("<Key>").count();
        let next = text
            .split_once("<NextContinuationToken>")
            .and_then(|(_, rest)| rest.split_once("</NextContinuationToken>"))
            .map(|(t, _)| t.to_string());
        match next {
            Some(t) if text.contains("<IsTruncated>true</IsTruncated>") => token = Some(t),
            _ => return count,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s3_stopped_and_started_under_load() {
    if !enabled("s3_stopped_and_started_under_load") {
        return;
    }
    let endpoint = std::env::var("CLEARANCE_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
        .expect("CLEARANCE_TEST_S3_ENDPOINT: run the suite through tests/support/with-moto.sh");
    let started = Instant::now();
    let moto: SocketAddr = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let bucket = "clearance-reliability";
    let _ = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    let prefix = format!("run-{}-{}", std::process::id(), free_port());
    let proxy = FaultProxy::start(moto).await;

    let dir = tempfile::tempdir().unwrap();
    let log = log_path("s3");
    let cluster = cluster(&dir.path().join("data"), None, &log)
        .env("CLEARANCE_BLOB_URL", &format!("s3://{bucket}/{prefix}"))
        .env(
            "CLEARANCE_S3_ENDPOINT",
            &format!("http://127.0.0.1:{}", proxy.port),
        )
        .env("CLEARANCE_S3_ALLOW_HTTP", "true")
        .env("CLEARANCE_S3_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing");
    let keys = Arc::new(Keys::create(&cluster));
    let server = cluster.serve(&server_env(30)).await;
    let api = Api::new(&server);
    let inbox = webhook_receiver(&api, &keys, "s3").await;

    // Live journeys whose document checks are created while the files cannot be read: their
    // analyses fail to read the file and must run again once S3 is back.
    let mut live = Vec::new();
    for n in 2000..2004 {
        live.push(onboard(&api, &keys, "s3", n, Mode::Live).await);
    }
    // A client and document of their own to probe uploads with during the outage (outside
    // the count: the upload may fail).
    let probe_client = api
        .post(
            keys.of(Mode::Test),
            "/v1/clients",
            &json!({"type": "person", "email": "s3-probe@example.org",
                "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}}),
            "s3-probe-client",
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let probe_document = api
        .post(
            keys.of(Mode::Test),
            "/v1/documents",
            &json!({"clientId": probe_client, "type": "passport",
                "classification": "proof_of_identity", "issuingCountry": "GB"}),
            "s3-probe-document",
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A live document check before the outage, so the document engine is loaded by then.
    let warm = journey(&api, &keys, "s3", 2100, Mode::Live).await;

    let load = Load {
        first: 0,
        journeys: 60,
        live_every: 0,
        per_second: 12,
        concurrency: 12,
    };
    let outage = Duration::from_secs(6);
    let faults = async {
        let mut faults = Vec::new();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let before = api.tally(|t| t.accepted);
        let cut = proxy.stop();
        let stopped = Instant::now();
        // Checks whose analysis needs a file nobody can read now (their creation needs only
        // the database), then what a caller sees: a download, and an upload to a document of
        // its own (not counted: it may fail).
        let mut created = Vec::new();
        for (i, j) in live.iter().enumerate() {
            created.push(live_document_check(&api, &keys, j, "s3", 2000 + i).await);
        }
        let download_path = format!("/v1/documents/{}/download/front", live[0].document);
        let download = api.probe(keys.of(Mode::Live), &download_path);
        let upload = async {
            let started = Instant::now();
            match api
                .http
                .post(format!(
                    "{}/v1/documents/{}/upload/front",
                    api.base, probe_document
                ))
                .header("Authorization", keys.of(Mode::Test))
                .json(&json!({"fileName": "probe.jpg", "data": b64(&image(3000, 0))}))
                .send()
                .await
            {
                Ok(r) => format!(
                    "{} in {:.1} s",
                    r.status().as_u16(),
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => format!("no answer: {e}"),
            }
        };
        let ((status, text, took), upload_probe, ()) = tokio::join!(
            download,
            upload,
            tokio::time::sleep(outage.saturating_sub(stopped.elapsed()))
        );
        proxy.resume().await;
        faults.push(format!(
            "S3 stopped after {before} accepted requests ({cut} open connections cut), \
             started again {:.1} s later",
            stopped.elapsed().as_secs_f64()
        ));
        faults.push(format!(
            "during the outage: a download answered {status} in {:.1} s ({text}); an upload \
             answered {upload_probe}; {} live document checks were created, to run on files \
             they cannot read yet",
            took.as_secs_f64(),
            created.len()
        ));
        // A clear error, or (when the blob client's retries outlasted the outage) the file.
        if status == 200 {
            let sha = api.download_sha(keys.of(Mode::Live), &download_path).await;
            assert_eq!(
                sha,
                Ok(live[0].front_sha.clone()),
                "a download across the outage"
            );
        } else {
            assert!(
                status >= 500,
                "a download during the outage: {status} {text}"
            );
            wire_error(&text).unwrap();
        }
        (faults, created)
    };
    let (mut journeys, (mut faults, created)) = tokio::join!(
        run_load(api.clone(), keys.clone(), "s3".into(), load),
        faults
    );
    assert!(
        api.tally(|t| t.server_errors.values().sum::<u64>()) > 0,
        "the outage should have failed some uploads"
    );
    for (mut j, check) in live.into_iter().zip(created) {
        j.checks.push(check);
        journeys.push(j);
    }
    journeys.push(warm);
    let settled = wait_until_settled(&api, &keys, Duration::from_secs(120)).await;
    let checks: Vec<String> = journeys.iter().flat_map(|j| j.checks.clone()).collect();
    wait_for_deliveries(&inbox, &checks, Duration::from_secs(60)).await;
    let store = clearance_store_sqlite::open(&dir.path().join("data").join("clearance.db"))
        .await
        .unwrap();
    let events = all_events(&store).await;
    // The probe's upload is an accepted file too when it got through.
    let probed = api
        .get(
            keys.of(Mode::Test),
            &format!("/v1/documents/{probe_document}"),
        )
        .await["images"]
        .as_array()
        .map_or(0, Vec::len);
    let objects = s3_objects(&endpoint, bucket, &prefix).await - probed;
    let deliveries = inbox.lock().unwrap().deliveries.clone();
    let verified = verify(
        &api,
        &keys,
        &journeys,
        &events,
        &Inbox { deliveries },
        objects,
    )
    .await;
    faults.push(format!(
        "every check settled {:.1} s after the load; jobs retried {}, buried {}",
        settled.as_secs_f64(),
        metric(&server, "clearance_jobs_total{outcome=\"retried\"}").await,
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await
    ));
    report(
        "S3 stopped and started under load",
        &api,
        &verified,
        &faults,
        started.elapsed(),
        &log,
    );
    assert_eq!(
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await,
        0,
        "no job gave up"
    );
}

// ---------------------------------------------------------------------------------------------
// Scenario 3: the data directory's disk full.

/// A tmpfs mounted for the test; unmounted when dropped, also when the test fails.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Self {
        std::fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mount a tmpfs (the suite needs root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(path.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.0).output();
        if !unmounted.is_ok_and(|o| o.status.success()) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).output();
        }
    }
}

/// Writes `path` until the disk is full, then gives `leave` bytes back; the file's size.
fn fill(path: &Path, leave: u64) -> u64 {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5a_u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    let size = written.saturating_sub(leave);
    file.set_len(size).unwrap();
    size
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_disk_full_under_load() {
    if !enabled("data_disk_full_under_load") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = log_path("disk");
    // Declared before the server and the store: unmounted after they are dropped.
    let _tmpfs = Tmpfs::mount(&data_dir, "48m");
    let cluster = cluster(&data_dir, None, &log);
    let keys = Arc::new(Keys::create(&cluster));
    let mut server = cluster.serve(&server_env(30)).await;
    let api = Api::new(&server);
    let inbox = webhook_receiver(&api, &keys, "disk").await;

    // Before: a load on a disk with room.
    let before = run_load(
        api.clone(),
        keys.clone(),
        "disk".into(),
        Load {
            first: 0,
            journeys: 20,
            live_every: 10,
            per_second: 20,
            concurrency: 8,
        },
    )
    .await;
    assert_eq!(
        api.tally(Tally::failures),
        0,
        "no failure before the disk fills"
    );

    // Full: a filler takes all but 256 KiB while another load runs.
    let filler = data_dir.join("filler");
    let filled = fill(&filler, 256 * 1024);
    let full_at = Instant::now();
    let during = tokio::spawn(run_load(
        api.clone(),
        keys.clone(),
        "disk".into(),
        Load {
            first: 100,
            journeys: 30,
            live_every: 10,
            per_second: 20,
            concurrency: 8,
        },
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    while api.tally(|t| t.server_errors.values().sum::<u64>()) < 10 {
        assert!(
            Instant::now() < deadline,
            "writes never failed on the full disk"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server stays up and serves what it holds.
    let (health, _, _) = api.probe("", "/healthz").await;
    let (status, text, _) = api
        .probe(
            keys.of(Mode::Test),
            &format!("/v1/documents/{}/download/front", before[0].document),
        )
        .await;
    let read_back = status == 200
        && api
            .download_sha(
                keys.of(Mode::Test),
                &format!("/v1/documents/{}/download/front", before[0].document),
            )
            .await
            == Ok(before[0].front_sha.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let failed_while_full = api.tally(Tally::failures);
    assert_eq!(
        server.wait_exit(Duration::ZERO).await,
        None,
        "the server stays up on a full disk"
    );
    assert_eq!(health, 200, "/healthz on a full disk");
    assert!(
        read_back,
        "a stored file reads back on a full disk: {status} {text}"
    );

    // Freed: the load finishes.
    std::fs::remove_file(&filler).unwrap();
    let full_for = full_at.elapsed();
    let mut journeys = during.await.unwrap();
    let after = journey(&api, &keys, "disk", 200, Mode::Test).await;
    journeys.extend(before);
    journeys.push(after);
    let settled = wait_until_settled(&api, &keys, Duration::from_secs(120)).await;
    let checks: Vec<String> = journeys.iter().flat_map(|j| j.checks.clone()).collect();
    wait_for_deliveries(&inbox, &checks, Duration::from_secs(60)).await;

    let db = data_dir.join("clearance.db");
    let integrity = Command::new("sqlite3")
        .arg(&db)
        .arg("PRAGMA integrity_check;")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("sqlite3 not run: {e}"));
    let store = clearance_store_sqlite::open(&db).await.unwrap();
    let events = all_events(&store).await;
    let objects = local_objects(&data_dir.join("blobs"));
    let deliveries = inbox.lock().unwrap().deliveries.clone();
    let verified = verify(
        &api,
        &keys,
        &journeys,
        &events,
        &Inbox { deliveries },
        objects,
    )
    .await;
    let faults = vec![
        format!(
            "data disk (48 MiB tmpfs) filled after {} journeys: a {} MiB filler left 256 KiB; \
             {failed_while_full} requests failed while full; freed after {:.1} s",
            20,
            filled / (1024 * 1024),
            full_for.as_secs_f64()
        ),
        format!(
            "while full: /healthz {health}, an earlier upload read back intact; the server \
             stayed up; SQLite integrity_check after: {integrity}"
        ),
        format!(
            "every check settled {:.1} s after the load; jobs retried {}, buried {}",
            settled.as_secs_f64(),
            metric(&server, "clearance_jobs_total{outcome=\"retried\"}").await,
            metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await
        ),
    ];
    report(
        "data disk full under load",
        &api,
        &verified,
        &faults,
        started.elapsed(),
        &log,
    );
    assert!(
        integrity == "ok" || integrity.starts_with("sqlite3 not run"),
        "SQLite integrity: {integrity}"
    );
    assert_eq!(
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await,
        0,
        "no job gave up"
    );
}
