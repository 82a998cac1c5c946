//! A fresh `clearance serve`, as a new user starts it: the screening lists shipped in the binary
//! are there with no import step, and a live screening check finds a listed person.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::time::{Duration, Instant};

use clearance_testkit::process::Cluster;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

fn key(cluster: &Cluster, mode: &str) -> String {
    let out = cluster
        .command()
        .args(["keys", "create", "--mode", mode])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn a_fresh_server_screens_against_the_shipped_lists() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(BIN, dir.path().join("data"), None);
    let live = key(&cluster, "live");
    let server = cluster
        .serve(&[("CLEARANCE_RATE_LIMIT_LIVE", "0".into())])
        .await;

    let (status, lists) = server.call(&live, "/v1/static/screeningLists", None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = lists
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    // Alphabetical, as the endpoint promises, and exactly the three shipped lists.
    assert_eq!(
        names,
        [
            "OFAC Consolidated (non-SDN) Sanctions List",
            "OFAC Specially Designated Nationals (SDN) List",
            "UN Security Council Consolidated List",
        ]
    );

    let client = json!({"type": "person", "email": "v@example.com",
        "personDetails": {"firstName": "Vladimir", "lastName": "Putin", "dob": "1952-10-07"}});
    let (status, client) = server.call(&live, "/v1/clients", Some(&client)).await;
    assert_eq!(status, 200, "{client}");
    let check = json!({"clientId": client["id"], "type": "standard_screening_check"});
    let (status, check) = server.call(&live, "/v1/checks", Some(&check)).await;
    assert_eq!(status, 200, "{check}");
    let path = format!("/v1/checks/{}", check["id"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        let (_, check) = server.call(&live, &path, None).await;
        if check["status"] != "pending" {
            break check;
        }
        assert!(Instant::now() < deadline, "the check never completed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(done["result"]["outcome"], "attention", "{done}");
    let screened = done["result"]["breakdown"]["screenedLists"]
        .as_array()
        .unwrap();
    assert!(
        screened.iter().all(|l| l["published"].is_string()),
        "every shipped list names its publication date: {screened:?}"
    );
    // The shipped lists came in through the import path: an initial delta each (#25).
    let un_deltas = "/v1/screeningLists/UN%20Security%20Council%20Consolidated%20List/deltas";
    let (status, deltas) = server.call(&live, un_deltas, None).await;
    assert_eq!(status, 200, "{deltas}");
    let first = &deltas["items"][0];
    assert_eq!(first["initial"], true, "{deltas}");
    assert!(first["added"].as_i64().unwrap() > 1000, "{deltas}");

    // A later start imports nothing while any list is there: an operator's choices are kept.
    server.kill();
    let un = names.iter().find(|n| n.contains("UN")).unwrap().to_string();
    let removed = cluster
        .command()
        .args(["lists", "remove", &un])
        .output()
        .unwrap();
    assert!(removed.status.success());
    cluster.serve(&[]).await.kill();
    let out = cluster.command().args(["lists", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 1 + 2, "{listed}");
    // Each shipped list carries its publication date (data/lists/README.md).
    for date in ["2024-05-03", "2025-12-19"] {
        assert!(listed.contains(date), "{date} missing: {listed}");
    }
    // Each passed its self-check on import.
    assert_eq!(listed.matches("passed (50)").count(), 2, "{listed}");
}
