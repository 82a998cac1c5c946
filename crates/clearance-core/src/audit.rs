//! Audit-log entries, written in the same transaction as the change they describe.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diff::{DiffEntry, diff};
use crate::ids::new_resource_id;
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind};

/// An audit-log entry (`diff` only on the single-entry read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// The id of the API key that made the change (never the key itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    pub resource_type: String,
    pub resource_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub trigger: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<DiffEntry>>,
}

/// Who made a change: a team member (console actions), or an API key (`key_id`, the key
/// record's id); changes the server makes on its own carry neither.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub member_id: Option<String>,
    pub key_id: Option<String>,
}

impl Actor {
    /// A change made through the API with the key whose record id is `key_id`.
    pub fn api_key(key_id: impl Into<String>) -> Self {
        Actor {
            member_id: None,
            key_id: Some(key_id.into()),
        }
    }
}

/// What happened to the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// The trigger name, e.g. `createClient` or `deleteAddress`.
fn trigger(action: Action, kind: ResourceKind) -> String {
    let name = kind.as_str();
    let mut chars = name.chars();
    let capitalised: String = chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect();
    format!("{}{capitalised}", action.verb())
}

/// Builds the audit entry for a change of `subject` from `before` to `after`.
pub fn entry(
    scope: &Scope,
    actor: &Actor,
    action: Action,
    subject: &Resource,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    now_ms: i64,
) -> Resource {
    let client_id = match subject.kind {
        ResourceKind::Client => Some(subject.id.clone()),
        _ => subject.client_id.clone(),
    };
    let changes = diff(
        &Value::Object(before.clone()),
        &Value::Object(after.clone()),
    );
    let body = crate::typed::encode(&AuditLog {
        member_id: actor.member_id.clone(),
        key_id: actor.key_id.clone(),
        resource_type: subject.kind.as_str().to_string(),
        resource_id: subject.id.clone(),
        client_id: client_id.clone(),
        trigger: trigger(action, subject.kind),
        action: action.as_str().to_string(),
        diff: Some(changes),
    });
    Resource {
        id: new_resource_id(now_ms),
        scope: scope.clone(),
        kind: ResourceKind::AuditLog,
        client_id,
        created_at: now_ms,
        updated_at: now_ms,
        version: 1,
        body,
    }
}

/// An audit entry with the values of the changes `erase` picks erased, ready to store; `None`
/// when it holds none of them. Who, what and when stay.
pub fn redacted(
    entry: &Resource,
    erase: impl Fn(&DiffEntry) -> bool,
    now_ms: i64,
) -> crate::error::Result<Option<Resource>> {
    let mut log: AuditLog = crate::typed::decode(entry)?;
    let mut changed = false;
    for change in log.diff.iter_mut().flatten() {
        if erase(change) {
            changed |= change.redact();
        }
    }
    Ok(changed.then(|| Resource {
        body: crate::typed::encode(&log),
        updated_at: now_ms,
        version: entry.version + 1,
        ..entry.clone()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_camel_case() {
        assert_eq!(
            trigger(Action::Create, ResourceKind::Client),
            "createClient"
        );
        assert_eq!(
            trigger(Action::Delete, ResourceKind::Address),
            "deleteAddress"
        );
    }
}
