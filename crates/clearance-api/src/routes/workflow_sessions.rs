//! `/v1/workflowSessions`: runs of a workflow template, started by `POST /v1/flow/sessions`
//! with `workflowTemplateId`.

use axum::extract::State;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{
    WorkflowSession, WorkflowSessionCompletion, WorkflowSessionList, WorkflowSessionQuery,
};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json};

/// Get a workflow session: its tasks, related checks and, once complete, its outcome.
#[utoipa::path(get, path = "/v1/workflowSessions/{id}", tag = "Workflow sessions",
    params(("id" = String, Path, description = "Workflow session id")),
    responses((status = 200, description = "The session", body = WorkflowSession)))]
pub async fn get_workflow_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let session = state.services.workflow_session(&caller.scope, &id).await?;
    Ok(Json(resource_json(&session)))
}

/// List workflow sessions, newest first; filter on `clientId`, `workflowTemplateId`, `status`,
/// `outcome`.
#[utoipa::path(get, path = "/v1/workflowSessions", tag = "Workflow sessions",
    params(WorkflowSessionQuery),
    responses((status = 200, description = "A page of sessions", body = WorkflowSessionList)))]
pub async fn list_workflow_sessions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): WorkflowSessionQuery,
) -> Result<Json<WorkflowSessionList>, ApiError> {
    let services = &state.services;
    let (request, mut page) = services
        .list(&caller.scope, ResourceKind::WorkflowSession, &pairs, false)
        .await?;
    // Each listed session is shown as a read of it would show it (up to date with its flow
    // and checks); the filters saw the stored state.
    let mut items = Vec::with_capacity(page.items.len());
    for session in std::mem::take(&mut page.items) {
        let open = matches!(
            session.body.get("status").and_then(Value::as_str),
            Some("started" | "processing" | "cancelled")
        );
        if !open {
            items.push(session);
            continue;
        }
        // Gone or unreadable since the list was read: shown as stored.
        match services.workflow_session(&caller.scope, &session.id).await {
            Ok(fresh) => items.push(fresh),
            Err(_) => items.push(session),
        }
    }
    page.items = items;
    Ok(Json(list_page(&request, &page, resource_json)))
}

/// Complete a workflow session whose client has finished its tasks: its checks run and the
/// outcome follows. Answers `{status: "processing"}` (`complete` once the checks have ended).
#[utoipa::path(post, path = "/v1/workflowSessions/{id}/complete", tag = "Workflow sessions",
    params(("id" = String, Path, description = "Workflow session id")),
    responses((status = 200, description = "The session's status", body = WorkflowSessionCompletion)))]
pub async fn complete_workflow_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<WorkflowSessionCompletion>, ApiError> {
    let status = state
        .services
        .complete_workflow_session(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(Json(WorkflowSessionCompletion { status }))
}
