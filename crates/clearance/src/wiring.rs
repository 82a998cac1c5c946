//! Choosing the store from the database URL and assembling the application.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use clearance_api::{ApiConfig, AppState};
use clearance_core::blobs::Blobs;
use clearance_core::checks::CheckType;
use clearance_core::checks::analyser::Analysers;
use clearance_core::clock::SystemClock;
use clearance_core::resources::Rules;
use clearance_core::service::{
    CHECK_QUEUE, CheckRunner, DELIVERY_QUEUE, DeliveryRunner, FORGET_SECRET_QUEUE,
    MonitoringRunner, SecretForgetter, Services,
};
use clearance_core::store::Store;
use clearance_engines::BureauEngine;
use clearance_engines::screening::{Catalogue, DeltaSearch, ScreeningEngine};
use clearance_idv::pdf_isolation::{PdfIsolation, PdfRendering};
use clearance_jobs::{JobQueue, WorkerConfig, Workers};
use clearance_lookups::LookupEngine;
use clearance_tokens::KeySet;

use crate::engines::{
    LazyDocumentEngine, LazyFaceEngine, LazyProofOfAddressEngine, SandboxWithLatency,
};
use crate::webhook_sender::HttpWebhookSender;

/// How a server rasterises uploaded PDFs: with `isolate`, in a child process (this same
/// binary's hidden `rasterise-pdf` subcommand) under the default memory, CPU and time limits of
/// [`PdfIsolation`]; otherwise in this process.
///
/// # Errors
/// When the path of this program cannot be found.
pub fn pdf_rendering(isolate: bool) -> anyhow::Result<PdfRendering> {
    if !isolate {
        return Ok(PdfRendering::InProcess);
    }
    let program = std::env::current_exe().context("finding this program to rasterise PDFs")?;
    Ok(PdfRendering::Isolated(PdfIsolation::new(
        program,
        ["rasterise-pdf"],
    )))
}

/// Opens and migrates the store named by `database_url`, or the SQLite file in `data_dir`.
pub async fn open_store(
    database_url: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Arc::new(
                clearance_store_postgres::connect(url, None)
                    .await
                    .context("connecting to PostgreSQL")?,
            )
        }
        Some(url) if url.starts_with("sqlite:") => Arc::new(
            clearance_store_sqlite::connect(url)
                .await
                .context("opening SQLite")?,
        ),
        Some(other) => anyhow::bail!(
            "DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got a URL with scheme '{}')",
            other.split(':').next().unwrap_or_default()
        ),
        None => {
            create_private_dir(data_dir)?;
            Arc::new(
                clearance_store_sqlite::open(&data_dir.join("clearance.db"))
                    .await
                    .context("opening the SQLite database in the data folder")?,
            )
        }
    };
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    Ok(store)
}

/// Creates the data folder readable by its owner only.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating data folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting permissions of {}", dir.display()))?;
    }
    Ok(())
}

/// The SDK token keys: from `CLEARANCE_TOKEN_KEYS` when set, else from the key file (created
/// with one fresh key on first use).
pub fn load_token_keys(
    inline: Option<&str>,
    key_file: &Path,
    now_secs: i64,
) -> anyhow::Result<Arc<KeySet>> {
    let keys = match inline {
        Some(json) if !json.trim().is_empty() => {
            KeySet::from_json(json).context("reading CLEARANCE_TOKEN_KEYS")?
        }
        _ => clearance_tokens::keyfile::load_or_create(key_file, now_secs)
            .context("opening the SDK token key file")?,
    };
    Ok(Arc::new(keys))
}

/// Settings of the background workers that run checks.
#[derive(Clone)]
pub struct WorkerSettings {
    /// Checks run at once by this process.
    pub concurrency: usize,
    /// Webhook endpoints drained at once by this process: runners of their own, so slow
    /// endpoints never hold the runners checks need.
    pub webhook_concurrency: usize,
    /// Delay added to each test-mode check.
    pub sandbox_latency: Duration,
    /// How often idle workers look for jobs other processes enqueued.
    pub poll_interval: Duration,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// Folder of the vendored analysis models (`ocr/` inside).
    pub models_dir: std::path::PathBuf,
    /// How long a webhook endpoint has to answer.
    pub webhook_timeout: Duration,
    /// How the document engine rasterises uploaded PDFs.
    pub pdf: PdfRendering,
    /// The face engine's thresholds.
    pub faces: clearance_engines::FaceSettings,
    /// HTTP bureaus every live multi-bureau check asks, next to the imported reference data.
    pub bureaus: Vec<Arc<dyn clearance_core::bureau::Bureau>>,
    /// Where lookup indexes are kept (in memory when `None`).
    pub lookups_dir: Option<std::path::PathBuf>,
    /// How often lookups look for newly imported reference data.
    pub lookups_check_every: Duration,
    /// How many days old a proof-of-address document may be and still be clear.
    pub poa_max_age_days: u32,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            concurrency: 8,
            webhook_concurrency: 8,
            sandbox_latency: Duration::ZERO,
            poll_interval: Duration::from_millis(250),
            lease: Duration::from_secs(15),
            models_dir: crate::engines::default_models_dir(),
            webhook_timeout: Duration::from_secs(15),
            pdf: PdfRendering::InProcess,
            faces: clearance_engines::FaceSettings::default(),
            bureaus: Vec::new(),
            lookups_dir: None,
            lookups_check_every: Duration::ZERO,
            poa_max_age_days: clearance_core::proof_of_address::DEFAULT_MAX_AGE_DAYS,
        }
    }
}

/// The HTTP application, the worker pool that runs checks and webhook deliveries, and the
/// services the webhook dispatcher loop needs.
pub struct Application {
    pub router: Router,
    pub workers: Workers,
    pub services: Services,
    /// Notified when this process commits outbox events (pass to `run_dispatcher`).
    pub dispatch_wake: Arc<tokio::sync::Notify>,
    /// The HTTP state (for `run_membership`, which shares rate limits among nodes).
    pub api: AppState,
    /// This process's name in job leases and in the cluster's membership.
    pub node_id: String,
}

/// How often a node renews its membership and recounts the cluster; a node that stops renewing
/// drops out after three rounds.
pub const MEMBERSHIP_INTERVAL: Duration = Duration::from_secs(2);

/// Announces this node in the database (a `node:<id>` lease renewed every `interval`) and shares
/// each key's rate limit among the live nodes, until `shutdown`; then leaves at once. Run only
/// with the cluster rate-limit scope.
pub async fn run_membership(
    store: Arc<dyn Store>,
    api: AppState,
    node_id: String,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let name = format!("node:{node_id}");
    let ttl = 3 * interval.as_millis() as i64;
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    };
    loop {
        let at = now();
        let counted = match store.take_lease(&name, &node_id, at, at + ttl).await {
            Ok(_) => store.count_live_leases("node:", at).await,
            Err(e) => Err(e),
        };
        match counted {
            Ok(nodes) => api.share_rate_limits(u32::try_from(nodes).unwrap_or(u32::MAX)),
            // Keep the last share: a database hiccup should not change anyone's limit.
            Err(e) => tracing::warn!(error = %e, "counting the cluster's nodes failed"),
        }
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(interval) => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
    let _ = store.release_lease(&name, &node_id).await;
}

/// Moves outbox events into delivery jobs until `shutdown` turns true (every process runs one;
/// the shared cursor keeps them from dispatching an event twice).
pub async fn run_dispatcher(
    services: Services,
    wake: Arc<tokio::sync::Notify>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let stopping =
        |rx: &tokio::sync::watch::Receiver<bool>| rx.has_changed().is_err() || *rx.borrow();
    while !stopping(&shutdown) {
        let moved = match services.dispatch_events(500).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "webhook dispatch failed; retrying");
                0
            }
        };
        if moved == 0 {
            // Local events wake it at once; the poll finds other processes' events and gaps
            // that have settled.
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    }
}

/// A name for this process in job leases: unique per process, readable in the jobs table.
fn worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "clearance".into());
    format!("{host}-{}-{:06x}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    nanos & 0xff_ffff
}

/// The HTTP application over a store, with the worker pool that runs checks (not yet started:
/// the caller runs `workers.run(shutdown)`).
/// The lookup engine, with its first index build started at once so that the first search
/// does not wait for it.
fn lookups(store: &Arc<dyn Store>, settings: &WorkerSettings) -> LookupEngine {
    let engine = LookupEngine::new(
        store.clone(),
        settings.lookups_dir.clone(),
        settings.lookups_check_every,
    );
    let warm = engine.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.refresh().await {
            tracing::warn!(error = %e, "the lookup index could not be built");
        }
    });
    engine
}

pub fn build_app(
    store: Arc<dyn Store>,
    blobs: Arc<dyn Blobs>,
    config: ApiConfig,
    rules: Rules,
    settings: &WorkerSettings,
    token_keys: Arc<KeySet>,
) -> Application {
    let node_id = worker_id();
    let mut worker_config = WorkerConfig::new(node_id.clone());
    worker_config.concurrency = settings.concurrency.max(1);
    worker_config.poll_interval = settings.poll_interval;
    worker_config.lease = settings.lease;
    let queue: Arc<dyn JobQueue> = store.clone();
    let workers = Workers::new(queue, worker_config);
    let waker = workers.waker();
    // One lazily loaded OCR model for live document checks and autofill.
    let document_engine = Arc::new(LazyDocumentEngine::new(
        settings.models_dir.clone(),
        settings.pdf.clone(),
    ));
    let analysers = Analysers::default()
        .with_sandbox(Arc::new(SandboxWithLatency {
            latency: settings.sandbox_latency,
        }))
        .with_live(CheckType::Document, document_engine.clone());
    let lookup_engine: Arc<dyn clearance_core::lookups::Lookups> =
        Arc::new(lookups(&store, settings));
    let analysers = analysers.with_live(
        CheckType::ProofOfAddress,
        Arc::new(LazyProofOfAddressEngine::new(
            document_engine.clone(),
            store.clone(),
            lookup_engine.clone(),
            settings.poa_max_age_days,
        )),
    );
    let faces = Arc::new(LazyFaceEngine::new(
        settings.models_dir.clone(),
        settings.faces.clone(),
        settings.pdf.clone(),
    ));
    let analysers = analysers
        .with_live(CheckType::Identity, faces.clone())
        .with_live(CheckType::FaceAuthentication, faces.clone())
        .with_live(CheckType::AgeEstimation, faces.clone())
        .with_live(CheckType::EnhancedIdentity, faces.clone());
    // One index of the official lists per process, shared by both screening types.
    let catalogue = Arc::new(Catalogue::default());
    let screening = Arc::new(ScreeningEngine::new(store.clone(), catalogue.clone()));
    // Monitoring's reverse search reads the same index the checks screen against.
    let delta_search = Arc::new(DeltaSearch::new(store.clone(), catalogue));
    let analysers = analysers
        .with_live(CheckType::StandardScreening, screening.clone())
        .with_live(CheckType::ExtensiveScreening, screening)
        .with_live(
            CheckType::MultiBureau,
            Arc::new(BureauEngine::new(store.clone()).with_remote(settings.bureaus.clone())),
        );
    let allow_private = rules.webhook_allow_private;
    let dispatch_wake = Arc::new(tokio::sync::Notify::new());
    let wake = dispatch_wake.clone();
    let services = Services::new(store, blobs, Arc::new(SystemClock), rules)
        .with_analysers(analysers)
        .with_document_reader(document_engine)
        .with_face_inspector(faces)
        .with_document_inspector(Arc::new(clearance_engines::DocumentQualityInspector))
        .with_enqueue_hook(Arc::new(move || waker.notify_one()))
        .with_event_hook(Arc::new(move || wake.notify_one()))
        .with_token_keys(token_keys)
        .with_lookups(lookup_engine)
        .with_delta_screener(delta_search);
    // The fonts are embedded in the binary: failing to parse them is a build fault, and the
    // server still serves everything else (reports then answer 503 and say why).
    let services = match clearance_reports::PdfRenderer::new() {
        Ok(renderer) => services.with_report_renderer(Arc::new(renderer)),
        Err(e) => {
            tracing::error!(error = %e, "PDF reports are unavailable");
            services
        }
    };
    let shared = Arc::new(services.clone());
    let sender = Arc::new(HttpWebhookSender {
        allow_private,
        timeout: settings.webhook_timeout,
    });
    // Checks, webhook deliveries and upkeep each have their own runners: one kind of work
    // piling up (a tenant's slow endpoints) cannot stop another.
    let workers = workers
        .handle(CHECK_QUEUE, Arc::new(CheckRunner::new(shared.clone())))
        .handle_apart(
            DELIVERY_QUEUE,
            Arc::new(DeliveryRunner::new(shared.clone(), sender)),
            settings.webhook_concurrency.max(1),
        )
        .handle_apart(
            FORGET_SECRET_QUEUE,
            Arc::new(SecretForgetter::new(shared.clone())),
            1,
        )
        // One monitoring run at a time per node: each one screens every monitored check.
        .handle_apart(
            clearance_core::monitoring::QUEUE,
            Arc::new(MonitoringRunner::new(shared)),
            1,
        );
    let state = AppState::new(services.clone(), config).with_job_stats(workers.stats());
    Application {
        router: clearance_api::router(state.clone()),
        workers,
        services,
        dispatch_wake,
        api: state,
        node_id,
    }
}
