//! The data disk full under load, on a small tmpfs.

use super::*;

/// A tmpfs mounted for the test; unmounted when dropped, also when the test fails.
pub(crate) struct Tmpfs(PathBuf);

impl Tmpfs {
    pub(crate) fn mount(path: &Path, size: &str) -> Self {
        std::fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mount a tmpfs (the suite needs root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(path.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.0).output();
        if !unmounted.is_ok_and(|o| o.status.success()) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).output();
        }
    }
}

/// Writes `path` until the disk is full, then gives `leave` bytes back; the file's size.
pub(crate) fn fill(path: &Path, leave: u64) -> u64 {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5a_u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    let size = written.saturating_sub(leave);
    file.set_len(size).unwrap();
    size
}

// The write failure mid-delivery once stalled deliveries here too, with the same drain-lease race
// as the PostgreSQL crash (see `postgres.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
pub(crate) async fn data_disk_full_under_load() {
    if !enabled("data_disk_full_under_load") {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let log = log_path("disk");
    // Declared before the server and the store: unmounted after they are dropped.
    let _tmpfs = Tmpfs::mount(&data_dir, "48m");
    let cluster = cluster(&data_dir, None, &log);
    let keys = Arc::new(Keys::create(&cluster));
    let mut server = cluster.serve(&server_env(30)).await;
    let api = Api::new(&server);
    let inbox = webhook_receiver(&api, &keys, "disk").await;

    // Before: a load on a disk with room.
    let before = run_load(
        api.clone(),
        keys.clone(),
        "disk".into(),
        Load {
            first: 0,
            journeys: 20,
            live_every: 10,
            per_second: 20,
            concurrency: 8,
        },
    )
    .await;
    assert_eq!(
        api.tally(Tally::failures),
        0,
        "no failure before the disk fills"
    );

    // Full: a filler takes all but 256 KiB while another load runs.
    let filler = data_dir.join("filler");
    let filled = fill(&filler, 256 * 1024);
    let full_at = Instant::now();
    let during = tokio::spawn(run_load(
        api.clone(),
        keys.clone(),
        "disk".into(),
        Load {
            first: 100,
            journeys: 30,
            live_every: 10,
            per_second: 20,
            concurrency: 8,
        },
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    while api.tally(|t| t.server_errors.values().sum::<u64>()) < 10 {
        assert!(
            Instant::now() < deadline,
            "writes never failed on the full disk"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server stays up and serves what it holds.
    let (health, _, _) = api.probe("", "/healthz").await;
    let (status, text, _) = api
        .probe(
            keys.of(Mode::Test),
            &format!("/v1/documents/{}/download/front", before[0].document),
        )
        .await;
    let read_back = status == 200
        && api
            .download_sha(
                keys.of(Mode::Test),
                &format!("/v1/documents/{}/download/front", before[0].document),
            )
            .await
            == Ok(before[0].front_sha.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let failed_while_full = api.tally(Tally::failures);
    assert_eq!(
        server.wait_exit(Duration::ZERO).await,
        None,
        "the server stays up on a full disk"
    );
    assert_eq!(health, 200, "/healthz on a full disk");
    assert!(
        read_back,
        "a stored file reads back on a full disk: {status} {text}"
    );

    // Freed: the load finishes.
    std::fs::remove_file(&filler).unwrap();
    let full_for = full_at.elapsed();
    let mut journeys = during.await.unwrap();
    let after = journey(&api, &keys, "disk", 200, Mode::Test).await;
    journeys.extend(before);
    journeys.push(after);
    let settled = wait_until_settled(&api, &keys, Duration::from_secs(120)).await;
    let checks: Vec<String> = journeys.iter().flat_map(|j| j.checks.clone()).collect();
    wait_for_deliveries(&inbox, &checks, Duration::from_secs(60)).await;

    let db = data_dir.join("clearance.db");
    let integrity = Command::new("sqlite3")
        .arg(&db)
        .arg("PRAGMA integrity_check;")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("sqlite3 not run: {e}"));
    let store = clearance_store_sqlite::open(&db).await.unwrap();
    let events = all_events(&store).await;
    let objects = local_objects(&data_dir.join("blobs"));
    let deliveries = inbox.lock().unwrap().deliveries.clone();
    let verified = verify(
        &api,
        &keys,
        &journeys,
        &events,
        &Inbox { deliveries },
        objects,
    )
    .await;
    let faults = vec![
        format!(
            "data disk (48 MiB tmpfs) filled after {} journeys: a {} MiB filler left 256 KiB; \
             {failed_while_full} requests failed while full; freed after {:.1} s",
            20,
            filled / (1024 * 1024),
            full_for.as_secs_f64()
        ),
        format!(
            "while full: /healthz {health}, an earlier upload read back intact; the server \
             stayed up; SQLite integrity_check after: {integrity}"
        ),
        format!(
            "every check settled {:.1} s after the load; jobs retried {}, buried {}",
            settled.as_secs_f64(),
            metric(&server, "clearance_jobs_total{outcome=\"retried\"}").await,
            metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await
        ),
    ];
    report(
        "data disk full under load",
        &api,
        &verified,
        &faults,
        started.elapsed(),
        &log,
    );
    assert!(
        integrity == "ok" || integrity.starts_with("sqlite3 not run"),
        "SQLite integrity: {integrity}"
    );
    assert_eq!(
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await,
        0,
        "no job gave up"
    );
}
