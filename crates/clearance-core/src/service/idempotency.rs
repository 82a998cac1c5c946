//! Idempotency keys (Stripe's semantics): a POST sent again with the same `Idempotency-Key` and
//! the same request gets the first answer again instead of running twice; the same key with
//! another request is refused. Records are per account and mode, keyed by a hash of the scope
//! and the key, and kept 24 hours. The first request claims the key with an insert, so two servers on one
//! database never both run it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Services;
use crate::error::Result;
use crate::scope::Scope;
use crate::store::{Change, Resource, ResourceKind, StoreError};
use crate::typed;

/// How long a key is remembered.
pub const IDEMPOTENCY_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// A claim older than this, still without an answer, is from a server that died mid-request:
/// the next request with the key runs it again.
const ABANDONED_AFTER_MS: i64 = 60_000;

/// What the stored record holds (never returned by the API).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdempotencyRecord {
    /// SHA-256 of the method, path and body the key was first used with.
    request_hash: String,
    /// The first answer, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer: Option<StoredAnswer>,
}

/// An answer kept for replays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, PartialEq, Eq)]
pub enum IdempotentStart {
    /// Run it, then [`Services::finish_idempotent`] (or `abandon_idempotent` on a failure).
    Run(IdempotencyClaim),
    /// The first request's answer.
    Replay(StoredAnswer),
    /// The first request with this key is still running.
    InProgress,
    /// The key was first used with another request.
    Mismatch,
}

/// The claim of a key by one running request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyClaim {
    scope: Scope,
    id: String,
    version: i64,
    request_hash: String,
}

/// The hash that identifies a request: what a retry of it repeats exactly.
pub fn request_hash(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for part in [
        method.as_bytes(),
        b"\n",
        path_and_query.as_bytes(),
        b"\n",
        body,
    ] {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

fn new_claim(scope: &Scope, id: &str, version: i64, request_hash: &str) -> IdempotencyClaim {
    IdempotencyClaim {
        scope: scope.clone(),
        id: id.to_string(),
        version,
        request_hash: request_hash.to_string(),
    }
}

impl Services {
    /// Claims `key` for a request with `request_hash`, or says why not.
    pub async fn start_idempotent(
        &self,
        scope: &Scope,
        key: &str,
        request_hash: &str,
    ) -> Result<IdempotentStart> {
        // Record ids are unique across accounts: the scope goes into the hash with the key.
        let id = hex::encode(Sha256::digest(
            format!("{}\n{}\n{key}", scope.account_id, scope.mode.as_str()).as_bytes(),
        ));
        for _ in 0..3 {
            let now = self.now_ms();
            let pending = typed::encode(&IdempotencyRecord {
                request_hash: request_hash.to_string(),
                answer: None,
            });
            let Some(stored) = self
                .store
                .get(scope, ResourceKind::IdempotencyKey, &id)
                .await?
            else {
                let record = Resource {
                    id: id.clone(),
                    scope: scope.clone(),
                    kind: ResourceKind::IdempotencyKey,
                    client_id: None,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    body: pending,
                };
                match self.store.apply(vec![Change::Insert(record)]).await {
                    Ok(()) => {
                        return Ok(IdempotentStart::Run(new_claim(scope, &id, 1, request_hash)));
                    }
                    Err(StoreError::Conflict(_)) => continue, // claimed meanwhile: look again
                    Err(e) => return Err(e.into()),
                }
            };
            let record: IdempotencyRecord = typed::decode(&stored)?;
            let expired = now - stored.created_at > IDEMPOTENCY_WINDOW_MS;
            let abandoned = record.answer.is_none() && now - stored.updated_at > ABANDONED_AFTER_MS;
            if !expired {
                if record.request_hash != request_hash {
                    return Ok(IdempotentStart::Mismatch);
                }
                if let Some(answer) = record.answer {
                    return Ok(IdempotentStart::Replay(answer));
                }
                if !abandoned {
                    return Ok(IdempotentStart::InProgress);
                }
            }
            // An expired key starts over; an abandoned claim is taken over.
            let version = stored.version + 1;
            let taken = Resource {
                created_at: if expired { now } else { stored.created_at },
                updated_at: now,
                version,
                body: pending,
                ..stored
            };
            match self.store.apply(vec![Change::Update(taken)]).await {
                Ok(()) => {
                    return Ok(IdempotentStart::Run(new_claim(
                        scope,
                        &id,
                        version,
                        request_hash,
                    )));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(IdempotentStart::InProgress)
    }

    /// Keeps the answer of a claimed request for its replays. An answer that names a client
    /// (`names_client`) is filed under it, so deleting the client erases the answer with
    /// everything else the client owned.
    pub async fn finish_idempotent(
        &self,
        claim: IdempotencyClaim,
        answer: StoredAnswer,
        names_client: Option<String>,
    ) -> Result<()> {
        let Some(stored) = self
            .store
            .get(&claim.scope, ResourceKind::IdempotencyKey, &claim.id)
            .await?
        else {
            return Ok(());
        };
        if stored.version != claim.version {
            return Ok(()); // taken over meanwhile: the newer run keeps its own answer
        }
        let body = typed::encode(&IdempotencyRecord {
            request_hash: claim.request_hash,
            answer: Some(answer),
        });
        let done = Resource {
            client_id: names_client,
            updated_at: self.now_ms(),
            version: stored.version + 1,
            body,
            ..stored
        };
        match self.store.apply(vec![Change::Update(done)]).await {
            Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Frees a claimed key after an answer that should not be replayed (a server error), so a
    /// retry runs the request again.
    pub async fn abandon_idempotent(&self, claim: IdempotencyClaim) -> Result<()> {
        match self
            .store
            .apply(vec![Change::Delete {
                scope: claim.scope,
                kind: ResourceKind::IdempotencyKey,
                id: claim.id,
            }])
            .await
        {
            Ok(()) | Err(StoreError::NotFound) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
