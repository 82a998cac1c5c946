//! Delivering each webhook's queue in order. A delivery job drains one endpoint: it sends the
//! oldest pending delivery, and only once that is delivered does it move on to the next, so a
//! later event never overtakes an earlier one that is waiting for a retry. Every attempt is
//! logged in the same transaction as the queue change it causes. One job at a time drains a
//! webhook, across every server on the database ([`DrainLease`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use clearance_jobs::{Handler, HandlerError, Job, backoff_ms};
use serde::de::DeserializeOwned;

use super::Services;
use super::drain_lease::DrainLease;
use super::webhook_queue::{WebhookJob, event_body};
use crate::error::{CoreError, Result};
use crate::events::StoredEvent;
use crate::ids::new_resource_id;
use crate::resources::webhook::{
    Answer, QueueState, Webhook, WebhookAttempt, WebhookDelivery, signature, standard_signature,
};
use crate::scope::Scope;
use crate::store::{Change, ListQuery, Resource, ResourceKind, StoreError};
use crate::time::format_timestamp;
use crate::typed;

/// Seconds after a failed attempt before the next: the documented 60 s, 120 s, 480 s, then
/// doubling, ten retries in all (about 35 hours).
pub const RETRY_SCHEDULE_SECS: [u64; 10] = [
    60, 120, 480, 960, 1_920, 3_840, 7_680, 15_360, 30_720, 61_440,
];

/// How soon a job that ran before, and found its webhook busy in this process, looks again.
const BUSY_RETRY: Duration = Duration::from_millis(500);

/// The longest wait before a drain job that failed (the database, say) runs again.
const MAX_ERROR_BACKOFF_MS: i64 = 15_000;

/// Delivery counters of this process, for `/metrics`.
#[derive(Debug, Default)]
pub struct WebhookStats {
    /// Attempts answered with a 2xx.
    pub delivered: AtomicU64,
    /// Attempts that failed (an error status, a refused connection, a timeout).
    pub failed: AtomicU64,
    /// Webhooks this process disabled after their last failed attempt.
    pub disabled: AtomicU64,
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
    /// The oldest pending delivery of a webhook (the head of its queue).
    async fn delivery_head(&self, scope: &Scope, hook_id: &str) -> Result<Option<Resource>> {
        let page = self
            .store
            .list(&ListQuery {
                client_id: Some(hook_id.to_string()),
                oldest_first: true,
                ..ListQuery::newest(scope.clone(), ResourceKind::WebhookDelivery, 1)
            })
            .await?;
        Ok(page.items.into_iter().next())
    }

    /// Turns a webhook off after its last failed delivery, with an audit entry saying why;
    /// `also` (the attempt log) commits with it. True when this call disabled it.
    async fn disable_webhook(&self, scope: &Scope, id: &str, also: Vec<Change>) -> Result<bool> {
        let (before, after) = self
            .update_with(
                scope,
                &crate::audit::Actor::default(),
                ResourceKind::Webhook,
                id,
                |body| {
                    typed::change("webhook", body, |hook: Webhook| {
                        Ok(Webhook {
                            enabled: false,
                            ..hook
                        })
                    })
                },
                |_, _, _| also.clone(),
            )
            .await?;
        if before.version == after.version {
            self.store.apply(also).await?; // already disabled: still log the attempt
            return Ok(false);
        }
        tracing::error!(webhook = %id, "webhook disabled after its last failed delivery");
        Ok(true)
    }
}

/// Which hooks this process is draining; a job arriving for a hook already being drained marks
/// it dirty instead, and the drainer looks again before it stops.
#[derive(Default)]
struct Draining {
    next_token: u64,
    hooks: HashMap<String, (u64, bool)>,
}

/// The job handler that drains one webhook's delivery queue.
pub struct DeliveryRunner {
    services: Arc<Services>,
    sender: Arc<dyn WebhookSender>,
    draining: Arc<Mutex<Draining>>,
}

struct DrainGuard {
    draining: Arc<Mutex<Draining>>,
    hook: String,
    token: u64,
}

impl DrainGuard {
    /// Whether another job asked for a drain meanwhile; if not, the hook is released atomically
    /// (under the same lock), so a job arriving just after goes on to the database's lease and
    /// is not lost in a flag nobody reads again.
    fn again(&self) -> bool {
        let mut d = self.draining.lock().unwrap_or_else(|e| e.into_inner());
        match d.hooks.get_mut(&self.hook) {
            Some((token, dirty)) if *token == self.token => {
                if *dirty {
                    *dirty = false;
                    return true;
                }
                d.hooks.remove(&self.hook);
                false
            }
            _ => false,
        }
    }
}

impl Drop for DrainGuard {
    fn drop(&mut self) {
        let mut d = self.draining.lock().unwrap_or_else(|e| e.into_inner());
        if d.hooks
            .get(&self.hook)
            .is_some_and(|(t, _)| *t == self.token)
        {
            d.hooks.remove(&self.hook);
        }
    }
}

fn retry(e: impl Into<CoreError>) -> HandlerError {
    HandlerError::Retry(e.into().to_string())
}

/// A stored record and its body read as `T`.
struct Loaded<T> {
    record: Resource,
    body: T,
}

impl<T: DeserializeOwned> Loaded<T> {
    fn read(record: Resource) -> std::result::Result<Self, HandlerError> {
        let body = typed::decode(&record).map_err(retry)?;
        Ok(Loaded { record, body })
    }
}

/// What one attempt led to.
enum Next {
    /// Look at the queue again (delivered, or the head changed under us).
    Continue,
    /// Stop; the job is done.
    Stop,
    /// Stop and run the job again after this delay.
    RetryAfter(String, Duration),
}

impl DeliveryRunner {
    pub fn new(services: Arc<Services>, sender: Arc<dyn WebhookSender>) -> Self {
        DeliveryRunner {
            services,
            sender,
            draining: Arc::default(),
        }
    }

    fn begin(&self, hook: &str) -> Option<DrainGuard> {
        let mut d = self.draining.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, dirty)) = d.hooks.get_mut(hook) {
            *dirty = true;
            return None;
        }
        d.next_token += 1;
        let token = d.next_token;
        d.hooks.insert(hook.to_string(), (token, false));
        Some(DrainGuard {
            draining: self.draining.clone(),
            hook: hook.to_string(),
            token,
        })
    }

    async fn run(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        let Some(target) = WebhookJob::read(job) else {
            return Err(HandlerError::Permanent("malformed delivery job".into()));
        };
        let scope = target.scope();
        let hook_id = target.webhook_id.as_str();
        let store = self.services.store.as_ref();
        let mut lease = DrainLease::new(hook_id, &job.id);
        // Another task of this process drains the hook; it will look again before it stops.
        let Some(guard) = self.begin(hook_id) else {
            if job.attempts > 1 {
                // A job that ran before may still hold the drain lease (letting go failed with
                // the database that failed its run), and then the task here cannot take it:
                // stepping aside would leave the queue to nobody. Come back shortly instead.
                // (Releasing it here is no better: the job's earlier run may still be draining
                // in this process after losing its job lease, under the same holder name.)
                return Err(HandlerError::RetryAfter(
                    "another task of this server is at the webhook's queue".into(),
                    BUSY_RETRY,
                ));
            }
            return Ok(());
        };
        // The same across servers, through the database: one drainer per webhook.
        if !lease.take(store, || self.services.now_ms()).await? {
            return Ok(()); // its holder was asked to look again
        }
        let outcome = self.drain_until_idle(job, &scope, &guard, &mut lease).await;
        if outcome.is_err() {
            lease.abandon(store).await;
        }
        outcome
    }

    /// Drains until nobody, in this process or another, asked for another look.
    async fn drain_until_idle(
        &self,
        job: &Job,
        scope: &Scope,
        guard: &DrainGuard,
        lease: &mut DrainLease,
    ) -> std::result::Result<(), HandlerError> {
        loop {
            self.drain(job, scope, &guard.hook, lease).await?;
            if guard.again() {
                continue;
            }
            if !lease.finish(self.services.store.as_ref()).await? {
                return Ok(());
            }
        }
    }

    /// Sends the queue's head until the queue is empty or the head must wait for a retry.
    async fn drain(
        &self,
        job: &Job,
        scope: &Scope,
        hook_id: &str,
        lease: &mut DrainLease,
    ) -> std::result::Result<(), HandlerError> {
        let services = &self.services;
        let started = Instant::now();
        loop {
            if started.elapsed() >= services.rules.webhook_drain_slice {
                return Err(HandlerError::RetryAfter(
                    "time slice used; the drain goes on after the jobs waiting".into(),
                    Duration::ZERO,
                ));
            }
            let store = services.store.as_ref();
            if !lease.keep(store, services.now_ms()).await? {
                return Ok(()); // another drainer took over after our lease lapsed
            }
            let Some(hook) = store
                .get(scope, ResourceKind::Webhook, hook_id)
                .await
                .map_err(retry)?
            else {
                return Ok(()); // deleted since: its queue went with it
            };
            let hook = Loaded::<Webhook>::read(hook)?;
            let Some(head) = services
                .delivery_head(scope, hook_id)
                .await
                .map_err(retry)?
            else {
                return Ok(());
            };
            let head = Loaded::<WebhookDelivery>::read(head)?;
            let mine = head.body.drainer.as_deref() == Some(job.id.as_str());
            if !hook.body.enabled {
                // Leave the queue for re-enabling; hand the head back so the resume job can
                // take it over.
                if mine {
                    self.set_owner(&head, None).await?;
                }
                return Ok(());
            }
            let now = services.now_ms();
            if let QueueState::Waiting { until, drainer } = head.body.state(now) {
                let wait = Duration::from_millis((until - now) as u64);
                match drainer {
                    // The job that scheduled the retry is alive and will send it.
                    Some(_) if !mine => return Ok(()),
                    Some(_) => {}
                    None => {
                        if !self.set_owner(&head, Some(&job.id)).await? {
                            continue;
                        }
                    }
                }
                return Err(HandlerError::RetryAfter(
                    "waiting for the scheduled retry".into(),
                    wait,
                ));
            }
            let seq = head.body.seq;
            let event = store
                .events_after(seq - 1, 1)
                .await
                .map_err(retry)?
                .into_iter()
                .find(|e| e.seq == seq && e.event.id == head.body.event_id);
            let Some(event) = event else {
                // The event is gone from the outbox: nothing left to send.
                self.settle(vec![Change::Delete {
                    scope: scope.clone(),
                    kind: ResourceKind::WebhookDelivery,
                    id: head.record.id.clone(),
                }])
                .await?;
                continue;
            };
            match self.attempt(job, &hook, &head, &event).await? {
                Next::Continue => {}
                Next::Stop => return Ok(()),
                Next::RetryAfter(why, wait) => return Err(HandlerError::RetryAfter(why, wait)),
            }
        }
    }

    /// Records which job is responsible for the head's scheduled retry; false if the head
    /// changed meanwhile.
    async fn set_owner(
        &self,
        head: &Loaded<WebhookDelivery>,
        owner: Option<&str>,
    ) -> std::result::Result<bool, HandlerError> {
        let delivery = WebhookDelivery {
            drainer: owner.map(str::to_string),
            ..head.body.clone()
        };
        let updated = Resource {
            body: typed::encode(&delivery),
            version: head.record.version + 1,
            updated_at: self.services.now_ms(),
            ..head.record.clone()
        };
        match self
            .services
            .store
            .apply(vec![Change::Update(updated)])
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_) | StoreError::NotFound) => Ok(false),
            Err(e) => Err(retry(e)),
        }
    }

    /// Applies a queue change with its log entry; when another drainer changed the head first,
    /// the log entry alone is kept (the attempt happened).
    async fn settle(&self, changes: Vec<Change>) -> std::result::Result<(), HandlerError> {
        let store = &self.services.store;
        match store.apply(changes.clone()).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_) | StoreError::NotFound) => {
                let log: Vec<Change> = changes
                    .into_iter()
                    .filter(|c| matches!(c, Change::Insert(r) if r.kind == ResourceKind::WebhookAttempt))
                    .collect();
                if !log.is_empty() {
                    store.apply(log).await.map_err(retry)?;
                }
                Ok(())
            }
            Err(e) => Err(retry(e)),
        }
    }

    async fn attempt(
        &self,
        job: &Job,
        hook: &Loaded<Webhook>,
        head: &Loaded<WebhookDelivery>,
        event: &StoredEvent,
    ) -> std::result::Result<Next, HandlerError> {
        let services = &self.services;
        let scope = &hook.record.scope;
        let hook_id = hook.record.id.as_str();
        let (secret, previous) = services
            .webhook_signing_secrets(scope, hook_id)
            .await
            .map_err(retry)?;
        let body = event_body(event).map_err(retry)?;
        let event_id = event.event.id.as_str();
        let timestamp = services.now_ms() / 1000;
        let mut standard = standard_signature(&secret, event_id, timestamp, body.as_bytes());
        if let Some(old) = &previous {
            standard.push(' ');
            standard.push_str(&standard_signature(
                old,
                event_id,
                timestamp,
                body.as_bytes(),
            ));
        }
        let headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("User-Agent".to_string(), "Clearance-Webhooks/1".to_string()),
            (
                "ComplyCube-Signature".to_string(),
                signature(&secret, body.as_bytes()),
            ),
            ("webhook-id".to_string(), event_id.to_string()),
            ("webhook-timestamp".to_string(), timestamp.to_string()),
            ("webhook-signature".to_string(), standard),
        ];
        let started_at = services.now_ms();
        let started = Instant::now();
        let answer = self
            .sender
            .post(&hook.body.url, &headers, body.as_bytes())
            .await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let now = services.now_ms();
        let (response_status, failure) = match answer {
            Ok(code) if (200..300).contains(&code) => (Some(code), None),
            Ok(code) => (
                Some(code),
                Some(format!("the endpoint answered HTTP {code}")),
            ),
            Err(e) => (None, Some(e)),
        };
        let answer = Answer {
            latency_ms,
            response_status,
        };
        let remove_head = Change::Delete {
            scope: scope.clone(),
            kind: ResourceKind::WebhookDelivery,
            id: head.record.id.clone(),
        };
        let stats = &services.webhook_stats;
        let Some(failure) = failure else {
            stats.delivered.fetch_add(1, Ordering::Relaxed);
            let entry = attempt_record(
                &hook.record,
                &WebhookAttempt::delivered(&head.body, answer),
                started_at,
            );
            self.settle(vec![remove_head, entry]).await?;
            return Ok(Next::Continue);
        };
        stats.failed.fetch_add(1, Ordering::Relaxed);
        let number = head.body.attempts + 1;
        tracing::info!(webhook = %hook_id, attempt = number, error = %failure, "webhook delivery failed");
        let Some(&retry_secs) = RETRY_SCHEDULE_SECS.get(head.body.attempts as usize) else {
            // That was the last attempt: give up on the event and disable the webhook.
            let last = WebhookAttempt::failed(&head.body, answer, failure, None);
            let entry = attempt_record(&hook.record, &last, started_at);
            let disabled = services
                .disable_webhook(scope, hook_id, vec![remove_head, entry])
                .await
                .map_err(retry)?;
            if disabled {
                stats.disabled.fetch_add(1, Ordering::Relaxed);
            }
            return Ok(Next::Stop);
        };
        let delay = Duration::from_secs(retry_secs) / services.rules.webhook_retry_divisor.max(1);
        let next = now + delay.as_millis() as i64;
        let logged = WebhookAttempt::failed(
            &head.body,
            answer,
            failure.clone(),
            Some(format_timestamp(next)),
        );
        let entry = attempt_record(&hook.record, &logged, started_at);
        let waiting = WebhookDelivery {
            attempts: number,
            next_attempt_at: Some(next),
            drainer: Some(job.id.clone()),
            ..head.body.clone()
        };
        let rescheduled = Change::Update(Resource {
            body: typed::encode(&waiting),
            version: head.record.version + 1,
            updated_at: now,
            ..head.record.clone()
        });
        match services.store.apply(vec![rescheduled, entry.clone()]).await {
            Ok(()) => Ok(Next::RetryAfter(failure, delay)),
            Err(StoreError::Conflict(_) | StoreError::NotFound) => {
                // Another drainer moved the head on; log the attempt and look again.
                services.store.apply(vec![entry]).await.map_err(retry)?;
                Ok(Next::Continue)
            }
            Err(e) => Err(retry(e)),
        }
    }
}

/// One entry of a webhook's delivery log (ids, status and timing only: no payload).
fn attempt_record(hook: &Resource, attempt: &WebhookAttempt, at: i64) -> Change {
    Change::Insert(Resource {
        id: new_resource_id(at),
        scope: hook.scope.clone(),
        kind: ResourceKind::WebhookAttempt,
        client_id: Some(hook.id.clone()),
        created_at: at,
        updated_at: at,
        version: 1,
        body: typed::encode(attempt),
    })
}

#[async_trait]
impl Handler for DeliveryRunner {
    async fn handle(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        match self.run(job).await {
            // A drain job's attempts count every scheduled retry and time slice too, so the
            // queue's own backoff would put a database blip's retry minutes away while the rest
            // of the webhook's jobs defer to this one.
            Err(HandlerError::Retry(why)) => Err(HandlerError::RetryAfter(
                why,
                Duration::from_millis(backoff_ms(job.attempts, 500, MAX_ERROR_BACKOFF_MS) as u64),
            )),
            outcome => outcome,
        }
    }
}
