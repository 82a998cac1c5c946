//! Webhooks: the resource is `clearance_core::resources::webhook::Webhook`; the requests and
//! answers that operate it are core types too.

use clearance_core::resources::webhook;
use clearance_core::typed::Stored;

use crate::routes::list::{ListPage, ListQuery};

use crate::body::{NewBody, PatchBody};

pub use webhook::{
    LoggedAttempt as WebhookDelivery, Redeliver as WebhookRedeliver,
    Redelivered as WebhookRedelivered, RotateSecret as WebhookRotateSecret,
    RotatedSecret as WebhookRotatedSecret,
};

/// A webhook as answered (with its `secret` only when just created).
pub type Webhook = Stored<webhook::Webhook>;

/// Body of `POST /v1/webhooks`.
pub type WebhookCreate = NewBody<webhook::Webhook>;

/// Body of `POST /v1/webhooks/{id}`.
pub type WebhookUpdate = PatchBody<webhook::Webhook>;

/// A page of webhooks.
pub type WebhookList = ListPage<Webhook>;

/// A page of a webhook's delivery attempts.
pub type WebhookDeliveryList = ListPage<WebhookDelivery>;

/// The query of `GET /v1/webhooks`.
pub type WebhookQuery = ListQuery<webhook::Webhook>;

/// The query of `GET /v1/webhooks/{id}/deliveries`.
pub type WebhookDeliveryQuery = ListQuery<webhook::WebhookAttempt>;
