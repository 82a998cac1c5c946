//! Idempotency keys (Stripe's semantics): a POST sent again with the same `Idempotency-Key` and
//! the same request gets the first answer again instead of running twice; the same key with
//! another request is refused. Records are per account and mode, keyed by a hash of the scope
//! and the key, and kept 24 hours. The first request claims the key with an insert, so two servers on one
//! database never both run it.

use std::future::Future;
use std::sync::{Arc, Mutex};

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
    /// The resource the request committed, created or (an upload) changed, written in the
    /// request's own transaction, so a retry whose first answer was lost is answered from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created: Option<String>,
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
    /// The first request committed (it created this resource, or changed it: an upload), and
    /// its answer was lost (the server died, or the database's reply to its commit): answer
    /// from the resource as it is now.
    ReplayWritten(String),
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
                created: None,
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
                if let Some(created) = record.created {
                    return Ok(IdempotentStart::ReplayWritten(created));
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
            created: None,
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
    /// retry runs the request again; unless the request committed after all (the database
    /// applied it but its reply was lost): then the retry is answered from what it wrote.
    pub async fn abandon_idempotent(&self, claim: IdempotencyClaim) -> Result<()> {
        if let Some(stored) = self
            .store
            .get(&claim.scope, ResourceKind::IdempotencyKey, &claim.id)
            .await?
        {
            let record: IdempotencyRecord = typed::decode(&stored)?;
            if record.created.is_some() {
                return Ok(());
            }
        }
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

    /// Runs `work`, a request that creates or changes one resource, under `claim`: its first
    /// commit also records in the claim, in the same transaction, which resource it wrote.
    /// Answers the claim as it stands afterwards (for [`Services::finish_idempotent`]).
    pub async fn run_claimed<F: Future>(
        &self,
        claim: IdempotencyClaim,
        work: F,
    ) -> (F::Output, IdempotencyClaim) {
        let running = Arc::new(Mutex::new(RunningClaim {
            claim,
            marked: false,
        }));
        let out = RUNNING_CLAIM.scope(running.clone(), work).await;
        let claim = lock(&running).claim.clone();
        (out, claim)
    }
}

/// The claim a request runs under, and whether its commit recorded it yet.
pub(super) struct RunningClaim {
    claim: IdempotencyClaim,
    marked: bool,
}

tokio::task_local! {
    static RUNNING_CLAIM: Arc<Mutex<RunningClaim>>;
}

fn lock(running: &Mutex<RunningClaim>) -> std::sync::MutexGuard<'_, RunningClaim> {
    running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The first commit of a request run under a claim: the change that records the resource it
/// wrote in the claim (to commit with `changes`), and what to note once it committed.
pub(super) fn claim_mark(changes: &[Change], now: i64) -> Option<(Change, ClaimMarked)> {
    let running = RUNNING_CLAIM.try_with(Arc::clone).ok()?;
    let guard = lock(&running);
    if guard.marked {
        return None;
    }
    // The resource the request wrote: what it created, else what it changed (an upload).
    let written = |insert: bool| {
        changes.iter().find_map(|c| match c {
            Change::Insert(r) | Change::Update(r)
                if matches!(c, Change::Insert(_)) == insert
                    && !matches!(
                        r.kind,
                        ResourceKind::AuditLog | ResourceKind::IdempotencyKey
                    ) =>
            {
                Some(r.id.clone())
            }
            _ => None,
        })
    };
    let created = written(true).or_else(|| written(false))?;
    let claim = &guard.claim;
    let version = claim.version + 1;
    let record = Resource {
        id: claim.id.clone(),
        scope: claim.scope.clone(),
        kind: ResourceKind::IdempotencyKey,
        client_id: None,
        created_at: now,
        updated_at: now,
        version,
        body: typed::encode(&IdempotencyRecord {
            request_hash: claim.request_hash.clone(),
            answer: None,
            created: Some(created),
        }),
    };
    drop(guard);
    Some((Change::Update(record), ClaimMarked { running, version }))
}

/// A claim whose mark was committed: its version moved on.
pub(super) struct ClaimMarked {
    running: Arc<Mutex<RunningClaim>>,
    version: i64,
}

impl ClaimMarked {
    pub(super) fn committed(self) {
        let mut running = lock(&self.running);
        running.claim.version = self.version;
        running.marked = true;
    }
}
