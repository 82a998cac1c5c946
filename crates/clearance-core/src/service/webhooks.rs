//! Webhook endpoints: create (the secret is shown once), read, update, delete, list, and secret
//! rotation with an overlap during which both secrets sign.

use std::sync::Arc;

use async_trait::async_trait;
use clearance_jobs::{Handler, HandlerError, Job, NewJob};
use serde::Serialize;
use serde_json::{Map, Value};

use super::Services;
use super::retry::{Tried, kept_changing, retry_on_conflict};
use super::webhook_queue::{WebhookJob, drain_job};
use crate::audit::{self, Action, Actor};
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::ids::{new_resource_id, random_alphanumeric};
use crate::resources::webhook::{
    self, MAX_WEBHOOKS, RotateSecret, RotatedSecret, Webhook, WebhookSecret,
};
use crate::scope::Scope;
use crate::store::{Change, ListQuery, Resource, ResourceKind};
use crate::time::format_timestamp;
use crate::typed::{self, Stored};

/// The queue of jobs that forget a rotated-out secret when its overlap ends.
pub const FORGET_SECRET_QUEUE: &str = "webhook.forget_secret";

const KIND: ResourceKind = ResourceKind::Webhook;

fn secret_id(webhook_id: &str) -> String {
    format!("{webhook_id}-secret")
}

/// What the audit log shows of a secret rotation: the secret's version and when the old one
/// stops signing, never a secret.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecretAudit {
    secret_version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_secret_expires_at: Option<String>,
}

fn enabled(r: &Resource) -> bool {
    typed::decode::<Webhook>(r).is_ok_and(|w| w.enabled)
}

impl Services {
    /// Creates a webhook; answers it with its `secret`, which no later read shows.
    pub async fn create_webhook(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Stored<Webhook>> {
        let hook =
            webhook::validate_create(as_object(input, None)?, self.rules.webhook_allow_private)?;
        let existing = self
            .store
            .list(&ListQuery::newest(scope.clone(), KIND, 1))
            .await?;
        if existing.total >= MAX_WEBHOOKS {
            return Err(CoreError::invalid_request(format!(
                "An account can have at most {MAX_WEBHOOKS} webhooks; delete one first"
            )));
        }
        let now = self.now_ms();
        let id = new_resource_id(now);
        let secret = random_alphanumeric(40);
        let stored = Resource {
            id: id.clone(),
            scope: scope.clone(),
            kind: KIND,
            client_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
            body: typed::encode(&hook),
        };
        let secret_record = Resource {
            id: secret_id(&id),
            kind: ResourceKind::WebhookSecret,
            body: self.sealed_secret_body(
                scope,
                &secret_id(&id),
                &WebhookSecret::new(secret.clone()),
            )?,
            ..stored.clone()
        };
        let entry = audit::entry(
            scope,
            actor,
            Action::Create,
            &stored,
            &Map::new(),
            &stored.body,
            now,
        );
        self.store
            .apply(vec![
                Change::Insert(stored),
                Change::Insert(secret_record),
                Change::Insert(entry),
            ])
            .await?;
        Ok(Stored {
            id,
            body: Webhook {
                secret: Some(secret),
                ..hook
            },
            created_at: format_timestamp(now),
            updated_at: format_timestamp(now),
        })
    }

    /// Updates any of the create fields. Re-enabling a webhook resumes its delivery queue (the
    /// events that were waiting when it was disabled), in order.
    pub async fn update_webhook(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let allow_private = self.rules.webhook_allow_private;
        let (before, after) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |existing| {
                    typed::change("webhook", existing, |hook| {
                        webhook::validate_update(&hook, patch, allow_private)
                    })
                },
                |before, after, now| {
                    if enabled(before) || !enabled(after) {
                        return Vec::new();
                    }
                    let job_id = format!("{id}:resume:{}", new_resource_id(now));
                    vec![Change::Enqueue(drain_job(scope, id, job_id, now))]
                },
            )
            .await?;
        if !enabled(&before) && enabled(&after) {
            (self.on_enqueue)();
        }
        Ok(after)
    }

    /// Deletes a webhook, its secret, its delivery queue and its delivery log.
    pub async fn delete_webhook(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        let secret = Change::Delete {
            scope: scope.clone(),
            kind: ResourceKind::WebhookSecret,
            id: secret_id(id),
        };
        let owned = Change::DeleteOwnedBy {
            scope: scope.clone(),
            client_id: id.to_string(),
        };
        self.delete(scope, actor, KIND, id, vec![secret, owned])
            .await
    }

    /// A webhook's secret record and the secrets it holds (sealed or, written before sealing
    /// existed, plain).
    async fn webhook_secret(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<Option<(Resource, WebhookSecret)>> {
        let Some(record) = self
            .store
            .get(scope, ResourceKind::WebhookSecret, &secret_id(id))
            .await?
        else {
            return Ok(None);
        };
        let (secret, _) = self.open_secret_record(&record)?;
        Ok(Some((record, secret)))
    }

    /// The secrets that sign a webhook's deliveries: the current one, and the one it replaced
    /// while the rotation's overlap lasts.
    pub async fn webhook_signing_secrets(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<(String, Option<String>)> {
        let (_, secret) = self
            .webhook_secret(scope, id)
            .await?
            .ok_or_else(|| CoreError::not_found("webhook", id))?;
        let (current, previous) = secret.signing(self.now_ms());
        Ok((current.to_string(), previous.map(str::to_string)))
    }

    /// Replaces a webhook's signing secret and answers the new one (shown this once). For
    /// `overlapSeconds` (default 24 h, at most 7 days) the old secret keeps signing too.
    ///
    /// The audit log records the rotation (`rotateWebhookSecret`) with the secret's version
    /// and the overlap's end, never a secret.
    pub async fn rotate_webhook_secret(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        input: &Value,
    ) -> Result<RotatedSecret> {
        let overlap = i64::from(RotateSecret::read(input)?.overlap_secs());
        let hook = &self.get(scope, KIND, id).await?;
        retry_on_conflict(|| async move {
            let (record, current) = self
                .webhook_secret(scope, id)
                .await?
                .ok_or_else(|| CoreError::not_found("webhook", id))?;
            let now = self.now_ms();
            let secret = random_alphanumeric(40);
            let ends = (overlap > 0).then_some(now + overlap * 1000);
            let rotated = current.rotated(secret.clone(), ends);
            let mut changes = vec![Change::Update(Resource {
                body: self.sealed_secret_body(scope, &record.id, &rotated)?,
                updated_at: now,
                version: record.version + 1,
                ..record.clone()
            })];
            if let Some(ends) = ends {
                changes.push(Change::Enqueue(NewJob {
                    run_at_ms: ends,
                    ..NewJob::now(
                        format!("{id}:forget:{}", new_resource_id(now)),
                        FORGET_SECRET_QUEUE,
                        WebhookJob::new(scope, id).payload(),
                        now,
                    )
                }));
            }
            let audited = |version: i64, ends: Option<i64>| {
                typed::encode(&SecretAudit {
                    secret_version: version,
                    previous_secret_expires_at: ends.map(format_timestamp),
                })
            };
            let mut entry = audit::entry(
                scope,
                actor,
                Action::Update,
                hook,
                &audited(record.version, None),
                &audited(record.version + 1, ends),
                now,
            );
            entry
                .body
                .insert("trigger".into(), "rotateWebhookSecret".into());
            changes.push(Change::Insert(entry));
            Tried::committed(self.store.apply(changes).await, || RotatedSecret {
                id: id.to_string(),
                secret,
                previous_secret_expires_at: ends.map(format_timestamp),
            })
        })
        .await?
        .ok_or_else(|| kept_changing("the secret"))
    }

    /// Drops a rotated-out secret whose overlap has ended.
    async fn forget_previous_secret(&self, scope: &Scope, id: &str) -> Result<()> {
        // Still changing after every try means a rotation is under way; its own job forgets.
        retry_on_conflict(|| async move {
            let Some((record, secret)) = self.webhook_secret(scope, id).await? else {
                return Ok(Tried::Done(()));
            };
            let now = self.now_ms();
            // None: already forgotten, or a newer rotation whose own job will forget it.
            let Some(kept) = secret.forgetting_expired(now) else {
                return Ok(Tried::Done(()));
            };
            let updated = Resource {
                body: self.sealed_secret_body(scope, &record.id, &kept)?,
                updated_at: now,
                version: record.version + 1,
                ..record
            };
            Tried::committed(self.store.apply(vec![Change::Update(updated)]).await, || ())
        })
        .await?;
        Ok(())
    }
}

/// The job handler that forgets a rotated-out secret once its overlap has ended.
pub struct SecretForgetter {
    services: Arc<Services>,
}

impl SecretForgetter {
    pub fn new(services: Arc<Services>) -> Self {
        SecretForgetter { services }
    }
}

#[async_trait]
impl Handler for SecretForgetter {
    async fn handle(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        let Some(target) = WebhookJob::read(job) else {
            return Err(HandlerError::Permanent("malformed job".into()));
        };
        self.services
            .forget_previous_secret(&target.scope(), &target.webhook_id)
            .await
            .map_err(|e| HandlerError::Retry(e.to_string()))
    }
}
