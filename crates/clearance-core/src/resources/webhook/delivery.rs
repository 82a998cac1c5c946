//! A webhook's deliveries: the queue of events waiting to be sent to it, and the log of every
//! attempt at sending one.

use serde::{Deserialize, Serialize};

use crate::events::StoredEvent;

/// An event waiting in a webhook's queue (`ResourceKind::WebhookDelivery`), removed once it is
/// delivered or given up. It holds ids only, never the payload: the body is rebuilt from the
/// outbox when sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// The event's position in the outbox.
    pub seq: i64,
    /// Attempts made so far (all failed: a delivered event leaves the queue).
    pub attempts: u32,
    /// When the retry after the last failed attempt is due (epoch milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<i64>,
    /// The job that scheduled that retry and will send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drainer: Option<String>,
}

/// Where a queued delivery stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueState<'a> {
    /// Never attempted, or its retry is due: send it now.
    Due,
    /// Waiting for a retry at `until`, which `drainer` (when known) will send.
    Waiting {
        until: i64,
        drainer: Option<&'a str>,
    },
}

impl WebhookDelivery {
    /// A new, never attempted delivery of `event` to a webhook.
    pub fn new(webhook_id: &str, event: &StoredEvent) -> Self {
        WebhookDelivery {
            webhook_id: webhook_id.to_string(),
            event_id: event.event.id.clone(),
            event_type: event.event.event_type.clone(),
            seq: event.seq,
            attempts: 0,
            next_attempt_at: None,
            drainer: None,
        }
    }

    /// Whether it is due at `now`, or waiting for a scheduled retry.
    pub fn state(&self, now: i64) -> QueueState<'_> {
        match self.next_attempt_at {
            Some(until) if until > now => QueueState::Waiting {
                until,
                drainer: self.drainer.as_deref(),
            },
            _ => QueueState::Due,
        }
    }
}

wire_enum! {
    /// Whether an attempt was answered with a 2xx.
    pub enum DeliveryStatus {
        Delivered = "delivered",
        Failed = "failed",
    }
}

wire_enum! {
    /// What followed an attempt.
    pub enum DeliveryOutcome {
        /// The endpoint took the event.
        Delivered = "delivered",
        /// Another attempt is scheduled (`nextRetryAt`).
        Retrying = "retrying",
        /// It was the last attempt, and the webhook was disabled.
        Disabled = "disabled",
    }
}

/// One delivery attempt in a webhook's log. No payload is kept: the event id identifies it.
// Stored as `ResourceKind::WebhookAttempt`, owned by the webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// 1 for the first attempt at this event, counting retries.
    pub attempt: u32,
    pub latency_ms: u64,
    /// The endpoint's HTTP status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// `delivered` (a 2xx answer) or `failed`.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub status: DeliveryStatus,
    /// Why the attempt failed (refused connection, timeout, error status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `delivered`, `retrying` (see `nextRetryAt`) or `disabled` (the last attempt failed).
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub outcome: DeliveryOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub next_retry_at: Option<String>,
}

/// How long an attempt took and what the endpoint answered, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub latency_ms: u64,
    pub response_status: Option<u16>,
}

impl WebhookAttempt {
    /// A successful attempt at `delivery` (its `attempts` not yet counting this one).
    pub fn delivered(delivery: &WebhookDelivery, answer: Answer) -> Self {
        Self::of(
            delivery,
            answer,
            DeliveryStatus::Delivered,
            None,
            DeliveryOutcome::Delivered,
            None,
        )
    }

    /// A failed attempt, to be retried at `next_retry_at` or, without one, the last.
    pub fn failed(
        delivery: &WebhookDelivery,
        answer: Answer,
        error: String,
        next_retry_at: Option<String>,
    ) -> Self {
        let outcome = match next_retry_at {
            Some(_) => DeliveryOutcome::Retrying,
            None => DeliveryOutcome::Disabled,
        };
        Self::of(
            delivery,
            answer,
            DeliveryStatus::Failed,
            Some(error),
            outcome,
            next_retry_at,
        )
    }

    fn of(
        delivery: &WebhookDelivery,
        answer: Answer,
        status: DeliveryStatus,
        error: Option<String>,
        outcome: DeliveryOutcome,
        next_retry_at: Option<String>,
    ) -> Self {
        WebhookAttempt {
            webhook_id: delivery.webhook_id.clone(),
            event_id: delivery.event_id.clone(),
            event_type: delivery.event_type.clone(),
            attempt: delivery.attempts + 1,
            latency_ms: answer.latency_ms,
            response_status: answer.response_status,
            status,
            error,
            outcome,
            next_retry_at,
        }
    }
}

/// One delivery attempt in a webhook's log. No payload is kept: the event id identifies it.
// The answered form of a `WebhookAttempt`: an attempt never changes, so it has no `updatedAt`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WebhookDelivery))]
#[serde(rename_all = "camelCase")]
pub struct LoggedAttempt {
    pub id: String,
    #[serde(flatten)]
    pub attempt: WebhookAttempt,
    /// When the attempt started.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::events::Event;
    use crate::scope::{Mode, Scope};
    use crate::typed;

    fn queued() -> WebhookDelivery {
        let event = StoredEvent {
            seq: 7,
            event: Event {
                id: "e7".into(),
                scope: Scope::new("a", Mode::Test),
                event_type: "client.created".into(),
                resource_type: "client".into(),
                resource_id: "c".into(),
                payload: serde_json::Map::new(),
                created_at: 1,
            },
        };
        WebhookDelivery::new("w", &event)
    }

    #[test]
    fn a_queued_delivery_is_due_until_a_retry_is_scheduled() {
        let mut d = queued();
        assert_eq!(
            Value::Object(typed::encode(&d)),
            json!({"webhookId": "w", "eventId": "e7", "eventType": "client.created",
                "seq": 7, "attempts": 0})
        );
        assert_eq!(d.state(0), QueueState::Due);
        d.next_attempt_at = Some(100);
        assert_eq!(
            d.state(99),
            QueueState::Waiting {
                until: 100,
                drainer: None
            }
        );
        assert_eq!(d.state(100), QueueState::Due);
    }

    #[test]
    fn attempts_are_logged_with_their_status_and_outcome() {
        let mut d = queued();
        let answer = |status| Answer {
            latency_ms: 12,
            response_status: status,
        };
        let ok = WebhookAttempt::delivered(&d, answer(Some(200)));
        assert_eq!(
            Value::Object(typed::encode(&ok)),
            json!({"webhookId": "w", "eventId": "e7", "eventType": "client.created",
                "attempt": 1, "latencyMs": 12, "responseStatus": 200,
                "status": "delivered", "outcome": "delivered"})
        );
        d.attempts = 10;
        let retried = WebhookAttempt::failed(&d, answer(None), "refused".into(), Some("t".into()));
        assert_eq!(retried.attempt, 11);
        assert_eq!(
            (retried.status, retried.outcome),
            (DeliveryStatus::Failed, DeliveryOutcome::Retrying)
        );
        let last = WebhookAttempt::failed(&d, answer(Some(500)), "HTTP 500".into(), None);
        let keys: Vec<String> = typed::encode(&last).keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "webhookId",
                "eventId",
                "eventType",
                "attempt",
                "latencyMs",
                "responseStatus",
                "status",
                "error",
                "outcome"
            ]
        );
        assert_eq!(last.outcome, DeliveryOutcome::Disabled);
    }
}
