//! `/v1/webhooks`: endpoints that receive signed event notifications.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::audit::Actor;
use clearance_core::resources::webhook::DeliveryStatus;
use clearance_core::store::ResourceKind;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::extract::{Id, ListParams, QueryPairs};
use super::schemas::{
    Webhook, WebhookCreate, WebhookDeliveryList, WebhookList, WebhookRedeliver, WebhookRedelivered,
    WebhookRotateSecret, WebhookRotatedSecret, WebhookUpdate,
};
use crate::auth::Caller;
use crate::body::{JsonBody, NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_json, resource_json, stored_json_response};

/// Create a webhook; the answer carries its signing `secret`, shown this once.
#[utoipa::path(post, path = "/v1/webhooks", tag = "Webhooks", request_body = WebhookCreate,
    responses((status = 200, description = "The new webhook with its secret", body = Webhook)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): WebhookCreate,
) -> Result<Json<Webhook>, ApiError> {
    let created = state
        .services
        .create_webhook(&caller.scope, &Actor::default(), &body)
        .await?;
    Ok(Json(created))
}

/// Get a webhook.
#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "The webhook", body = Webhook)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let hook = state
        .services
        .get_json(&caller.scope, ResourceKind::Webhook, &id)
        .await?;
    stored_json_response(&hook)
}

/// Update a webhook.
#[utoipa::path(post, path = "/v1/webhooks/{id}", tag = "Webhooks", request_body = WebhookUpdate,
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "The updated webhook", body = Webhook)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    PatchBody(body, _): WebhookUpdate,
) -> Result<Json<Value>, ApiError> {
    let hook = state
        .services
        .update_webhook(&caller.scope, &Actor::default(), &id, &body)
        .await?;
    Ok(Json(resource_json(&hook)))
}

/// Delete a webhook.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "Webhooks", params(("id" = String, Path, description = "Webhook id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_webhook(&caller.scope, &Actor::default(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Webhook list filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string in the OpenAPI document"
)]
pub struct WebhookFilters {
    enabled: Option<bool>,
    url: Option<String>,
    /// Webhooks subscribed to this event type.
    events: Option<String>,
}

/// List the account's webhooks, newest first.
#[utoipa::path(get, path = "/v1/webhooks", tag = "Webhooks", params(WebhookFilters, ListParams),
    responses((status = 200, description = "A page of webhooks", body = WebhookList)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Webhook, &pairs, false)
        .await?;
    Ok(Json(list_json(&request, &page, resource_json)))
}

/// Delivery log filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "describes the query string in the OpenAPI document"
)]
pub struct DeliveryFilters {
    event_id: Option<String>,
    /// `delivered` or `failed`.
    status: Option<DeliveryStatus>,
    event_type: Option<String>,
}

/// A webhook's delivery attempts, newest first.
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "Webhooks",
    params(("id" = String, Path, description = "Webhook id"), DeliveryFilters, ListParams),
    responses((status = 200, description = "A page of delivery attempts", body = WebhookDeliveryList)))]
pub async fn list_webhook_deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let (request, page) = state
        .services
        .list_webhook_deliveries(&caller.scope, &id, &pairs)
        .await?;
    Ok(Json(list_json(&request, &page, resource_json)))
}

/// Queue past events for delivery again: one `eventId`, or a `createdAfter`/`createdBefore`
/// window (events the webhook subscribes to; at most 1000). A disabled webhook refuses (422,
/// `param: enabled`).
#[utoipa::path(post, path = "/v1/webhooks/{id}/redeliver", tag = "Webhooks", request_body = WebhookRedeliver,
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "How many events were queued", body = WebhookRedelivered)))]
pub async fn redeliver_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    JsonBody(body): JsonBody,
) -> Result<Json<WebhookRedelivered>, ApiError> {
    let redelivered = state
        .services
        .redeliver_webhook(&caller.scope, &id, &body)
        .await?;
    Ok(Json(redelivered))
}

/// Replace the signing secret; the answer shows the new one once. The old secret keeps signing
/// (as a second `webhook-signature` entry) for `overlapSeconds`.
#[utoipa::path(post, path = "/v1/webhooks/{id}/rotateSecret", tag = "Webhooks", request_body = WebhookRotateSecret,
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "The new secret", body = WebhookRotatedSecret)))]
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    JsonBody(body): JsonBody,
) -> Result<Json<WebhookRotatedSecret>, ApiError> {
    let rotated = state
        .services
        .rotate_webhook_secret(&caller.scope, &Actor::default(), &id, &body)
        .await?;
    Ok(Json(rotated))
}
