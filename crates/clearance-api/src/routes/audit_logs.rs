//! `/v1/auditLogs`: every create, update and delete, with a `diff` on the single-entry read.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::{Resource, ResourceKind};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::extract::{Id, ListParams, QueryPairs};
use super::schemas::{AuditLog, AuditLogList};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_json, resource_json, stored_json_response};

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

/// Audit-log filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "describes the query string in the OpenAPI document"
)]
pub struct AuditLogFilters {
    member_id: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<String>,
    client_id: Option<String>,
    trigger: Option<String>,
    action: Option<String>,
}

fn summary(entry: &Resource) -> Value {
    let mut json = resource_json(entry);
    if let Value::Object(m) = &mut json {
        m.remove("diff");
    }
    json
}

/// List audit-log entries, newest first (without their `diff`).
#[utoipa::path(get, path = "/v1/auditLogs", tag = "Audit logs", params(ListParams, AuditLogFilters),
    responses((status = 200, description = "A page of entries", body = AuditLogList)))]
pub async fn list_audit_logs(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::AuditLog, &pairs, false)
        .await?;
    Ok(Json(list_json(&request, &page, summary)))
}
