//! Events: what changed, recorded in the outbox in the same transaction as the change, for the
//! webhook dispatcher to deliver.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::checks::result::Outcome;
use crate::checks::{CheckStatus, CheckType};
use crate::ids::new_resource_id;
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind};
use crate::time::format_timestamp;
use crate::typed;

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

/// The slim projection a `check.*` event carries; subscribers re-fetch the check for the rest.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckSummary {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    check_type: Option<CheckType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<CheckStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    created_at: String,
    updated_at: String,
}

/// What a check event reads of the stored check.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckFields {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default, rename = "type")]
    check_type: Option<CheckType>,
    #[serde(default)]
    status: Option<CheckStatus>,
    #[serde(default)]
    result: Option<ResultFields>,
}

#[derive(Default, Deserialize)]
struct ResultFields {
    #[serde(default)]
    outcome: Option<Outcome>,
}

/// The slim projection a `client.*`, `address.*` or `document.*` event carries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSummary {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    created_at: String,
    updated_at: String,
}

/// What a resource event reads of the stored resource: its `type`, when it has one.
#[derive(Default, Deserialize)]
struct TypeField {
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// The fields of a stored body an event projects; an unreadable body projects none of them
/// (logged), since the change it reports has already been validated and must still be told.
fn fields_of<T: Default + DeserializeOwned>(resource: &Resource) -> T {
    typed::decode(resource).unwrap_or_else(|e| {
        tracing::error!(id = %resource.id, error = %e, "event projected without its fields");
        T::default()
    })
}

/// The `check.*` event of a check in its current state, with the slim projection
/// `{id, clientId, type, status, outcome?, createdAt, updatedAt}`.
pub fn check_event(check: &Resource, event_type: &str, now: i64) -> Event {
    let fields: CheckFields = fields_of(check);
    let summary = CheckSummary {
        id: check.id.clone(),
        client_id: fields.client_id,
        check_type: fields.check_type,
        status: fields.status,
        outcome: fields.result.and_then(|r| r.outcome),
        created_at: format_timestamp(check.created_at),
        updated_at: format_timestamp(check.updated_at),
    };
    Event {
        id: new_resource_id(now),
        scope: check.scope.clone(),
        event_type: event_type.to_string(),
        resource_type: "check".into(),
        resource_id: check.id.clone(),
        payload: typed::encode(&summary),
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
    let summary = ResourceSummary {
        id: resource.id.clone(),
        client_id: resource.client_id.clone(),
        kind: fields_of::<TypeField>(resource).kind,
        created_at: format_timestamp(resource.created_at),
        updated_at: format_timestamp(resource.updated_at),
    };
    Event {
        id: new_resource_id(now),
        scope: resource.scope.clone(),
        event_type: event_type.to_string(),
        resource_type: resource.kind.as_str().to_string(),
        resource_id: resource.id.clone(),
        payload: typed::encode(&summary),
        created_at: now,
    }
}

/// The slim projection a `workflow.session.*` event carries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionSummary {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workflow_template_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
    created_at: String,
    updated_at: String,
}

/// What a session event reads of the stored session.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionFields {
    #[serde(default)]
    workflow_template_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
}

/// A `workflow.session.*` event with the slim projection
/// `{id, clientId, workflowTemplateId, status, outcome?, createdAt, updatedAt}`.
pub fn workflow_session_event(session: &Resource, event_type: &str, now: i64) -> Event {
    let fields: SessionFields = fields_of(session);
    let summary = SessionSummary {
        id: session.id.clone(),
        client_id: session.client_id.clone(),
        workflow_template_id: fields.workflow_template_id,
        status: fields.status,
        outcome: fields.outcome,
        created_at: format_timestamp(session.created_at),
        updated_at: format_timestamp(session.updated_at),
    };
    Event {
        id: new_resource_id(now),
        scope: session.scope.clone(),
        event_type: event_type.to_string(),
        resource_type: "workflowSession".into(),
        resource_id: session.id.clone(),
        payload: typed::encode(&summary),
        created_at: now,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scope::Mode;

    fn stored(kind: ResourceKind, client_id: Option<&str>, body: Value) -> Resource {
        Resource {
            id: "r1".into(),
            scope: Scope::new("a", Mode::Test),
            kind,
            client_id: client_id.map(str::to_string),
            created_at: 0,
            updated_at: 1_000,
            version: 1,
            body: body.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn a_check_event_carries_the_slim_projection_in_order() {
        let check = stored(
            ResourceKind::Check,
            Some("c1"),
            json!({"clientId": "c1", "entityName": "Ada", "type": "standard_screening_check",
                "enableMonitoring": false, "status": "complete",
                "result": {"outcome": "clear", "breakdown": {}}}),
        );
        let event = check_event(&check, "check.completed", 5);
        assert_eq!(
            serde_json::to_string(&event.payload).unwrap(),
            r#"{"id":"r1","clientId":"c1","type":"standard_screening_check","status":"complete","outcome":"clear","createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"1970-01-01T00:00:01.000Z"}"#
        );
        let pending = stored(
            ResourceKind::Check,
            Some("c1"),
            json!({"clientId": "c1", "type": "document_check", "status": "pending"}),
        );
        let payload = check_event(&pending, "check.pending", 5).payload;
        assert!(!payload.contains_key("outcome"));
        assert_eq!(payload["status"], "pending");
    }

    #[test]
    fn a_resource_event_names_its_client_and_type() {
        let address = stored(
            ResourceKind::Address,
            Some("c1"),
            json!({"clientId": "c1", "type": "main", "line": "1 Road"}),
        );
        let event = resource_event(&address, "address.created", 5);
        assert_eq!(event.resource_type, "address");
        assert_eq!(
            serde_json::to_string(&event.payload).unwrap(),
            r#"{"id":"r1","clientId":"c1","type":"main","createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"1970-01-01T00:00:01.000Z"}"#
        );
        let client = stored(ResourceKind::Client, None, json!({"email": "a@b.co"}));
        let payload = resource_event(&client, "client.updated", 5).payload;
        assert_eq!(
            payload.keys().collect::<Vec<_>>(),
            ["id", "createdAt", "updatedAt"]
        );
    }
}
