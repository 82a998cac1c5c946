//! Test-mode check throughput and latency against a running `clearance serve`, for
//! `bench/checks.sh`, next to two baselines measured in the same run at the same concurrency:
//! `GET /v1/clients/:id` (a read) and `POST /v1/clients` (one durable write, the nearest plain
//! request to creating a check).
//!
//! Each of C tasks loops: `POST /v1/checks` (a `standard_screening_check`), then
//! `GET /v1/checks/:id` every `--poll-ms` until the check leaves `pending`. End to end is from
//! sending the POST to receiving the GET that shows it complete, so it includes up to one poll
//! interval of waiting; the server's own `createdAt` → `updatedAt` (millisecond timestamps) has no
//! polling in it. Throughput is completed checks over the wall time of the timed phase.
//!
//! Those C closed loops keep the server saturated, so their latency is mostly queueing: by
//! Little's law p50 ≈ C ÷ throughput. Latency is therefore also measured at a steady offered
//! load below capacity: S checks started at R per second (an open loop: each on its own task,
//! whatever the earlier ones are doing), each polled the same way. The p50 target is judged
//! there.
//!
//! Usage: bench_checks <base url> <test key> [--checks N] [--concurrency C] [--poll-ms P]
//!        [--rate R] [--steady S] [--warmup W] [--label NAME]
//! Defaults: N = 2000, C = 16, P = 2, R = 100, S = 5 × R, W = 32 (environment:
//! CHECKS_BENCH_N, CHECKS_BENCH_CONCURRENCY, CHECKS_BENCH_POLL_MS, CHECKS_BENCH_RATE).

#[path = "support/bench.rs"]
mod bench;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::{
    Api, BoxError, Phase, call, env_or, id_of, ms, person, quantile, run_open_loop, run_phase,
    timestamp_ms,
};
use reqwest::{Client, Method};
use serde_json::{Value, json};

struct Args {
    api: Api,
    checks: usize,
    concurrency: usize,
    poll: Duration,
    rate: f64,
    steady: Option<usize>,
    warmup: usize,
    label: String,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut positional = Vec::new();
    let mut args = Args {
        api: Api {
            base: String::new(),
            key: String::new(),
        },
        checks: env_or("CHECKS_BENCH_N", 2000),
        concurrency: env_or("CHECKS_BENCH_CONCURRENCY", 16),
        poll: Duration::from_millis(env_or("CHECKS_BENCH_POLL_MS", 2) as u64),
        rate: env_or("CHECKS_BENCH_RATE", 100) as f64,
        steady: None,
        warmup: 32,
        label: "store".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--checks" => args.checks = value()?.parse()?,
            "--concurrency" => args.concurrency = value()?.parse()?,
            "--poll-ms" => args.poll = Duration::from_millis(value()?.parse()?),
            "--rate" => args.rate = value()?.parse()?,
            "--steady" => args.steady = Some(value()?.parse()?),
            "--warmup" => args.warmup = value()?.parse()?,
            "--label" => args.label = value()?,
            _ => positional.push(arg),
        }
    }
    let [base, key] = <[String; 2]>::try_from(positional)
        .map_err(|_| "usage: bench_checks <base url> <test key> [--checks N] [--concurrency C] [--poll-ms P] [--rate R] [--steady S] [--warmup W] [--label NAME]")?;
    args.api.base = base.trim_end_matches('/').to_string();
    args.api.key = key;
    args.concurrency = args.concurrency.max(1);
    args.checks = args.checks.max(1);
    Ok(args)
}

/// POSTs one check and polls it until it leaves `pending`: [end to end, POST answer, server
/// createdAt → updatedAt] in ms, and the number of polls.
async fn one_check(http: Client, args: Arc<Args>, body: Arc<Value>) -> Result<Vec<f64>, BoxError> {
    let t0 = Instant::now();
    let created = call(&http, &args.api, Method::POST, "/v1/checks", Some(&body)).await?;
    let answered = ms(t0);
    if created["status"] != "pending" && created["status"] != "complete" {
        return Err(format!("unexpected check on create: {created}").into());
    }
    let id = id_of(&created)?;
    let path = format!("/v1/checks/{id}");
    let mut check = created;
    let give_up = t0 + Duration::from_secs(30);
    let mut polls = 0;
    while check["status"] == "pending" {
        polls += 1;
        if Instant::now() > give_up {
            return Err(format!("check {id} still pending after 30 s").into());
        }
        tokio::time::sleep(args.poll).await;
        check = call(&http, &args.api, Method::GET, &path, None).await?;
    }
    let end_to_end = ms(t0);
    if check["status"] != "complete" {
        return Err(format!("check {id} ended {}: {check}", check["status"]).into());
    }
    let server = timestamp_ms(&check["updatedAt"])? - timestamp_ms(&check["createdAt"])?;
    Ok(vec![end_to_end, answered, server, f64::from(polls)])
}

struct Row {
    name: &'static str,
    rate: Option<f64>,
    p50: f64,
    p99: f64,
}

fn row(name: &'static str, phase: &Phase) -> Row {
    Row {
        name,
        rate: Some(phase.samples.len() as f64 / phase.wall.as_secs_f64()),
        p50: quantile(&phase.samples, 0.5),
        p99: quantile(&phase.samples, 0.99),
    }
}

fn sub_row(name: &'static str, samples: &[f64]) -> Row {
    Row {
        name,
        rate: None,
        p50: quantile(samples, 0.5),
        p99: quantile(samples, 0.99),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Arc::new(parse_args()?);
    let http = Client::builder()
        .pool_max_idle_per_host(args.concurrency * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    let (n, c) = (args.checks, args.concurrency);

    let client_id = id_of(
        &call(
            &http,
            &args.api,
            Method::POST,
            "/v1/clients",
            Some(&person()),
        )
        .await?,
    )?;
    let check_body = Arc::new(json!({"clientId": client_id, "type": "standard_screening_check"}));
    let client_path = Arc::new(format!("/v1/clients/{client_id}"));

    // Warm-up: connections, caches, the worker pool.
    let warm = {
        let (http, args, body) = (http.clone(), args.clone(), check_body.clone());
        move || one_check(http.clone(), args.clone(), body.clone())
    };
    run_phase(args.warmup.max(1), c, warm).await?;

    let get = {
        let (http, args, path) = (http.clone(), args.clone(), client_path.clone());
        move || {
            let (http, args, path) = (http.clone(), args.clone(), path.clone());
            async move {
                let t0 = Instant::now();
                call(&http, &args.api, Method::GET, &path, None).await?;
                Ok(vec![ms(t0)])
            }
        }
    };
    let get = run_phase(n, c, get).await?;

    let post = {
        let (http, args) = (http.clone(), args.clone());
        move || {
            let (http, args) = (http.clone(), args.clone());
            async move {
                let t0 = Instant::now();
                call(
                    &http,
                    &args.api,
                    Method::POST,
                    "/v1/clients",
                    Some(&person()),
                )
                .await?;
                Ok(vec![ms(t0)])
            }
        }
    };
    let post = run_phase(n, c, post).await?;

    let checks = {
        let (http, args, body) = (http.clone(), args.clone(), check_body.clone());
        move || one_check(http.clone(), args.clone(), body.clone())
    };
    let checks = run_phase(n, c, checks).await?;

    let rate = args.rate.max(1.0);
    let steady_n = args.steady.unwrap_or((rate * 5.0) as usize).max(1);
    let steady = {
        let (http, args, body) = (http.clone(), args.clone(), check_body.clone());
        move || one_check(http.clone(), args.clone(), body.clone())
    };
    let steady = run_open_loop(steady_n, rate, steady).await?;

    let rows = [
        row("GET /v1/clients/:id (baseline)", &get),
        row("POST /v1/clients (baseline)", &post),
        row("check: POST → complete, end to end", &checks),
        sub_row("  of which POST /v1/checks answer", &checks.extra[0]),
        sub_row("  server createdAt → updatedAt", &checks.extra[1]),
        row("check at a steady rate, end to end", &steady),
        sub_row("  of which POST /v1/checks answer", &steady.extra[0]),
        sub_row("  server createdAt → updatedAt", &steady.extra[1]),
    ];
    let base = &rows[1];
    println!(
        "{} — {n} checks and {n} requests per baseline, {c} concurrent, poll every {} ms, {:.1} s of checks",
        args.label,
        args.poll.as_millis(),
        checks.wall.as_secs_f64()
    );
    println!(
        "  {:<38} {:>9} {:>9} {:>9} {:>14} {:>14}",
        "operation", "per s", "p50 ms", "p99 ms", "p50 ÷ POST cl.", "rate ÷ POST cl."
    );
    for r in &rows {
        let rate = r.rate.map_or("-".into(), |v| format!("{v:.0}"));
        let rate_ratio = match (r.rate, base.rate) {
            (Some(a), Some(b)) => format!("{:.2}", a / b),
            _ => "-".into(),
        };
        println!(
            "  {:<38} {:>9} {:>9.1} {:>9.1} {:>14.2} {:>14}",
            r.name,
            rate,
            r.p50,
            r.p99,
            r.p50 / base.p50,
            rate_ratio
        );
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "  GET /v1/checks/:id polls per check: saturated mean {:.1} (p99 {:.0}), steady mean {:.1}",
        mean(&checks.extra[2]),
        quantile(&checks.extra[2], 0.99),
        mean(&steady.extra[2])
    );
    println!(
        "  steady rate: {steady_n} checks offered at {rate:.0}/s, completed at {:.0}/s; \
         saturated p50 ≈ {c} ÷ throughput = {:.1} ms (Little's law: queueing)",
        steady.samples.len() as f64 / steady.wall.as_secs_f64(),
        c as f64 * 1000.0 / rows[2].rate.unwrap_or(f64::NAN)
    );
    let p50 = rows[5].p50;
    println!(
        "  target p50 ≤ 50 ms end to end at {rate:.0} checks/s: {} ({p50:.1} ms)",
        if p50 <= 50.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
