//! Team members, audit logs and account information.

#![expect(dead_code, reason = "schema-only types: never constructed")]

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Owner,
    Administrator,
    Developer,
    Analyst,
    SupportSpecialist,
    ViewOnly,
}

/// A member of the account's team.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    id: String,
    first_name: String,
    last_name: String,
    role: Role,
    #[schema(format = DateTime)]
    created_at: String,
}

/// One change inside an audit entry.
#[derive(Serialize, ToSchema)]
pub struct DiffEntry {
    /// `new`, `delete`, `update` or `add`.
    action: String,
    /// Keys and array indices from the resource root.
    path: Vec<Value>,
    old: Option<Value>,
    new: Option<Value>,
}

/// An audit-log entry (`diff` only on the single-entry read).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    id: String,
    member_id: Option<String>,
    resource_type: String,
    resource_id: String,
    client_id: Option<String>,
    trigger: String,
    /// `create`, `update` or `delete`.
    action: String,
    diff: Option<Vec<DiffEntry>>,
    #[schema(format = DateTime)]
    created_at: String,
}

/// Account information.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    username: String,
    plan: String,
    remaining_credit: Option<f64>,
}

list_schema!(TeamMemberList, TeamMember);
list_schema!(AuditLogList, AuditLog);
