//! Delivering the outbox to webhooks. A dispatcher step reads events after a shared cursor and
//! turns each (event, subscribed webhook) pair into a delivery job, committing the jobs and the
//! advanced cursor together; the delivery job signs and sends the exact body, retrying on the
//! documented schedule and disabling the webhook after the last failure.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use clearance_jobs::{Handler, HandlerError, Job, NewJob};
use serde_json::{Map, Value, json};

use super::Services;
use crate::audit::Actor;
use crate::error::{CoreError, Result};
use crate::events::StoredEvent;
use crate::resources::webhook::{signature, standard_signature, subscribed};
use crate::scope::{Mode, Scope};
use crate::store::{Change, ListQuery, Resource, ResourceKind, StoreError};
use crate::time::format_timestamp;

/// The queue delivery jobs go on.
pub const DELIVERY_QUEUE: &str = "webhook.deliver";
/// Seconds after a failed attempt before the next: the documented 60 s, 120 s, 480 s, then
/// doubling, ten retries in all (about 35 hours).
pub const RETRY_SCHEDULE_SECS: [u64; 10] = [
    60, 120, 480, 960, 1_920, 3_840, 7_680, 15_360, 30_720, 61_440,
];
/// Events younger than this are left for the next step: on PostgreSQL a sequence number is
/// taken before its transaction commits, so a just-written gap may still fill in.
const SETTLE_MS: i64 = 500;
const CURSOR_ID: &str = "webhook-dispatch";

fn system_scope() -> Scope {
    Scope::new("_system", Mode::Live)
}

/// The wire body of an event, as signed and sent.
pub fn event_body(e: &StoredEvent) -> String {
    json!({
        "id": e.event.id,
        "type": e.event.event_type,
        "resourceType": e.event.resource_type,
        "payload": e.event.payload,
        "createdAt": format_timestamp(e.event.created_at),
    })
    .to_string()
}

/// Sends one HTTP request to a webhook URL. Implemented outside the domain (it resolves and
/// vets addresses, pins them, and never follows redirects).
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// POSTs `body` with `headers`; the HTTP status, or why nothing was answered.
    async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> std::result::Result<u16, String>;
}

impl Services {
    /// Reads up to `batch` settled events after the shared cursor and enqueues their
    /// deliveries; returns how many events it consumed. Safe to run in every process: the cursor
    /// is versioned, so a range is dispatched by exactly one of them.
    pub async fn dispatch_events(&self, batch: u32) -> Result<usize> {
        let scope = system_scope();
        for _ in 0..5 {
            let cursor = self
                .store
                .get(&scope, ResourceKind::DispatchCursor, CURSOR_ID)
                .await?;
            let after = cursor
                .as_ref()
                .and_then(|c| c.body.get("seq"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let settled_before = self.now_ms() - SETTLE_MS;
            let events: Vec<StoredEvent> = self
                .store
                .events_after(after, batch)
                .await?
                .into_iter()
                .take_while(|e| e.event.created_at <= settled_before)
                .collect();
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(0);
            };
            let mut hooks: HashMap<Scope, Vec<Resource>> = HashMap::new();
            let mut changes = Vec::new();
            let now = self.now_ms();
            for e in &events {
                if !hooks.contains_key(&e.event.scope) {
                    let list = self.enabled_webhooks(&e.event.scope).await?;
                    hooks.insert(e.event.scope.clone(), list);
                }
                let body = event_body(e);
                for hook in hooks.get(&e.event.scope).into_iter().flatten() {
                    let events = hook.body.get("events").cloned().unwrap_or(Value::Null);
                    // A webhook receives what happens after it exists, not the backlog before.
                    if !subscribed(&events, &e.event.event_type)
                        || e.event.created_at < hook.created_at
                    {
                        continue;
                    }
                    changes.push(Change::Enqueue(NewJob {
                        id: format!("{}:{}", hook.id, e.event.id),
                        queue: DELIVERY_QUEUE.into(),
                        payload: json!({
                            "accountId": e.event.scope.account_id,
                            "mode": e.event.scope.mode.as_str(),
                            "webhookId": hook.id,
                            "eventId": e.event.id,
                            "body": body,
                        }),
                        run_at_ms: now,
                        max_attempts: RETRY_SCHEDULE_SECS.len() as u32 + 1,
                    }));
                }
            }
            let cursor_body = Map::from_iter([("seq".to_string(), json!(last))]);
            changes.insert(
                0,
                match cursor {
                    Some(c) => Change::Update(Resource {
                        body: cursor_body,
                        updated_at: now,
                        version: c.version + 1,
                        ..c
                    }),
                    None => Change::Insert(Resource {
                        id: CURSOR_ID.into(),
                        scope: scope.clone(),
                        kind: ResourceKind::DispatchCursor,
                        client_id: None,
                        created_at: now,
                        updated_at: now,
                        version: 1,
                        body: cursor_body,
                    }),
                },
            );
            let deliveries = changes.len() - 1;
            match self.store.apply(changes).await {
                Ok(()) => {
                    if deliveries > 0 {
                        (self.on_enqueue)();
                    }
                    return Ok(events.len());
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(0)
    }

    async fn enabled_webhooks(&self, scope: &Scope) -> Result<Vec<Resource>> {
        let page = self
            .store
            .list(&ListQuery {
                filters: vec![crate::store::AttrFilter {
                    path: vec!["enabled".into()],
                    value: "true".into(),
                }],
                ..ListQuery::newest(scope.clone(), ResourceKind::Webhook, 1000)
            })
            .await?;
        Ok(page.items)
    }

    /// Turns a webhook off after its last failed delivery, with an audit entry saying why.
    async fn disable_webhook(&self, scope: &Scope, id: &str) -> Result<()> {
        let actor = Actor::default();
        let (before, after) = self
            .update(scope, &actor, ResourceKind::Webhook, id, |body| {
                let mut body = body.clone();
                body.insert("enabled".into(), json!(false));
                Ok(body)
            })
            .await?;
        if before.version != after.version {
            tracing::error!(webhook = %id, "webhook disabled after its last failed delivery");
        }
        Ok(())
    }
}

/// The job handler that delivers one event to one webhook.
pub struct DeliveryRunner {
    services: Arc<Services>,
    sender: Arc<dyn WebhookSender>,
}

impl DeliveryRunner {
    pub fn new(services: Arc<Services>, sender: Arc<dyn WebhookSender>) -> Self {
        DeliveryRunner { services, sender }
    }

    async fn deliver(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        let field = |k: &str| job.payload.get(k).and_then(Value::as_str);
        let (Some(account), Some(mode), Some(hook_id), Some(event_id), Some(body)) = (
            field("accountId"),
            field("mode").and_then(Mode::parse),
            field("webhookId"),
            field("eventId"),
            field("body"),
        ) else {
            return Err(HandlerError::Permanent("malformed delivery job".into()));
        };
        let scope = Scope::new(account, mode);
        let retry = |e: CoreError| HandlerError::Retry(e.to_string());
        let services = &self.services;
        let Some(hook) = services
            .store
            .get(&scope, ResourceKind::Webhook, hook_id)
            .await
            .map_err(|e| retry(e.into()))?
        else {
            return Ok(()); // deleted since: nothing to deliver to
        };
        if hook.body.get("enabled") != Some(&json!(true)) {
            return Ok(());
        }
        let url = hook
            .body
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let secret = services
            .webhook_secret(&scope, hook_id)
            .await
            .map_err(retry)?;
        let timestamp = services.now_ms() / 1000;
        let headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("User-Agent".to_string(), "Clearance-Webhooks/1".to_string()),
            (
                "ComplyCube-Signature".to_string(),
                signature(&secret, body.as_bytes()),
            ),
            ("webhook-id".to_string(), event_id.to_string()),
            ("webhook-timestamp".to_string(), timestamp.to_string()),
            (
                "webhook-signature".to_string(),
                standard_signature(&secret, event_id, timestamp, body.as_bytes()),
            ),
        ];
        let failure = match self.sender.post(url, &headers, body.as_bytes()).await {
            Ok(status) if (200..300).contains(&status) => return Ok(()),
            Ok(status) => format!("the endpoint answered HTTP {status}"),
            Err(e) => e,
        };
        if job.attempts >= job.max_attempts {
            services
                .disable_webhook(&scope, hook_id)
                .await
                .map_err(retry)?;
            return Err(HandlerError::Permanent(format!(
                "{failure}; last attempt, webhook disabled"
            )));
        }
        let index = (job.attempts as usize).saturating_sub(1);
        let delay = RETRY_SCHEDULE_SECS[index.min(RETRY_SCHEDULE_SECS.len() - 1)];
        Err(HandlerError::RetryAfter(
            failure,
            Duration::from_secs(delay) / services.rules.webhook_retry_divisor.max(1),
        ))
    }
}

#[async_trait]
impl Handler for DeliveryRunner {
    async fn handle(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        self.deliver(job).await
    }
}
