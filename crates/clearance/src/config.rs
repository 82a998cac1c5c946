//! Settings of `clearance serve`: every one is a flag and an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use clearance_core::service::Retention;

/// Where data lives; shared by every subcommand.
#[derive(Args, Clone, Debug)]
pub struct StorageArgs {
    /// Folder for the SQLite database and other local data.
    #[arg(
        long,
        env = "CLEARANCE_DATA_DIR",
        default_value = "./clearance-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Database URL: `postgres://…` selects PostgreSQL, `sqlite:…` a SQLite file; default is
    /// `clearance.db` in the data folder. Its value never shows in `--help` (it may hold a
    /// password).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
}

/// Where uploaded files live; they are always encrypted at rest.
#[derive(Args, Clone, Debug)]
pub struct BlobArgs {
    /// `s3://bucket/prefix` stores files in an S3-compatible service; default: `blobs/` in the
    /// data folder.
    #[arg(long, env = "CLEARANCE_BLOB_URL", global = true)]
    pub blob_url: Option<String>,
    /// 32-byte master key (64 hex characters or base64) wrapping each file's data key; default:
    /// generated once into `master.key` in the data folder (mode 0600).
    #[arg(
        long,
        env = "CLEARANCE_MASTER_KEY",
        hide_env_values = true,
        global = true
    )]
    pub master_key: Option<String>,
    /// File holding the master key.
    #[arg(long, env = "CLEARANCE_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
    /// S3 endpoint for non-AWS services (MinIO, Garage, …).
    #[arg(long, env = "CLEARANCE_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,
    /// S3 region (default us-east-1).
    #[arg(long, env = "CLEARANCE_S3_REGION", global = true)]
    pub s3_region: Option<String>,
    /// S3 access key id (default: the provider chain).
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true, global = true)]
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key.
    #[arg(
        long,
        env = "AWS_SECRET_ACCESS_KEY",
        hide_env_values = true,
        global = true
    )]
    pub s3_secret_access_key: Option<String>,
    /// Allow a plain `http://` S3 endpoint (local test servers only).
    #[arg(long, env = "CLEARANCE_S3_ALLOW_HTTP", global = true)]
    pub s3_allow_http: bool,
}

/// Keys that sign SDK tokens; shared by `serve` and `tokens rotate-key`.
#[derive(Args, Clone, Debug)]
pub struct TokenArgs {
    /// The SDK token key set as JSON (the content of a key file); overrides the key file.
    /// Every process of a cluster must use the same keys.
    #[arg(
        long,
        env = "CLEARANCE_TOKEN_KEYS",
        hide_env_values = true,
        global = true
    )]
    pub token_keys: Option<String>,
    /// File holding the SDK token key set; default: `tokens/keys.json` in the data folder,
    /// created on first start (mode 0600).
    #[arg(long, env = "CLEARANCE_TOKEN_KEYS_FILE", global = true)]
    pub token_keys_file: Option<PathBuf>,
}

impl TokenArgs {
    /// The key file these settings name.
    pub fn key_file(&self, data_dir: &std::path::Path) -> PathBuf {
        self.token_keys_file
            .clone()
            .unwrap_or_else(|| data_dir.join("tokens").join("keys.json"))
    }
}

/// Settings of the HTTP server.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "CLEARANCE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The server's external base URL, used in links it hands out (hosted flow pages);
    /// default: `http://<listen address>`.
    #[arg(long, env = "CLEARANCE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Requests per second per test key (0 turns limiting off).
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_TEST", default_value_t = 5)]
    pub rate_limit_test: u32,
    /// Requests per second per live key (0 turns limiting off).
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_LIVE", default_value_t = 10)]
    pub rate_limit_live: u32,
    /// Requests per second per hosted-flow link (0 turns limiting off): a person capturing a
    /// document and a selfie makes a handful a minute.
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_FLOW", default_value_t = 10)]
    pub rate_limit_flow: u32,
    /// Requests per second from one client address (an IPv6 /64) to the hosted flow's
    /// endpoints, across links, checked before the link is looked up; 0 turns it off.
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_FLOW_ADDRESS", default_value_t = 50)]
    pub rate_limit_flow_address: u32,
    /// Behind a reverse proxy: the header it puts the client's address in (its last value is
    /// used), e.g. `X-Forwarded-For`. Set it only when every request comes through that proxy.
    #[arg(long, env = "CLEARANCE_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// `node`: each server allows a key its whole rate (N servers allow N times it); `cluster`:
    /// servers count each other through the database and each allows its share.
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_SCOPE", value_enum, default_value_t = RateLimitScope::Node)]
    pub rate_limit_scope: RateLimitScope,
    /// How often, in seconds, a server looks for register or address data imported since its
    /// lookup index was built (by any node or the command line) and rebuilds it.
    #[arg(long, env = "CLEARANCE_LOOKUPS_CHECK_SECS", default_value_t = 30)]
    pub lookups_check_secs: u64,
    /// How many days old a proof-of-address document (bill, statement) may be for its issue
    /// date to be clear (default: three months).
    #[arg(long, env = "CLEARANCE_POA_MAX_AGE_DAYS", default_value_t = 92)]
    pub poa_max_age_days: u32,
    /// Largest accepted request body, in bytes (base64 images of up to 4 MB need about 5.4 MB).
    #[arg(long, env = "CLEARANCE_MAX_BODY_BYTES", default_value_t = 6 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest number of `metadata` keys on a client.
    #[arg(long, env = "CLEARANCE_MAX_METADATA_KEYS", default_value_t = 20)]
    pub max_metadata_keys: usize,
    /// Checks one SDK token may start in its lifetime (60 minutes).
    #[arg(long, env = "CLEARANCE_SDK_TOKEN_MAX_CHECKS", default_value_t = clearance_core::resources::DEFAULT_SDK_TOKEN_MAX_CHECKS)]
    pub sdk_token_max_checks: u32,
    /// Log format: `text` or `json`.
    #[arg(long, env = "CLEARANCE_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// Checks this process runs at once (0: accept requests but run no checks here).
    #[arg(long, env = "CLEARANCE_WORKERS", default_value_t = 8)]
    pub workers: usize,
    /// On SIGTERM, how long `/readyz` answers 503 before the listener closes (time for a load
    /// balancer to stop sending), in milliseconds. A second signal skips the rest.
    #[arg(long, env = "CLEARANCE_SHUTDOWN_DELAY_MS", default_value_t = 2_000)]
    pub shutdown_delay_ms: u64,
    /// Webhook endpoints this process drains at once, apart from the check runners (a process
    /// with `CLEARANCE_WORKERS=0` runs no background work at all).
    #[arg(long, env = "CLEARANCE_WEBHOOK_WORKERS", default_value_t = 8)]
    pub webhook_workers: usize,
    /// Processing time added to every test-mode check, in milliseconds, to rehearse
    /// asynchronous handling (the simulator itself answers in microseconds).
    #[arg(long, env = "CLEARANCE_SANDBOX_LATENCY_MS", default_value_t = 0)]
    pub sandbox_latency_ms: u64,
    /// Seconds a running check stays claimed without a heartbeat; after a crash, its checks
    /// are picked up again this long after the last heartbeat.
    #[arg(long, env = "CLEARANCE_JOB_LEASE_SECS", default_value_t = 15)]
    pub job_lease_secs: u64,
    /// Import the screening lists shipped in the binary (`data/lists/`) when the database holds
    /// no list at all, so a fresh server screens with no import step.
    #[arg(long, env = "CLEARANCE_LISTS_SNAPSHOT", value_enum, default_value_t = OnOff::On)]
    pub lists_snapshot: OnOff,
    /// Warn in the log about a screening list published more than this many days ago.
    #[arg(long, env = "CLEARANCE_LISTS_MAX_AGE_DAYS", default_value_t = 7)]
    pub lists_max_age_days: i64,
    /// How often the sources in CLEARANCE_LISTS_SOURCES are downloaded again from their
    /// publishers (`30m`, `6h`, `1d`; `off`: never). One server of a cluster fetches at a time.
    #[arg(long, env = "CLEARANCE_LISTS_REFRESH", default_value = "6h", value_parser = parse_refresh)]
    pub lists_refresh: Refresh,
    /// The share of a list's entities a fetched version may lose before it is refused (a
    /// refused version is reported as a fetch failure; import it by hand with --force).
    #[arg(long, env = "CLEARANCE_LISTS_MAX_DROP", default_value_t = clearance_engines::screening::lists::DEFAULT_MAX_DROP)]
    pub lists_max_drop: f64,
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// Allow webhooks over plain http and to private or loopback addresses (development only).
    #[arg(long, env = "CLEARANCE_WEBHOOK_ALLOW_PRIVATE", default_value_t = false)]
    pub webhook_allow_private: bool,
    /// Milliseconds a webhook endpoint has to answer (15 s as documented; shorter for tests).
    #[arg(
        long,
        env = "CLEARANCE_WEBHOOK_TIMEOUT_MS",
        default_value_t = 15_000,
        hide = true
    )]
    pub webhook_timeout_ms: u64,
    /// Divides the webhook retry schedule (tests and benchmarks only; 1 in production).
    #[arg(
        long,
        env = "CLEARANCE_WEBHOOK_RETRY_DIVISOR",
        default_value_t = 1,
        hide = true
    )]
    pub webhook_retry_divisor: u32,
    /// An HTTP bureau every live multi-bureau check asks besides the imported reference data:
    /// Clearance posts the client's name, birth date and address as JSON and expects
    /// `{"name": bool, "dob": bool, "address": bool}` back.
    #[arg(long, env = "CLEARANCE_BUREAU_URL")]
    pub bureau_url: Option<String>,
    /// The name check results give that bureau.
    #[arg(long, env = "CLEARANCE_BUREAU_NAME", default_value = "HTTP bureau")]
    pub bureau_name: String,
    /// A bearer token for that bureau.
    #[arg(long, env = "CLEARANCE_BUREAU_TOKEN", hide_env_values = true)]
    pub bureau_token: Option<String>,
    /// Milliseconds that bureau has to answer.
    #[arg(long, env = "CLEARANCE_BUREAU_TIMEOUT_MS", default_value_t = 10_000)]
    pub bureau_timeout_ms: u64,
    /// Folder of the vendored analysis models (default: `./models`, else the source checkout's).
    #[arg(long, env = "CLEARANCE_MODELS_DIR")]
    pub models_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub faces: FaceArgs,
    /// `on`: uploaded PDFs are rasterised in a child process limited to 2 GiB of address space, 20 s
    /// of CPU and 30 s in all, so a hostile PDF cannot exhaust the server; `off`: in the
    /// server process (trusted uploads only).
    #[arg(long, env = "CLEARANCE_PDF_ISOLATION", value_enum, default_value_t = OnOff::On)]
    pub pdf_isolation: OnOff,
    /// Milliseconds a client has to send a request's headers (and an idle keep-alive
    /// connection to start the next request) before the connection is closed.
    #[arg(long, env = "CLEARANCE_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Most connections open at once; further ones wait to be accepted.
    #[arg(long, env = "CLEARANCE_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Days an outbox event is kept once every webhook is done with it (how far back
    /// redelivery reaches); events a webhook still waits to deliver are always kept. 0 keeps
    /// them forever.
    #[arg(long, env = "CLEARANCE_RETENTION_EVENTS_DAYS", default_value_t = 30)]
    pub retention_events_days: u64,
    /// Days a webhook delivery attempt stays in the delivery log; 0 keeps them forever.
    #[arg(
        long,
        env = "CLEARANCE_RETENTION_WEBHOOK_ATTEMPTS_DAYS",
        default_value_t = 30
    )]
    pub retention_webhook_attempts_days: u64,
    /// Days a dead job (one that failed its last attempt) is kept for an operator; 0 keeps
    /// them forever.
    #[arg(long, env = "CLEARANCE_RETENTION_DEAD_JOBS_DAYS", default_value_t = 30)]
    pub retention_dead_jobs_days: u64,
    /// Seconds between housekeeping rounds (retention, idle rate-limit buckets); 0 turns
    /// housekeeping off.
    #[arg(
        long,
        env = "CLEARANCE_HOUSEKEEPING_INTERVAL_SECS",
        default_value_t = 600
    )]
    pub housekeeping_interval_secs: u64,
}

impl ServeArgs {
    /// How long each kind of record is kept (`0` days: forever).
    pub fn retention(&self) -> Retention {
        let days = |n: u64| (n > 0).then(|| Duration::from_secs(n.saturating_mul(24 * 3600)));
        Retention {
            events: days(self.retention_events_days),
            webhook_attempts: days(self.retention_webhook_attempts_days),
            dead_jobs: days(self.retention_dead_jobs_days),
        }
    }
}

/// Whose rate a key's limit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RateLimitScope {
    /// Each server allows a key its whole rate.
    Node,
    /// The servers on one database share a key's rate, each allowing its part.
    Cluster,
}

/// A setting that is either on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Turned on.
    On,
    /// Turned off.
    Off,
}

/// The face engine's thresholds (identity, face authentication, enhanced identity and age
/// checks, and the inspection of live photos at upload).
#[derive(Args, Clone, Debug)]
pub struct FaceArgs {
    /// Face descriptors closer than this are one person (identity and face authentication
    /// checks). 0.5 is stricter than the encoder's published 0.6: see bench/faces/README.md.
    #[arg(long, env = "CLEARANCE_FACE_MATCH_DISTANCE", default_value_t = 0.5)]
    pub face_match_distance: f32,
    /// Face detections scoring below this (0–1) are ignored.
    #[arg(
        long,
        env = "CLEARANCE_FACE_MIN_DETECTION_SCORE",
        default_value_t = 0.6
    )]
    pub face_min_detection_score: f32,
    /// A live photo's face needs at least this many pixels between the eye centres.
    #[arg(long, env = "CLEARANCE_FACE_MIN_EYE_DISTANCE", default_value_t = 12.0)]
    pub face_min_eye_distance: f32,
    /// A live photo whose mean grey level (0–255) is below this is refused as too dark.
    #[arg(long, env = "CLEARANCE_FACE_DARK_MEAN", default_value_t = 35)]
    pub face_dark_mean: u8,
    /// A live photo with this many lines of print is refused as a document held up to the
    /// camera (the specimen passport page has 30, the portraits 2–4).
    #[arg(long, env = "CLEARANCE_FACE_DOCUMENT_LINES", default_value_t = 12)]
    pub face_document_lines: usize,
    /// A live photo's eye line may lean this many degrees from level.
    #[arg(long, env = "CLEARANCE_FACE_MAX_ROLL_DEGREES", default_value_t = 30.0)]
    pub face_max_roll_degrees: f32,
    /// How far (in eye distances) the nose may sit from the eyes' midpoint before a live photo
    /// is refused as turned away.
    #[arg(long, env = "CLEARANCE_FACE_MAX_YAW", default_value_t = 0.3)]
    pub face_max_yaw: f32,
    /// A face is taken for live (not a print or a screen) when the anti-spoof nets give it at
    /// least this probability (0–1); below it `authenticityAnalysis` says attention. See
    /// bench/faces/README.md for what the default separates.
    #[arg(long, env = "CLEARANCE_FACE_LIVE_THRESHOLD", default_value_t = 0.5)]
    pub face_live_threshold: f32,
    /// With `performLivenessCheck` (the default), a live photo whose live probability is below
    /// this is refused at upload with `spoofed_image`; 0 turns the refusal off.
    #[arg(long, env = "CLEARANCE_FACE_SPOOF_REFUSE", default_value_t = 0.02)]
    pub face_spoof_refuse: f32,
    /// The youngest accepted age for live age estimation checks: `ageValidation` is clear only
    /// when the lower end of the estimated range reaches it.
    #[arg(long, env = "CLEARANCE_AGE_MINIMUM", default_value_t = 18)]
    pub age_minimum: u32,
}

/// Where and how screening lists are downloaded (`clearance lists fetch` and `serve`'s refresh).
/// The URLs' values never show in `--help`: a mirror's may hold a password or token.
#[derive(Args, Clone, Debug)]
pub struct FetchArgs {
    /// The sources `serve` refreshes, and `lists fetch` fetches when given none: a
    /// comma-separated list of ofac-sdn, ofac-cons, un-sc, uk-ofsi, eu-fsf.
    #[arg(
        long,
        env = "CLEARANCE_LISTS_SOURCES",
        value_delimiter = ',',
        default_value = "ofac-sdn,ofac-cons,un-sc"
    )]
    pub lists_sources: Vec<String>,
    /// Where OFAC SDN is fetched from: a folder URL serving SDN.CSV, ALT.CSV, ADD.CSV and
    /// SDN_COMMENTS.CSV (default: OFAC's Sanctions List Service).
    #[arg(long, env = "CLEARANCE_LISTS_URL_OFAC_SDN", hide_env_values = true)]
    pub lists_url_ofac_sdn: Option<String>,
    /// Where the OFAC Consolidated list is fetched from: a folder URL serving CONS_PRIM.CSV,
    /// CONS_ALT.CSV, CONS_ADD.CSV and CONS_COMMENTS.CSV (default: OFAC's Sanctions List
    /// Service).
    #[arg(long, env = "CLEARANCE_LISTS_URL_OFAC_CONS", hide_env_values = true)]
    pub lists_url_ofac_cons: Option<String>,
    /// Where the UN Security Council Consolidated List XML is fetched from (default: the UN's).
    #[arg(long, env = "CLEARANCE_LISTS_URL_UN_SC", hide_env_values = true)]
    pub lists_url_un_sc: Option<String>,
    /// Where the UK OFSI ConList CSV is fetched from (default: OFSI's).
    #[arg(long, env = "CLEARANCE_LISTS_URL_UK_OFSI", hide_env_values = true)]
    pub lists_url_uk_ofsi: Option<String>,
    /// Where the EU Financial Sanctions Files XML is fetched from (default: the FSF portal
    /// with its public token; put your own token in the URL when you have one).
    #[arg(long, env = "CLEARANCE_LISTS_URL_EU_FSF", hide_env_values = true)]
    pub lists_url_eu_fsf: Option<String>,
    /// Seconds one file's download may take, from the request to the last byte.
    #[arg(
        long,
        env = "CLEARANCE_LISTS_FETCH_TIMEOUT_SECS",
        default_value_t = 300
    )]
    pub lists_fetch_timeout_secs: u64,
    /// Largest list file accepted, in bytes; a larger one is refused unread.
    #[arg(long, env = "CLEARANCE_LISTS_MAX_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub lists_max_bytes: u64,
}

impl FetchArgs {
    /// The URL configured for a source, if any (else the publisher's own is used).
    pub fn url_override(&self, source: &str) -> Option<&str> {
        match source {
            "ofac-sdn" => self.lists_url_ofac_sdn.as_deref(),
            "ofac-cons" => self.lists_url_ofac_cons.as_deref(),
            "un-sc" => self.lists_url_un_sc.as_deref(),
            "uk-ofsi" => self.lists_url_uk_ofsi.as_deref(),
            "eu-fsf" => self.lists_url_eu_fsf.as_deref(),
            _ => None,
        }
        .map(str::trim)
        .filter(|u| !u.is_empty())
    }
}

/// How often lists are refreshed; `None` when turned off.
pub type Refresh = Option<Duration>;

/// `off`, or a whole number followed by `s`, `m`, `h` or `d`, of at least a minute.
pub fn parse_refresh(value: &str) -> Result<Refresh, String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let bad = || format!("'{value}' is not `off` or a duration such as 30m, 6h or 1d");
    let unit = value.chars().last().ok_or_else(bad)?;
    let number: u64 = value[..value.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    let seconds = match unit {
        's' => number,
        'm' => number.saturating_mul(60),
        'h' => number.saturating_mul(3600),
        'd' => number.saturating_mul(86_400),
        _ => return Err(bad()),
    };
    // Publishers update a few times a day at most; faster polling only loads their servers.
    if seconds < 60 {
        return Err(format!(
            "'{value}' is too often: refresh at most once a minute"
        ));
    }
    Ok(Some(Duration::from_secs(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_intervals_parse() {
        assert_eq!(parse_refresh("off"), Ok(None));
        assert_eq!(parse_refresh("6h"), Ok(Some(Duration::from_secs(21_600))));
        assert_eq!(parse_refresh("30m"), Ok(Some(Duration::from_secs(1_800))));
        assert_eq!(parse_refresh("1d"), Ok(Some(Duration::from_secs(86_400))));
        assert_eq!(parse_refresh("90s"), Ok(Some(Duration::from_secs(90))));
        for bad in ["", "6", "h", "6x", "-1h", "10s", "1.5h"] {
            assert!(parse_refresh(bad).is_err(), "{bad}");
        }
    }
}
