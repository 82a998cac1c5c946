//! `/v1/customLists`: the answered shapes of lists and records, updates, and records reached
//! through the wrong list.

use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn keys(body: &Value) -> Vec<&str> {
    body.as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn lists_and_records_answer_in_their_usual_shape() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/v1/customLists",
            &json!({"classification": "pepLevel2", "description": "Known PEPs", "name": "PEPs"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(
        keys(&created.body),
        [
            "id",
            "name",
            "description",
            "classification",
            "stats",
            "createdAt",
            "updatedAt"
        ]
    );
    let list = created.body["id"].as_str().unwrap();

    let record = app
        .post(
            &format!("/v1/customLists/{list}/records"),
            &json!({
                "images": ["https://example.com/a.jpg"],
                "dates": [{"date": {"year": 1970, "month": "3"}, "type": "Date of Birth"}],
                "countries": [{"country": "FR", "type": "Resident of"}],
                "active": false,
                "names": [{"lastName": "Martin", "firstName": "Alice", "type": "alias"}],
                "entityType": "person"
            }),
        )
        .await;
    assert_eq!(record.status, 200, "{}", record.text);
    assert_eq!(
        keys(&record.body),
        [
            "id",
            "customListId",
            "entityType",
            "names",
            "active",
            "countries",
            "dates",
            "images",
            "createdAt",
            "updatedAt"
        ]
    );
    assert_eq!(
        record.body["names"],
        json!([{"type": "alias", "firstName": "Alice", "lastName": "Martin"}])
    );
    assert_eq!(
        record.body["dates"],
        json!([{"type": "Date of Birth", "date": {"month": 3, "year": 1970}}])
    );
    assert_eq!(
        record.body["countries"],
        json!([{"type": "Resident of", "country": "FR"}])
    );
}

#[tokio::test]
async fn updates_merge_and_refuse_by_name() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/v1/customLists",
            &json!({"name": "Blocked", "description": "Old text"}),
        )
        .await;
    let list = created.body["id"].as_str().unwrap();
    let path = format!("/v1/customLists/{list}");

    let renamed = app.post(&path, &json!({"name": "Blocked for good"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["name"], "Blocked for good");
    assert_eq!(renamed.body["description"], "Old text");
    assert_eq!(
        renamed.body["classification"],
        "watchlistOtherOfficialLists"
    );
    assert_eq!(
        renamed.body["stats"],
        json!({"personCount": 0, "companyCount": 0})
    );

    let cleared = app.post(&path, &json!({"description": null})).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert!(
        cleared.body.get("description").is_none(),
        "{}",
        cleared.text
    );

    for (patch, param) in [
        (json!({"name": null}), "name"),
        (json!({"classification": "adverseMedia"}), "classification"),
        (json!({"stats": {"personCount": 3}}), "stats"),
    ] {
        let refused = app.post(&path, &patch).await;
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(
            refused.error().1.as_deref(),
            Some(param),
            "{}",
            refused.text
        );
    }
}

#[tokio::test]
async fn a_record_is_removed_only_through_its_own_list() {
    let app = TestApp::spawn().await;
    let mut lists = Vec::new();
    for name in ["One", "Two"] {
        let list = app.post("/v1/customLists", &json!({"name": name})).await;
        lists.push(list.body["id"].as_str().unwrap().to_string());
    }
    let record = app
        .post(
            &format!("/v1/customLists/{}/records", lists[0]),
            &json!({"entityType": "company", "names": [{"companyName": "Acme"}]}),
        )
        .await;
    let record = record.body["id"].as_str().unwrap();
    let delete = |list: &str| format!("/v1/customLists/{list}/records/{record}");
    let key = Some(app.test_key.as_str());
    let wrong = app
        .send(Method::DELETE, &delete(&lists[1]), key, None)
        .await;
    assert_eq!(wrong.status, 404, "{}", wrong.text);
    assert_eq!(wrong.body["type"], "resource_not_found");
    let right = app
        .send(Method::DELETE, &delete(&lists[0]), key, None)
        .await;
    assert_eq!(right.status, 204, "{}", right.text);
}
