//! `/v1/workflowTemplates` (Clearance's own API; the hosted service configures templates in its
//! portal): the tasks and compliance policies a workflow session runs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{
    WorkflowTemplate, WorkflowTemplateCreate, WorkflowTemplateList, WorkflowTemplateQuery,
    WorkflowTemplateUpdate,
};
use crate::auth::Caller;
use crate::body::{NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json};

const KIND: ResourceKind = ResourceKind::WorkflowTemplate;

/// Create a workflow template (a Clearance extension): ordered tasks starting with consent,
/// captures before the checks that need them, and compliance policies.
#[utoipa::path(post, path = "/v1/workflowTemplates", tag = "Workflow templates (extension)",
    request_body = WorkflowTemplateCreate,
    responses((status = 200, description = "The new template, version 1", body = WorkflowTemplate)))]
pub async fn create_workflow_template(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): WorkflowTemplateCreate,
) -> Result<Json<Value>, ApiError> {
    let template = state
        .services
        .create_workflow_template(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&template)))
}

/// Get a workflow template.
#[utoipa::path(get, path = "/v1/workflowTemplates/{id}", tag = "Workflow templates (extension)",
    params(("id" = String, Path, description = "Workflow template id")),
    responses((status = 200, description = "The template", body = WorkflowTemplate)))]
pub async fn get_workflow_template(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let template = state.services.get(&caller.scope, KIND, &id).await?;
    Ok(Json(resource_json(&template)))
}

/// Update a workflow template: the fields given replace the stored ones (`tasks` and
/// `compliancePolicies` whole); any change makes a new version, and sessions already started
/// keep theirs.
#[utoipa::path(post, path = "/v1/workflowTemplates/{id}", tag = "Workflow templates (extension)",
    request_body = WorkflowTemplateUpdate,
    params(("id" = String, Path, description = "Workflow template id")),
    responses((status = 200, description = "The template", body = WorkflowTemplate)))]
pub async fn update_workflow_template(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    PatchBody(body, _): WorkflowTemplateUpdate,
) -> Result<Json<Value>, ApiError> {
    let template = state
        .services
        .update_workflow_template(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&template)))
}

/// Delete a workflow template (sessions started from it keep their copy).
#[utoipa::path(delete, path = "/v1/workflowTemplates/{id}", tag = "Workflow templates (extension)",
    params(("id" = String, Path, description = "Workflow template id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_workflow_template(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_workflow_template(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List workflow templates, newest first.
#[utoipa::path(get, path = "/v1/workflowTemplates", tag = "Workflow templates (extension)",
    params(WorkflowTemplateQuery),
    responses((status = 200, description = "A page of templates", body = WorkflowTemplateList)))]
pub async fn list_workflow_templates(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): WorkflowTemplateQuery,
) -> Result<Json<WorkflowTemplateList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, KIND, &pairs, false)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}
