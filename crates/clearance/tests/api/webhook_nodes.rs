//! Several servers on one database: each webhook event reaches the receiver exactly once, and
//! an endpoint's events keep their order, whichever server created, dispatched or sent them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use clearance_testkit::TestApp;
use serde_json::json;

use crate::person;
use crate::webhook_delivery::{delivered, receiver, wait_for};

#[tokio::test]
async fn three_nodes_deliver_each_event_once_and_in_order() {
    let first = TestApp::spawn_for_webhooks(1000).await;
    let nodes = [first.spawn_peer().await, first.spawn_peer().await];
    let nodes = [&first, &nodes[0], &nodes[1]];
    let (url, inbox) = receiver(0).await;
    let hook = first
        .post(
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["client.created", "check.completed"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);

    // Clients one after another, each through the next node, each with a screening check.
    const CLIENTS: usize = 30;
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let node = nodes[i % nodes.len()];
        let client = node.post("/v1/clients", &person("Ada", "Lovelace")).await;
        assert_eq!(client.status, 200, "{}", client.text);
        let id = client.body["id"].as_str().unwrap().to_string();
        let check = node
            .post(
                "/v1/checks",
                &json!({"clientId": id, "type": "standard_screening_check"}),
            )
            .await;
        assert_eq!(check.status, 200, "{}", check.text);
        clients.push(id);
    }
    let expected = 2 * CLIENTS;
    wait_for("every event", || {
        inbox.lock().unwrap().received.len() >= expected
    })
    .await;
    // Long enough for a second drainer's duplicate to arrive, if there were one.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let bodies = delivered(&inbox);
    let ids: HashSet<&str> = bodies.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), expected, "every event arrived");
    assert_eq!(bodies.len(), expected, "and none of them twice");

    // Order: clients were created one after another, so their events arrive in that order,
    // and each client's check completes after the client was created.
    let mut position = HashMap::new();
    let mut created = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let kind = body["type"].as_str().unwrap().to_string();
        let resource = match kind.as_str() {
            "client.created" => body["payload"]["id"].as_str().unwrap().to_string(),
            _ => body["payload"]["clientId"].as_str().unwrap().to_string(),
        };
        if kind == "client.created" {
            created.push(resource.clone());
        }
        position.insert((kind, resource), i);
    }
    assert_eq!(created, clients, "client.created events in creation order");
    for client in &clients {
        let made = position[&("client.created".to_string(), client.clone())];
        let done = position[&("check.completed".to_string(), client.clone())];
        assert!(
            made < done,
            "a client's check completes after it was created"
        );
    }

    // The delivery log shows one successful attempt per event, and no queue is left behind.
    let hook_id = hook.body["id"].as_str().unwrap();
    let log = first
        .get(&format!("/v1/webhooks/{hook_id}/deliveries"))
        .await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert_eq!(log.body["totalItems"], expected, "{}", log.text);
}
