//! What the benchmark drivers share: calling the API, running a timed phase over concurrent
//! tasks, and quantiles.

// Each driver includes this module and uses part of it.
#![allow(dead_code)]

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{Value, json};

pub type BoxError = Box<dyn Error + Send + Sync>;

/// Where the server is and the key to call it with.
pub struct Api {
    pub base: String,
    pub key: String,
}

pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One request; an error unless the answer is 200 with a JSON body.
pub async fn call(
    http: &Client,
    api: &Api,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, BoxError> {
    let mut req = http
        .request(method.clone(), format!("{}{path}", api.base))
        .header("Authorization", &api.key);
    if let Some(body) = body {
        req = req.json(body);
    }
    let resp = req.send().await?;
    let status = resp.status();
    let text = resp.text().await?;
    if status != 200 {
        return Err(format!("{method} {path}: {status} {}", &text[..text.len().min(300)]).into());
    }
    Ok(serde_json::from_str(&text)?)
}

pub fn id_of(v: &Value) -> Result<String, BoxError> {
    Ok(v["id"].as_str().ok_or("answer without an id")?.to_string())
}

/// A person client, as the drivers create them.
pub fn person() -> Value {
    json!({
        "type": "person",
        "email": "ada.bench@example.org",
        "personDetails": {"firstName": "Ada", "lastName": "Bench", "dob": "1985-12-10", "nationality": "GB"}
    })
}

/// What one timed operation produced: per-operation samples (ms) and the phase's wall time.
pub struct Phase {
    pub samples: Vec<f64>,
    pub extra: Vec<Vec<f64>>,
    pub wall: Duration,
}

/// Runs `count` operations over `concurrency` tasks; each operation returns one or more samples
/// in milliseconds (the first is the operation's latency).
pub async fn run_phase<F, Fut>(count: usize, concurrency: usize, op: F) -> Result<Phase, BoxError>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<f64>, BoxError>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.min(count) {
        let op = op.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut out: Vec<Vec<f64>> = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < count {
                out.push(op().await?);
            }
            Ok::<_, BoxError>(out)
        }));
    }
    let mut rows = Vec::with_capacity(count);
    for task in tasks {
        rows.extend(task.await??);
    }
    Ok(into_phase(rows, started.elapsed()))
}

/// Starts `count` operations at a steady `per_second`, each on its own task whatever the ones
/// before are doing (an open loop: a slow server does not slow the arrivals, so queueing shows in
/// the latencies instead of hiding in a lower request rate).
pub async fn run_open_loop<F, Fut>(count: usize, per_second: f64, op: F) -> Result<Phase, BoxError>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<f64>, BoxError>> + Send + 'static,
{
    let op = Arc::new(op);
    let started = Instant::now();
    let spacing = Duration::from_secs_f64(1.0 / per_second.max(0.001));
    let mut ticks = tokio::time::interval(spacing);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        ticks.tick().await;
        let op = op.clone();
        tasks.push(tokio::spawn(async move { op().await }));
    }
    let mut rows = Vec::with_capacity(count);
    for task in tasks {
        rows.push(task.await??);
    }
    Ok(into_phase(rows, started.elapsed()))
}

/// Turns per-operation rows of samples into columns: the first is the latency, the rest extras.
fn into_phase(rows: Vec<Vec<f64>>, wall: Duration) -> Phase {
    let width = rows.first().map_or(1, Vec::len);
    let mut columns = vec![Vec::with_capacity(rows.len()); width];
    for row in rows {
        for (c, v) in columns.iter_mut().zip(row) {
            c.push(v);
        }
    }
    let samples = columns.remove(0);
    Phase {
        samples,
        extra: columns,
        wall,
    }
}

pub fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The `q` quantile (nearest rank) of unsorted samples.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A wire timestamp (`2026-11-28T10:00:00.123Z`) in epoch milliseconds.
pub fn timestamp_ms(v: &Value) -> Result<f64, BoxError> {
    let s = v.as_str().ok_or("answer without a timestamp")?;
    Ok(
        clearance_core::time::parse_time_filter(s).ok_or_else(|| format!("bad timestamp {s}"))?
            as f64,
    )
}
