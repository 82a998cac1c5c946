//! A client that sends its headers slowly, or never, cannot hold the server: the connection is
//! closed after the header deadline, and the connection cap never locks others out for longer
//! (#21, finding 12).

use std::time::{Duration, Instant};

use clearance_testkit::process::Cluster;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_clearance");

/// Whether the server closed `stream` within `wait` (end of stream, a reset, or a 408).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0_u8; 512];
    match tokio::time::timeout(wait, stream.read(&mut buf)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(n)) => String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_and_cannot_hold_every_connection() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let env = Cluster::new(BIN, dir.path().join("data"), None)
        .env("CLEARANCE_HEADER_TIMEOUT_MS", "400")
        .env("CLEARANCE_MAX_CONNECTIONS", "2");
    let server = env.serve(&[]).await;
    let addr = server.base.trim_start_matches("http://").to_string();

    // Two slow clients take every connection the server allows.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(&addr).await.expect("connects");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: clearance\r\n")
            .await
            .expect("writes");
        slow.push(stream);
    }
    // A third client is served as soon as the slow ones are cut off, not never.
    let started = Instant::now();
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        server.http.get(format!("{}/healthz", server.base)).send(),
    )
    .await
    .expect("served within the deadline")
    .expect("an answer");
    assert!(answer.status().is_success());
    assert!(started.elapsed() < Duration::from_secs(5));
    for stream in &mut slow {
        assert!(
            closed_within(stream, Duration::from_secs(3)).await,
            "a connection with unfinished headers stayed open"
        );
    }
}
