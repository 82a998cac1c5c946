//! Clients: create, get, update (deep merge), delete, and their validation errors.

use clearance_testkit::TestApp;
use serde_json::{Value, json};

use crate::{company, person};

fn is_timestamp(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.len() == 24 && s.ends_with('Z') && s.as_bytes()[19] == b'.'
}

#[tokio::test]
async fn create_get_update_delete_a_person() {
    let app = TestApp::spawn().await;
    let mut body = person("Ada", "Lovelace");
    body["metadata"] = json!({"segment": "retail"});
    body["externalId"] = json!("crm-1");
    let created = app.post("/v1/clients", &body).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let c = &created.body;
    let id = c["id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(
        id.chars()
            .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase())
    );
    assert_eq!(c["entityName"], "Ada Lovelace");
    assert_eq!(c["personDetails"]["nationality"], "GB");
    assert_eq!(c["metadata"], json!({"segment": "retail"}));
    assert!(is_timestamp(&c["createdAt"]) && is_timestamp(&c["updatedAt"]));
    assert!(
        !created.text.contains("null"),
        "null fields are omitted: {}",
        created.text
    );
    assert!(c.get("companyDetails").is_none());

    let got = app.get(&format!("/v1/clients/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, created.body);

    let updated = app
        .post(
            &format!("/v1/clients/{id}"),
            &json!({"personDetails": {"middleName": "King"}, "mobile": "+44 7700 900123"}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(
        updated.body["personDetails"]["firstName"], "Ada",
        "nested objects are merged"
    );
    assert_eq!(updated.body["personDetails"]["middleName"], "King");
    assert_eq!(updated.body["mobile"], "+44 7700 900123");
    assert_eq!(updated.body["createdAt"], c["createdAt"]);

    let deleted = app.delete(&format!("/v1/clients/{id}")).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.text.is_empty(), "204 has an empty body");
    let gone = app.get(&format!("/v1/clients/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.error().0, "resource_not_found");
    assert_eq!(gone.body["message"], format!("Invalid client id '{id}'"));
    assert_eq!(app.delete(&format!("/v1/clients/{id}")).await.status, 404);
}

#[tokio::test]
async fn company_updates_merge_and_ignore_person_details() {
    let app = TestApp::spawn().await;
    let id = app
        .post("/v1/clients", &company("Northwind Ltd"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let updated = app
        .post(
            &format!("/v1/clients/{id}"),
            &json!({"companyDetails": {"website": "https://www.example.com"}, "personDetails": {"firstName": "X"}, "email": "new@example.com"}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["companyDetails"]["name"], "Northwind Ltd");
    assert_eq!(
        updated.body["companyDetails"]["website"],
        "https://www.example.com"
    );
    assert_eq!(updated.body["email"], "new@example.com");
    assert!(updated.body.get("personDetails").is_none());
    assert_eq!(updated.body["entityName"], "Northwind Ltd");
    let retype = app
        .post(&format!("/v1/clients/{id}"), &json!({"type": "person"}))
        .await;
    assert_eq!(
        (retype.status, retype.error().1.as_deref()),
        (400, Some("type"))
    );
}

#[tokio::test]
async fn every_bad_field_is_named() {
    let app = TestApp::spawn().await;
    let with = |patch: Value| {
        let mut body = person("Ada", "Lovelace");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            json!({"type": "person", "email": "a@b.co"}),
            "personDetails",
        ),
        (
            json!({"type": "company", "email": "a@b.co"}),
            "companyDetails",
        ),
        (
            json!({"email": "a@b.co", "personDetails": {"firstName": "A", "lastName": "B"}}),
            "type",
        ),
        (with(json!({"type": "alien"})), "type"),
        (with(json!({"email": null})), "email"),
        (with(json!({"email": "not-an-email"})), "email"),
        (with(json!({"email": 42})), "email"),
        (with(json!({"joinedDate": "2020-02-30"})), "joinedDate"),
        (
            with(json!({"personDetails": {"firstName": "A"}})),
            "personDetails.lastName",
        ),
        (
            with(json!({"personDetails": {"firstName": "A", "lastName": "B", "gender": "x"}})),
            "personDetails.gender",
        ),
        (
            with(
                json!({"personDetails": {"firstName": "A", "lastName": "B", "nationality": "J{"}}),
            ),
            "personDetails.nationality",
        ),
        (
            with(
                json!({"personDetails": {"firstName": "A", "lastName": "B", "birthCountry": "NOTACOUNTRYCODE"}}),
            ),
            "personDetails.birthCountry",
        ),
        (
            with(
                json!({"personDetails": {"firstName": "A", "lastName": "B", "dob": "10/12/1985"}}),
            ),
            "personDetails.dob",
        ),
        (with(json!({"personDetails": "Ada"})), "personDetails"),
        (with(json!({"metadata": {"k": 1}})), "metadata"),
        (with(json!({"metadata": {"k": true}})), "metadata"),
        (with(json!({"metadata": {"k": null}})), "metadata"),
        (with(json!({"metadata": {"k": ["a"]}})), "metadata"),
        (with(json!({"metadata": ["a"]})), "metadata"),
        (
            with(json!({"metadata": {"k": "v".repeat(504)}})),
            "metadata",
        ),
        (with(json!({"metadata": {"k".repeat(44): "v"}})), "metadata"),
        (
            with(
                json!({"metadata": (0..21).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()}),
            ),
            "metadata",
        ),
        (
            json!({"type": "company", "email": "a@b.co", "companyDetails": {"name": "N", "incorporationType": "llc"}}),
            "companyDetails.incorporationType",
        ),
        (
            json!({"type": "company", "email": "a@b.co", "companyDetails": {}}),
            "companyDetails.name",
        ),
    ];
    for (body, param) in cases {
        let r = app.post("/v1/clients", &body).await;
        assert_eq!(r.status, 400, "{body} → {}", r.text);
        assert_eq!(
            r.error(),
            ("invalid_request".to_string(), Some(param.to_string())),
            "{body}"
        );
    }
    let documented = app
        .post("/v1/clients", &json!({"type": "person", "email": "a@b.co"}))
        .await;
    assert_eq!(
        documented.body["message"],
        "'personDetails' must be provided when client type is `person`"
    );
    let twenty: serde_json::Map<_, _> = (0..20).map(|i| (format!("k{i}"), json!("v"))).collect();
    assert_eq!(
        app.post("/v1/clients", &with(json!({"metadata": twenty})))
            .await
            .status,
        200
    );
}
