//! Three nodes on one PostgreSQL database and one S3-compatible store (issue #22), set up the way
//! the README's scale-out section tells an operator to (each its own data folder; the database,
//! the object store, the master key and the SDK token key file shared), with the load spread
//! over them in turn and a node killed with `kill -9` every few seconds, then restarted.

use super::postgres::PrivatePostgres;
use super::s3::s3_objects;
use super::*;

/// How many nodes, and how often one is killed.
const NODES: usize = 3;
const KILL_EVERY: Duration = Duration::from_secs(3);
/// Kills while the load runs: at least the first, at most the second.
const KILLS: (usize, usize) = (3, 6);

/// (deliveries, distinct event ids) of one receiver.
fn delivery_counts(inbox: &Arc<Mutex<Inbox>>) -> (usize, usize) {
    let inbox = inbox.lock().unwrap();
    let distinct: HashSet<&str> = inbox
        .deliveries
        .iter()
        .map(|(id, _, _)| id.as_str())
        .collect();
    (inbox.deliveries.len(), distinct.len())
}

/// The check ids of `checks` that never reached a receiver.
fn undelivered(inbox: &Arc<Mutex<Inbox>>, checks: &[String]) -> Vec<String> {
    let inbox = inbox.lock().unwrap();
    let got: HashSet<&str> = inbox
        .deliveries
        .iter()
        .map(|(_, _, r)| r.as_str())
        .collect();
    checks
        .iter()
        .filter(|c| !got.contains(c.as_str()))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
pub(crate) async fn three_nodes_one_killed_every_few_seconds() {
    if !enabled("three_nodes_one_killed_every_few_seconds") {
        return;
    }
    let started = Instant::now();
    let endpoint = std::env::var("CLEARANCE_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
        .expect("CLEARANCE_TEST_S3_ENDPOINT: run the suite through tests/support/with-moto.sh");
    let bucket = "clearance-reliability";
    let _ = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    let prefix = format!("nodes-{}-{}", std::process::id(), free_port());
    let pg = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let log = log_path("nodes");
    let master_key = sha256_hex(prefix.as_bytes());
    let token_keys = dir.path().join("token-keys.json").display().to_string();
    let clusters: Vec<Cluster> = (0..NODES)
        .map(|i| {
            cluster(&dir.path().join(format!("node{i}")), Some(pg.url()), &log)
                .env("CLEARANCE_MASTER_KEY", &master_key)
                .env("CLEARANCE_TOKEN_KEYS_FILE", &token_keys)
                .env("CLEARANCE_BLOB_URL", &format!("s3://{bucket}/{prefix}"))
                .env("CLEARANCE_S3_ENDPOINT", &endpoint)
                .env("CLEARANCE_S3_ALLOW_HTTP", "true")
                .env("CLEARANCE_S3_REGION", "us-east-1")
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
        })
        .collect();
    let keys = Arc::new(Keys::create(&clusters[0]));
    // The first node writes the token key file; the others read it.
    let mut nodes = vec![clusters[0].serve(&server_env(30)).await];
    for c in &clusters[1..] {
        nodes.push(c.serve(&server_env(30)).await);
    }
    let api = Api::over(&nodes.iter().collect::<Vec<_>>());
    let fast = webhook_receiver(&api, &keys, "nodes").await;
    let slow =
        webhook_receiver_answering_after(&api, &keys, "nodes-slow", Duration::from_millis(50))
            .await;

    let load = Load {
        first: 0,
        journeys: 90,
        live_every: 10,
        per_second: 12,
        concurrency: 15,
    };
    let load_done = Arc::new(AtomicBool::new(false));
    let running = async {
        let journeys = run_load(api.clone(), keys.clone(), "nodes".into(), load).await;
        load_done.store(true, Ordering::SeqCst);
        journeys
    };
    let nodes = Arc::new(Mutex::new(nodes.into_iter().map(Some).collect::<Vec<_>>()));
    let faults = async {
        let mut kills = Vec::new();
        // A fixed walk over the nodes, so a failure can be replayed: 0, 2, 1, 0, 2, 1…
        let mut victim = 0;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        while kills.len() < KILLS.0 || (!load_done.load(Ordering::SeqCst) && kills.len() < KILLS.1)
        {
            let accepted = api.tally(|t| t.accepted);
            let node = nodes.lock().unwrap()[victim].take().unwrap();
            node.kill();
            tokio::time::sleep(Duration::from_secs(1)).await;
            let restarted = clusters[victim].serve(&server_env(30)).await;
            api.set_base(victim, &restarted.base);
            nodes.lock().unwrap()[victim] = Some(restarted);
            kills.push(format!("node {victim} after {accepted} accepted"));
            victim = (victim + 2) % NODES;
            tokio::time::sleep(KILL_EVERY.saturating_sub(Duration::from_secs(1))).await;
        }
        kills
    };
    let (journeys, kills) = tokio::join!(running, faults);
    let settled = wait_until_settled(&api, &keys, Duration::from_secs(120)).await;
    let checks: Vec<String> = journeys.iter().flat_map(|j| j.checks.clone()).collect();
    wait_for_deliveries(&fast, &checks, Duration::from_secs(90)).await;
    wait_for_deliveries(&slow, &checks, Duration::from_secs(60)).await;

    let store = clearance_store_postgres::connect(&pg.url(), None)
        .await
        .unwrap();
    let events = all_events(&store).await;
    let dead_jobs = clearance_jobs::JobQueue::counts(&store, 0)
        .await
        .unwrap()
        .dead;
    let objects = s3_objects(&endpoint, bucket, &prefix).await;
    let deliveries = fast.lock().unwrap().deliveries.clone();
    let verified = verify(
        &api,
        &keys,
        &journeys,
        &events,
        &Inbox { deliveries },
        objects,
    )
    .await;
    let (fast_sent, fast_events) = delivery_counts(&fast);
    let (slow_sent, slow_events) = delivery_counts(&slow);
    let slow_missing = undelivered(&slow, &checks);
    let faults = vec![
        format!(
            "{NODES} nodes on one PostgreSQL and one S3 store; {} kills (kill -9, restarted 1 s \
             later): {}",
            kills.len(),
            kills.join(", ")
        ),
        format!(
            "every check settled {:.1} s after the load; dead jobs {dead_jobs}",
            settled.as_secs_f64()
        ),
        format!(
            "deliveries per event: fast receiver {fast_sent} for {fast_events} events ({:.2}), \
             slow receiver (50 ms) {slow_sent} for {slow_events} ({:.2}); a repeat is an event \
             sent by a node killed before it recorded the answer",
            fast_sent as f64 / fast_events.max(1) as f64,
            slow_sent as f64 / slow_events.max(1) as f64
        ),
    ];
    report(
        "three nodes, one killed every few seconds",
        &api,
        &verified,
        &faults,
        started.elapsed(),
        &log,
    );
    assert!(
        slow_missing.is_empty(),
        "completions the slow receiver never got: {slow_missing:?}"
    );
    assert_eq!(dead_jobs, 0, "no job gave up");
    // At least once, and at most one repeat per kill and receiver (events in flight then).
    let repeats = (fast_sent - fast_events) + (slow_sent - slow_events);
    assert!(
        repeats <= 2 * kills.len() * 8,
        "{repeats} repeated deliveries for {} kills",
        kills.len()
    );
}
