//! Company and address lookups over register and address samples imported as an operator
//! would (`clearance registries import`, `clearance addresses import`), through the API.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clearance::reference_data::{ImportArgs, import};
use clearance_core::lookups::{DatasetKind, company_id};
use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn shared(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path)
}

fn args(format: &str, paths: &[PathBuf]) -> ImportArgs {
    ImportArgs {
        format: format.into(),
        paths: paths.to_vec(),
        name: None,
        date: None,
        country: None,
        code_names: None,
    }
}

async fn import_registers(app: &TestApp) {
    for (format, file) in [
        (
            "companies-house-csv",
            "registries/companies_house/basic_company_data_2020-05-01_random_sample.csv",
        ),
        (
            "psc-jsonl",
            "registries/companies_house/psc_snapshot_sample.jsonl",
        ),
        ("gleif-xml", "registries/gleif/lei_2023-06-05_sample13.xml"),
    ] {
        // A register published in parts is one dataset: the 2021 head holds "! LTD", which
        // has a PSC record.
        let mut paths = vec![shared(file)];
        if format == "companies-house-csv" {
            paths.push(shared(
                "registries/companies_house/basic_company_data_2021-01_head31.csv",
            ));
        }
        let done = import(
            app.store.as_ref(),
            DatasetKind::Registry,
            &args(format, &paths),
            1_800_000_000_000,
        )
        .await
        .unwrap();
        assert!(done.records > 0, "{format}");
    }
}

async fn import_addresses(app: &TestApp) {
    for (format, file, country) in [
        ("onspd", "addresses/uk_onspd/onspd_2024_extract.csv", None),
        ("os-open-names", "addresses/uk_os_open_names/HY20.csv", None),
        (
            "openaddresses-csv",
            "addresses/openaddresses/pelias_interpolation_potsdamerplatz.csv",
            Some("DE"),
        ),
    ] {
        let mut a = args(format, &[shared(file)]);
        a.country = country.map(str::to_owned);
        import(
            app.store.as_ref(),
            DatasetKind::Addresses,
            &a,
            1_800_000_000_000,
        )
        .await
        .unwrap();
    }
}

async fn search(app: &TestApp, key: &str, name: &str) -> Vec<Value> {
    let r = app
        .send(
            Method::POST,
            "/v1/lookup/companies",
            Some(key),
            Some(&json!({"companyName": name, "incorporationCountry": "GB"})),
        )
        .await;
    assert_eq!(r.status, 200, "{name}: {}", r.text);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn names(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|i| i["name"].as_str()).collect()
}

#[tokio::test]
async fn a_company_is_found_first_by_its_name_without_the_legal_form() {
    let app = TestApp::spawn().await;
    import_registers(&app).await;
    for key in [&app.test_key, &app.live_key] {
        let found = search(&app, key, "Mercury Resources").await;
        assert_eq!(names(&found)[0], "MERCURY RESOURCES (UK) LIMITED");
    }
    // Legal forms written out, `&` for `and`, word order and a typo do not matter.
    for query in [
        "Mercury Resources (UK) Ltd",
        "resources mercury uk",
        "Mercury Resorces",
        "M and M IT",
        "C S Engineering South East",
    ] {
        let found = search(&app, &app.test_key, query).await;
        assert!(!found.is_empty(), "{query} found nothing");
    }
    assert_eq!(
        names(&search(&app, &app.test_key, "M and M IT").await)[0],
        "M&M IT LTD"
    );
    // A summary: the wire fields, none of the details.
    let first = &search(&app, &app.test_key, "Mercury Resources").await[0];
    for key in [
        "id",
        "name",
        "registrationNumber",
        "incorporationCountry",
        "incorporationDate",
        "incorporationType",
        "address",
        "active",
        "sourceUrl",
        "createdAt",
        "updatedAt",
    ] {
        assert!(!first[key].is_null(), "{key} missing: {first}");
    }
    for key in ["owners", "officers", "filings", "industryCodes", "website"] {
        assert!(first.get(key).is_none(), "{key} in a summary");
    }
    assert!(
        search(&app, &app.test_key, "Zyxwvut Holdings")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn company_details_join_owners_filings_and_industry_codes() {
    let app = TestApp::spawn().await;
    import_registers(&app).await;
    let id = company_id("GB", "08209948");
    let r = app.get(&format!("/v1/lookup/companies/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = &r.body;
    assert_eq!(c["name"], "! LTD");
    assert_eq!(c["registrationNumber"], "08209948");
    assert_eq!(c["incorporationDate"], "2012-09-11");
    assert_eq!(c["industryCodes"][0]["code"], "99999");
    assert_eq!(c["industryCodes"][0]["scheme"], "UK SIC 2007");
    let owner = &c["owners"][0];
    assert_eq!(owner["entityType"], "person");
    assert_eq!(owner["lastName"], "Feldman");
    assert_eq!(owner["ownershipType"], "75_to_100_percent");
    assert_eq!(owner["dob"], "1961-12");
    assert!(
        c["filings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["type"] == "accounts"))
    );
    // GLEIF records are companies too, named by their register number.
    let gleif = app
        .get(&format!(
            "/v1/lookup/companies/{}",
            company_id("GB", "03004112")
        ))
        .await;
    assert_eq!(gleif.status, 200, "{}", gleif.text);
    assert_eq!(gleif.body["lei"], "1595D0QCK7Y15293JK84");
    let missing = app
        .get("/v1/lookup/companies/non%20existent%20company%20id")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().0, "resource_not_found");
}

#[tokio::test]
async fn lookup_requests_are_validated() {
    let app = TestApp::spawn().await;
    import_registers(&app).await;
    for (body, param) in [
        (json!({"incorporationCountry": "GB"}), "companyName"),
        (json!({"companyName": "x"}), "incorporationCountry"),
        (
            json!({"companyName": "x", "incorporationCountry": "J{"}),
            "incorporationCountry",
        ),
        (json!({"param_1": "CLEDARA", "param_2": "GB"}), "param_1"),
        (
            json!({"companyName": 5, "incorporationCountry": "GB"}),
            "companyName",
        ),
    ] {
        let r = app.post("/v1/lookup/companies", &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.error(), ("invalid_request".into(), Some(param.into())));
    }
    // A country without imported register data is refused with what the server has.
    let r = app
        .post(
            "/v1/lookup/companies",
            &json!({"companyName": "Total", "incorporationCountry": "FR"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("GB"), "{}", r.text);
    // Without any address data, address lookups say how to add it.
    let r = app
        .post(
            "/v1/lookup/addresses",
            &json!({"line": "1 High Street", "postalCode": "AB11 6BA", "country": "GB"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("clearance addresses import"), "{}", r.text);
}

async fn addresses(app: &TestApp, line: &str, postal_code: &str, country: &str) -> Vec<Value> {
    let r = app
        .post(
            "/v1/lookup/addresses",
            &json!({"line": line, "postalCode": postal_code, "country": country}),
        )
        .await;
    assert_eq!(r.status, 200, "{line}: {}", r.text);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn addresses_are_found_by_house_or_by_street_in_the_postcode_district() {
    let app = TestApp::spawn().await;
    import_addresses(&app).await;
    // House level (OpenAddresses, Berlin): the number must be the queried one.
    let found = addresses(&app, "Potsdamer Str. 4", "10785", "DE").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["line"], "Potsdamer Straße 4");
    assert_eq!(found[0]["city"], "Berlin");
    assert!(
        addresses(&app, "Potsdamer Str. 999", "10785", "DE")
            .await
            .is_empty()
    );
    // Street level (OS Open Names, Stirling): the queried house on the named street.
    let found = addresses(&app, "12 Carron Place", "FK7 7XX", "GB").await;
    assert!(!found.is_empty(), "no Carron Place");
    assert_eq!(found[0]["line"], "12 Carron Place");
    assert_eq!(found[0]["propertyNumber"], "12");
    assert_eq!(found[0]["country"], "GB");
    // Where the postcode data covers the district (Aberdeen), an unknown postcode matches
    // nothing; the answer never invents a street.
    assert!(
        addresses(&app, "1 Union Street", "AB11 9ZZ", "GB")
            .await
            .is_empty()
    );
    let r = app
        .post(
            "/v1/lookup/addresses",
            &json!({"line": "1 Rue de Rivoli", "postalCode": "75001", "country": "FR"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error().1.as_deref(), Some("country"));
    let r = app
        .post(
            "/v1/lookup/addresses",
            &json!({"param_1": "qzdqzd", "param_2": "90001", "param_3": "GB"}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn a_new_import_reaches_every_node_sharing_the_database() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let write = |name: &str| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("companies.jsonl");
        let record = json!({
            "record": "company", "id": company_id("GB", "ZZ000009"), "name": name,
            "registrationNumber": "ZZ000009", "incorporationCountry": "GB", "active": true,
            "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"
        });
        std::fs::write(&path, format!("{record}\n")).unwrap();
        (dir, path)
    };
    let store = |path: PathBuf| {
        let mut a = args("clearance-jsonl", &[path]);
        a.name = Some("own-register".into());
        a
    };
    let (_dir, path) = write("FIRST NAME TRADING LTD");
    import(app.store.as_ref(), DatasetKind::Registry, &store(path), 1)
        .await
        .unwrap();
    for node in [&app, &peer] {
        let found = search(node, &node.test_key, "First Name Trading").await;
        assert_eq!(names(&found), ["FIRST NAME TRADING LTD"]);
    }
    // The re-import replaces the dataset; each node rebuilds in the background and answers
    // from the new index once it is built.
    let (_dir, path) = write("SECOND NAME TRADING LTD");
    import(app.store.as_ref(), DatasetKind::Registry, &store(path), 2)
        .await
        .unwrap();
    for node in [&app, &peer] {
        let mut found = Vec::new();
        for _ in 0..100 {
            found = search(node, &node.test_key, "Second Name Trading").await;
            if !found.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(names(&found), ["SECOND NAME TRADING LTD"]);
        assert!(
            search(node, &node.test_key, "First Name Trading")
                .await
                .is_empty()
        );
    }
}

#[tokio::test]
async fn gleif_consolidation_parents_are_owners_of_the_companies_with_those_leis() {
    let app = TestApp::spawn().await;
    // GLEIF's relationship sample: 010CMKZ3VON21WF2ZD45 is directly consolidated by
    // ZZG38T0MDR3QY1ETUA76 and ultimately by 3C7474T6CDKPR9K6YT90. Its LEI records are not in
    // the samples, so two companies carrying those LEIs are written in the server's own format.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("companies.jsonl");
    let company = |number: &str, name: &str, lei: &str| {
        json!({
            "record": "company", "id": company_id("GB", number), "name": name,
            "registrationNumber": number, "incorporationCountry": "GB", "active": true,
            "lei": lei, "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z"
        })
    };
    std::fs::write(
        &path,
        format!(
            "{}\n{}\n",
            company("ZZ000001", "CHILD TRADING LTD", "010CMKZ3VON21WF2ZD45"),
            company("ZZ000002", "PARENT HOLDINGS PLC", "ZZG38T0MDR3QY1ETUA76")
        ),
    )
    .unwrap();
    let mut own = args("clearance-jsonl", &[path]);
    own.name = Some("own".into());
    import(app.store.as_ref(), DatasetKind::Registry, &own, 1)
        .await
        .unwrap();
    import(
        app.store.as_ref(),
        DatasetKind::Registry,
        &args(
            "gleif-rr-xml",
            &[shared("registries/gleif/rr_2023-06-05_sample10.xml")],
        ),
        1,
    )
    .await
    .unwrap();
    let r = app
        .get(&format!(
            "/v1/lookup/companies/{}",
            company_id("GB", "ZZ000001")
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let owners = r.body["owners"].as_array().cloned().unwrap_or_default();
    assert_eq!(owners.len(), 2, "{owners:?}");
    assert_eq!(owners[0]["type"], "parent_company");
    assert_eq!(owners[0]["role"], "Direct parent");
    assert_eq!(owners[0]["entityName"], "PARENT HOLDINGS PLC");
    assert_eq!(owners[1]["role"], "Ultimate parent");
    assert_eq!(owners[1]["entityName"], "3C7474T6CDKPR9K6YT90");
}
