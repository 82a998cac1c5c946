//! `/v1/teamMembers`: read-only; members are managed by operators (the owner is seeded).

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{TeamMember, TeamMemberList, TeamMemberQuery};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

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

/// List team members, newest first.
#[utoipa::path(get, path = "/v1/teamMembers", tag = "Team members", params(TeamMemberQuery),
    responses((status = 200, description = "A page of team members", body = TeamMemberList)))]
pub async fn list_team_members(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): TeamMemberQuery,
) -> Result<Json<TeamMemberList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::TeamMember, &pairs, false)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}
