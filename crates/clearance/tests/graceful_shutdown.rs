//! SIGTERM: readiness fails first, the listener closes after the drain delay, in-flight
//! requests finish, and running checks go back to the queue for the next server
//! (issue #21, graceful shutdown).

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clearance_jobs::JobQueue;
use clearance_testkit::process::Cluster;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_requests_and_hands_running_checks_back() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let env = Cluster::new(BIN, &data_dir, None).env("CLEARANCE_SHUTDOWN_DELAY_MS", "1500");
    let key = env.test_key();
    // Each check takes a minute: the one started below is still running at shutdown.
    let mut server = env
        .serve(&[("CLEARANCE_SANDBOX_LATENCY_MS", "60000".into())])
        .await;
    let (status, client) = server
        .call(
            &key,
            "/v1/clients",
            Some(&json!({"type": "person", "email": "ada@example.com",
                "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}})),
        )
        .await;
    assert_eq!(status, 200, "{client}");
    let (status, check) = server
        .call(
            &key,
            "/v1/checks",
            Some(&json!({"clientId": client["id"], "type": "standard_screening_check"})),
        )
        .await;
    assert_eq!(status, 200, "{check}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server
        .metric("clearance_job_queue{state=\"running\"} ")
        .await
        == 0
    {
        assert!(Instant::now() < deadline, "the check never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A request whose body is still on its way when the signal comes.
    let body = json!({"type": "person", "email": "alan@example.com",
        "personDetails": {"firstName": "Alan", "lastName": "Turing"}})
    .to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut in_flight = TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /v1/clients HTTP/1.1\r\nHost: clearance\r\nAuthorization: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    );
    in_flight.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    server.terminate();
    // Readiness fails first, while the listener still takes connections.
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let ready = server
            .http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap();
        if ready.status() == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "readiness never turned false");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The listener closes after the drain delay; the request in flight still finishes.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).await.is_ok() {
        assert!(Instant::now() < deadline, "the listener never closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    in_flight.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = vec![0_u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), in_flight.read(&mut answer))
        .await
        .expect("the in-flight request is answered")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let exit = server
        .wait_exit(Duration::from_secs(30))
        .await
        .expect("the server exits on its own");
    assert!(exit.success(), "{exit}");

    // The running check went back to the queue, runnable at once, its attempt not counted.
    let store = clearance_store_sqlite::open(&data_dir.join("clearance.db"))
        .await
        .unwrap();
    let counts = store.counts(now_ms()).await.unwrap();
    assert_eq!((counts.queued, counts.running), (1, 0), "{counts:?}");
    let claimed = store
        .claim(&["check.run".to_string()], "probe", now_ms(), 1_000, 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.len(),
        1,
        "runnable at once, before any lease expired"
    );
    assert_eq!(
        claimed[0].attempts, 1,
        "the interrupted run was not counted"
    );
    assert_eq!(claimed[0].payload["checkId"], check["id"]);
    drop(store);
    drop(dir);
}
