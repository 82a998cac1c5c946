//! Settings of `clearance serve`: every one is a flag and an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

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
    /// `clearance.db` in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

/// Settings of the HTTP server.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "CLEARANCE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Requests per second per test key (0 turns limiting off).
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_TEST", default_value_t = 5)]
    pub rate_limit_test: u32,
    /// Requests per second per live key (0 turns limiting off).
    #[arg(long, env = "CLEARANCE_RATE_LIMIT_LIVE", default_value_t = 10)]
    pub rate_limit_live: u32,
    /// Largest accepted request body, in bytes (base64 images of up to 4 MB need about 5.4 MB).
    #[arg(long, env = "CLEARANCE_MAX_BODY_BYTES", default_value_t = 6 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest number of `metadata` keys on a client.
    #[arg(long, env = "CLEARANCE_MAX_METADATA_KEYS", default_value_t = 20)]
    pub max_metadata_keys: usize,
    /// Log format: `text` or `json`.
    #[arg(long, env = "CLEARANCE_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}
