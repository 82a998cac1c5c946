//! What each import changed in an official list (#25, item 3), read through
//! `/v1/screeningLists/{name}/deltas` (Clearance's own) on a real database; and the import's
//! self-check (#25, item 5), which refuses a version whose names do not find themselves.

use std::path::PathBuf;

use clearance_core::clock::{Clock, SystemClock};
use clearance_core::screening_lists::EntityChange;
use clearance_engines::screening::{ImportOptions, ImportSummary, delta_records, import_list};
use clearance_screening::Format;
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const SDN_NAME: &str = "OFAC Specially Designated Nationals (SDN) List";
const DELTAS: &str =
    "/v1/screeningLists/OFAC%20Specially%20Designated%20Nationals%20(SDN)%20List/deltas";

fn fixture(version: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/screening/list_deltas")
        .join(version)
}

async fn import(app: &TestApp, version: &str, force: bool) -> Result<ImportSummary, String> {
    let options = ImportOptions {
        max_drop: Some(0.2),
        accept_failed_self_check: force,
        ..ImportOptions::default()
    };
    import_list(
        app.store.as_ref(),
        Format::OfacCsv,
        &fixture(version),
        options,
        SystemClock.now_ms(),
    )
    .await
}

async fn get(app: &TestApp, path: &str) -> Value {
    let r = app.send(Method::GET, path, Some(&app.live_key), None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

fn changes(entities: &Value) -> Vec<(String, String, String)> {
    entities
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["change"].as_str().unwrap().to_string(),
                e["entityId"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn deltas_show_exactly_the_entities_added_changed_and_removed() {
    let app = TestApp::spawn().await;
    let v1 = import(&app, "v1", false).await.unwrap();
    let first = v1.delta.clone().unwrap();
    assert!(first.initial());
    assert_eq!(
        (first.seq, first.added, first.changed, first.removed),
        (1, 10, 0, 0)
    );
    let v2 = import(&app, "v2", false).await.unwrap();
    let second = v2.delta.clone().unwrap();
    assert_eq!(
        (second.seq, second.added, second.changed, second.removed),
        (2, 1, 1, 1)
    );
    assert_eq!(v2.self_check.sampled, 10);
    assert!(v2.self_check.passed());

    let listed = get(&app, DELTAS).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        json!({
            "list": SDN_NAME, "seq": 2, "version": v2.list.version,
            "contentHash": v2.list.content_hash, "previousVersion": v1.list.version,
            "previousHash": v1.list.content_hash, "importedAt": items[0]["importedAt"],
            "initial": false, "added": 1, "changed": 1, "removed": 1
        })
    );
    assert_eq!(items[1]["initial"], true);
    assert_eq!(items[1]["added"], 10);
    assert!(items[1].get("previousVersion").is_none());

    let latest = get(&app, &format!("{DELTAS}/latest")).await;
    assert_eq!(latest["seq"], 2);
    assert_eq!(
        changes(&latest["entities"]),
        [
            (
                "changed".into(),
                "us_ofac_sdn:15253".into(),
                "Jesus Alfredo SALAZAR RAMIREZ".into()
            ),
            (
                "added".into(),
                "us_ofac_sdn:23343".into(),
                "Ramzan Akhmatovich KADYROV".into()
            ),
            (
                "removed".into(),
                "us_ofac_sdn:36".into(),
                "AEROCARIBBEAN AIRLINES".into()
            ),
        ]
    );
    let changed = &latest["entities"][0];
    assert_eq!(changed["fields"], json!(["datesOfBirth"]));
    assert_ne!(changed["hashBefore"], changed["hashAfter"]);
    assert!(changed.get("previousName").is_none(), "not renamed");
    assert!(latest["entities"][1].get("hashBefore").is_none());
    assert!(latest["entities"][2].get("hashAfter").is_none());
    assert!(latest.get("nextAfter").is_none());
    let removed = get(&app, &format!("{DELTAS}/2?change=removed")).await;
    assert_eq!(changes(&removed["entities"]).len(), 1);

    // The first import, a page at a time.
    let mut seen = Vec::new();
    let mut path = format!("{DELTAS}/1?limit=4");
    loop {
        let page = get(&app, &path).await;
        seen.extend(changes(&page["entities"]));
        match page["nextAfter"].as_str() {
            Some(after) => path = format!("{DELTAS}/1?limit=4&after={after}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    assert!(seen.iter().all(|(change, _, _)| change == "added"));
    assert!(seen.windows(2).all(|w| w[0].1 < w[1].1), "by id, each once");

    // The same content again records nothing new.
    let again = import(&app, "v2", false).await.unwrap();
    assert_eq!(again.delta, None);
    assert_eq!(
        get(&app, DELTAS).await["items"].as_array().unwrap().len(),
        2
    );

    // What monitoring reads: the records of the added and changed entities.
    let records = delta_records(app.store.as_ref(), SDN_NAME, 2)
        .await
        .unwrap()
        .unwrap();
    assert!(records.current);
    let mut ids: Vec<String> = records.records.iter().map(|e| e.id()).collect();
    ids.sort();
    assert_eq!(ids, ["us_ofac_sdn:15253", "us_ofac_sdn:23343"]);
    assert_eq!(
        records
            .entities
            .iter()
            .filter(|e| e.change == EntityChange::Removed)
            .count(),
        1
    );
}

#[tokio::test]
async fn delta_requests_are_checked() {
    let app = TestApp::spawn().await;
    import(&app, "v1", false).await.unwrap();
    for (path, status) in [
        (format!("{DELTAS}/9"), 404),
        (format!("{DELTAS}/x"), 400),
        (format!("{DELTAS}/1?change=gone"), 400),
        (format!("{DELTAS}/1?limit=0"), 400),
        ("/v1/screeningLists/No%20such%20list/deltas".into(), 404),
    ] {
        let r = app
            .send(Method::GET, &path, Some(&app.test_key), None)
            .await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        assert!(
            r.body["type"].is_string(),
            "the wire error shape: {}",
            r.text
        );
    }
    let anonymous = app.send(Method::GET, DELTAS, None, None).await;
    assert_eq!(anonymous.status, 401);
    // Any account may read them: the lists are the server's.
    let (_, other_key) = app.other_account("other").await;
    let other = app.send(Method::GET, DELTAS, Some(&other_key), None).await;
    assert_eq!(other.status, 200, "{}", other.text);
    let doc = app.send(Method::GET, "/v1/openapi.json", None, None).await;
    for path in [
        "/v1/screeningLists/{name}/deltas",
        "/v1/screeningLists/{name}/deltas/{seq}",
    ] {
        assert!(
            doc.body["paths"].get(path).is_some(),
            "{path} is documented"
        );
    }
}

#[tokio::test]
async fn a_version_failing_its_self_check_is_refused_unless_forced() {
    let app = TestApp::spawn().await;
    let v1 = import(&app, "v1", false).await.unwrap();
    let refused = import(&app, "broken", false).await.unwrap_err();
    assert!(refused.contains("self-check failed"), "{refused}");
    assert!(refused.contains("3 of the 10 names"), "{refused}");
    let kept = app.store.screening_lists().await.unwrap();
    assert_eq!(
        kept[0].content_hash, v1.list.content_hash,
        "the stored version stays"
    );
    assert_eq!(
        (kept[0].self_check_sampled, kept[0].self_check_missed),
        (10, 0)
    );
    assert_eq!(
        get(&app, DELTAS).await["items"].as_array().unwrap().len(),
        1
    );

    let forced = import(&app, "broken", true).await.unwrap();
    assert_eq!(forced.self_check.missed, 3);
    assert_eq!(forced.delta.map(|d| d.changed), Some(3));
    let metrics = app.send(Method::GET, "/metrics", None, None).await;
    assert!(
        metrics.text.contains(&format!(
            "clearance_screening_list_self_check_missed{{list=\"{SDN_NAME}\"}} 3"
        )),
        "{}",
        metrics.text
    );
}

/// One awkward name in a sound version is flagged, not refused: a refusal keeps a stale
/// sanctions list in use, so it is kept for a version whose names broke by the dozen.
#[tokio::test]
async fn an_isolated_miss_is_stored_and_flagged() {
    let app = TestApp::spawn().await;
    let folder = tempfile::tempdir().unwrap();
    let sample = fixture("../ofac_sdn_sample");
    let full = std::fs::read_to_string(sample.join("sdn.csv")).unwrap();
    let one_broken = full.replacen("\"CIMEX IBERICA\"", "\"* * *\"", 1);
    assert_ne!(one_broken, full);
    std::fs::write(folder.path().join("sdn.csv"), one_broken).unwrap();
    let summary = import_list(
        app.store.as_ref(),
        Format::OfacCsv,
        folder.path(),
        ImportOptions::default(),
        SystemClock.now_ms(),
    )
    .await
    .unwrap();
    assert_eq!(summary.self_check.sampled, 35);
    assert_eq!(summary.self_check.missed_ids, ["us_ofac_sdn:536"]);
    let stored = app.store.screening_lists().await.unwrap();
    assert_eq!(
        (stored[0].self_check_sampled, stored[0].self_check_missed),
        (35, 1)
    );
    let metrics = app.send(Method::GET, "/metrics", None, None).await;
    assert!(
        metrics.text.contains(&format!(
            "clearance_screening_list_self_check_missed{{list=\"{SDN_NAME}\"}} 1"
        )),
        "{}",
        metrics.text
    );
}
