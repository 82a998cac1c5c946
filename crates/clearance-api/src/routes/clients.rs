//! `/v1/clients`: persons and companies.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use clearance_core::risk::RiskProfile;

use super::list::ListQuery;
use super::schemas::{Client, ClientCreate, ClientList, ClientQuery, ClientUpdate};
use crate::auth::Caller;
use crate::body::{NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

/// Create a client.
#[utoipa::path(post, path = "/v1/clients", tag = "Clients", request_body = ClientCreate,
    responses((status = 200, description = "The new client", body = Client)))]
pub async fn create_client(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): ClientCreate,
) -> Result<Json<Value>, ApiError> {
    let client = state
        .services
        .create_client(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&client)))
}

/// Get a client.
#[utoipa::path(get, path = "/v1/clients/{id}", tag = "Clients", params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The client", body = Client)))]
pub async fn get_client(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let client = state
        .services
        .get_json(&caller.scope, ResourceKind::Client, &id)
        .await?;
    stored_json_response(&client)
}

/// Get a client's risk profile (computed from its data and its screening results).
#[utoipa::path(get, path = "/v1/clients/{id}/riskProfile", tag = "Clients", params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The risk profile", body = RiskProfile)))]
pub async fn get_risk_profile(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<RiskProfile>, ApiError> {
    let profile = state.services.risk_profile(&caller.scope, &id).await?;
    Ok(Json(profile))
}

/// Update a client: nested objects are merged, `null` removes a field.
#[utoipa::path(post, path = "/v1/clients/{id}", tag = "Clients", request_body = ClientUpdate,
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The updated client", body = Client)))]
pub async fn update_client(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    PatchBody(body, _): ClientUpdate,
) -> Result<Json<Value>, ApiError> {
    let client = state
        .services
        .update_client(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&client)))
}

/// Delete a client with its addresses (its audit trail stays).
#[utoipa::path(delete, path = "/v1/clients/{id}", tag = "Clients", params(("id" = String, Path, description = "Client id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_client(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_client(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List clients, newest first.
#[utoipa::path(get, path = "/v1/clients", tag = "Clients", params(ClientQuery),
    responses((status = 200, description = "A page of clients", body = ClientList)))]
pub async fn list_clients(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): ClientQuery,
) -> Result<Json<ClientList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Client, &pairs, false)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}
