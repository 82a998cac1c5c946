//! Webhooks: the resource is `clearance_core::resources::webhook::Webhook`; the requests and
//! answers that operate it are core types too.

use clearance_core::resources::webhook;
use clearance_core::typed::Stored;
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{NewBody, PatchBody};

pub use webhook::{
    Redeliver as WebhookRedeliver, Redelivered as WebhookRedelivered,
    RotateSecret as WebhookRotateSecret, RotatedSecret as WebhookRotatedSecret,
};

/// A webhook as answered (with its `secret` only when just created).
pub type Webhook = Stored<webhook::Webhook>;

/// Body of `POST /v1/webhooks`.
pub type WebhookCreate = NewBody<webhook::Webhook>;

/// Body of `POST /v1/webhooks/{id}`.
pub type WebhookUpdate = PatchBody<webhook::Webhook>;

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
