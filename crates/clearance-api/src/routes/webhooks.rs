//! `/v1/webhooks`: endpoints that receive signed event notifications.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{
    Webhook, WebhookCreate, WebhookDeliveryList, WebhookDeliveryQuery, WebhookList, WebhookQuery,
    WebhookRedeliver, WebhookRedelivered, WebhookRotateSecret, WebhookRotatedSecret, WebhookUpdate,
};
use crate::auth::Caller;
use crate::body::{JsonBody, NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

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
        .create_webhook(&caller.scope, &caller.actor(), &body)
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
        .update_webhook(&caller.scope, &caller.actor(), &id, &body)
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
        .delete_webhook(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List the account's webhooks, newest first.
#[utoipa::path(get, path = "/v1/webhooks", tag = "Webhooks", params(WebhookQuery),
    responses((status = 200, description = "A page of webhooks", body = WebhookList)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): WebhookQuery,
) -> Result<Json<WebhookList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Webhook, &pairs, false)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}

/// A webhook's delivery attempts, newest first.
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "Webhooks",
    params(("id" = String, Path, description = "Webhook id"), WebhookDeliveryQuery),
    responses((status = 200, description = "A page of delivery attempts", body = WebhookDeliveryList)))]
pub async fn list_webhook_deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    ListQuery(pairs, _): WebhookDeliveryQuery,
) -> Result<Json<WebhookDeliveryList>, ApiError> {
    let (request, page) = state
        .services
        .list_webhook_deliveries(&caller.scope, &id, &pairs)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
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
        .rotate_webhook_secret(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(rotated))
}
