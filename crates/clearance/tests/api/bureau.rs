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

async fn as_key(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Value {
    let r = app.send(method, path, Some(key), body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

/// Runs a multi-bureau check for a person at an address; answers the finished check.
async fn check(app: &TestApp, first: &str, last: &str, dob: &str, options: Value) -> Value {
    check_as(app, &app.live_key, first, last, dob, options).await
}

async fn check_as(
    app: &TestApp,
    key: &str,
    first: &str,
    last: &str,
    dob: &str,
    options: Value,
) -> Value {
    let client = as_key(
        app,
        key,
        Method::POST,
        "/v1/clients",
        Some(&json!({"type": "person", "email": "p@example.org",
            "personDetails": {"firstName": first, "lastName": last, "dob": dob}})),
    )
    .await;
    let address = as_key(
        app,
        key,
        Method::POST,
        "/v1/addresses",
        Some(
            &json!({"clientId": client["id"], "type": "main", "propertyNumber": "10",
            "line": "Downing Street", "city": "London", "postalCode": "SW1A 2AA", "country": "GB"}),
        ),
    )
    .await;
    let created = as_key(
        app,
        key,
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
        let c = as_key(app, key, Method::GET, &format!("/v1/checks/{id}"), None).await;
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

    // Another account's checks see none of this account's records.
    let (_, other_live) = app.other_account("other").await;
    let elsewhere = check_as(&app, &other_live, "Rishi", "Sunak", "1980-05-12", json!({})).await;
    assert_eq!(elsewhere["status"], "failed", "{elsewhere}");

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

/// A fake HTTP bureau: answers by the client's last name (`Slow` sleeps past the timeout,
/// `Broken` answers 500, `Garbled` answers HTML, anyone else is confirmed by name and birth
/// date), and keeps the requests it got.
async fn fake_bureau() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::routing::post;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/verify",
        post(
            move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| {
                let kept = kept.clone();
                async move {
                    assert_eq!(headers.get("authorization").unwrap(), "Bearer bureau-token");
                    kept.lock().unwrap().push(body.clone());
                    match body["lastName"].as_str().unwrap_or_default() {
                        "Slow" => {
                            tokio::time::sleep(Duration::from_secs(3)).await;
                            (axum::http::StatusCode::OK, "{}".to_string())
                        }
                        "Broken" => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "oops".into()),
                        "Garbled" => (axum::http::StatusCode::OK, "<html>hello</html>".into()),
                        _ => (
                            axum::http::StatusCode::OK,
                            json!({"name": true, "dob": true, "address": false}).to_string(),
                        ),
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/verify", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

#[tokio::test]
async fn an_http_bureau_is_asked_kept_for_audit_and_its_faults_fail_the_check() {
    use clearance::bureau_http::{HttpBureau, HttpBureauConfig};
    let (url, seen) = fake_bureau().await;
    let bureau = HttpBureau::new(HttpBureauConfig {
        name: "Credit bureau".into(),
        url,
        token: Some("bureau-token".into()),
        timeout: Duration::from_millis(500),
    })
    .unwrap();
    let app = TestApp::spawn_with_bureaus(vec![std::sync::Arc::new(bureau)]).await;

    // No reference data imported: the HTTP bureau alone confirms name and birth date.
    let ok = check(&app, "Grace", "Hopper", "1986-12-09", json!({})).await;
    assert_eq!(ok["status"], "complete", "{ok}");
    assert_eq!(ok["result"]["outcome"], "clear", "{ok}");
    let b = &ok["result"]["breakdown"];
    assert_eq!(b["dob"]["breakdown"]["names"], json!(["Credit bureau"]));
    assert_eq!(b["address"]["result"], "attention");
    let exchange = &b["exchanges"][0];
    assert_eq!(exchange["bureau"], "Credit bureau");
    assert_eq!(exchange["status"], 200);
    assert_eq!(exchange["request"]["lastName"], "Hopper");
    assert_eq!(exchange["request"]["address"]["postalCode"], "SW1A 2AA");
    assert!(
        exchange["response"]
            .as_str()
            .unwrap()
            .contains("\"name\":true")
    );
    assert_eq!(seen.lock().unwrap().len(), 1);

    for (last, reason) in [
        ("Slow", "did not answer within 500 ms"),
        ("Broken", "answered HTTP 500"),
        ("Garbled", "something other than"),
    ] {
        let c = check(&app, "Ada", last, "1985-12-10", json!({})).await;
        assert_eq!(c["status"], "failed", "{last}: {c}");
        let why = c["failureReason"].as_str().unwrap();
        assert!(
            why.contains("Credit bureau") && why.contains(reason),
            "{last}: {why}"
        );
    }
}
