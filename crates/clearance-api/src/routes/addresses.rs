//! `/v1/addresses`: addresses of clients.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::extract::{Id, ListParams, QueryPairs};
use super::schemas::{Address, AddressCreate, AddressList, AddressUpdate};
use crate::auth::Caller;
use crate::body::{NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_json, resource_json, stored_json_response};

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

/// Address list filters; `clientId` is required.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "describes the query string in the OpenAPI document"
)]
pub struct AddressFilters {
    /// The client whose addresses to list.
    client_id: String,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    city: Option<String>,
    country: Option<String>,
}

/// List a client's addresses, newest first.
#[utoipa::path(get, path = "/v1/addresses", tag = "Addresses", params(AddressFilters, ListParams),
    responses((status = 200, description = "A page of addresses", body = AddressList)))]
pub async fn list_addresses(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Address, &pairs, true)
        .await?;
    Ok(Json(list_json(&request, &page, resource_json)))
}
