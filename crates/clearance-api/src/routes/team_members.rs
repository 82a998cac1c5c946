//! `/v1/teamMembers`: read-only; members are managed by operators (the owner is seeded).

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::extract::{Id, ListParams, QueryPairs};
use super::schemas::{TeamMember, TeamMemberList};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_json, resource_json, stored_json_response};

/// Get a team member.
#[utoipa::path(get, path = "/v1/teamMembers/{id}", tag = "Team members", params(("id" = String, Path, description = "Team member id")),
    responses((status = 200, description = "The team member", body = TeamMember)))]
pub async fn get_team_member(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let member = state
        .services
        .get_json(&caller.scope, ResourceKind::TeamMember, &id)
        .await?;
    stored_json_response(&member)
}

/// Team member filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "describes the query string in the OpenAPI document"
)]
pub struct TeamMemberFilters {
    first_name: Option<String>,
    last_name: Option<String>,
    role: Option<String>,
}

/// List team members, newest first.
#[utoipa::path(get, path = "/v1/teamMembers", tag = "Team members", params(ListParams, TeamMemberFilters),
    responses((status = 200, description = "A page of team members", body = TeamMemberList)))]
pub async fn list_team_members(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::TeamMember, &pairs, false)
        .await?;
    Ok(Json(list_json(&request, &page, resource_json)))
}
