//! Fetching screening lists from a publisher (`clearance lists fetch`, `serve`'s refresh),
//! against a local HTTP server that plays the publisher: conditional requests, changed files,
//! and the faults a download meets (errors, cut-short bodies, silence, empty or foreign files,
//! oversized files, a version that lost most of its entries).
//!
//! The served files are the screening crate's fixtures (excerpts of the real lists; provenance in
//! `crates/clearance-screening/tests/fixtures/README.md`).

#![expect(
    clippy::unwrap_used,
    reason = "a test: a failed unwrap is a failed test"
)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearance::fetch::{
    Downloader, FetchSettings, Outcome, fetch_source, refresh_due, source, sources_named,
};
use clearance::wiring::open_store;
use clearance_core::clock::{Clock, SystemClock};
use clearance_core::screening_lists::{FetchState, StoredList};
use clearance_core::store::Store;
use clearance_testkit::process::Cluster;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BIN: &str = env!("CARGO_BIN_EXE_clearance");
const UN_NAME: &str = "UN Security Council Consolidated List";
const SDN_NAME: &str = "OFAC Specially Designated Nationals (SDN) List";

mod publisher;
use publisher::*;

fn settings(base: &str, work: &Path, timeout: Duration, max_bytes: u64) -> FetchSettings {
    FetchSettings {
        downloader: Downloader::new(timeout, max_bytes).unwrap(),
        urls: vec![
            ("un-sc".into(), format!("{base}/un/consolidated.xml")),
            ("ofac-sdn".into(), format!("{base}/ofac/")),
        ],
        max_drop: Some(0.2),
        work_dir: work.to_owned(),
    }
}

async fn stored(store: &dyn Store, name: &str) -> Option<StoredList> {
    store
        .screening_lists()
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.name == name)
}

async fn state_of(store: &dyn Store, code: &str) -> FetchState {
    store
        .list_fetch_states()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.source == code)
        .unwrap()
}

async fn fresh_store(dir: &Path) -> Arc<dyn Store> {
    open_store(None, &dir.join("data")).await.unwrap()
}

#[tokio::test]
async fn a_changed_list_replaces_the_stored_one_and_an_unchanged_one_is_not_imported_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(dir.path()).await;
    let (publisher, base) = publisher().await;
    let settings = settings(&base, dir.path(), Duration::from_secs(10), 1 << 20);
    let un = source("un-sc").unwrap();
    let v1 = fixture("un_sc_sample.xml");
    publisher.set("/un/consolidated.xml", file(v1.clone(), "v1"));

    let first = fetch_source(store.as_ref(), &settings, un, 1_000)
        .await
        .unwrap();
    assert!(matches!(first, Outcome::Imported(_)), "{first:?}");
    let list = stored(store.as_ref(), UN_NAME).await.unwrap();
    assert_eq!(list.entity_count, 3);
    assert_eq!(list.imported_at, 1_000);
    assert_eq!(
        list.published.as_deref(),
        Some("2026-02-27"),
        "the file's own date"
    );
    let state = state_of(store.as_ref(), "un-sc").await;
    assert_eq!(state.validators[0].etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        (state.succeeded_at, state.failures, state.error),
        (Some(1_000), 0, None)
    );
    assert_eq!(
        publisher.seen()[0].if_none_match,
        None,
        "nothing to ask about yet"
    );

    // Unchanged: the request carries the ETag, the publisher answers 304, nothing is imported.
    let again = fetch_source(store.as_ref(), &settings, un, 2_000)
        .await
        .unwrap();
    assert!(matches!(again, Outcome::Unchanged), "{again:?}");
    assert_eq!(publisher.seen()[1].if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!(
        stored(store.as_ref(), UN_NAME).await.unwrap(),
        list,
        "the stored version is untouched (same import time)"
    );
    let state = state_of(store.as_ref(), "un-sc").await;
    assert_eq!(
        (state.attempted_at, state.succeeded_at),
        (2_000, Some(2_000))
    );

    // Changed: a renamed person and a new publication date make a new version, which replaces
    // the old one whole.
    let v2 = String::from_utf8(v1)
        .unwrap()
        .replace("BADEGE", "BADEGI")
        .replace("2026-02-27T00:00:09.554Z", "2026-03-02T00:00:01.000Z");
    publisher.set("/un/consolidated.xml", file(v2.into_bytes(), "v2"));
    let changed = fetch_source(store.as_ref(), &settings, un, 3_000)
        .await
        .unwrap();
    assert!(matches!(changed, Outcome::Imported(_)), "{changed:?}");
    let lists = store.screening_lists().await.unwrap();
    assert_eq!(lists.len(), 1, "replaced, not added: {lists:?}");
    let new = &lists[0];
    assert_eq!(new.published.as_deref(), Some("2026-03-02"));
    assert_ne!(new.content_hash, list.content_hash);
    assert_eq!(new.imported_at, 3_000);
    assert!(
        store
            .screening_list_chunks(UN_NAME, &list.content_hash)
            .await
            .unwrap()
            .is_empty(),
        "the old version's chunks are gone"
    );
    let delta = &store.screening_list_deltas(UN_NAME).await.unwrap()[0];
    let counts = (delta.seq, delta.added, delta.changed, delta.removed);
    assert_eq!(counts, (2, 0, 1, 0), "the fetch recorded the rename");
    let state = state_of(store.as_ref(), "un-sc").await;
    assert_eq!(state.validators[0].etag.as_deref(), Some("\"v2\""));

    // After `lists remove`, the fetch asks unconditionally: a 304 would leave no list.
    publisher.forget();
    assert!(store.remove_screening_list(UN_NAME).await.unwrap());
    let back = fetch_source(store.as_ref(), &settings, un, 4_000)
        .await
        .unwrap();
    assert!(matches!(back, Outcome::Imported(_)), "{back:?}");
    assert_eq!(publisher.seen()[0].if_none_match, None);
    assert!(stored(store.as_ref(), UN_NAME).await.is_some());
}

#[tokio::test]
async fn a_set_of_files_is_fetched_again_whole_when_one_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(dir.path()).await;
    let (publisher, base) = publisher().await;
    let settings = settings(&base, dir.path(), Duration::from_secs(10), 1 << 20);
    let sdn = source("ofac-sdn").unwrap();
    let date = "Tue, 01 Dec 2026 10:00:00 GMT";
    // Last-Modified only, no ETag; no SDN_COMMENTS.CSV at this mirror (404, optional).
    for (remote, local) in [
        ("SDN.CSV", "sdn.csv"),
        ("ALT.CSV", "alt.csv"),
        ("ADD.CSV", "add.csv"),
    ] {
        publisher.set(
            &format!("/ofac/{remote}"),
            Answer::File {
                body: fixture(&format!("ofac_sdn/{local}")),
                etag: None,
                last_modified: Some(date.into()),
            },
        );
    }
    let first = fetch_source(store.as_ref(), &settings, sdn, 1_000)
        .await
        .unwrap();
    let Outcome::Imported(summary) = first else {
        panic!("{first:?}")
    };
    assert_eq!(summary.list.name, SDN_NAME);
    assert_eq!(
        summary.list.published.as_deref(),
        Some("2026-12-01"),
        "OFAC's files carry no date: the Last-Modified day stands in"
    );
    let entities = summary.list.entity_count;
    assert!(entities >= 5, "{entities}");

    publisher.forget();
    let again = fetch_source(store.as_ref(), &settings, sdn, 2_000)
        .await
        .unwrap();
    assert!(matches!(again, Outcome::Unchanged), "{again:?}");
    let seen = publisher.seen();
    assert_eq!(seen.len(), 4, "one conditional request per file: {seen:?}");
    assert!(
        seen.iter()
            .filter(|s| s.path != "/ofac/SDN_COMMENTS.CSV")
            .all(|s| s.if_modified_since.as_deref() == Some(date)),
        "{seen:?}"
    );

    // Only the aliases changed: the primary file is fetched again too, as the set is read
    // whole.
    let mut alt = fixture("ofac_sdn/alt.csv");
    alt.extend_from_slice(b"306,9999,\"aka\",\"EXAMPLE ALIAS ADDED\",-0- \n");
    publisher.set(
        "/ofac/ALT.CSV",
        Answer::File {
            body: alt,
            etag: None,
            last_modified: Some("Wed, 02 Dec 2026 10:00:00 GMT".into()),
        },
    );
    publisher.forget();
    let changed = fetch_source(store.as_ref(), &settings, sdn, 3_000)
        .await
        .unwrap();
    let Outcome::Imported(summary) = changed else {
        panic!("{changed:?}")
    };
    assert_eq!(summary.list.entity_count, entities);
    let seen = publisher.seen();
    let sdn_requests: Vec<&Seen> = seen.iter().filter(|s| s.path == "/ofac/SDN.CSV").collect();
    assert_eq!(sdn_requests.len(), 2, "{seen:?}");
    assert_eq!(
        sdn_requests[1].if_modified_since, None,
        "the second one unconditional"
    );
    let state = state_of(store.as_ref(), "ofac-sdn").await;
    assert_eq!(state.validators.len(), 3, "{state:?}");
}

#[tokio::test]
async fn a_failed_download_never_replaces_a_good_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(dir.path()).await;
    let (publisher, base) = publisher().await;
    let un = source("un-sc").unwrap();
    let short = settings(&base, dir.path(), Duration::from_millis(1_500), 1 << 20);
    let good = fixture("un_sc_sample.xml");
    publisher.set("/un/consolidated.xml", file(good.clone(), "good"));
    fetch_source(store.as_ref(), &short, un, 1_000)
        .await
        .unwrap();
    let kept = stored(store.as_ref(), UN_NAME).await.unwrap();

    // One entity of three left: more than a fifth dropped.
    let text = String::from_utf8(good.clone()).unwrap();
    let start = text.find("<INDIVIDUAL>").unwrap();
    let end = text.find("</INDIVIDUALS>").unwrap();
    let shrunk = format!("{}{}", &text[..start], &text[end..]);

    let faults: Vec<(&str, Answer, &str)> = vec![
        ("server error", Answer::Status(500), "HTTP 500"),
        ("forbidden", Answer::Status(403), "HTTP 403"),
        (
            "cut short",
            Answer::Truncated(good.clone()),
            "consolidated.xml",
        ),
        ("silence", Answer::Hang, "timed out"),
        ("empty", file(Vec::new(), "empty"), "empty file"),
        (
            "not a list",
            file(b"<html><body>Maintenance</body></html>".to_vec(), "html"),
            "nothing was imported",
        ),
        (
            "dropped entries",
            file(shrunk.clone().into_bytes(), "shrunk"),
            "--force",
        ),
    ];
    for (n, (what, answer, expected)) in faults.into_iter().enumerate() {
        publisher.set("/un/consolidated.xml", answer);
        let now = 2_000 + n as i64;
        let started = std::time::Instant::now();
        let error = fetch_source(store.as_ref(), &short, un, now)
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: bounded in time"
        );
        assert!(error.contains(expected), "{what}: {error}");
        assert!(
            !error.contains("127.0.0.1"),
            "{what}: no URL in errors: {error}"
        );
        assert_eq!(
            stored(store.as_ref(), UN_NAME).await.unwrap(),
            kept,
            "{what}: the good list stays"
        );
        let state = state_of(store.as_ref(), "un-sc").await;
        assert_eq!(state.attempted_at, now, "{what}");
        assert_eq!(state.succeeded_at, Some(1_000), "{what}");
        assert_eq!(state.failures, n as i64 + 1, "{what}");
        assert_eq!(state.error.as_deref(), Some(error.as_str()), "{what}");
        assert_eq!(
            state.validators[0].etag.as_deref(),
            Some("\"good\""),
            "{what}: the next request is still conditional on the stored version"
        );
    }

    // A file over the size limit is refused before it is read.
    publisher.set("/un/consolidated.xml", file(good.clone(), "big"));
    let tiny = settings(&base, dir.path(), Duration::from_secs(10), 1_000);
    let error = fetch_source(store.as_ref(), &tiny, un, 3_000)
        .await
        .unwrap_err();
    assert!(error.contains("over the limit"), "{error}");
    assert_eq!(stored(store.as_ref(), UN_NAME).await.unwrap(), kept);

    // Forced, the shrunken version is stored, and a success clears the failures.
    publisher.set("/un/consolidated.xml", file(shrunk.into_bytes(), "shrunk"));
    let forced = FetchSettings {
        max_drop: None,
        ..short.clone()
    };
    fetch_source(store.as_ref(), &forced, un, 4_000)
        .await
        .unwrap();
    assert_eq!(
        stored(store.as_ref(), UN_NAME).await.unwrap().entity_count,
        1
    );
    let state = state_of(store.as_ref(), "un-sc").await;
    assert_eq!(
        (state.failures, state.error, state.succeeded_at),
        (0, None, Some(4_000))
    );
    // No scratch files are left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with("lists-fetch"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn one_node_of_a_cluster_fetches_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(dir.path()).await;
    let (publisher, base) = publisher().await;
    let settings = settings(&base, dir.path(), Duration::from_secs(10), 1 << 20);
    publisher.set(
        "/un/consolidated.xml",
        file(fixture("un_sc_sample.xml"), "v1"),
    );
    *publisher.delay.lock().unwrap() = Duration::from_millis(300);
    let sources = sources_named(&["un-sc".into()]).unwrap();
    let hour = Duration::from_secs(3600);

    let (a, b) = tokio::join!(
        refresh_due(
            store.as_ref(),
            &SystemClock,
            &settings,
            &sources,
            "node-a",
            hour
        ),
        refresh_due(
            store.as_ref(),
            &SystemClock,
            &settings,
            &sources,
            "node-b",
            hour
        ),
    );
    assert_eq!(a + b, 1, "one node fetched ({a}, {b})");
    assert_eq!(publisher.seen().len(), 1, "{:?}", publisher.seen());
    assert!(stored(store.as_ref(), UN_NAME).await.is_some());

    // Not due again within the interval, on either node; the lease was let go.
    for node in ["node-a", "node-b"] {
        let n = refresh_due(
            store.as_ref(),
            &SystemClock,
            &settings,
            &sources,
            node,
            hour,
        )
        .await;
        assert_eq!(n, 0);
    }
    assert_eq!(publisher.seen().len(), 1);
    let now = SystemClock.now_ms();
    assert!(
        store
            .take_lease(
                clearance::fetch::schedule::LEASE,
                "node-c",
                now,
                now + 1_000
            )
            .await
            .unwrap(),
        "the lease is free between rounds"
    );
}

fn run(cluster: &Cluster, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = cluster.command();
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// Multi-threaded: the commands block a thread while the publisher answers them on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_fetches_and_shows_how_fetches_went() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(BIN, dir.path().join("data"), None);
    let (publisher, base) = publisher().await;
    publisher.set("/un.xml", file(fixture("un_sc_sample.xml"), "v1"));
    let url = format!("{base}/un.xml");
    let env = [
        ("CLEARANCE_LISTS_URL_UN_SC", url.as_str()),
        ("CLEARANCE_LISTS_FETCH_TIMEOUT_SECS", "10"),
    ];

    let (ok, _, err) = run(&cluster, &["lists", "fetch", "un-sc"], &env);
    assert!(ok, "{err}");
    assert!(err.contains("un-sc: imported"), "{err}");
    let (ok, _, err) = run(&cluster, &["lists", "fetch", "un-sc"], &env);
    assert!(ok, "{err}");
    assert!(err.contains("un-sc: unchanged"), "{err}");

    publisher.set("/un.xml", Answer::Status(500));
    let (ok, _, err) = run(&cluster, &["lists", "fetch", "un-sc"], &env);
    assert!(!ok, "a failed fetch fails the command");
    assert!(
        err.contains("un-sc: failed") && err.contains("HTTP 500"),
        "{err}"
    );
    let (ok, out, err) = run(&cluster, &["lists", "list"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains(UN_NAME), "{out}");
    let row = out.lines().find(|l| l.starts_with("un-sc")).unwrap();
    assert!(row.contains("HTTP 500") && row.contains(" 1 "), "{row}");

    let (ok, _, err) = run(&cluster, &["lists", "fetch", "nope"], &env);
    assert!(!ok && err.contains("known: ofac-sdn"), "{err}");
}

#[tokio::test]
async fn serve_refreshes_the_configured_sources() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(BIN, dir.path().join("data"), None);
    let (publisher, base) = publisher().await;
    publisher.set("/un.xml", file(fixture("un_sc_sample.xml"), "v1"));
    let key = run(&cluster, &["keys", "create", "--mode", "live"], &[]).1;
    let server = cluster
        .serve(&[
            ("CLEARANCE_LISTS_SNAPSHOT", "off".into()),
            ("CLEARANCE_RATE_LIMIT_LIVE", "0".into()),
            ("CLEARANCE_LISTS_REFRESH", "1h".into()),
            ("CLEARANCE_LISTS_SOURCES", "un-sc".into()),
            ("CLEARANCE_LISTS_URL_UN_SC", format!("{base}/un.xml")),
        ])
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, lists) = server
            .call(key.trim(), "/v1/static/screeningLists", None)
            .await;
        assert_eq!(status, 200, "{lists}");
        if lists.as_array().is_some_and(|l| !l.is_empty()) {
            assert_eq!(lists, serde_json::json!([UN_NAME]));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never fetched");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(publisher.seen().len(), 1, "fetched once at start");
    // The fetch is visible on /metrics (its state is stored just after the list).
    let success = r#"clearance_screening_list_fetch_success_timestamp_seconds{source="un-sc"}"#;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.metric(success).await < 1_700_000_000 {
        assert!(std::time::Instant::now() < deadline, "no fetch metric");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
