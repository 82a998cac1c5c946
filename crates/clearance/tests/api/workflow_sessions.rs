//! Workflow sessions: started by a flow session with a template, walked through the hosted
//! flow's endpoints, completed with the outcome their policies give, told by events in order.

use std::time::Duration;

use clearance_testkit::TestApp;
use serde_json::{Value, json};

use crate::flow::{capture, flow_post, session};
use crate::person;
use crate::workflow_templates::onboarding;

async fn template(app: &TestApp) -> String {
    let t = app.post("/v1/workflowTemplates", &onboarding()).await;
    assert_eq!(t.status, 200, "{}", t.text);
    t.body["id"].as_str().unwrap().to_string()
}

async fn client(app: &TestApp, last_name: &str) -> String {
    let r = app.post("/v1/clients", &person("Ada", last_name)).await;
    r.body["id"].as_str().unwrap().to_string()
}

fn flow_request(client: &str, template: &str) -> Value {
    json!({"clientId": client, "workflowTemplateId": template,
        "successUrl": "https://www.example.com/done", "cancelUrl": "https://www.example.com/cancel"})
}

/// The only workflow session of a client.
async fn session_of(app: &TestApp, client: &str) -> Value {
    let listed = app
        .get(&format!("/v1/workflowSessions?clientId={client}"))
        .await;
    assert_eq!(listed.body["totalItems"], 1, "{}", listed.text);
    let id = listed.body["items"][0]["id"].as_str().unwrap();
    app.get(&format!("/v1/workflowSessions/{id}")).await.body
}

async fn until_complete(app: &TestApp, id: &str) -> Value {
    for _ in 0..400 {
        let s = app.get(&format!("/v1/workflowSessions/{id}")).await.body;
        if s["status"] == "complete" {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("workflow session {id} never completed");
}

/// Walks a session to the end through the flow endpoints; answers the session when complete.
async fn walk(app: &TestApp, last_name: &str) -> (String, Value) {
    let template = template(app).await;
    let client = client(app, last_name).await;
    let token = session(app, &flow_request(&client, &template)).await;
    let started = session_of(app, &client).await;
    assert_eq!(started["status"], "started", "{started}");
    assert_eq!(started["workflowTemplateId"], template.as_str());
    assert_eq!(started["workflowVersion"], 1);
    assert_eq!(started["tasks"].as_array().unwrap().len(), 6);
    assert!(
        started["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "pending")
    );
    let id = started["id"].as_str().unwrap().to_string();
    let early = app
        .post(&format!("/v1/workflowSessions/{id}/complete"), &json!({}))
        .await;
    assert_eq!(early.status, 422, "not finished yet: {}", early.text);

    let (doc, photo) = capture(app, &token).await;
    let done = flow_post(
        app,
        &token,
        "/finish",
        &json!({"consent": true, "documentId": doc, "livePhotoId": photo}),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let finished = until_complete(app, &id).await;
    (client, finished)
}

#[tokio::test]
async fn a_session_walks_its_template_and_its_policies_give_the_outcome() {
    let app = TestApp::spawn().await;
    let (client, s) = walk(&app, "Lovelace").await;
    assert_eq!(s["outcome"], "clear", "{s}");
    let related = s["allRelatedChecks"].as_array().unwrap();
    let types: Vec<&str> = related
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "document_check",
            "identity_check",
            "standard_screening_check"
        ]
    );
    assert_eq!(related[2]["taskId"], "aml");
    assert!(
        s["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "complete"),
        "{s}"
    );
    assert!(s["completedAt"].is_string());
    assert_eq!(s["policyAssurance"].as_array().unwrap().len(), 2);
    assert!(
        s["policyAssurance"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["triggered"] == false)
    );
    // The template's task options reached the check.
    let aml = related[2]["checkId"].as_str().unwrap();
    let check = app.get(&format!("/v1/checks/{aml}")).await.body;
    assert_eq!(
        check["options"]["screeningNameSearchMode"], "fuzzy",
        "{check}"
    );

    let id = s["id"].as_str().unwrap();
    let completed = app
        .post(&format!("/v1/workflowSessions/{id}/complete"), &json!({}))
        .await;
    assert_eq!(completed.body, json!({"status": "complete"}));
    let filtered = app
        .get(&format!(
            "/v1/workflowSessions?clientId={client}&outcome=clear&status=complete"
        ))
        .await;
    assert_eq!(filtered.body["totalItems"], 1, "{}", filtered.text);

    // Its webhooks' events, in order.
    let events = app.store.events_after(0, 1000).await.unwrap();
    let told: Vec<&str> = events
        .iter()
        .filter(|e| e.event.resource_type == "workflowSession")
        .map(|e| e.event.event_type.as_str())
        .collect();
    assert_eq!(told.first(), Some(&"workflow.session.started"), "{told:?}");
    assert_eq!(
        told.get(1),
        Some(&"workflow.session.processing"),
        "{told:?}"
    );
    assert_eq!(told.last(), Some(&"workflow.session.completed"), "{told:?}");
    assert!(
        told[2..told.len() - 1]
            .iter()
            .all(|t| *t == "workflow.session.updated")
    );
    let last = events
        .iter()
        .rev()
        .find(|e| e.event.event_type == "workflow.session.completed")
        .unwrap();
    assert_eq!(last.event.payload["outcome"], "clear");
    assert_eq!(last.event.payload["clientId"], json!(client));

    // Its report lists its checks.
    let report = app
        .get(&format!("/v1/reports?workflowSessionId={id}"))
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let pdf = crate::reports::pdf_of(&report.body);
    if crate::reports::poppler() {
        let text = crate::reports::text_of(&pdf);
        for expected in [
            "Workflow session report: Onboarding for Ada Lovelace",
            "Sanctions hit declines",
            "not triggered",
            "document_check",
            "identity_check",
            "standard_screening_check",
            "Outcome clear",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from {text}");
        }
    }
}

#[tokio::test]
async fn sandbox_attention_is_declined_by_the_sanctions_policy() {
    let app = TestApp::spawn().await;
    let (_, s) = walk(&app, "Attention").await;
    assert_eq!(s["outcome"], "decline", "{s}");
    let policies = s["policyAssurance"].as_array().unwrap();
    assert_eq!(policies[0]["triggered"], true);
    assert_eq!(policies[0]["checkIds"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_template_changed_later_leaves_running_sessions_on_their_version() {
    let app = TestApp::spawn_paused().await;
    let template = template(&app).await;
    let client = client(&app, "Lovelace").await;
    session(&app, &flow_request(&client, &template)).await;
    let renamed = app
        .post(
            &format!("/v1/workflowTemplates/{template}"),
            &json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(renamed.body["version"], 2);
    let s = session_of(&app, &client).await;
    assert_eq!(s["workflowVersion"], 1);
    assert_eq!(s["workflowTemplateName"], "Onboarding");

    let both = app
        .post("/v1/flow/sessions", &{
            let mut r = flow_request(&client, &template);
            r["checkTypes"] = json!(["document_check"]);
            r
        })
        .await;
    assert_eq!(both.status, 400);
    assert_eq!(both.error().1.as_deref(), Some("checkTypes"));
    let unknown = app
        .post(
            "/v1/flow/sessions",
            &flow_request(&client, "5ed1712e99c81a0007b9a3d6"),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error().1.as_deref(), Some("workflowTemplateId"));
    let missing = app
        .get("/v1/workflowSessions/5ed1712e99c81a0007b9a3d6")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["message"],
        "Invalid workflow session id '5ed1712e99c81a0007b9a3d6'"
    );
}

#[tokio::test]
async fn a_subscriber_receives_the_sessions_events_in_order() {
    use crate::webhook_delivery::{delivered, receiver, wait_for};
    let app = TestApp::spawn_for_webhooks(1000).await;
    let (url, inbox) = receiver(0).await;
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": [
                "workflow.session.started", "workflow.session.processing",
                "workflow.session.updated", "workflow.session.completed"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let (_, s) = walk(&app, "Lovelace").await;
    wait_for("the completed event", || {
        delivered(&inbox)
            .iter()
            .any(|b| b["type"] == "workflow.session.completed")
    })
    .await;
    let bodies = delivered(&inbox);
    let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        types.first(),
        Some(&"workflow.session.started"),
        "{types:?}"
    );
    assert_eq!(
        types.get(1),
        Some(&"workflow.session.processing"),
        "{types:?}"
    );
    assert_eq!(
        types.last(),
        Some(&"workflow.session.completed"),
        "{types:?}"
    );
    assert!(
        types[2..types.len() - 1]
            .iter()
            .all(|t| *t == "workflow.session.updated"),
        "{types:?}"
    );
    assert!(
        bodies
            .iter()
            .all(|b| b["resourceType"] == "workflowSession")
    );
    assert!(bodies.iter().all(|b| b["payload"]["id"] == s["id"]));
    assert_eq!(bodies.last().unwrap()["payload"]["outcome"], "clear");
}

#[tokio::test]
async fn a_cancel_is_recorded_and_a_client_who_comes_back_can_still_finish() {
    let app = TestApp::spawn().await;
    let template = template(&app).await;
    let client = client(&app, "Lovelace").await;
    let token = session(&app, &flow_request(&client, &template)).await;
    let cancel = flow_post(&app, &token, "/cancel", &json!({})).await;
    assert_eq!(cancel.status, 200, "{}", cancel.text);
    assert_eq!(cancel.body["redirectUrl"], "https://www.example.com/cancel");
    let s = session_of(&app, &client).await;
    assert_eq!(s["status"], "cancelled", "{s}");
    let id = s["id"].as_str().unwrap().to_string();
    let refused = app
        .post(&format!("/v1/workflowSessions/{id}/complete"), &json!({}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);

    let (doc, photo) = capture(&app, &token).await;
    let done = flow_post(
        &app,
        &token,
        "/finish",
        &json!({"consent": true, "documentId": doc, "livePhotoId": photo}),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let finished = until_complete(&app, &id).await;
    assert_eq!(finished["outcome"], "clear");
    let events = app.store.events_after(0, 1000).await.unwrap();
    let told: Vec<&str> = events
        .iter()
        .filter(|e| e.event.resource_type == "workflowSession")
        .map(|e| e.event.event_type.as_str())
        .collect();
    assert_eq!(
        told[..3],
        [
            "workflow.session.started",
            "workflow.session.cancelled",
            "workflow.session.processing"
        ]
    );
    // A finished session's link is spent: cancelling it now answers 410.
    let late = flow_post(&app, &token, "/cancel", &json!({})).await;
    assert_eq!(late.status, 410, "{}", late.text);
}

#[tokio::test]
async fn a_session_whose_link_expired_unfinished_is_listed_abandoned() {
    use clearance_core::scope::Scope;
    use clearance_core::store::{Change, ResourceKind};
    let app = TestApp::spawn_paused().await;
    let template = template(&app).await;
    let client = client(&app, "Lovelace").await;
    session(&app, &flow_request(&client, &template)).await;
    let listed = app
        .get(&format!("/v1/workflowSessions?clientId={client}"))
        .await;
    let id = listed.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(listed.body["items"][0]["status"], "started");

    // Fourteen days later, as far as the session knows.
    let account = clearance::accounts::find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .unwrap();
    let scope = Scope::new(account.id, clearance_core::Mode::Test);
    let mut stored = app
        .store
        .get(&scope, ResourceKind::WorkflowSession, &id)
        .await
        .unwrap()
        .unwrap();
    stored.body["expiresAt"] = json!("2020-01-01T00:00:00.000Z");
    stored.version += 1;
    app.store.apply(vec![Change::Update(stored)]).await.unwrap();

    let listed = app
        .get(&format!("/v1/workflowSessions?clientId={client}"))
        .await;
    assert_eq!(
        listed.body["items"][0]["status"], "abandoned",
        "{}",
        listed.text
    );
    let filtered = app
        .get(&format!(
            "/v1/workflowSessions?clientId={client}&status=abandoned"
        ))
        .await;
    assert_eq!(filtered.body["totalItems"], 1, "{}", filtered.text);
}

#[tokio::test]
async fn an_address_task_feeds_the_proof_of_address_check() {
    let app = TestApp::spawn().await;
    let template = app
        .post(
            "/v1/workflowTemplates",
            &json!({"name": "Address", "tasks": [
                {"type": "consent"},
                {"type": "address_capture", "documentTypes": ["utility_bill"]},
                {"id": "poa", "type": "check", "checkType": "proof_of_address_check"}
            ]}),
        )
        .await;
    assert_eq!(template.status, 200, "{}", template.text);
    let template = template.body["id"].as_str().unwrap().to_string();
    let client = client(&app, "Lovelace").await;
    let token = session(&app, &flow_request(&client, &template)).await;
    let bill = flow_post(&app, &token, "/documents", &json!({"type": "utility_bill"})).await;
    assert_eq!(bill.status, 200, "{}", bill.text);
    let bill = bill.body["id"].as_str().unwrap().to_string();
    let front = json!({"fileName": "bill.jpg",
        "data": clearance_testkit::fixtures::b64(&clearance_testkit::fixtures::jpeg(320, 240))});
    let up = flow_post(
        &app,
        &token,
        &format!("/documents/{bill}/upload/front"),
        &front,
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.text);
    let done = flow_post(
        &app,
        &token,
        "/finish",
        &json!({"consent": true, "addressDocumentId": bill}),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let s = session_of(&app, &client).await;
    let s = until_complete(&app, s["id"].as_str().unwrap()).await;
    assert_eq!(s["outcome"], "clear", "{s}");
    let related = &s["allRelatedChecks"][0];
    assert_eq!(related["type"], "proof_of_address_check");
    assert_eq!(related["taskId"], "poa");
    let check = app
        .get(&format!(
            "/v1/checks/{}",
            related["checkId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(check.body["documentId"], bill.as_str());
}
