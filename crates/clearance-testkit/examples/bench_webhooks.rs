//! Webhook delivery latency and throughput against a running `clearance serve`, for
//! `bench/webhooks.sh`. The driver runs its own receiver on 127.0.0.1, registers it as a webhook
//! for `client.created`, and creates clients (each creation is the state change that writes the
//! event).
//!
//! Latency is from the state change to receipt: the event's `createdAt` (stamped by the server
//! when it builds the change, before its transaction commits) to the moment the receiver has
//! the whole request, both on this machine's clock. Two phases:
//! - idle queue: one client at a time, each waiting for its delivery before the next (the
//!   latency a lone event sees);
//! - burst: N clients created by C concurrent tasks; delivered events/s is N over the time from
//!   the first create to the last receipt (one endpoint, so deliveries are sequential by design:
//!   per-endpoint ordering).
//!
//! Baselines in the same run: `POST /v1/clients` (the state change itself) and a direct
//! `POST` from this driver to the receiver (the bare cost of one HTTP delivery).
//!
//! Usage: bench_webhooks <base url> <test key> [--idle N] [--events N] [--concurrency C]
//!        [--label NAME]   (defaults 200, 2000, 16)

#[path = "support/bench.rs"]
mod bench;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use bench::{Api, BoxError, call, env_or, id_of, ms, person, quantile, run_phase, timestamp_ms};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use tokio::sync::Notify;

struct Args {
    api: Api,
    idle: usize,
    events: usize,
    concurrency: usize,
    label: String,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut positional = Vec::new();
    let mut args = Args {
        api: Api {
            base: String::new(),
            key: String::new(),
        },
        idle: env_or("WEBHOOKS_BENCH_IDLE", 200),
        events: env_or("WEBHOOKS_BENCH_EVENTS", 2000),
        concurrency: env_or("WEBHOOKS_BENCH_CONCURRENCY", 16),
        label: "store".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--idle" => args.idle = value()?.parse()?,
            "--events" => args.events = value()?.parse()?,
            "--concurrency" => args.concurrency = value()?.parse()?,
            "--label" => args.label = value()?,
            _ => positional.push(arg),
        }
    }
    let [base, key] = <[String; 2]>::try_from(positional).map_err(|_| {
        "usage: bench_webhooks <base url> <test key> [--idle N] [--events N] [--concurrency C] [--label NAME]"
    })?;
    args.api.base = base.trim_end_matches('/').to_string();
    args.api.key = key;
    args.concurrency = args.concurrency.max(1);
    args.events = args.events.max(1);
    args.idle = args.idle.max(1);
    Ok(args)
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// What the receiver has seen: per client id, the state-change-to-receipt latency in ms.
#[derive(Default)]
struct Received {
    latency: Mutex<HashMap<String, f64>>,
    last_at: Mutex<Option<Instant>>,
    arrived: Notify,
}

impl Received {
    fn count(&self) -> usize {
        self.latency.lock().map_or(0, |m| m.len())
    }

    fn latency_of(&self, client_id: &str) -> Option<f64> {
        self.latency.lock().ok()?.get(client_id).copied()
    }

    /// Waits until `done` holds, or fails after `limit`.
    async fn wait_for(&self, limit: Duration, done: impl Fn() -> bool) -> Result<(), BoxError> {
        let give_up = Instant::now() + limit;
        loop {
            let arrived = self.arrived.notified();
            if done() {
                return Ok(());
            }
            let left = give_up.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err("webhook deliveries did not arrive in time".into());
            }
            let _ = tokio::time::timeout(left, arrived).await;
        }
    }
}

async fn receive(State(received): State<Arc<Received>>, body: Bytes) -> &'static str {
    let at = now_ms();
    if let Ok(event) = serde_json::from_slice::<Value>(&body)
        && event["type"] == "client.created"
        && let (Some(id), Ok(created)) = (
            event["payload"]["id"].as_str(),
            timestamp_ms(&event["createdAt"]),
        )
    {
        if let Ok(mut m) = received.latency.lock() {
            m.entry(id.to_string()).or_insert(at - created);
        }
        if let Ok(mut last) = received.last_at.lock() {
            *last = Some(Instant::now());
        }
        received.arrived.notify_waiters();
    }
    "ok"
}

/// Starts the receiver; returns its URL.
async fn start_receiver(received: Arc<Received>) -> Result<String, BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(received);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

fn summary(name: &str, rate: Option<f64>, samples: &[f64], base_p50: f64) {
    let rate = rate.map_or("-".into(), |v| format!("{v:.0}"));
    let p50 = quantile(samples, 0.5);
    println!(
        "  {:<46} {:>9} {:>9.1} {:>9.1} {:>12.2}",
        name,
        rate,
        p50,
        quantile(samples, 0.99),
        p50 / base_p50
    );
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Arc::new(parse_args()?);
    let http = Client::builder()
        .pool_max_idle_per_host(args.concurrency * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    let received = Arc::new(Received::default());
    let hook_url = start_receiver(received.clone()).await?;
    let hook = json!({"url": hook_url, "enabled": true, "events": ["client.created"]});
    call(&http, &args.api, Method::POST, "/v1/webhooks", Some(&hook)).await?;

    // Baseline: a direct POST of an event-sized body to the receiver.
    let sample = json!({"id": "0", "type": "bench.baseline", "payload": {"id": "0"}});
    let mut direct = Vec::new();
    for _ in 0..args.idle {
        let t0 = Instant::now();
        http.post(&hook_url)
            .json(&sample)
            .send()
            .await?
            .bytes()
            .await?;
        direct.push(ms(t0));
    }

    // Idle queue: one event at a time (the first few warm the connections and are dropped).
    let warmup = 10;
    let mut idle = Vec::new();
    let mut creates = Vec::new();
    for i in 0..args.idle + warmup {
        let t0 = Instant::now();
        let client = call(
            &http,
            &args.api,
            Method::POST,
            "/v1/clients",
            Some(&person()),
        )
        .await?;
        let answered = ms(t0);
        let id = id_of(&client)?;
        received
            .wait_for(Duration::from_secs(30), || {
                received.latency_of(&id).is_some()
            })
            .await?;
        if i >= warmup {
            creates.push(answered);
            idle.extend(received.latency_of(&id));
        }
        // Let the queue go idle again before the next event.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Burst: N events from C concurrent creators.
    let before = received.count();
    let (n, c) = (args.events, args.concurrency);
    let ids = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let started = Instant::now();
    let create = {
        let (http, args, ids) = (http.clone(), args.clone(), ids.clone());
        move || {
            let (http, args, ids) = (http.clone(), args.clone(), ids.clone());
            async move {
                let t0 = Instant::now();
                let client = call(
                    &http,
                    &args.api,
                    Method::POST,
                    "/v1/clients",
                    Some(&person()),
                )
                .await?;
                if let Ok(mut ids) = ids.lock() {
                    ids.push(id_of(&client)?);
                }
                Ok(vec![ms(t0)])
            }
        }
    };
    let burst_creates = run_phase(n, c, create).await?;
    received
        .wait_for(Duration::from_secs(300), || received.count() >= before + n)
        .await?;
    let last = received
        .last_at
        .lock()
        .ok()
        .and_then(|l| *l)
        .unwrap_or_else(Instant::now);
    let delivery_wall = last.saturating_duration_since(started).as_secs_f64();
    let burst: Vec<f64> = ids
        .lock()
        .map(|ids| {
            ids.iter()
                .filter_map(|id| received.latency_of(id))
                .collect()
        })
        .unwrap_or_default();

    let base_p50 = quantile(&direct, 0.5);
    println!(
        "{} — {} lone events, then {n} events from {c} concurrent creators, one endpoint on 127.0.0.1",
        args.label, args.idle
    );
    println!(
        "  {:<46} {:>9} {:>9} {:>9} {:>12}",
        "measure", "per s", "p50 ms", "p99 ms", "p50 ÷ direct"
    );
    summary(
        "direct POST to the receiver (baseline)",
        None,
        &direct,
        base_p50,
    );
    summary(
        "POST /v1/clients, idle (baseline)",
        None,
        &creates,
        base_p50,
    );
    summary("idle queue: state change → receipt", None, &idle, base_p50);
    summary(
        "burst: POST /v1/clients",
        Some(n as f64 / burst_creates.wall.as_secs_f64()),
        &burst_creates.samples,
        base_p50,
    );
    summary(
        "burst: state change → receipt (events/s)",
        Some(burst.len() as f64 / delivery_wall),
        &burst,
        base_p50,
    );
    let p50 = quantile(&idle, 0.5);
    println!(
        "  target p50 ≤ 100 ms with an idle queue: {} ({p50:.1} ms)",
        if p50 <= 100.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
