//! Live AML screening through the API: imported lists, custom lists, the ComplyCube-shaped
//! result with explanations, options, and remembered validation decisions.

use std::path::PathBuf;
use std::time::Duration;

use clearance_core::clock::{Clock, SystemClock};
use clearance_engines::screening::{ImportOptions, import_list};
use clearance_screening::Format;
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const SDN_NAME: &str = "OFAC Specially Designated Nationals (SDN) List";

fn fixture_list() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/screening/ofac_sdn_sample")
}

pub(crate) async fn import_sample(app: &TestApp) {
    let summary = import_list(
        app.store.as_ref(),
        Format::OfacCsv,
        &fixture_list(),
        ImportOptions {
            published: Some("2024-05-03"),
            ..ImportOptions::default()
        },
        SystemClock.now_ms(),
    )
    .await
    .unwrap();
    assert_eq!(summary.list.name, SDN_NAME);
    assert_eq!(summary.list.entity_count, 35);
}

pub(crate) async fn live_client(app: &TestApp, body: Value) -> String {
    let created = app
        .send(
            Method::POST,
            "/v1/clients",
            Some(&app.live_key),
            Some(&body),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    created.body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn run_check(app: &TestApp, client: &str, body: Value) -> Value {
    let mut request = json!({"clientId": client});
    if let (Some(r), Some(b)) = (request.as_object_mut(), body.as_object()) {
        r.extend(b.clone());
    }
    let created = app
        .send(
            Method::POST,
            "/v1/checks",
            Some(&app.live_key),
            Some(&request),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    for _ in 0..800 {
        let got = app
            .send(
                Method::GET,
                &format!("/v1/checks/{id}"),
                Some(&app.live_key),
                None,
            )
            .await;
        if got.body["status"] != "pending" {
            return got.body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("check {id} never completed");
}

pub(crate) fn salazar() -> Value {
    json!({
        "type": "person",
        "email": "j.salazar@example.org",
        "personDetails": {"firstName": "Jesus Alfredo", "lastName": "Salazar Ramirez",
            "dob": "1974-03-24", "nationality": "MX", "gender": "male"}
    })
}

#[tokio::test]
async fn a_listed_person_raises_an_explained_match_that_validation_clears_for_good() {
    let app = TestApp::spawn().await;
    import_sample(&app).await;
    let lists = app
        .send(
            Method::GET,
            "/v1/static/screeningLists",
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(lists.body, json!([SDN_NAME]));

    let client = live_client(&app, salazar()).await;
    let done = run_check(&app, &client, json!({"type": "standard_screening_check"})).await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];
    assert_eq!(result["outcome"], "attention", "{done}");
    let summary = &result["breakdown"]["summary"];
    assert_eq!(summary["watchlist"]["sanctionsLists"], "attention");
    // Every result says which copy of each list it was screened against, and when that copy
    // was published (#25).
    let screened = &result["breakdown"]["screenedLists"][0];
    assert_eq!(screened["name"], SDN_NAME, "{result}");
    assert_eq!(screened["published"], "2024-05-03", "{result}");
    assert!(screened["version"].is_string());
    let metrics = app.send(Method::GET, "/metrics", None, None).await;
    let age_line = metrics
        .text
        .lines()
        .find(|l| l.starts_with("clearance_screening_list_age_seconds{"))
        .unwrap_or_else(|| panic!("no list age on /metrics: {}", metrics.text));
    assert!(age_line.contains(SDN_NAME), "{age_line}");
    let age: i64 = age_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(age > 365 * 86_400, "published in 2024: {age_line}");
    assert_eq!(
        summary["watchlist"]["otherExclusionLists"], "not_processed",
        "standard checks do not cover it"
    );
    assert_eq!(summary["adverseMedia"]["regulatory"], "not_processed");
    assert_eq!(
        summary["pep"]["level1"], "not_processed",
        "no PEP list is loaded, so PEPs were not screened"
    );
    let matches = result["breakdown"]["matches"].as_array().unwrap();
    let hit = matches
        .iter()
        .find(|m| m["entityId"] == "us_ofac_sdn:15253")
        .unwrap_or_else(|| panic!("the listed person is among the matches: {result}"));
    assert!(hit["score"].as_i64().unwrap() >= 90, "{hit}");
    assert_eq!(hit["entityType"], "person");
    assert_eq!(hit["sources"][0]["list"], SDN_NAME);
    assert_eq!(
        hit["dates"][0]["date"],
        json!({"day": 24, "month": 3, "year": 1974})
    );
    assert!(
        !hit["explanation"]["parts"].as_array().unwrap().is_empty(),
        "{hit}"
    );
    assert_eq!(hit["id"].as_str().unwrap().len(), 24);

    // every match rejected → clear; a rerun does not raise the rejected entries again
    let check_id = done["id"].as_str().unwrap();
    for m in matches {
        let validated = app
            .send(
                Method::POST,
                &format!("/v1/checks/{check_id}/validate"),
                Some(&app.live_key),
                Some(&json!({"outcome": "rejected", "matchId": m["id"]})),
            )
            .await;
        assert_eq!(validated.status, 200, "{}", validated.text);
    }
    let validated = app
        .send(
            Method::GET,
            &format!("/v1/checks/{check_id}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(validated.body["result"]["outcome"], "clear");
    let rerun = run_check(&app, &client, json!({"type": "extensive_screening_check"})).await;
    assert_eq!(rerun["result"]["outcome"], "clear", "{rerun}");
    assert_eq!(rerun["result"]["breakdown"]["matches"], json!([]));
    assert_eq!(
        rerun["result"]["breakdown"]["summary"]["watchlist"]["sanctionsLists"],
        "clear"
    );
}

#[tokio::test]
async fn options_and_ordinary_names_are_honoured() {
    let app = TestApp::spawn().await;
    import_sample(&app).await;
    let ordinary = live_client(&app, crate::person("Harriet", "Winterbottom")).await;
    let done = run_check(&app, &ordinary, json!({"type": "standard_screening_check"})).await;
    assert_eq!(done["result"]["outcome"], "clear", "{done}");
    assert_eq!(done["result"]["breakdown"]["matches"], json!([]));

    let client = live_client(&app, salazar()).await;
    // only PEP categories selected: sanctions are not screened
    let peps = run_check(
        &app,
        &client,
        json!({"type": "extensive_screening_check",
            "options": {"screeningClassification": ["pepLevel1"]}}),
    )
    .await;
    assert_eq!(peps["result"]["outcome"], "clear", "{peps}");
    assert_eq!(
        peps["result"]["breakdown"]["summary"]["watchlist"]["sanctionsLists"],
        "not_processed"
    );
    // precise mode still finds the exact name; a misspelling only in fuzzy mode
    let misspelt = live_client(
        &app,
        json!({"type": "person", "email": "js@example.org",
            "personDetails": {"firstName": "Jesus Alfredo", "lastName": "Salasar Ramirez"}}),
    )
    .await;
    let fuzzy = run_check(&app, &misspelt, json!({"type": "standard_screening_check"})).await;
    assert_eq!(fuzzy["result"]["outcome"], "attention", "{fuzzy}");
    let precise = run_check(
        &app,
        &misspelt,
        json!({"type": "standard_screening_check", "options": {"screeningNameSearchMode": "precise"}}),
    )
    .await;
    assert_eq!(precise["result"]["outcome"], "clear", "{precise}");
    // a company on the list
    let bank = live_client(&app, crate::company("Bank Melli Iran")).await;
    let done = run_check(&app, &bank, json!({"type": "standard_screening_check"})).await;
    assert_eq!(done["result"]["outcome"], "attention", "{done}");
    assert_eq!(
        done["result"]["breakdown"]["matches"][0]["entityId"],
        "us_ofac_sdn:25578"
    );
    assert_eq!(
        done["result"]["breakdown"]["matches"][0]["names"][0]["companyName"],
        "BANK MELLI IRAN"
    );

    // a scope that leaves no list fails with a reason instead of a clear nobody screened
    for scope in [
        json!({"mode": "exclude", "lists": [SDN_NAME]}),
        json!({"mode": "include", "lists": ["No Such List"]}),
    ] {
        let none = run_check(
            &app,
            &client,
            json!({"type": "standard_screening_check", "options": {"screeningListsScope": scope}}),
        )
        .await;
        assert_eq!(none["status"], "failed", "{none}");
        assert!(
            none["failureReason"]
                .as_str()
                .unwrap()
                .contains("screeningListsScope"),
            "{none}"
        );
    }
    // with another list in scope, the excluded list's categories are not claimed as screened
    let list = app
        .send(
            Method::POST,
            "/v1/customLists",
            Some(&app.live_key),
            Some(&json!({"name": "Internal terror watch", "classification": "watchlistTerror"})),
        )
        .await;
    let list = list.body["id"].as_str().unwrap().to_string();
    let record = app
        .send(
            Method::POST,
            &format!("/v1/customLists/{list}/records"),
            Some(&app.live_key),
            Some(&json!({"entityType": "person", "names": [{"firstName": "Orla", "lastName": "Fenwick"}]})),
        )
        .await;
    assert_eq!(record.status, 200, "{}", record.text);
    let excluded = run_check(
        &app,
        &client,
        json!({"type": "standard_screening_check",
            "options": {"screeningListsScope": {"mode": "exclude", "lists": [SDN_NAME]}}}),
    )
    .await;
    assert_eq!(excluded["result"]["outcome"], "clear", "{excluded}");
    let summary = &excluded["result"]["breakdown"]["summary"]["watchlist"];
    assert_eq!(summary["sanctionsLists"], "not_processed", "{excluded}");
    assert_eq!(summary["terror"], "clear", "{excluded}");
    assert_eq!(
        excluded["result"]["breakdown"]["screenedLists"],
        json!([{"name": "Internal terror watch", "custom": true}])
    );
}

#[tokio::test]
async fn custom_lists_are_managed_and_screened() {
    let app = TestApp::spawn().await;
    let key = app.live_key.clone();
    let created = app
        .send(
            Method::POST,
            "/v1/customLists",
            Some(&key),
            Some(&json!({"name": "Former employees", "description": "Dismissed for fraud"})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(
        created.body["stats"],
        json!({"personCount": 0, "companyCount": 0})
    );
    assert_eq!(
        created.body["classification"],
        "watchlistOtherOfficialLists"
    );
    let list = created.body["id"].as_str().unwrap().to_string();

    let bad = app
        .send(
            Method::POST,
            &format!("/v1/customLists/{list}/records"),
            Some(&key),
            Some(&json!({"entityType": "person"})),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error().1.as_deref(), Some("names"));
    let record = app
        .send(
            Method::POST,
            &format!("/v1/customLists/{list}/records"),
            Some(&key),
            Some(&json!({
                "entityType": "person",
                "names": [{"type": "primary", "firstName": "Zebulon", "lastName": "Quarterfield"}],
                "gender": "male",
                "dates": [{"type": "Date of Birth", "date": {"day": "01", "month": "01", "year": "1987"}}]
            })),
        )
        .await;
    assert_eq!(record.status, 200, "{}", record.text);
    assert_eq!(record.body["customListId"], list.as_str());
    let company = app
        .send(
            Method::POST,
            &format!("/v1/customLists/{list}/records"),
            Some(&key),
            Some(&json!({"entityType": "company", "names": [{"companyName": "Quarterfield Holdings"}]})),
        )
        .await;
    assert_eq!(company.status, 200, "{}", company.text);
    let got = app
        .send(
            Method::GET,
            &format!("/v1/customLists/{list}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(
        got.body["stats"],
        json!({"personCount": 1, "companyCount": 1})
    );
    let page = app
        .send(Method::GET, "/v1/customLists", Some(&key), None)
        .await;
    assert_eq!(page.body["totalItems"], 1);
    assert_eq!(page.body["items"][0]["stats"]["personCount"], 1);
    let records = app
        .send(
            Method::GET,
            &format!("/v1/customLists/{list}/records?entityType=company"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(records.body["totalItems"], 1, "{}", records.text);
    // test-mode keys see none of it
    let other_mode = app.get(&format!("/v1/customLists/{list}")).await;
    assert_eq!(other_mode.status, 404);

    // a custom list alone is enough to screen against
    let client = live_client(
        &app,
        json!({"type": "person", "email": "zq@example.org",
            "personDetails": {"firstName": "Zebulon", "lastName": "Quarterfield", "dob": "1987-01-01"}}),
    )
    .await;
    let done = run_check(&app, &client, json!({"type": "standard_screening_check"})).await;
    assert_eq!(done["result"]["outcome"], "attention", "{done}");
    let hit = &done["result"]["breakdown"]["matches"][0];
    assert_eq!(hit["sources"][0]["list"], "Former employees");
    assert_eq!(
        done["result"]["breakdown"]["summary"]["watchlist"]["otherOfficialLists"],
        "attention"
    );

    // removing the record, then the list
    let record_id = record.body["id"].as_str().unwrap();
    let removed = app
        .send(
            Method::DELETE,
            &format!("/v1/customLists/{list}/records/{record_id}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/v1/customLists/{list}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let gone = app
        .send(
            Method::GET,
            &format!("/v1/customLists/{list}"),
            Some(&key),
            None,
        )
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["type"], "resource_not_found");
}

/// A new version that lost most of the list (a truncated download, a wrong file) is refused
/// unless forced (#25): a sanctions list must not quietly empty itself.
#[tokio::test]
async fn a_new_version_that_drops_most_entries_is_refused_unless_forced() {
    let app = TestApp::spawn().await;
    import_sample(&app).await;
    let truncated = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(fixture_list().join("sdn.csv")).unwrap();
    let first_ten: String = full.lines().take(10).map(|l| format!("{l}\n")).collect();
    std::fs::write(truncated.path().join("sdn.csv"), first_ten).unwrap();
    let guarded = ImportOptions {
        max_drop: Some(clearance_engines::screening::lists::DEFAULT_MAX_DROP),
        ..ImportOptions::default()
    };
    let refused = import_list(
        app.store.as_ref(),
        Format::OfacCsv,
        truncated.path(),
        guarded,
        SystemClock.now_ms(),
    )
    .await
    .unwrap_err();
    assert!(refused.contains("drops more than 20 %"), "{refused}");
    let kept = app.store.screening_lists().await.unwrap();
    assert_eq!(kept[0].entity_count, 35, "the stored version is untouched");
    let forced = import_list(
        app.store.as_ref(),
        Format::OfacCsv,
        truncated.path(),
        ImportOptions::default(),
        SystemClock.now_ms(),
    )
    .await
    .unwrap();
    assert_eq!(forced.list.entity_count, 10);
}
