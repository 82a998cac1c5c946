//! Ongoing monitoring driven by list changes (#25, item 4), through the API on a real database:
//! each import re-screens the monitored checks against what it changed, new and changed
//! entries raise `check.monitoring.attention` once with their "why now", rejected entries stay
//! rejected until their content changes, removed entries are recorded, and turning monitoring
//! off stops it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clearance_core::clock::{Clock, SystemClock};
use clearance_core::store::ResourceKind;
use clearance_engines::screening::{ImportOptions, import_list};
use clearance_screening::Format;
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::screening::{live_client, run_check};
use crate::webhook_delivery::{Inbox, delivered, receiver, wait_for};

fn fixture(version: &str) -> PathBuf {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/screening");
    match version {
        "v1" | "v2" => base.join("list_deltas").join(version),
        _ => base.join("monitoring").join(version),
    }
}

async fn import(app: &TestApp, version: &str) -> i64 {
    let summary = import_list(
        app.store.as_ref(),
        Format::OfacCsv,
        &fixture(version),
        ImportOptions::default(),
        SystemClock.now_ms(),
    )
    .await
    .unwrap();
    summary.delta.unwrap().seq
}

async fn live_get(app: &TestApp, path: &str) -> Value {
    let r = app.send(Method::GET, path, Some(&app.live_key), None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

async fn monitored_check(app: &TestApp, client: Value) -> String {
    let id = live_client(app, client).await;
    let check = run_check(
        app,
        &id,
        json!({"type": "standard_screening_check", "enableMonitoring": true}),
    )
    .await;
    assert_eq!(check["status"], "complete", "{check}");
    check["id"].as_str().unwrap().to_string()
}

fn person(first: &str, last: &str, dob: &str) -> Value {
    json!({"type": "person", "email": format!("{}@example.org", first.to_lowercase()),
        "personDetails": {"firstName": first, "lastName": last, "dob": dob}})
}

fn company(name: &str) -> Value {
    json!({"type": "company", "email": "ops@example.org", "companyDetails": {"name": name}})
}

/// The `check.monitoring.attention` events delivered for `check`.
fn alerts(inbox: &Arc<Mutex<Inbox>>, check: &str) -> usize {
    delivered(inbox)
        .iter()
        .filter(|e| e["type"] == "check.monitoring.attention" && e["payload"]["id"] == check)
        .count()
}

fn match_of<'a>(check: &'a Value, entity: &str) -> Option<&'a Value> {
    check["result"]["breakdown"]["matches"]
        .as_array()?
        .iter()
        .find(|m| m["entityId"] == entity)
}

#[tokio::test]
async fn list_changes_raise_monitoring_alerts_once_with_their_why_now() {
    // Webhooks to this machine over plain HTTP, retried at once.
    let app = TestApp::spawn_for_webhooks(1000).await;
    assert_eq!(import(&app, "v1").await, 1);
    let (url, inbox) = receiver(0).await;
    let hook = app
        .send(
            Method::POST,
            "/v1/webhooks",
            Some(&app.live_key),
            Some(&json!({"url": url, "enabled": true,
                "events": ["check.monitoring.attention", "check.updated"]})),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);

    // X (23343, KADYROV) is not on v1: his monitored check is clear.
    let kadyrov = monitored_check(&app, person("Ramzan", "Kadyrov", "1976-10-05")).await;
    let first = live_get(&app, &format!("/v1/checks/{kadyrov}")).await;
    assert_eq!(first["result"]["outcome"], "clear", "{first}");
    // The same name without monitoring, and on a test key: never re-screened.
    let unmonitored = live_client(&app, person("Ramzan", "Kadyrov", "1976-10-05")).await;
    let unwatched = run_check(
        &app,
        &unmonitored,
        json!({"type": "standard_screening_check"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sandbox = app
        .post("/v1/clients", &person("Ramzan", "Kadyrov", "1976-10-05"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let test_check = app
        .post(
            "/v1/checks",
            &json!({"clientId": sandbox, "type": "standard_screening_check", "enableMonitoring": true}),
        )
        .await;
    assert_eq!(test_check.status, 200, "{}", test_check.text);
    // A company on v1 that v2 removes.
    let airline = monitored_check(&app, company("Aerocaribbean Airlines")).await;
    let before = live_get(&app, &format!("/v1/checks/{airline}")).await;
    assert!(match_of(&before, "us_ofac_sdn:36").is_some(), "{before}");
    // Created last, so it is screened last in every run: its alert on v3 means the run passed
    // every other registration.
    let canary = monitored_check(&app, company("Cimex Trading House")).await;

    // v2 adds X: one alert, and the check shows him with the import that brought him.
    let v2 = import(&app, "v2").await;
    wait_for("the alert for X", || alerts(&inbox, &kadyrov) == 1).await;
    let alerted = live_get(&app, &format!("/v1/checks/{kadyrov}")).await;
    assert_eq!(alerted["result"]["outcome"], "attention", "{alerted}");
    assert_eq!(
        alerted["result"]["breakdown"]["summary"]["watchlist"]["sanctionsLists"],
        "attention"
    );
    let x = match_of(&alerted, "us_ofac_sdn:23343").expect("X is a match");
    let why = &x["monitoring"];
    assert_eq!(why["change"], "added", "{x}");
    assert_eq!(why["deltaSeq"], v2);
    assert_eq!(
        why["list"],
        "OFAC Specially Designated Nationals (SDN) List"
    );
    assert!(why["listVersion"].is_string() && why["previousListVersion"].is_string());
    assert!(why["detectedAt"].as_str().unwrap().ends_with('Z'));
    assert!(x["explanation"].is_object(), "explained like any match");
    // The removed entry is recorded on the match that named it; the outcome stays.
    let removed = live_get(&app, &format!("/v1/checks/{airline}")).await;
    let gone = match_of(&removed, "us_ofac_sdn:36").unwrap();
    assert_eq!(gone["monitoring"]["change"], "removed", "{gone}");
    assert_eq!(removed["result"]["outcome"], "attention");
    assert_eq!(alerts(&inbox, &airline), 0, "a removal is not an alert");

    // Reject X; v3 leaves him unchanged: no new alert.
    let validated = app
        .send(
            Method::POST,
            &format!("/v1/checks/{kadyrov}/validate"),
            Some(&app.live_key),
            Some(&json!({"outcome": "rejected", "matchId": x["id"]})),
        )
        .await;
    assert_eq!(validated.status, 200, "{}", validated.text);
    import(&app, "v3").await;
    wait_for("the canary's alert", || alerts(&inbox, &canary) >= 1).await;
    let kept = live_get(&app, &format!("/v1/checks/{kadyrov}")).await;
    assert_eq!(kept["result"]["outcome"], "clear", "{kept}");
    assert_eq!(alerts(&inbox, &kadyrov), 1);

    // v4 changes X's record: an alert again, the match without the old decision.
    let v4 = import(&app, "v4").await;
    wait_for("the second alert for X", || alerts(&inbox, &kadyrov) == 2).await;
    let again = live_get(&app, &format!("/v1/checks/{kadyrov}")).await;
    assert_eq!(again["result"]["outcome"], "attention");
    let changed = match_of(&again, "us_ofac_sdn:23343").unwrap();
    assert_eq!(changed["monitoring"]["change"], "changed");
    assert_eq!(changed["monitoring"]["deltaSeq"], v4);
    assert_eq!(
        changed["monitoring"]["changedFields"],
        json!(["programmes"])
    );
    assert_eq!(
        changed["monitoring"]["previousEntityHash"], x["entityHash"],
        "the hash the customer rejected"
    );
    assert!(changed.get("validation").is_none(), "{changed}");
    let matches = again["result"]["breakdown"]["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "replaced, not added twice");

    // Nothing else was touched, and nothing in test mode.
    for check in [&unwatched] {
        let c = live_get(&app, &format!("/v1/checks/{check}")).await;
        assert_eq!(c["result"]["outcome"], "clear", "{c}");
        assert_eq!(alerts(&inbox, check), 0);
    }
    let registered = app
        .store
        .scan_kind(ResourceKind::MonitoredCheck, None, 100)
        .await
        .unwrap();
    assert_eq!(registered.len(), 3, "the live monitored checks only");

    // Turning monitoring off unregisters the check: later imports leave it alone.
    let off = app
        .send(
            Method::POST,
            &format!("/v1/checks/{kadyrov}"),
            Some(&app.live_key),
            Some(&json!({"enableMonitoring": false})),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let registered = app
        .store
        .scan_kind(ResourceKind::MonitoredCheck, None, 100)
        .await
        .unwrap();
    assert_eq!(registered.len(), 2);
    assert!(!registered.iter().any(|r| r.body["checkId"] == kadyrov));
    let on = app
        .send(
            Method::POST,
            &format!("/v1/checks/{kadyrov}"),
            Some(&app.live_key),
            Some(&json!({"enableMonitoring": true})),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    let registered = app
        .store
        .scan_kind(ResourceKind::MonitoredCheck, None, 100)
        .await
        .unwrap();
    let back = registered
        .iter()
        .find(|r| r.body["checkId"] == kadyrov)
        .expect("registered again");
    assert_eq!(back.body["entityIds"], json!(["us_ofac_sdn:23343"]));
    assert_eq!(back.body["subject"]["name"], "Ramzan Kadyrov");
}

#[tokio::test]
async fn a_renamed_client_is_monitored_under_its_new_name_and_an_erased_one_not_at_all() {
    let app = TestApp::spawn().await;
    import(&app, "v1").await;
    let check = monitored_check(&app, person("Ramzan", "Smith", "1976-10-05")).await;
    let stored = live_get(&app, &format!("/v1/checks/{check}")).await;
    let client = stored["clientId"].as_str().unwrap().to_string();
    let renamed = app
        .send(
            Method::POST,
            &format!("/v1/clients/{client}"),
            Some(&app.live_key),
            Some(&json!({"personDetails": {"lastName": "Kadyrov"}})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let registered = app
        .store
        .scan_kind(ResourceKind::MonitoredCheck, None, 10)
        .await
        .unwrap();
    assert_eq!(registered[0].body["subject"]["name"], "Ramzan Kadyrov");
    import(&app, "v2").await;
    let mut alerted = Value::Null;
    for _ in 0..400 {
        alerted = live_get(&app, &format!("/v1/checks/{check}")).await;
        if alerted["result"]["outcome"] == "attention" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        match_of(&alerted, "us_ofac_sdn:23343").is_some(),
        "{alerted}"
    );
    let erased = app
        .send(
            Method::DELETE,
            &format!("/v1/clients/{client}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert!(erased.status < 300, "{}", erased.text);
    assert!(
        app.store
            .scan_kind(ResourceKind::MonitoredCheck, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
