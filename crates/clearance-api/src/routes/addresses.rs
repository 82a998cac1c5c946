//! `/v1/addresses`: addresses of clients.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{Address, AddressCreate, AddressList, AddressQuery, AddressUpdate};
use crate::auth::Caller;
use crate::body::{NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

/// Create an address for a client.
#[utoipa::path(post, path = "/v1/addresses", tag = "Addresses", request_body = AddressCreate,
    responses((status = 200, description = "The new address", body = Address)))]
pub async fn create_address(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): AddressCreate,
) -> Result<Json<Value>, ApiError> {
    let address = state
        .services
        .create_address(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&address)))
}

/// Get an address.
#[utoipa::path(get, path = "/v1/addresses/{id}", tag = "Addresses", params(("id" = String, Path, description = "Address id")),
    responses((status = 200, description = "The address", body = Address)))]
pub async fn get_address(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let address = state
        .services
        .get_json(&caller.scope, ResourceKind::Address, &id)
        .await?;
    stored_json_response(&address)
}

/// Update an address (the owning client cannot change).
#[utoipa::path(post, path = "/v1/addresses/{id}", tag = "Addresses", request_body = AddressUpdate,
    params(("id" = String, Path, description = "Address id")),
    responses((status = 200, description = "The updated address", body = Address)))]
pub async fn update_address(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    PatchBody(body, _): AddressUpdate,
) -> Result<Json<Value>, ApiError> {
    let address = state
        .services
        .update_address(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&address)))
}

/// Delete an address.
#[utoipa::path(delete, path = "/v1/addresses/{id}", tag = "Addresses", params(("id" = String, Path, description = "Address id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_address(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_address(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a client's addresses, newest first.
#[utoipa::path(get, path = "/v1/addresses", tag = "Addresses", params(AddressQuery),
    responses((status = 200, description = "A page of addresses", body = AddressList)))]
pub async fn list_addresses(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): AddressQuery,
) -> Result<Json<AddressList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Address, &pairs, true)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}
