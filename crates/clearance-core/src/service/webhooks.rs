//! Webhook endpoints: create (the secret is shown once), read, update, delete, list.

use serde_json::{Map, Value, json};

use super::Services;
use crate::audit::{self, Action, Actor};
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::ids::{new_resource_id, random_alphanumeric};
use crate::resources::webhook::{self, MAX_WEBHOOKS};
use crate::scope::Scope;
use crate::store::{Change, ListQuery, Resource, ResourceKind};

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

    /// Updates any of the create fields.
    pub async fn update_webhook(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let allow_private = self.rules.webhook_allow_private;
        let (_, after) = self
            .update(scope, actor, KIND, id, |existing| {
                webhook::validate_update(existing, patch, allow_private)
            })
            .await?;
        Ok(after)
    }

    /// Deletes a webhook and its secret.
    pub async fn delete_webhook(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        let secret = Change::Delete {
            scope: scope.clone(),
            kind: ResourceKind::WebhookSecret,
            id: secret_id(id),
        };
        self.delete(scope, actor, KIND, id, vec![secret]).await
    }

    /// The signing secret of a webhook (for the dispatcher).
    pub async fn webhook_secret(&self, scope: &Scope, id: &str) -> Result<String> {
        let record = self
            .store
            .get(scope, ResourceKind::WebhookSecret, &secret_id(id))
            .await?
            .ok_or_else(|| CoreError::not_found("webhook", id))?;
        Ok(record
            .body
            .get("secret")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }
}
