//! Events: what changed, recorded in the outbox in the same transaction as the change, for the
//! webhook dispatcher to deliver.

use serde_json::{Map, Value, json};

use crate::ids::new_resource_id;
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind};
use crate::time::format_timestamp;

/// One event in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub scope: Scope,
    /// `check.completed.clear`, `client.created`, …
    pub event_type: String,
    /// `check`, `client`, … (the webhook body's `resourceType`).
    pub resource_type: String,
    pub resource_id: String,
    /// The slim projection subscribers receive; they re-fetch the resource for the rest.
    pub payload: Map<String, Value>,
    pub created_at: i64,
}

/// An event as stored, with its position in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    /// Grows with every event written; delivery follows it.
    pub seq: i64,
    pub event: Event,
}

/// A search of one scope's outbox (redelivery): one event by id, or a time window.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    pub scope: Scope,
    pub id: Option<String>,
    /// Strict bounds on `created_at` (epoch milliseconds).
    pub created_after: Option<i64>,
    pub created_before: Option<i64>,
    pub limit: u32,
}

/// The `check.*` event of a check in its current state, with the slim projection
/// `{id, clientId, type, status, outcome?, createdAt, updatedAt}`.
pub fn check_event(check: &Resource, event_type: &str, now: i64) -> Event {
    let mut payload = Map::new();
    payload.insert("id".into(), json!(check.id));
    for key in ["clientId", "type", "status"] {
        if let Some(v) = check.body.get(key) {
            payload.insert(key.into(), v.clone());
        }
    }
    if let Some(outcome) = check.body.get("result").and_then(|r| r.get("outcome")) {
        payload.insert("outcome".into(), outcome.clone());
    }
    payload.insert(
        "createdAt".into(),
        json!(format_timestamp(check.created_at)),
    );
    payload.insert(
        "updatedAt".into(),
        json!(format_timestamp(check.updated_at)),
    );
    Event {
        id: new_resource_id(now),
        scope: check.scope.clone(),
        event_type: event_type.to_string(),
        resource_type: "check".into(),
        resource_id: check.id.clone(),
        payload,
        created_at: now,
    }
}

/// The event prefix of resources whose create/update/delete subscribers can follow (`client`,
/// `address`, `document`); checks have their own lifecycle events.
pub fn lifecycle_prefix(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::Client => Some("client"),
        ResourceKind::Address => Some("address"),
        ResourceKind::Document => Some("document"),
        _ => None,
    }
}

/// A `client.*`, `address.*` or `document.*` event with the slim projection
/// `{id, clientId?, type?, createdAt, updatedAt}`.
pub fn resource_event(resource: &Resource, event_type: &str, now: i64) -> Event {
    let mut payload = Map::new();
    payload.insert("id".into(), json!(resource.id));
    if let Some(client) = &resource.client_id {
        payload.insert("clientId".into(), json!(client));
    }
    if let Some(t) = resource.body.get("type") {
        payload.insert("type".into(), t.clone());
    }
    payload.insert(
        "createdAt".into(),
        json!(format_timestamp(resource.created_at)),
    );
    payload.insert(
        "updatedAt".into(),
        json!(format_timestamp(resource.updated_at)),
    );
    Event {
        id: new_resource_id(now),
        scope: resource.scope.clone(),
        event_type: event_type.to_string(),
        resource_type: resource.kind.as_str().to_string(),
        resource_id: resource.id.clone(),
        payload,
        created_at: now,
    }
}
