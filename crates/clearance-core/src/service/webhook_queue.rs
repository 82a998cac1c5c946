//! What the dispatcher, the delivery runner, redelivery and the webhook service share: the
//! queue delivery jobs go on, the ids and records of a webhook's pending deliveries, the job that
//! drains them (and the payload every webhook job carries), and the body an event is sent as.
//! They all depend on this module and never on each other.

use clearance_jobs::{Job, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::events::StoredEvent;
use crate::resources::webhook::WebhookDelivery;
use crate::scope::{Mode, Scope};
use crate::store::{Resource, ResourceKind};
use crate::time::format_timestamp;
use crate::typed;

/// The queue delivery jobs go on.
pub const DELIVERY_QUEUE: &str = "webhook.deliver";
/// Delivery jobs keep their own attempt count in the delivery record (the documented schedule);
/// the queue's count only guards against a handler that keeps failing for other reasons.
const DRAIN_JOB_ATTEMPTS: u32 = 1_000_000;

/// An event as its subscribers receive it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventBody<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    resource_type: &'a str,
    payload: &'a Map<String, Value>,
    created_at: String,
}

/// The wire body of an event, as signed and sent.
pub fn event_body(e: &StoredEvent) -> Result<String> {
    let event = &e.event;
    serde_json::to_string(&EventBody {
        id: &event.id,
        event_type: &event.event_type,
        resource_type: &event.resource_type,
        payload: &event.payload,
        created_at: format_timestamp(event.created_at),
    })
    .map_err(|err| CoreError::internal(format!("event {} cannot be written: {err}", event.id)))
}

/// The id of the pending delivery of event `seq` to a webhook: fixed, so an event is queued at
/// most once per endpoint, and ordered by `seq` among the endpoint's deliveries.
pub(crate) fn delivery_id(webhook_id: &str, seq: i64) -> String {
    format!("{webhook_id}-{seq:016x}")
}

/// A pending delivery of `e` to `hook`: the entry of the endpoint's queue. It holds ids only,
/// never the payload (the body is rebuilt from the outbox when sent).
pub(crate) fn pending_delivery(hook: &Resource, e: &StoredEvent, now: i64) -> Resource {
    Resource {
        id: delivery_id(&hook.id, e.seq),
        scope: hook.scope.clone(),
        kind: ResourceKind::WebhookDelivery,
        client_id: Some(hook.id.clone()),
        // Ordering key: the endpoint's queue is read oldest first by (created_at, id).
        created_at: e.event.created_at,
        updated_at: now,
        version: 1,
        body: typed::encode(&WebhookDelivery::new(&hook.id, e)),
    }
}

/// A job that drains one webhook's queue; `job_id` must be unique.
pub(crate) fn drain_job(scope: &Scope, webhook_id: &str, job_id: String, now: i64) -> NewJob {
    NewJob {
        id: job_id,
        queue: DELIVERY_QUEUE.into(),
        payload: WebhookJob::new(scope, webhook_id).payload(),
        run_at_ms: now,
        max_attempts: DRAIN_JOB_ATTEMPTS,
        fair_key: scope.account_id.clone(),
    }
}

/// The payload of a webhook's jobs (draining its queue, forgetting a rotated-out secret): which
/// webhook, of which account and mode.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookJob {
    pub account_id: String,
    pub mode: Mode,
    pub webhook_id: String,
}

impl WebhookJob {
    pub fn new(scope: &Scope, webhook_id: &str) -> Self {
        WebhookJob {
            account_id: scope.account_id.clone(),
            mode: scope.mode,
            webhook_id: webhook_id.to_string(),
        }
    }

    /// The job payload.
    pub fn payload(&self) -> Value {
        Value::Object(typed::encode(self))
    }

    /// The webhook a job is for; `None` when its payload is not a webhook job's.
    pub fn read(job: &Job) -> Option<Self> {
        WebhookJob::deserialize(&job.payload).ok()
    }

    pub fn scope(&self) -> Scope {
        Scope::new(self.account_id.clone(), self.mode)
    }
}
