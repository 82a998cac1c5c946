//! Webhook signing secrets at rest. A secret record (`ResourceKind::WebhookSecret`) holds the
//! current and previous secrets sealed under the master key, through the blob port, and bound
//! to the record's account, mode and id: `{"sealed": "<base64>"}`. A database dump or backup
//! alone no longer lets anyone sign webhooks as this server.
//!
//! Records written before sealing existed hold the secrets in plain text. They are read as they
//! are, so nothing breaks while they remain, and [`Services::seal_plaintext_secrets`] rewrites
//! them sealed: `serve` runs it once at start, and housekeeping again each round (for records a
//! not-yet-upgraded server wrote during a rolling upgrade).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Services;
use crate::error::{CoreError, Result};
use crate::resources::webhook::WebhookSecret;
use crate::scope::Scope;
use crate::store::{Change, Resource, ResourceKind, StoreError};
use crate::typed;

/// The field of a sealed record; a plain-text record has `secret` instead.
const SEALED: &str = "sealed";
/// How many secret records one read of the upgrade walk takes.
const PAGE: u32 = 200;

/// The stored body of a sealed secret record.
#[derive(Serialize, Deserialize)]
struct Sealed {
    /// The blob envelope of the record's [`WebhookSecret`] as JSON, in standard base64.
    sealed: String,
}

/// What a sealed record is bound to: its place, so a sealed body copied into another
/// webhook's record does not open there.
fn context(scope: &Scope, record_id: &str) -> String {
    format!(
        "webhookSecret/{}/{}/{record_id}",
        scope.account_id, scope.mode
    )
}

impl Services {
    /// The body of a secret record holding `secret`, sealed.
    pub(super) fn sealed_secret_body(
        &self,
        scope: &Scope,
        record_id: &str,
        secret: &WebhookSecret,
    ) -> Result<Map<String, Value>> {
        let plain = serde_json::to_vec(secret)
            .map_err(|e| CoreError::internal(format!("webhook secret cannot be written: {e}")))?;
        let sealed = self
            .blobs
            .seal(&context(scope, record_id), &plain)
            .map_err(|e| CoreError::internal(format!("webhook secret cannot be sealed: {e}")))?;
        Ok(typed::encode(&Sealed {
            sealed: STANDARD.encode(sealed),
        }))
    }

    /// The secrets a record holds, and whether it held them in plain text.
    pub(super) fn open_secret_record(&self, record: &Resource) -> Result<(WebhookSecret, bool)> {
        if !record.body.contains_key(SEALED) {
            return Ok((typed::decode(record)?, true));
        }
        let unreadable = |why: String| {
            CoreError::internal(format!(
                "webhook secret {} cannot be opened ({why}); is this the master key it was sealed with?",
                record.id
            ))
        };
        let Sealed { sealed } = typed::decode(record)?;
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|e| unreadable(e.to_string()))?;
        let plain = self
            .blobs
            .open(&context(&record.scope, &record.id), &bytes)
            .map_err(|e| unreadable(e.to_string()))?;
        let secret = serde_json::from_slice(&plain).map_err(|e| unreadable(e.to_string()))?;
        Ok((secret, false))
    }

    /// Rewrites sealed every secret record still holding its secrets in plain text, in every
    /// account; answers how many it sealed. A record changed meanwhile is left to its writer
    /// (which seals) or to the next run.
    pub async fn seal_plaintext_secrets(&self) -> Result<u64> {
        let mut sealed = 0;
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .scan_kind(ResourceKind::WebhookSecret, after.as_deref(), PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(sealed);
            };
            after = Some(last.id.clone());
            for record in page {
                if record.body.contains_key(SEALED) {
                    continue;
                }
                let secret: WebhookSecret = match typed::decode(&record) {
                    Ok(secret) => secret,
                    // Unreadable either way; one bad record must not keep the rest in the clear.
                    Err(e) => {
                        tracing::error!(id = %record.id, error = %e, "webhook secret left as it is");
                        continue;
                    }
                };
                let body = self.sealed_secret_body(&record.scope, &record.id, &secret)?;
                let rewritten = Resource {
                    body,
                    version: record.version + 1,
                    ..record
                };
                match self.store.apply(vec![Change::Update(rewritten)]).await {
                    Ok(()) => sealed += 1,
                    Err(StoreError::Conflict(_) | StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
}
