//! `TestApp`: a real Clearance server on 127.0.0.1 and a random port, over a fresh SQLite file,
//! or over a fresh PostgreSQL schema when `CLEARANCE_TEST_DATABASE_URL` is set.

#![expect(
    clippy::unwrap_used,
    reason = "test harness: a failed unwrap is a failed test"
)]

use std::sync::Arc;
use std::time::Duration;

use clearance::accounts::{create_key, find_or_create_account};
use clearance::blobs::EncryptedBlobs;
use clearance::wiring::{WorkerSettings, build_app, open_store, run_dispatcher, run_membership};
use clearance_api::ApiConfig;
use clearance_blob::{BlobConfig, BlobStore, S3Settings};
use clearance_core::Mode;
use clearance_core::resources::Rules;
use clearance_core::store::Store;
use reqwest::Method;
use serde_json::Value;

/// A running server with one account and a key of each mode.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub test_key: String,
    pub live_key: String,
    pub store: Arc<dyn Store>,
    /// The encrypted blob store behind the server (local files, or S3 when
    /// `CLEARANCE_TEST_S3_ENDPOINT` is set).
    pub blobs: BlobStore,
    /// Where raw blob objects can be read: a folder, or `endpoint/bucket/prefix` for S3.
    pub raw_blobs: RawBlobs,
    pub client: reqwest::Client,
    /// The keys the server signs SDK tokens with (kept in the test's data folder).
    pub token_keys: Arc<clearance_tokens::KeySet>,
    /// How this server was started, so [`TestApp::spawn_peer`] can start another like it.
    node: NodeSettings,
    _stop_workers: tokio::sync::watch::Sender<bool>,
    _dir: Arc<tempfile::TempDir>,
}

/// What a second server on the same database is started with.
#[derive(Clone)]
struct NodeSettings {
    config: ApiConfig,
    run_workers: bool,
    rules: Rules,
    /// The PostgreSQL URL and schema, when the database is PostgreSQL.
    postgres: Option<(String, String)>,
    /// Rate limits shared by the servers on the database (`CLEARANCE_RATE_LIMIT_SCOPE=cluster`).
    cluster_rate_limits: bool,
    /// Webhook endpoints drained at once.
    webhook_workers: usize,
    /// HTTP bureaus live multi-bureau checks ask.
    bureaus: Vec<Arc<dyn clearance_core::bureau::Bureau>>,
}

/// What the servers of one test share: the database, files and keys.
struct Shared {
    store: Arc<dyn Store>,
    blobs: BlobStore,
    raw_blobs: RawBlobs,
    test_key: String,
    live_key: String,
    token_keys: Arc<clearance_tokens::KeySet>,
    dir: Arc<tempfile::TempDir>,
}

/// An answer, with the body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl TestApp {
    /// Starts a server with rate limiting off.
    pub async fn spawn() -> Self {
        Self::spawn_with(ApiConfig {
            rate_limit_test: 0,
            rate_limit_live: 0,
            rate_limit_flow: 0,
            ..ApiConfig::default()
        })
        .await
    }

    /// Starts a server whose live multi-bureau checks also ask `bureaus`.
    pub async fn spawn_with_bureaus(bureaus: Vec<Arc<dyn clearance_core::bureau::Bureau>>) -> Self {
        let config = ApiConfig {
            rate_limit_test: 0,
            rate_limit_live: 0,
            rate_limit_flow: 0,
            ..ApiConfig::default()
        };
        let webhook_workers = WorkerSettings::default().webhook_concurrency;
        Self::start_node(
            config,
            true,
            Rules::default(),
            false,
            webhook_workers,
            bureaus,
        )
        .await
    }

    /// Starts a server whose checks stay `pending`: no workers run them.
    pub async fn spawn_paused() -> Self {
        Self::start(
            ApiConfig {
                rate_limit_test: 0,
                rate_limit_live: 0,
                rate_limit_flow: 0,
                ..ApiConfig::default()
            },
            false,
            Rules::default(),
        )
        .await
    }

    /// Starts a server whose webhooks may target this machine, with the retry schedule divided
    /// by `retry_divisor` (1000 turns 60 s into 60 ms).
    pub async fn spawn_for_webhooks(retry_divisor: u32) -> Self {
        Self::start(
            ApiConfig {
                rate_limit_test: 0,
                rate_limit_live: 0,
                rate_limit_flow: 0,
                ..ApiConfig::default()
            },
            true,
            Rules {
                webhook_allow_private: true,
                webhook_retry_divisor: retry_divisor,
                ..Rules::default()
            },
        )
        .await
    }

    /// Like [`TestApp::spawn_for_webhooks`] (retries in milliseconds), with one webhook runner
    /// that drains an endpoint's queue for at most `drain_slice` at a time.
    pub async fn spawn_for_webhook_slices(drain_slice: Duration) -> Self {
        let config = ApiConfig {
            rate_limit_test: 0,
            rate_limit_live: 0,
            rate_limit_flow: 0,
            ..ApiConfig::default()
        };
        let rules = Rules {
            webhook_allow_private: true,
            webhook_retry_divisor: 1000,
            webhook_drain_slice: drain_slice,
            ..Rules::default()
        };
        Self::start_node(config, true, rules, false, 1, Vec::new()).await
    }

    /// Starts a server with the given HTTP settings.
    pub async fn spawn_with(config: ApiConfig) -> Self {
        Self::start(config, true, Rules::default()).await
    }

    /// Starts a server whose rate limits are shared with its peers ([`TestApp::spawn_peer`]),
    /// which count each other every 100 ms.
    pub async fn spawn_with_cluster_rate_limits(config: ApiConfig) -> Self {
        let webhook_workers = WorkerSettings::default().webhook_concurrency;
        Self::start_node(
            config,
            true,
            Rules::default(),
            true,
            webhook_workers,
            Vec::new(),
        )
        .await
    }

    async fn start(config: ApiConfig, run_workers: bool, rules: Rules) -> Self {
        let webhook_workers = WorkerSettings::default().webhook_concurrency;
        Self::start_node(
            config,
            run_workers,
            rules,
            false,
            webhook_workers,
            Vec::new(),
        )
        .await
    }

    async fn start_node(
        config: ApiConfig,
        run_workers: bool,
        rules: Rules,
        cluster_rate_limits: bool,
        webhook_workers: usize,
        bureaus: Vec<Arc<dyn clearance_core::bureau::Bureau>>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let token_keys = clearance::wiring::load_token_keys(
            None,
            &dir.path().join("tokens").join("keys.json"),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64,
        )
        .unwrap();
        let (store, postgres): (Arc<dyn Store>, _) =
            match std::env::var("CLEARANCE_TEST_DATABASE_URL") {
                Ok(url) if !url.is_empty() => {
                    let schema = clearance_store_postgres::scratch_schema(&url)
                        .await
                        .unwrap();
                    let store = clearance_store_postgres::connect(&url, Some(&schema))
                        .await
                        .unwrap();
                    store.migrate().await.unwrap();
                    (Arc::new(store), Some((url, schema)))
                }
                _ => (open_store(None, dir.path()).await.unwrap(), None),
            };
        let account = find_or_create_account(store.as_ref(), "test-account")
            .await
            .unwrap();
        let test_key = create_key(store.as_ref(), &account.id, Mode::Test)
            .await
            .unwrap();
        let live_key = create_key(store.as_ref(), &account.id, Mode::Live)
            .await
            .unwrap();
        let (blobs, raw_blobs) = open_test_blobs(dir.path()).await;
        let node = NodeSettings {
            config,
            run_workers,
            rules,
            postgres,
            cluster_rate_limits,
            webhook_workers,
            bureaus,
        };
        Self::serve(
            Shared {
                store,
                blobs,
                raw_blobs,
                test_key,
                live_key,
                token_keys,
                dir: Arc::new(dir),
            },
            node,
        )
        .await
    }

    /// The PostgreSQL URL and schema the server runs on, when it runs on PostgreSQL (for tests
    /// that must hold a transaction of their own open beside the server's).
    pub fn postgres(&self) -> Option<(&str, &str)> {
        self.node
            .postgres
            .as_ref()
            .map(|(url, schema)| (url.as_str(), schema.as_str()))
    }

    /// Starts another server on this one's database, blobs and keys, with its own workers,
    /// dispatcher and in-process state: a second node of a cluster. On PostgreSQL it opens its
    /// own connections to the same schema; on SQLite it shares the store (one writer per file).
    pub async fn spawn_peer(&self) -> Self {
        let store: Arc<dyn Store> = match &self.node.postgres {
            Some((url, schema)) => Arc::new(
                clearance_store_postgres::connect(url, Some(schema))
                    .await
                    .unwrap(),
            ),
            None => self.store.clone(),
        };
        let raw_blobs = match &self.raw_blobs {
            RawBlobs::Folder(path) => RawBlobs::Folder(path.clone()),
            RawBlobs::S3 { base } => RawBlobs::S3 { base: base.clone() },
        };
        Self::serve(
            Shared {
                store,
                blobs: self.blobs.clone(),
                raw_blobs,
                test_key: self.test_key.clone(),
                live_key: self.live_key.clone(),
                token_keys: self.token_keys.clone(),
                dir: self._dir.clone(),
            },
            self.node.clone(),
        )
        .await
    }

    /// Serves the API over `shared` on a random port, with workers when `node` says so.
    async fn serve(shared: Shared, node: NodeSettings) -> Self {
        let Shared {
            store,
            blobs,
            raw_blobs,
            test_key,
            live_key,
            token_keys,
            dir,
        } = shared;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = node.config.clone();
        config.public_url = base.clone();
        let settings = WorkerSettings {
            concurrency: 4,
            webhook_concurrency: node.webhook_workers,
            poll_interval: Duration::from_millis(50),
            bureaus: node.bureaus.clone(),
            ..WorkerSettings::default()
        };
        let app = build_app(
            store.clone(),
            Arc::new(EncryptedBlobs(blobs.clone())),
            config,
            node.rules.clone(),
            &settings,
            token_keys.clone(),
        );
        let router = app.router;
        tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let _ = axum::serve(listener, service).await;
        });
        // The workers stop when the app (holding the sender) is dropped.
        let (stop_workers, stop) = tokio::sync::watch::channel(false);
        if node.cluster_rate_limits {
            tokio::spawn(run_membership(
                store.clone(),
                app.api.clone(),
                app.node_id.clone(),
                Duration::from_millis(100),
                stop.clone(),
            ));
        }
        if node.run_workers {
            tokio::spawn(run_dispatcher(
                app.services.clone(),
                app.dispatch_wake.clone(),
                stop.clone(),
            ));
            tokio::spawn(app.workers.run(stop));
        }
        TestApp {
            base,
            test_key,
            live_key,
            store,
            blobs,
            raw_blobs,
            client: reqwest::Client::new(),
            token_keys,
            node,
            _stop_workers: stop_workers,
            _dir: dir,
        }
    }

    /// Keys of a second account: (test, live).
    pub async fn other_account(&self, name: &str) -> (String, String) {
        let account = find_or_create_account(self.store.as_ref(), name)
            .await
            .unwrap();
        (
            create_key(self.store.as_ref(), &account.id, Mode::Test)
                .await
                .unwrap(),
            create_key(self.store.as_ref(), &account.id, Mode::Live)
                .await
                .unwrap(),
        )
    }

    /// Sends a request with an optional key and JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("Authorization", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::read(request.send().await.unwrap()).await
    }

    /// Sends raw bytes with a content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> TestResponse {
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.test_key)
            .header("Content-Type", content_type)
            .body(bytes);
        Self::read(request.send().await.unwrap()).await
    }

    async fn read(response: reqwest::Response) -> TestResponse {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        TestResponse {
            status,
            headers,
            text,
            body,
        }
    }

    /// GET with the test key.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, Some(&self.test_key), None)
            .await
    }

    /// POST JSON with the test key.
    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.send(Method::POST, path, Some(&self.test_key), Some(body))
            .await
    }

    /// DELETE with the test key.
    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Method::DELETE, path, Some(&self.test_key), None)
            .await
    }
}

/// Where the raw (encrypted) objects of a test server live.
pub enum RawBlobs {
    Folder(std::path::PathBuf),
    S3 { base: String },
}

impl RawBlobs {
    /// Every stored object's raw bytes.
    pub async fn all(&self, blobs: &BlobStore) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        match self {
            RawBlobs::Folder(root) => {
                let mut stack = vec![root.clone()];
                while let Some(dir) = stack.pop() {
                    let Ok(entries) = std::fs::read_dir(&dir) else {
                        continue;
                    };
                    for entry in entries.flatten() {
                        let path = entry.path();
                        if path.is_dir() {
                            stack.push(path);
                        } else {
                            out.push(std::fs::read(path).unwrap());
                        }
                    }
                }
            }
            RawBlobs::S3 { base } => {
                for key in blobs.list("").await.unwrap() {
                    let url = format!("{base}/{key}");
                    out.push(
                        reqwest::get(url)
                            .await
                            .unwrap()
                            .bytes()
                            .await
                            .unwrap()
                            .to_vec(),
                    );
                }
            }
        }
        out
    }
}

/// Local encrypted blobs in the test's folder, or a fresh prefix of a bucket on the S3-compatible
/// server named by `CLEARANCE_TEST_S3_ENDPOINT`.
async fn open_test_blobs(dir: &std::path::Path) -> (BlobStore, RawBlobs) {
    let master_key = Some(clearance_core::keys::hash_key(
        &clearance_core::ids::random_alphanumeric(32),
    ));
    match std::env::var("CLEARANCE_TEST_S3_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let bucket = "clearance-tests";
            let _ = reqwest::Client::new()
                .put(format!("{endpoint}/{bucket}"))
                .send()
                .await;
            let prefix = clearance_core::ids::random_alphanumeric(12).to_lowercase();
            let config = BlobConfig {
                url: Some(format!("s3://{bucket}/{prefix}")),
                data_dir: dir.to_path_buf(),
                master_key,
                master_key_file: None,
                s3: S3Settings {
                    endpoint: Some(endpoint.clone()),
                    region: Some("us-east-1".into()),
                    access_key_id: Some("testing".into()),
                    secret_access_key: Some("testing".into()),
                    allow_http: true,
                },
            };
            let store = BlobStore::open(&config).await.unwrap();
            (
                store,
                RawBlobs::S3 {
                    base: format!("{endpoint}/{bucket}/{prefix}"),
                },
            )
        }
        _ => {
            let config = BlobConfig {
                url: None,
                data_dir: dir.to_path_buf(),
                master_key,
                ..BlobConfig::default()
            };
            (
                BlobStore::open(&config).await.unwrap(),
                RawBlobs::Folder(dir.join("blobs")),
            )
        }
    }
}

impl TestResponse {
    /// Asserts the wire error shape and returns `(type, param)`.
    pub fn error(&self) -> (String, Option<String>) {
        let obj = self
            .body
            .as_object()
            .unwrap_or_else(|| panic!("error body is not an object: {}", self.text));
        assert!(
            obj["message"].as_str().is_some_and(|m| !m.is_empty()),
            "errors carry a message: {}",
            self.text
        );
        assert!(
            obj.keys()
                .all(|k| ["type", "message", "param"].contains(&k.as_str())),
            "flat error: {}",
            self.text
        );
        (
            obj["type"].as_str().unwrap().to_string(),
            obj.get("param").and_then(Value::as_str).map(str::to_string),
        )
    }
}

/// Generated test images (noise keeps them above the 34 KB minimum).
pub mod process;

pub mod fixtures {
    use std::io::Cursor;

    use image::{ImageFormat, RgbImage};

    fn noise(width: u32, height: u32) -> RgbImage {
        let mut seed = 0x2545_f491_u32;
        RgbImage::from_fn(width, height, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [a, b, c, _] = seed.to_le_bytes();
            image::Rgb([a, b, c])
        })
    }

    fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A JPEG of the given size.
    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        encode(&noise(width, height), ImageFormat::Jpeg)
    }

    /// A PNG of the given size.
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        encode(&noise(width, height), ImageFormat::Png)
    }

    /// Base64 of bytes, as the API expects files.
    pub fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}
