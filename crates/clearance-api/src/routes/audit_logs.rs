//! `/v1/auditLogs`: every create, update and delete, with a `diff` on the single-entry read.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::{Resource, ResourceKind};
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{AuditLog, AuditLogList, AuditLogQuery};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

/// Get an audit-log entry with its `diff`.
#[utoipa::path(get, path = "/v1/auditLogs/{id}", tag = "Audit logs", params(("id" = String, Path, description = "Audit log id")),
    responses((status = 200, description = "The entry", body = AuditLog)))]
pub async fn get_audit_log(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let entry = state
        .services
        .get_json(&caller.scope, ResourceKind::AuditLog, &id)
        .await?;
    stored_json_response(&entry)
}

fn summary(entry: &Resource) -> Value {
    let mut json = resource_json(entry);
    if let Value::Object(m) = &mut json {
        m.remove("diff");
    }
    json
}

/// List audit-log entries, newest first (without their `diff`).
#[utoipa::path(get, path = "/v1/auditLogs", tag = "Audit logs", params(AuditLogQuery),
    responses((status = 200, description = "A page of entries", body = AuditLogList)))]
pub async fn list_audit_logs(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): AuditLogQuery,
) -> Result<Json<AuditLogList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::AuditLog, &pairs, false)
        .await?;
    Ok(Json(list_page(&request, &page, summary)))
}
