//! `/v1/customLists`: an account's own screening lists and the people and companies on them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::{Id, IdPair};
use super::list::ListQuery;
use super::schemas::{
    CustomList, CustomListCreate, CustomListList, CustomListQuery, CustomListRecord,
    CustomListRecordCreate, CustomListRecordList, CustomListRecordQuery, CustomListUpdate,
};
use crate::auth::Caller;
use crate::body::{NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json};

/// Create a custom list (ComplyCube creates them in its portal; Clearance through the API).
#[utoipa::path(post, path = "/v1/customLists", tag = "Custom lists", request_body = CustomListCreate,
    responses((status = 200, description = "The new list", body = CustomList)))]
pub async fn create_custom_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): CustomListCreate,
) -> Result<Json<Value>, ApiError> {
    let services = &state.services;
    let list = services
        .create_custom_list(&caller.scope, &caller.actor(), &body)
        .await?;
    let list = services.with_custom_list_stats(list).await?;
    Ok(Json(resource_json(&list)))
}

/// Get a custom list with its counts.
#[utoipa::path(get, path = "/v1/customLists/{id}", tag = "Custom lists",
    params(("id" = String, Path, description = "Custom list id")),
    responses((status = 200, description = "The list", body = CustomList)))]
pub async fn get_custom_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let services = &state.services;
    let list = services
        .get(&caller.scope, ResourceKind::CustomList, &id)
        .await?;
    let list = services.with_custom_list_stats(list).await?;
    Ok(Json(resource_json(&list)))
}

/// Rename a custom list or change its description or classification.
#[utoipa::path(post, path = "/v1/customLists/{id}", tag = "Custom lists", request_body = CustomListUpdate,
    params(("id" = String, Path, description = "Custom list id")),
    responses((status = 200, description = "The updated list", body = CustomList)))]
pub async fn update_custom_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    PatchBody(body, _): CustomListUpdate,
) -> Result<Json<Value>, ApiError> {
    let services = &state.services;
    let list = services
        .update_custom_list(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    let list = services.with_custom_list_stats(list).await?;
    Ok(Json(resource_json(&list)))
}

/// Delete a custom list and every record on it.
#[utoipa::path(delete, path = "/v1/customLists/{id}", tag = "Custom lists",
    params(("id" = String, Path, description = "Custom list id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_custom_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_custom_list(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List the account's custom lists, newest first.
#[utoipa::path(get, path = "/v1/customLists", tag = "Custom lists", params(CustomListQuery),
    responses((status = 200, description = "A page of lists", body = CustomListList)))]
pub async fn list_custom_lists(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): CustomListQuery,
) -> Result<Json<CustomListList>, ApiError> {
    let services = &state.services;
    let (request, mut page) = services
        .list(&caller.scope, ResourceKind::CustomList, &pairs, false)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for list in std::mem::take(&mut page.items) {
        items.push(services.with_custom_list_stats(list).await?);
    }
    page.items = items;
    Ok(Json(list_page(&request, &page, resource_json)))
}

/// Add a person or company to a custom list.
#[utoipa::path(post, path = "/v1/customLists/{id}/records", tag = "Custom lists",
    request_body = CustomListRecordCreate,
    params(("id" = String, Path, description = "Custom list id")),
    responses((status = 200, description = "The new record", body = CustomListRecord)))]
pub async fn add_custom_list_record(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    NewBody(body, _): CustomListRecordCreate,
) -> Result<Json<Value>, ApiError> {
    let record = state
        .services
        .add_custom_list_record(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&record)))
}

/// The records of a custom list, newest first (filters such as `entityType`).
#[utoipa::path(get, path = "/v1/customLists/{id}/records", tag = "Custom lists",
    params(("id" = String, Path, description = "Custom list id"), CustomListRecordQuery),
    responses((status = 200, description = "A page of records", body = CustomListRecordList)))]
pub async fn list_custom_list_records(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    ListQuery(pairs, _): CustomListRecordQuery,
) -> Result<Json<CustomListRecordList>, ApiError> {
    let (request, page) = state
        .services
        .list_custom_list_records(&caller.scope, &id, &pairs)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}

/// Remove a record from a custom list.
#[utoipa::path(delete, path = "/v1/customLists/{id}/records/{recordId}", tag = "Custom lists",
    params(("id" = String, Path, description = "Custom list id"),
        ("recordId" = String, Path, description = "Record id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_custom_list_record(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    IdPair(id, record_id): IdPair,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_custom_list_record(&caller.scope, &caller.actor(), &id, &record_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
