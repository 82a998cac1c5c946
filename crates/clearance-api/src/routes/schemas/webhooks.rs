//! Webhooks and their deliveries.

use serde::Serialize;
use utoipa::ToSchema;

/// A webhook endpoint. `secret` appears only in the create answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    id: String,
    url: String,
    enabled: bool,
    /// Event types, or `["*"]` for all.
    events: Vec<String>,
    description: Option<String>,
    /// The signing secret; only in the answer to `POST /v1/webhooks`.
    secret: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/webhooks`.
#[derive(Serialize, ToSchema)]
pub struct WebhookCreate {
    /// An https URL on a public address.
    url: String,
    enabled: bool,
    events: Vec<String>,
    description: Option<String>,
}

/// Body of `POST /v1/webhooks/{id}` (any create field).
#[derive(Serialize, ToSchema)]
pub struct WebhookUpdate {
    url: Option<String>,
    enabled: Option<bool>,
    events: Option<Vec<String>>,
    description: Option<String>,
}

list_schema!(WebhookList, Webhook);

/// One delivery attempt in a webhook's log. No payload is kept: the event id identifies it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    id: String,
    webhook_id: String,
    event_id: String,
    event_type: String,
    /// 1 for the first attempt at this event, counting retries.
    attempt: u32,
    /// `delivered` (a 2xx answer) or `failed`.
    status: String,
    /// The endpoint's HTTP status, when it answered.
    response_status: Option<u16>,
    /// Why the attempt failed (refused connection, timeout, error status).
    error: Option<String>,
    latency_ms: u64,
    /// `delivered`, `retrying` (see `nextRetryAt`) or `disabled` (the last attempt failed).
    outcome: String,
    #[schema(format = DateTime)]
    next_retry_at: Option<String>,
    /// When the attempt started.
    #[schema(format = DateTime)]
    created_at: String,
}

list_schema!(WebhookDeliveryList, WebhookDelivery);

/// Body of `POST /v1/webhooks/{id}/redeliver`: one event, or a time window.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRedeliver {
    event_id: Option<String>,
    #[schema(format = DateTime)]
    created_after: Option<String>,
    #[schema(format = DateTime)]
    created_before: Option<String>,
}

/// How many events were queued for delivery again.
#[derive(Serialize, ToSchema)]
pub struct WebhookRedelivered {
    redelivered: u64,
}

/// Body of `POST /v1/webhooks/{id}/rotateSecret` (optional).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRotateSecret {
    /// How long the old secret keeps signing too: default 86400, at most 604800.
    overlap_seconds: Option<u32>,
}

/// The new signing secret, shown this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRotatedSecret {
    id: String,
    secret: String,
    /// Until when the previous secret also signs (absent with no overlap).
    #[schema(format = DateTime)]
    previous_secret_expires_at: Option<String>,
}
