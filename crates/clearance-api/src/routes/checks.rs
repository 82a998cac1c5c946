//! `/v1/checks`: verification checks, run asynchronously, and their manual review.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{
    Check, CheckCreate, CheckList, CheckQuery, CheckRedact, CheckUpdate, CheckValidate,
    ValidationOutcome,
};
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

/// Create a check; it answers `pending` at once and completes in the background.
#[utoipa::path(post, path = "/v1/checks", tag = "Checks", request_body = CheckCreate,
    responses((status = 200, description = "The new, pending check", body = Check)))]
pub async fn create_check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let check = state
        .services
        .create_check(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&check)))
}

/// Get a check.
#[utoipa::path(get, path = "/v1/checks/{id}", tag = "Checks", params(("id" = String, Path, description = "Check id")),
    responses((status = 200, description = "The check", body = Check)))]
pub async fn get_check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let check = state
        .services
        .get_json(&caller.scope, ResourceKind::Check, &id)
        .await?;
    stored_json_response(&check)
}

/// Turn ongoing monitoring on or off (completed screening checks only).
#[utoipa::path(post, path = "/v1/checks/{id}", tag = "Checks", request_body = CheckUpdate,
    params(("id" = String, Path, description = "Check id")),
    responses((status = 200, description = "The updated check", body = Check)))]
pub async fn update_check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let check = state
        .services
        .update_check(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&check)))
}

/// Record a manual decision on a completed check (per match for screening checks).
#[utoipa::path(post, path = "/v1/checks/{id}/validate", tag = "Checks", request_body = CheckValidate,
    params(("id" = String, Path, description = "Check id")),
    responses((status = 200, description = "The recorded decision", body = ValidationOutcome)))]
pub async fn validate_check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    JsonBody(body): JsonBody,
) -> Result<Json<ValidationOutcome>, ApiError> {
    let answer = state
        .services
        .validate_check(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(answer))
}

/// Erase extracted attributes or images from a completed document check.
#[utoipa::path(post, path = "/v1/checks/{id}/redact", tag = "Checks", request_body = CheckRedact,
    params(("id" = String, Path, description = "Check id")),
    responses((status = 200, description = "The redacted check", body = Check)))]
pub async fn redact_check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let check = state
        .services
        .redact_check(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&check)))
}

/// List the account's checks, newest first.
#[utoipa::path(get, path = "/v1/checks", tag = "Checks", params(CheckQuery),
    responses((status = 200, description = "A page of checks", body = CheckList)))]
pub async fn list_checks(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): CheckQuery,
) -> Result<Json<CheckList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Check, &pairs, false)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}
