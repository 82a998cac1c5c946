//! Workflow templates (Clearance's own API): versioned tasks and compliance policies.

use clearance_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

pub fn onboarding() -> Value {
    json!({
        "name": "Onboarding", "description": "Passport, selfie and sanctions",
        "tasks": [
            {"type": "consent"},
            {"type": "document_capture", "documentTypes": ["passport", "driving_license"]},
            {"type": "selfie"},
            {"id": "doc", "type": "check", "checkType": "document_check"},
            {"id": "face", "type": "check", "checkType": "identity_check"},
            {"id": "aml", "type": "check", "checkType": "standard_screening_check",
             "options": {"screeningNameSearchMode": "fuzzy"}}
        ],
        "compliancePolicies": [
            {"name": "Sanctions hit declines", "checkType": "standard_screening_check",
             "outcomes": ["attention"], "decision": "decline"},
            {"name": "Anything else unclear is reviewed",
             "outcomes": ["attention", "not_processed", "failed"], "decision": "review"}
        ]
    })
}

#[tokio::test]
async fn templates_are_created_versioned_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let created = app.post("/v1/workflowTemplates", &onboarding()).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let t = &created.body;
    let id = t["id"].as_str().unwrap();
    assert_eq!(t["version"], 1);
    assert_eq!(t["tasks"][0]["id"], "task_1");
    assert_eq!(t["tasks"][5]["id"], "aml");
    assert_eq!(t["tasks"][5]["options"]["screeningNameSearchMode"], "fuzzy");
    assert_eq!(t["compliancePolicies"][0]["decision"], "decline");

    let same = app
        .post(
            &format!("/v1/workflowTemplates/{id}"),
            &json!({"name": "Onboarding"}),
        )
        .await;
    assert_eq!(same.body["version"], 1, "nothing changed: {}", same.text);
    let renamed = app
        .post(
            &format!("/v1/workflowTemplates/{id}"),
            &json!({"name": "Onboarding (EU)"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["version"], 2);
    assert_eq!(renamed.body["tasks"], t["tasks"], "untouched fields stay");
    let got = app.get(&format!("/v1/workflowTemplates/{id}")).await;
    assert_eq!(got.body["name"], "Onboarding (EU)");

    let listed = app
        .get("/v1/workflowTemplates?name=Onboarding%20(EU)")
        .await;
    assert_eq!(listed.body["totalItems"], 1, "{}", listed.text);
    let live = app
        .send(
            Method::GET,
            &format!("/v1/workflowTemplates/{id}"),
            Some(&app.live_key),
            None,
        )
        .await;
    assert_eq!(live.status, 404, "test-mode templates are not live ones");

    let trail = app.get(&format!("/v1/auditLogs?resourceId={id}")).await;
    assert_eq!(trail.body["totalItems"], 2, "{}", trail.text);
    assert_eq!(trail.body["items"][0]["resourceType"], "workflowTemplate");

    let deleted = app.delete(&format!("/v1/workflowTemplates/{id}")).await;
    assert_eq!(deleted.status, 204);
    let gone = app.get(&format!("/v1/workflowTemplates/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.body["message"],
        format!("Invalid workflow template id '{id}'")
    );
}

#[tokio::test]
async fn a_bad_template_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let refused = |v: Value| {
        let app = &app;
        async move {
            let r = app.post("/v1/workflowTemplates", &v).await;
            assert_eq!(r.status, 400, "{}", r.text);
            assert_eq!(r.body["type"], "invalid_request");
            r.body["param"].as_str().unwrap_or_default().to_string()
        }
    };
    let mut v = onboarding();
    v["tasks"].as_array_mut().unwrap().remove(2);
    assert_eq!(
        refused(v).await,
        "tasks[3].checkType",
        "identity needs a selfie first"
    );
    let mut v = onboarding();
    v.as_object_mut().unwrap().remove("name");
    assert_eq!(refused(v).await, "name");
    let mut v = onboarding();
    v["tasks"][5]["options"] = json!({"minimumPermittedAge": 18});
    assert_eq!(refused(v).await, "tasks[5].options.minimumPermittedAge");
    let mut v = onboarding();
    v["compliancePolicies"][1]["outcomes"] = json!(["maybe"]);
    assert_eq!(refused(v).await, "compliancePolicies[1].outcomes");
    let mut v = onboarding();
    v["tasks"][1]["type"] = json!("fingerprint");
    assert_eq!(refused(v).await, "tasks[1].type");
}
