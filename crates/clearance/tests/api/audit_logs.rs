//! Every write leaves an audit entry with the documented diff.

use clearance_testkit::TestApp;
use serde_json::json;

use crate::person;

#[tokio::test]
async fn creates_updates_and_deletes_are_audited() {
    let app = TestApp::spawn().await;
    let id = app
        .post("/v1/clients", &person("Ada", "Lovelace"))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/v1/clients/{id}"),
        &json!({"email": "ada@example.net"}),
    )
    .await;
    // Before the client is deleted, its trail records the values that changed.
    let before = app
        .get(&format!("/v1/auditLogs?resourceId={id}&action=update"))
        .await;
    let update_id = before.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&format!("/v1/auditLogs/{update_id}")).await.body["diff"],
        json!([{"action": "update", "path": ["email"], "old": "ada.lovelace@example.org", "new": "ada@example.net"}])
    );
    app.delete(&format!("/v1/clients/{id}")).await;

    let list = app.get(&format!("/v1/auditLogs?resourceId={id}")).await;
    assert_eq!(list.status, 200);
    let items = list.body["items"].as_array().unwrap();
    let actions: Vec<_> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"], "newest first");
    assert!(
        items.iter().all(|e| e.get("diff").is_none()),
        "list items omit the diff"
    );
    assert_eq!(items[2]["trigger"], "createClient");
    assert_eq!(items[2]["resourceType"], "client");
    assert_eq!(items[2]["clientId"], id.as_str());
    assert!(
        items[2].get("memberId").is_none(),
        "API-key actions have no member"
    );
    // The key that acted is named by its record id: the same for every change it made, and
    // never the key itself.
    let key_id = items[2]["keyId"]
        .as_str()
        .expect("the acting key is recorded");
    assert!(items.iter().all(|e| e["keyId"] == key_id), "{items:?}");
    assert!(!key_id.is_empty() && !app.test_key.contains(key_id));

    let update = app
        .get(&format!(
            "/v1/auditLogs/{}",
            items[1]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(update.status, 200);
    // Deleting the client erased the values, not the record of the change (#21, finding 6).
    assert_eq!(
        update.body["diff"],
        json!([{"action": "update", "path": ["email"], "redacted": true}])
    );
    let create = app
        .get(&format!(
            "/v1/auditLogs/{}",
            items[2]["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        create.body["diff"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["action"] == "new" && d["path"] == json!(["personDetails"]))
    );
    // No entry of the deleted client's trail, the deletion's own included, holds a value.
    for entry in items {
        let entry = app
            .get(&format!("/v1/auditLogs/{}", entry["id"].as_str().unwrap()))
            .await;
        let text = entry.body["diff"].to_string();
        assert!(
            !text.contains("Lovelace") && !text.contains("example"),
            "{text}"
        );
    }

    let filtered = app
        .get("/v1/auditLogs?action=update&resourceType=client")
        .await;
    assert_eq!(filtered.body["totalItems"], 1);
    assert_eq!(
        app.get("/v1/auditLogs/ffffffffffffffffffffffff")
            .await
            .status,
        404
    );
}
