//! Live multi-bureau checks against reference data imported with `clearance bureau import`.

use std::time::Duration;

use clearance::accounts::find_or_create_account;
use clearance::bureau::import_records;
use clearance_core::scope::{Mode, Scope};
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

async fn import(
    app: &TestApp,
    source: &str,
    file: &str,
    text: &str,
) -> clearance::bureau::BureauImport {
    let account = find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::write(&path, text).unwrap();
    import_records(
        app.store.as_ref(),
        &Scope::new(account.id, Mode::Live),
        source,
        &path,
        1_800_000_000_000,
    )
    .await
    .unwrap()
}

async fn live(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> Value {
    let r = app.send(method, path, Some(&app.live_key), body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

/// Runs a multi-bureau check for a person at an address; answers the finished check.
async fn check(app: &TestApp, first: &str, last: &str, dob: &str, options: Value) -> Value {
    let client = live(
        app,
        Method::POST,
        "/v1/clients",
        Some(&json!({"type": "person", "email": "p@example.org",
            "personDetails": {"firstName": first, "lastName": last, "dob": dob}})),
    )
    .await;
    let address = live(
        app,
        Method::POST,
        "/v1/addresses",
        Some(
            &json!({"clientId": client["id"], "type": "main", "propertyNumber": "10",
            "line": "Downing Street", "city": "London", "postalCode": "SW1A 2AA", "country": "GB"}),
        ),
    )
    .await;
    let created = live(
        app,
        Method::POST,
        "/v1/checks",
        Some(
            &json!({"clientId": client["id"], "type": "multi_bureau_check",
            "addressId": address["id"], "options": options}),
        ),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    for _ in 0..400 {
        let c = live(app, Method::GET, &format!("/v1/checks/{id}"), None).await;
        if c["status"] != "pending" {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("check {id} never finished");
}

const ROLL: &str = "firstName,lastName,dob,propertyNumber,line,city,postalCode,country\n\
Rishi,Sunak,1980-05-12,10,Downing Street,London,SW1A 2AA,GB\n\
Keir,Starmer,1962-09-02,,Somewhere Road,London,N1 1AA,GB\n\
,Nameless,1970-01-01,,,,,GB\n";

#[tokio::test]
async fn a_client_on_the_reference_data_clears_and_a_stranger_needs_attention() {
    let app = TestApp::spawn().await;
    let none = check(&app, "Rishi", "Sunak", "1980-05-12", json!({})).await;
    assert_eq!(none["status"], "failed", "no reference data yet: {none}");
    assert!(
        none["failureReason"]
            .as_str()
            .unwrap()
            .contains("clearance bureau import")
    );

    let done = import(&app, "Electoral roll", "roll.csv", ROLL).await;
    assert_eq!((done.imported, done.refused), (2, 1), "{done:?}");

    let known = check(&app, "Rishi", "Sunak", "1980-05-12", json!({})).await;
    assert_eq!(known["status"], "complete", "{known}");
    assert_eq!(known["result"]["outcome"], "clear", "{known}");
    let b = &known["result"]["breakdown"];
    assert_eq!(b["name"]["result"], "clear");
    assert_eq!(b["dob"]["breakdown"]["sources"], 1);
    assert_eq!(
        b["address"]["breakdown"]["names"],
        json!(["Electoral roll"])
    );

    let stranger = check(&app, "Ada", "Lovelace", "1985-12-10", json!({})).await;
    assert_eq!(stranger["result"]["outcome"], "attention", "{stranger}");
    assert_eq!(
        stranger["result"]["breakdown"]["name"]["breakdown"]["sources"],
        0
    );

    // Two plus two: one source is not enough; a second source confirming name and address is.
    let one = check(
        &app,
        "Rishi",
        "Sunak",
        "1980-05-12",
        json!({"twoPlusTwo": true}),
    )
    .await;
    assert_eq!(one["result"]["outcome"], "attention", "{one}");
    let again = import(
        &app,
        "Customer file",
        "customers.jsonl",
        "{\"firstName\": \"Rishi\", \"lastName\": \"SUNAK\", \"line\": \"10 Downing St\", \"postalCode\": \"sw1a2aa\", \"country\": \"GB\"}\nnot json\n",
    )
    .await;
    assert_eq!((again.imported, again.refused), (1, 1), "{again:?}");
    let two = check(
        &app,
        "Rishi",
        "Sunak",
        "1980-05-12",
        json!({"twoPlusTwo": true}),
    )
    .await;
    assert_eq!(two["result"]["outcome"], "clear", "{two}");
    assert_eq!(two["result"]["breakdown"]["dob"]["result"], "attention");

    // Importing a source again replaces its records.
    let replaced = import(&app, "Customer file", "customers.jsonl", "").await;
    assert_eq!((replaced.imported, replaced.replaced), (0, 1));
    let back = check(
        &app,
        "Rishi",
        "Sunak",
        "1980-05-12",
        json!({"twoPlusTwo": true}),
    )
    .await;
    assert_eq!(back["result"]["outcome"], "attention", "{back}");
}
