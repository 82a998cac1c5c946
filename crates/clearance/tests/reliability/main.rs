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
//! - `three_nodes_one_killed_every_few_seconds` (issue #22): three servers on one private
//!   PostgreSQL and one S3 store, the load spread over them in turn, a node killed with
//!   `kill -9` every 3 s and restarted; two webhook receivers, one slow.
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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

mod client;
mod disk;
mod inbox;
mod load;
mod nodes;
mod postgres;
mod s3;
mod verify;

use client::*;
use inbox::*;
use load::*;
use verify::*;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_clearance");

/// Longest a single request may take before the client gives up on it and retries: a server
/// that hangs on a fault shows up as timeouts in the report.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest one logical request may keep failing. An idempotency claim left by a request the
/// database outage interrupted is taken over after 60 s, so a retry may see 409 that long.
pub(crate) const GIVE_UP_AFTER: Duration = Duration::from_secs(100);

pub(crate) fn server_env(latency_ms: u64) -> Vec<(&'static str, String)> {
    vec![
        ("CLEARANCE_WORKERS", "8".into()),
        ("CLEARANCE_SANDBOX_LATENCY_MS", latency_ms.to_string()),
    ]
}

pub(crate) fn cluster(data_dir: &Path, database_url: Option<String>, log: &Path) -> Cluster {
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
