//! `clearance`: the server binary (`serve`, `migrate`, `keys …`, `lists …`, `screen`).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use clearance::accounts::{DEFAULT_ACCOUNT, create_key, find_or_create_account};
use clearance::blobs::open_blobs;
use clearance::config::{
    BlobArgs, FaceArgs, OnOff, RateLimitScope, ServeArgs, StorageArgs, TokenArgs,
};
use clearance::lists::{ListsCommand, ScreenArgs, lists, screen};
use clearance::wiring::{
    MEMBERSHIP_INTERVAL, WorkerSettings, build_app, load_token_keys, open_store, pdf_rendering,
    run_dispatcher, run_membership,
};
use clearance_api::ApiConfig;
use clearance_core::Mode;
use clearance_core::resources::Rules;
use clearance_core::store::Store;
use clearance_core::time::format_timestamp;
use tracing_subscriber::EnvFilter;

/// mimalloc: the server allocates many small JSON values per request, where it measurably beats
/// the system allocator (see bench/api.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "clearance",
    version,
    about = "Self-hosted KYC/AML verification, ComplyCube-compatible"
)]
struct Cli {
    #[command(flatten)]
    storage: StorageArgs,
    #[command(flatten)]
    blobs: BlobArgs,
    #[command(flatten)]
    tokens: TokenArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (creates a default account and prints its keys on first start).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage the screening lists (sanctions, PEP and watch lists) checks screen against.
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Screen JSON-lines queries from stdin (`{"name","type","dob"?,"country"?,"gender"?}`) and
    /// write one JSON line of matches per query.
    Screen(ScreenArgs),
    /// Manage the keys that sign SDK tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Manage the reference data multi-bureau checks verify clients against.
    #[command(subcommand)]
    Bureau(BureauCommand),
    /// Manage the company register data company lookups search (and list or remove any
    /// imported reference dataset).
    #[command(subcommand)]
    Registries(clearance::reference_data::RegistriesCommand),
    /// Manage the address data address lookups search.
    #[command(subcommand)]
    Addresses(clearance::reference_data::AddressesCommand),
    /// Internal: the child process `serve` starts to rasterise one uploaded PDF (request on
    /// stdin, pixels on stdout), under memory and CPU limits it sets itself.
    #[command(hide = true)]
    RasterisePdf,
}

#[derive(Subcommand)]
enum TokensCommand {
    /// Add a new signing key to the key file; older keys keep verifying the tokens they signed
    /// until those expire. Restart the servers to sign with the new key.
    RotateKey,
}

#[derive(Subcommand)]
enum BureauCommand {
    /// Import one source's records (CSV with a header row, or JSON lines, keys `firstName`,
    /// `middleName`, `lastName`, `dob`, `propertyNumber`, `line`, `city`, `postalCode`,
    /// `country`) for an account; replaces that source's earlier records.
    Import {
        /// The account the records serve (created if new).
        #[arg(long, default_value = DEFAULT_ACCOUNT)]
        account: String,
        /// The mode whose checks use them.
        #[arg(long, value_enum, default_value = "live")]
        mode: ModeArg,
        /// The source's name (an electoral roll, a customer file), shown in check results.
        #[arg(long)]
        source: String,
        path: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Test,
    Live,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it (only the key, on stdout); creates the account if new.
    Create {
        #[arg(long, value_enum)]
        mode: ModeArg,
        #[arg(long, default_value = DEFAULT_ACCOUNT)]
        account: String,
    },
    /// List keys (hints only; keys are stored hashed).
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The PDF child starts no runtime, threads or logging: it renders one page and exits.
    if let Command::RasterisePdf = cli.command {
        return clearance_idv::pdf_isolation::run_pdf_child();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn run(cli: Cli) -> anyhow::Result<()> {
    let json_logs = matches!(&cli.command, Command::Serve(s) if s.log_format == "json");
    init_logging(json_logs);
    if let Command::Tokens(TokensCommand::RotateKey) = cli.command {
        return rotate_token_key(&cli.tokens, &cli.storage);
    }
    let store = open_store(cli.storage.database_url.as_deref(), &cli.storage.data_dir).await?;
    match cli.command {
        Command::Serve(args) => {
            let blobs = open_blobs(&cli.blobs, &cli.storage.data_dir).await?;
            let token_keys = load_token_keys(
                cli.tokens.token_keys.as_deref(),
                &cli.tokens.key_file(&cli.storage.data_dir),
                now_secs(),
            )?;
            serve(store, blobs, token_keys, &cli.storage.data_dir, *args).await
        }
        Command::Tokens(_) | Command::RasterisePdf => Ok(()),
        Command::Migrate => {
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Keys(command) => keys(store.as_ref(), command).await,
        Command::Lists(command) => {
            // Custom lists go through the same services as the API (validation, audit log).
            let blobs = open_blobs(&cli.blobs, &cli.storage.data_dir).await?;
            let clock = Arc::new(clearance_core::clock::SystemClock);
            let services =
                clearance_core::service::Services::new(store, blobs, clock, Rules::default());
            lists(&services, command, &cli.storage.data_dir).await
        }
        Command::Screen(args) => screen(store, args).await,
        Command::Registries(command) => {
            clearance::reference_data::registries(store.as_ref(), command, now_ms()).await
        }
        Command::Addresses(command) => {
            clearance::reference_data::addresses(store.as_ref(), command, now_ms()).await
        }
        Command::Bureau(BureauCommand::Import {
            account,
            mode,
            source,
            path,
        }) => {
            let account = find_or_create_account(store.as_ref(), &account).await?;
            let mode = match mode {
                ModeArg::Test => Mode::Test,
                ModeArg::Live => Mode::Live,
            };
            let scope = clearance_core::scope::Scope::new(account.id, mode);
            let now = clearance_core::clock::Clock::now_ms(&clearance_core::clock::SystemClock);
            let done =
                clearance::bureau::import_records(store.as_ref(), &scope, &source, &path, now)
                    .await?;
            println!(
                "imported {} records of {source:?} (replacing {}); {} refused",
                done.imported, done.replaced, done.refused
            );
            for reason in &done.reasons {
                println!("  {reason}");
            }
            Ok(())
        }
    }
}

fn init_logging(json: bool) {
    let filter =
        EnvFilter::try_from_env("CLEARANCE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn now_ms() -> i64 {
    clearance_core::clock::Clock::now_ms(&clearance_core::clock::SystemClock)
}

fn now_secs() -> i64 {
    clearance_core::clock::Clock::now_ms(&clearance_core::clock::SystemClock).div_euclid(1000)
}

fn rotate_token_key(tokens: &TokenArgs, storage: &StorageArgs) -> anyhow::Result<()> {
    if tokens.token_keys.is_some() {
        anyhow::bail!(
            "CLEARANCE_TOKEN_KEYS is set: rotate the key set where it is kept, not in a key file"
        );
    }
    let path = tokens.key_file(&storage.data_dir);
    let (keys, kid) = clearance_tokens::keyfile::rotate(&path, now_secs())
        .context("rotating the SDK token key")?;
    eprintln!(
        "added signing key {kid} to {} ({} key(s) verify); restart the servers to sign with it",
        path.display(),
        keys.keys().len()
    );
    Ok(())
}

async fn serve(
    store: Arc<dyn Store>,
    blobs: Arc<dyn clearance_core::blobs::Blobs>,
    token_keys: Arc<clearance_tokens::KeySet>,
    data_dir: &std::path::Path,
    args: ServeArgs,
) -> anyhow::Result<()> {
    if store.count_accounts().await? == 0 {
        let account = find_or_create_account(store.as_ref(), DEFAULT_ACCOUNT).await?;
        let test = create_key(store.as_ref(), &account.id, Mode::Test).await?;
        let live = create_key(store.as_ref(), &account.id, Mode::Live).await?;
        println!("Created account '{DEFAULT_ACCOUNT}'. Its API keys are shown only this once:");
        println!("  test key: {test}");
        println!("  live key: {live}");
    }
    if args.lists_snapshot == OnOff::On {
        let now = clearance_core::clock::Clock::now_ms(&clearance_core::clock::SystemClock);
        // Not fatal: a node starting beside another may race it to the same import, and a
        // server without lists still serves everything but live screening.
        if let Err(e) = clearance::snapshot::import_if_empty(
            store.as_ref(),
            data_dir,
            args.lists_max_age_days,
            now,
        )
        .await
        {
            tracing::warn!(
                error = format!("{e:#}"),
                "the shipped screening lists were not imported"
            );
        }
    }
    let config = ApiConfig {
        rate_limit_test: args.rate_limit_test,
        rate_limit_live: args.rate_limit_live,
        rate_limit_flow: args.rate_limit_flow,
        rate_limit_flow_address: args.rate_limit_flow_address,
        client_ip_header: args
            .client_ip_header
            .as_ref()
            .map(|h| h.trim().to_ascii_lowercase()),
        max_body_bytes: args.max_body_bytes,
        public_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.listen))
            .trim_end_matches('/')
            .to_string(),
    };
    let rules = Rules {
        max_metadata_keys: args.max_metadata_keys,
        webhook_allow_private: args.webhook_allow_private,
        webhook_retry_divisor: args.webhook_retry_divisor.max(1),
        sdk_token_max_checks: args.sdk_token_max_checks,
        ..Rules::default()
    };
    let settings = WorkerSettings {
        concurrency: args.workers,
        webhook_concurrency: args.webhook_workers,
        sandbox_latency: Duration::from_millis(args.sandbox_latency_ms),
        lease: Duration::from_secs(args.job_lease_secs.max(1)),
        models_dir: args
            .models_dir
            .clone()
            .unwrap_or_else(clearance::engines::default_models_dir),
        webhook_timeout: Duration::from_millis(args.webhook_timeout_ms.max(1)),
        lookups_dir: Some(data_dir.join("lookups")),
        lookups_check_every: Duration::from_secs(args.lookups_check_secs),
        poa_max_age_days: args.poa_max_age_days,
        pdf: pdf_rendering(args.pdf_isolation == OnOff::On)?,
        faces: face_settings(&args.faces)?,
        bureaus: match &args.bureau_url {
            Some(url) => vec![Arc::new(clearance::bureau_http::HttpBureau::new(
                clearance::bureau_http::HttpBureauConfig {
                    name: args.bureau_name.clone(),
                    url: url.clone(),
                    token: args.bureau_token.clone(),
                    timeout: Duration::from_millis(args.bureau_timeout_ms.max(1)),
                },
            )?) as Arc<dyn clearance_core::bureau::Bureau>],
            None => Vec::new(),
        },
        ..WorkerSettings::default()
    };
    let app = build_app(store.clone(), blobs, config, rules, &settings, token_keys);
    // Webhook secrets written before they were sealed (a database from an earlier version).
    clearance::housekeeping::seal_plaintext_secrets(&app.services).await;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let (stop_workers, stop) = tokio::sync::watch::channel(false);
    let dispatcher = tokio::spawn(run_dispatcher(
        app.services.clone(),
        app.dispatch_wake.clone(),
        stop.clone(),
    ));
    let membership = (args.rate_limit_scope == RateLimitScope::Cluster).then(|| {
        tokio::spawn(run_membership(
            store.clone(),
            app.api.clone(),
            app.node_id.clone(),
            MEMBERSHIP_INTERVAL,
            stop.clone(),
        ))
    });
    let housekeeping = (args.housekeeping_interval_secs > 0).then(|| {
        tokio::spawn(clearance::housekeeping::run_housekeeping(
            app.services.clone(),
            app.api.clone(),
            app.node_id.clone(),
            args.retention(),
            Duration::from_secs(args.housekeeping_interval_secs),
            stop.clone(),
        ))
    });
    let refresh = match args.lists_refresh {
        Some(interval) => {
            let max_drop = args.lists_max_drop;
            anyhow::ensure!(
                (0.0..=1.0).contains(&max_drop),
                "CLEARANCE_LISTS_MAX_DROP is a share between 0 and 1 (0.2: a fifth of the entities)"
            );
            let sources = clearance::fetch::sources_named(&args.fetch.lists_sources)
                .map_err(anyhow::Error::msg)
                .context("CLEARANCE_LISTS_SOURCES")?;
            let settings =
                clearance::fetch::FetchSettings::from_args(&args.fetch, Some(max_drop), data_dir)?;
            Some(tokio::spawn(clearance::fetch::run_refresh(
                store.clone(),
                Arc::new(clearance_core::clock::SystemClock),
                settings,
                sources,
                app.node_id.clone(),
                interval,
                stop.clone(),
            )))
        }
        None => None,
    };
    let workers = (args.workers > 0).then(|| tokio::spawn(app.workers.run(stop)));
    tracing::info!(
        listen = %args.listen,
        workers = args.workers,
        pdf_isolation = args.pdf_isolation == OnOff::On,
        "clearance is serving"
    );
    let limits = clearance::http_server::Limits {
        header_timeout: Duration::from_millis(args.header_timeout_ms.max(1)),
        max_connections: args.max_connections,
    };
    // On SIGTERM: readiness fails at once, the listener stays open for the drain delay (load
    // balancers see the 503 and stop sending), then closes while in-flight requests finish.
    let api = app.api.clone();
    let drain_delay = Duration::from_millis(args.shutdown_delay_ms);
    let shutdown = async move {
        shutdown_signal().await;
        api.start_draining();
        tracing::info!(
            delay_ms = drain_delay.as_millis() as u64,
            "shutting down: not ready; closing the listener after the drain delay"
        );
        tokio::select! {
            () = tokio::time::sleep(drain_delay) => {}
            // A second signal means now.
            () = shutdown_signal() => {}
        }
    };
    clearance::http_server::serve(listener, app.router, limits, shutdown).await;
    tracing::info!("in-flight requests done; handing running jobs back");
    // Running checks finish (or go back to the queue) before the process exits.
    let _ = stop_workers.send(true);
    if let Some(workers) = workers {
        let _ = workers.await;
    }
    let _ = dispatcher.await;
    if let Some(membership) = membership {
        let _ = membership.await;
    }
    if let Some(housekeeping) = housekeeping {
        let _ = housekeeping.await;
    }
    // A fetch under way is dropped with the process: the stored list is only ever swapped whole.
    if let Some(refresh) = refresh {
        refresh.abort();
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn keys(store: &dyn Store, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create { mode, account } => {
            let account = find_or_create_account(store, &account).await?;
            let mode = match mode {
                ModeArg::Test => Mode::Test,
                ModeArg::Live => Mode::Live,
            };
            println!("{}", create_key(store, &account.id, mode).await?);
        }
        KeysCommand::List => {
            println!(
                "{:<26}{:<26}{:<6}{:<14}{:<26}revoked",
                "id", "account", "mode", "key", "created"
            );
            for key in store.list_api_keys().await? {
                let account = store
                    .get_account(&key.account_id)
                    .await?
                    .map_or_else(|| key.account_id.clone(), |a| a.name);
                println!(
                    "{:<26}{:<26}{:<6}{:<14}{:<26}{}",
                    key.id,
                    account,
                    key.mode,
                    key.hint,
                    format_timestamp(key.created_at),
                    key.revoked_at.map(format_timestamp).unwrap_or_default()
                );
            }
        }
        KeysCommand::Revoke { id } => {
            if !store
                .revoke_api_key(
                    &id,
                    clearance_core::clock::Clock::now_ms(&clearance_core::clock::SystemClock),
                )
                .await?
            {
                anyhow::bail!("no active key with id '{id}'");
            }
            eprintln!("revoked key {id}; running servers stop accepting it within 5 seconds");
        }
    }
    Ok(())
}

/// The face engine's thresholds, refused when out of range rather than silently clamped.
fn face_settings(args: &FaceArgs) -> anyhow::Result<clearance_engines::FaceSettings> {
    let distance = args.face_match_distance;
    anyhow::ensure!(
        distance.is_finite() && distance > 0.0 && distance < 2.0,
        "CLEARANCE_FACE_MATCH_DISTANCE must be between 0 and 2 (descriptors are unit-scale)"
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.face_min_detection_score),
        "CLEARANCE_FACE_MIN_DETECTION_SCORE must be between 0 and 1"
    );
    anyhow::ensure!(
        args.face_min_eye_distance.is_finite() && args.face_min_eye_distance >= 0.0,
        "CLEARANCE_FACE_MIN_EYE_DISTANCE must be a number of pixels"
    );
    anyhow::ensure!(
        (0.0..=180.0).contains(&args.face_max_roll_degrees),
        "CLEARANCE_FACE_MAX_ROLL_DEGREES must be between 0 and 180"
    );
    anyhow::ensure!(
        args.face_max_yaw.is_finite() && args.face_max_yaw >= 0.0,
        "CLEARANCE_FACE_MAX_YAW must be a share of the eye distance"
    );
    for (value, name) in [
        (args.face_live_threshold, "CLEARANCE_FACE_LIVE_THRESHOLD"),
        (args.face_spoof_refuse, "CLEARANCE_FACE_SPOOF_REFUSE"),
    ] {
        anyhow::ensure!(
            (0.0..=1.0).contains(&value),
            "{name} must be a probability between 0 and 1"
        );
    }
    Ok(clearance_engines::FaceSettings {
        match_distance: distance,
        min_detection_score: args.face_min_detection_score,
        min_eye_distance: args.face_min_eye_distance,
        minimum_age: args.age_minimum,
        dark_mean: args.face_dark_mean,
        document_lines: args.face_document_lines,
        max_roll_degrees: args.face_max_roll_degrees,
        max_yaw: args.face_max_yaw,
        live_threshold: args.face_live_threshold,
        spoof_refuse_below: args.face_spoof_refuse,
    })
}
