//! Webhook endpoints: create (the secret is shown once), read, update, delete, list, and secret
//! rotation with an overlap during which both secrets sign.

use std::sync::Arc;

use async_trait::async_trait;
use clearance_jobs::{Handler, HandlerError, Job, NewJob};
use serde_json::{Map, Value, json};

use super::Services;
use super::webhook_queue::drain_job;
use crate::audit::{self, Action, Actor};
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::ids::{new_resource_id, random_alphanumeric};
use crate::resources::webhook::{self, MAX_WEBHOOKS};
use crate::scope::{Mode, Scope};
use crate::store::{Change, ListQuery, Resource, ResourceKind, StoreError};

/// The queue of jobs that forget a rotated-out secret when its overlap ends.
pub const FORGET_SECRET_QUEUE: &str = "webhook.forget_secret";
/// Default and largest overlap of a secret rotation, in seconds.
pub const DEFAULT_OVERLAP_SECS: i64 = 24 * 3600;
pub const MAX_OVERLAP_SECS: i64 = 7 * 24 * 3600;

const KIND: ResourceKind = ResourceKind::Webhook;

fn secret_id(webhook_id: &str) -> String {
    format!("{webhook_id}-secret")
}

impl Services {
    /// Creates a webhook; answers it with its `secret`, which no later read shows.
    pub async fn create_webhook(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<(Resource, String)> {
        let body =
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
        let hook = Resource {
            id: id.clone(),
            scope: scope.clone(),
            kind: KIND,
            client_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
            body,
        };
        let secret_record = Resource {
            id: secret_id(&id),
            kind: ResourceKind::WebhookSecret,
            body: Map::from_iter([("secret".to_string(), json!(secret))]),
            ..hook.clone()
        };
        let entry = audit::entry(
            scope,
            actor,
            Action::Create,
            &hook,
            &Map::new(),
            &hook.body,
            now,
        );
        self.store
            .apply(vec![
                Change::Insert(hook.clone()),
                Change::Insert(secret_record),
                Change::Insert(entry),
            ])
            .await?;
        Ok((hook, secret))
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
        let enabled = |r: &Resource| r.body.get("enabled") == Some(&json!(true));
        let (before, after) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |existing| webhook::validate_update(existing, patch, allow_private),
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

    /// The secrets that sign a webhook's deliveries: the current one, and the one it replaced
    /// while the rotation's overlap lasts.
    pub async fn webhook_signing_secrets(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<(String, Option<String>)> {
        let record = self
            .store
            .get(scope, ResourceKind::WebhookSecret, &secret_id(id))
            .await?
            .ok_or_else(|| CoreError::not_found("webhook", id))?;
        let text = |k: &str| {
            record
                .body
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let overlap_ends = record
            .body
            .get("previousExpiresAt")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let previous = text("previousSecret").filter(|_| overlap_ends > self.now_ms());
        Ok((text("secret").unwrap_or_default(), previous))
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
        let overlap = overlap_secs(input)?;
        let hook = self.get(scope, KIND, id).await?;
        for _ in 0..5 {
            let record = self
                .store
                .get(scope, ResourceKind::WebhookSecret, &secret_id(id))
                .await?
                .ok_or_else(|| CoreError::not_found("webhook", id))?;
            let now = self.now_ms();
            let secret = random_alphanumeric(40);
            let mut body = Map::from_iter([("secret".to_string(), json!(secret))]);
            let mut changes = Vec::new();
            let ends = (overlap > 0).then_some(now + overlap * 1000);
            if let Some(ends) = ends {
                body.insert("previousSecret".into(), record.body["secret"].clone());
                body.insert("previousExpiresAt".into(), json!(ends));
                changes.push(Change::Enqueue(NewJob {
                    run_at_ms: ends,
                    ..NewJob::now(
                        format!("{id}:forget:{}", new_resource_id(now)),
                        FORGET_SECRET_QUEUE,
                        json!({"accountId": scope.account_id, "mode": scope.mode.as_str(), "webhookId": id}),
                        now,
                    )
                }));
            }
            let version = |v: i64| Map::from_iter([("secretVersion".to_string(), json!(v))]);
            let mut after = version(record.version + 1);
            if let Some(ends) = ends {
                after.insert(
                    "previousSecretExpiresAt".into(),
                    json!(crate::time::format_timestamp(ends)),
                );
            }
            let mut entry = audit::entry(
                scope,
                actor,
                Action::Update,
                &hook,
                &version(record.version),
                &after,
                now,
            );
            entry
                .body
                .insert("trigger".into(), json!("rotateWebhookSecret"));
            changes.push(Change::Insert(entry));
            changes.insert(
                0,
                Change::Update(Resource {
                    body,
                    updated_at: now,
                    version: record.version + 1,
                    ..record
                }),
            );
            match self.store.apply(changes).await {
                Ok(()) => {
                    return Ok(RotatedSecret {
                        secret,
                        previous_expires_at: ends,
                    });
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CoreError::Store(StoreError::Conflict(
            "the secret kept changing; try again".into(),
        )))
    }

    /// Drops a rotated-out secret whose overlap has ended.
    async fn forget_previous_secret(&self, scope: &Scope, id: &str) -> Result<()> {
        for _ in 0..5 {
            let Some(record) = self
                .store
                .get(scope, ResourceKind::WebhookSecret, &secret_id(id))
                .await?
            else {
                return Ok(());
            };
            let ends = record.body.get("previousExpiresAt").and_then(Value::as_i64);
            // None: already forgotten; later: a newer rotation, whose own job will forget it.
            if ends.is_none_or(|e| e > self.now_ms()) {
                return Ok(());
            }
            let mut body = record.body.clone();
            body.remove("previousSecret");
            body.remove("previousExpiresAt");
            let updated = Resource {
                body,
                updated_at: self.now_ms(),
                version: record.version + 1,
                ..record
            };
            match self.store.apply(vec![Change::Update(updated)]).await {
                Err(StoreError::Conflict(_)) => continue,
                other => return other.map_err(Into::into),
            }
        }
        Ok(())
    }
}

/// The answer to a rotation: the new secret, and when the old one stops signing.
pub struct RotatedSecret {
    pub secret: String,
    pub previous_expires_at: Option<i64>,
}

/// `overlapSeconds` of a rotation request (the body may be empty).
fn overlap_secs(input: &Value) -> Result<i64> {
    if input.is_null() {
        return Ok(DEFAULT_OVERLAP_SECS);
    }
    let body = as_object(input, None)?;
    match body.get("overlapSeconds") {
        None | Some(Value::Null) => Ok(DEFAULT_OVERLAP_SECS),
        Some(v) => v
            .as_i64()
            .filter(|n| (0..=MAX_OVERLAP_SECS).contains(n))
            .ok_or_else(|| {
                CoreError::invalid(
                    "overlapSeconds",
                    format!("'overlapSeconds' must be a whole number from 0 to {MAX_OVERLAP_SECS}"),
                )
            }),
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
        let field = |k: &str| job.payload.get(k).and_then(Value::as_str);
        let (Some(account), Some(mode), Some(id)) = (
            field("accountId"),
            field("mode").and_then(Mode::parse),
            field("webhookId"),
        ) else {
            return Err(HandlerError::Permanent("malformed job".into()));
        };
        self.services
            .forget_previous_secret(&Scope::new(account, mode), id)
            .await
            .map_err(|e| HandlerError::Retry(e.to_string()))
    }
}
