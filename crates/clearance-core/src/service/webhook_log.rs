//! What an operator sees and does about deliveries: a webhook's attempt log
//! (`GET /v1/webhooks/:id/deliveries`) and redelivery of past events
//! (`POST /v1/webhooks/:id/redeliver`).

use serde_json::Value;

use super::Services;
use super::retry::{Tried, kept_changing, retry_on_conflict};
use super::webhook_queue::{delivery_id, drain_job, pending_delivery};
use crate::error::{CoreError, Result};
use crate::events::EventQuery;
use crate::ids::new_resource_id;
use crate::list::{ListRequest, parse_list_request};
use crate::resources::webhook::{Redeliver, Redelivered, Webhook};
use crate::scope::Scope;
use crate::store::{Change, Page, Resource, ResourceKind};
use crate::typed;

/// Most events one redelivery request may queue.
pub const MAX_REDELIVER: u32 = 1000;

impl Services {
    /// A page of a webhook's delivery attempts, newest first; filters as for other lists
    /// (`eventId`, `status`, `eventType`, time windows).
    pub async fn list_webhook_deliveries(
        &self,
        scope: &Scope,
        id: &str,
        pairs: &[(String, String)],
    ) -> Result<(ListRequest, Page<Resource>)> {
        self.get(scope, ResourceKind::Webhook, id).await?;
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "clientId")
            .cloned()
            .collect();
        let mut request = parse_list_request(scope.clone(), ResourceKind::WebhookAttempt, &pairs)?;
        request.query.client_id = Some(id.to_string());
        if request.matches_nothing {
            return Ok((request, Page::default()));
        }
        let page = self.store.list(&request.query).await?;
        Ok((request, page))
    }

    /// Queues fresh deliveries of past events (`eventId`, or a `createdAfter`/`createdBefore`
    /// window) that the webhook subscribes to; answers how many were queued. Events already
    /// waiting in the webhook's queue are not queued twice, and events the dispatcher has not
    /// reached yet are left to it.
    pub async fn redeliver_webhook(
        &self,
        scope: &Scope,
        id: &str,
        input: &Value,
    ) -> Result<Redelivered> {
        let hook = self.get(scope, ResourceKind::Webhook, id).await?;
        let webhook: Webhook = typed::decode(&hook)?;
        let request = Redeliver::read(input)?;
        let (created_after, created_before) = request.window();
        let query = EventQuery {
            scope: scope.clone(),
            id: request.event_id,
            created_after,
            created_before,
            limit: MAX_REDELIVER + 1,
        };
        if !webhook.enabled {
            return Err(CoreError::InvalidState {
                code: "webhook_disabled",
                param: "enabled",
                message: "The webhook is disabled; enable it before redelivering events".into(),
            });
        }
        let found = self.store.find_events(&query).await?;
        if let Some(event_id) = &query.id
            && found.is_empty()
        {
            return Err(CoreError::invalid(
                "eventId",
                format!("'eventId' is invalid: no event '{event_id}' in this account"),
            ));
        }
        if found.len() > MAX_REDELIVER as usize {
            return Err(CoreError::invalid(
                "createdBefore",
                format!("More than {MAX_REDELIVER} events in the window; narrow it"),
            ));
        }
        let (found, webhook, hook) = (&found, &webhook, &hook);
        retry_on_conflict(|| async move {
            let now = self.now_ms();
            // Events the dispatcher has not reached yet are left to it (issue #21, finding 3).
            let dispatched = self.dispatched_up_to().await?;
            let mut changes = Vec::new();
            for e in found
                .iter()
                .filter(|e| e.seq <= dispatched && webhook.receives(&e.event.event_type))
            {
                let queued = self
                    .store
                    .get(
                        scope,
                        ResourceKind::WebhookDelivery,
                        &delivery_id(id, e.seq),
                    )
                    .await?;
                if queued.is_none() {
                    changes.push(Change::Insert(pending_delivery(hook, e, now)));
                }
            }
            let count = changes.len() as u64;
            if count == 0 {
                return Ok(Tried::Done(Redelivered { redelivered: 0 }));
            }
            let job_id = format!("{id}:redeliver:{}", new_resource_id(now));
            changes.push(Change::Enqueue(drain_job(scope, id, job_id, now)));
            // A conflict: the dispatcher queued one of them meanwhile, so look again.
            let commit = self.store.apply(changes).await;
            if commit.is_ok() {
                (self.on_enqueue)();
            }
            Tried::committed(commit, || Redelivered { redelivered: count })
        })
        .await?
        .ok_or_else(|| kept_changing("the webhook's queue"))
    }
}
