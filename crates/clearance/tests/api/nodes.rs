//! Per-node pieces of a cluster, as documented in `docs/architecture.md` ("Several nodes"):
//! rate limits are counted by each node (by default in full, with the cluster scope each its
//! share), and a key revoked in the database stops working on every node within the key cache's
//! 5 s.

use std::time::{Duration, Instant};

use clearance_api::ApiConfig;
use clearance_testkit::TestApp;
use reqwest::Method;

#[tokio::test]
async fn each_node_counts_its_own_rate_limit() {
    let first = TestApp::spawn_with(ApiConfig {
        rate_limit_test: 3,
        rate_limit_live: 0,
        ..ApiConfig::default()
    })
    .await;
    let second = first.spawn_peer().await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(first.get("/v1/clients").await.status);
    }
    assert!(
        statuses.contains(&429),
        "the first node refuses: {statuses:?}"
    );
    // The same key, in the same second, through the other node: its own bucket is still full.
    let other = second.get("/v1/clients").await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert_eq!(other.headers["ratelimit-remaining"], "2");
}

#[tokio::test]
async fn a_revoked_key_stops_working_on_every_node_within_five_seconds() {
    let first = TestApp::spawn().await;
    let second = first.spawn_peer().await;
    let (key, _) = first.other_account("revoked-everywhere").await;
    for node in [&first, &second] {
        let r = node
            .send(Method::GET, "/v1/clients", Some(&key), None)
            .await;
        assert_eq!(r.status, 200, "known to both nodes' caches now");
    }
    let hash = clearance_core::keys::hash_key(&key);
    let stored = first.store.find_api_key(&hash).await.unwrap().unwrap();
    first.store.revoke_api_key(&stored.id, 1).await.unwrap();
    let revoked = Instant::now();
    for node in [&first, &second] {
        loop {
            let r = node
                .send(Method::GET, "/v1/clients", Some(&key), None)
                .await;
            if r.status == 401 {
                break;
            }
            assert!(
                revoked.elapsed() < Duration::from_secs(6),
                "still accepted after the cache's 5 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn with_the_cluster_scope_nodes_share_a_keys_rate() {
    let config = ApiConfig {
        rate_limit_test: 6,
        rate_limit_live: 0,
        ..ApiConfig::default()
    };
    let first = TestApp::spawn_with_cluster_rate_limits(config).await;
    let second = first.spawn_peer().await;
    // Both have announced themselves (every 100 ms) and recounted; buckets start afresh.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (key, _) = first.other_account("shared-rate").await;
    // Six requests at once to each node, so little refills while the burst runs.
    let started = std::time::Instant::now();
    let mut answers = Vec::new();
    for node in [&first, &second] {
        let burst = (0..6).map(|_| node.send(Method::GET, "/v1/clients", Some(&key), None));
        answers.extend(futures_util::future::join_all(burst).await);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut allowed = 0;
    for r in answers.iter().filter(|r| r.status == 200) {
        allowed += 1;
        assert_eq!(
            r.headers["ratelimit-limit"], "6",
            "the key's rate, not the share"
        );
    }
    // Each node allows half of 6 at once, plus what its half refills while the bursts run
    // (3 a second each): far from the 12 two unshared nodes would allow.
    let refilled = (6.0 * elapsed).ceil() as usize;
    assert!(
        (6..=7 + refilled).contains(&allowed),
        "{allowed} of 12 allowed in {elapsed:.3} s"
    );
    assert!(refilled >= 5 || allowed < 12, "{allowed} of 12: not shared");
}
