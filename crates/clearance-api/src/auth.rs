//! API-key authentication: the raw key in `Authorization` (a `Bearer ` prefix is tolerated),
//! looked up by its SHA-256 hash, cached for a few seconds, then rate limited per key.
//!
//! The cache is keyed by a 128-bit tag of the presented key under a random per-process SipHash
//! key, so a hit costs two short SipHash runs instead of SHA-256, and neither the key nor anything
//! that could be checked against it offline (its SHA-256) is kept in memory.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::pin::Pin;
use std::sync::RwLock;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use clearance_core::Scope;
use clearance_core::keys::{hash_key, mode_of};
use clearance_core::store::{Store, StoreError};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::error::ApiError;
use crate::rate_limit::Decision;
use crate::state::AppState;

/// How long a key lookup is trusted; a revoked key stops working within this time.
const CACHE_TTL: Duration = Duration::from_secs(5);
const CACHE_MAX_ENTRIES: usize = 10_000;

/// Who is calling: the key's account and mode.
#[derive(Clone, Debug)]
pub struct Caller {
    pub scope: Scope,
    pub key_id: String,
}

impl Caller {
    /// Who the audit log names for this caller's changes: its API key.
    pub fn actor(&self) -> clearance_core::audit::Actor {
        clearance_core::audit::Actor::api_key(self.key_id.clone())
    }
}

/// A keyed 128-bit tag of a presented key (see [`KeyCache::tag`]).
type Tag = u128;

/// Tags are already uniformly distributed: the map uses their low bits as they are instead of
/// hashing them again.
#[derive(Default)]
struct TagHasher(u64);

impl Hasher for TagHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

/// Recently verified keys, by keyed tag; each entry is trusted until its deadline.
pub struct KeyCache {
    /// SipHash-1-3 with random keys drawn once per process.
    tagger: RandomState,
    entries: RwLock<HashMap<Tag, (Caller, Instant), BuildHasherDefault<TagHasher>>>,
}

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache {
            tagger: RandomState::new(),
            entries: RwLock::new(HashMap::default()),
        }
    }
}

impl KeyCache {
    /// Two SipHash outputs under the secret per-process key, domain-separated, as one 128-bit
    /// tag: without that key nobody can compute a tag, let alone aim two keys at the same one.
    fn tag(&self, key: &str) -> Tag {
        let half = |domain: u8| {
            let mut h = self.tagger.build_hasher();
            h.write_u8(domain);
            h.write(key.as_bytes());
            h.finish()
        };
        (u128::from(half(0)) << 64) | u128::from(half(1))
    }

    async fn lookup(&self, store: &dyn Store, key: &str) -> Result<Option<Caller>, StoreError> {
        self.lookup_at(store, key, Instant::now()).await
    }

    /// The caller of a key verified less than [`CACHE_TTL`] ago, without touching the store.
    fn cached_at(&self, key: &str, now: Instant) -> Option<Caller> {
        let tag = self.tag(key);
        let entries = self.entries.read().ok()?;
        let (caller, until) = entries.get(&tag)?;
        (now < *until).then(|| caller.clone())
    }

    async fn lookup_at(
        &self,
        store: &dyn Store,
        key: &str,
        now: Instant,
    ) -> Result<Option<Caller>, StoreError> {
        let Some(mode) = mode_of(key) else {
            return Ok(None);
        };
        if let Some(caller) = self.cached_at(key, now) {
            return Ok(Some(caller));
        }
        let Some(stored) = store.find_api_key(&hash_key(key)).await? else {
            return Ok(None);
        };
        if stored.revoked_at.is_some() || stored.mode != mode {
            return Ok(None);
        }
        let caller = Caller {
            scope: Scope::new(stored.account_id, stored.mode),
            key_id: stored.id,
        };
        let tag = self.tag(key);
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CACHE_MAX_ENTRIES {
                entries.retain(|_, (_, until)| now < *until);
                if entries.len() >= CACHE_MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(tag, (caller.clone(), now + CACHE_TTL));
        }
        Ok(Some(caller))
    }
}

fn presented_key(request: &Request) -> Option<&str> {
    let raw = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    Some(raw.strip_prefix("Bearer ").unwrap_or(raw).trim())
}

/// Middleware for `/v1`: authenticate, rate limit, and add the `RateLimit-*` headers.
///
/// A hand-written service rather than `axum::middleware::from_fn`, which boxes the inner service
/// and the future on each request: a key found in the cache is checked without either, and only
/// a lookup in the store takes the boxed, asynchronous path.
#[derive(Clone)]
pub(crate) struct RequireKeyLayer {
    pub(crate) state: AppState,
}

impl<S> Layer<S> for RequireKeyLayer {
    type Service = RequireKey<S>;

    fn layer(&self, inner: S) -> RequireKey<S> {
        RequireKey {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct RequireKey<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for RequireKey<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = KeyChecked<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let Some(key) = presented_key(&request) else {
            return KeyChecked::answer(ApiError::unauthorized().into_response());
        };
        if let Some(caller) = self.state.keys.cached_at(key, Instant::now()) {
            return match admit(&self.state, caller, &mut request) {
                Ok(decision) => KeyChecked::Admitted {
                    inner: self.inner.call(request),
                    decision,
                },
                Err(refused) => KeyChecked::answer(refusal(&refused)),
            };
        }
        // The ready service goes with the request; this one keeps a fresh clone.
        let fresh = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, fresh);
        let state = self.state.clone();
        KeyChecked::LookingUp {
            inner: Box::pin(authenticate_then_call(state, ready, request)),
        }
    }
}

/// The slow path: the key is not in the cache, so the store is asked.
async fn authenticate_then_call<S>(
    state: AppState,
    mut ready: S,
    mut request: Request,
) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let Some(key) = presented_key(&request) else {
        return Ok(ApiError::unauthorized().into_response());
    };
    let caller = match state
        .keys
        .lookup(state.services.store().as_ref(), key)
        .await
    {
        Ok(Some(caller)) => caller,
        Ok(None) => return Ok(ApiError::unauthorized().into_response()),
        Err(e) => {
            tracing::error!(error = %e, "api key lookup failed");
            return Ok(ApiError::unavailable().into_response());
        }
    };
    match admit(&state, caller, &mut request) {
        Ok(decision) => {
            let mut response = ready.call(request).await?;
            with_rate_headers(&mut response, decision.as_ref());
            Ok(response)
        }
        Err(refused) => Ok(refusal(&refused)),
    }
}

/// Takes a token from the caller's bucket and hands the caller to the handlers; `Err` with the
/// decision when the bucket is empty (see [`refusal`]).
fn admit(
    state: &AppState,
    caller: Caller,
    request: &mut Request,
) -> Result<Option<Decision>, Decision> {
    let decision = state.limiter.check(&caller.key_id, caller.scope.mode);
    if let Some(d) = decision
        && !d.allowed
    {
        return Err(d);
    }
    request.extensions_mut().insert(caller);
    Ok(decision)
}

/// The 429 answer for a refused request, with its `RateLimit-*` headers.
fn refusal(decision: &Decision) -> Response {
    let mut response = ApiError::rate_limited(decision.reset_secs).into_response();
    decision.write_headers(response.headers_mut());
    response
}

fn with_rate_headers(response: &mut Response, decision: Option<&Decision>) {
    if let Some(d) = decision {
        d.write_headers(response.headers_mut());
    }
}

pin_project! {
    /// The answer of [`RequireKey`]: the handler's, the slow path's, or a refusal.
    #[project = KeyCheckedProj]
    pub(crate) enum KeyChecked<F> {
        Admitted {
            #[pin]
            inner: F,
            decision: Option<Decision>,
        },
        LookingUp {
            inner: Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>,
        },
        Answered {
            response: Option<Response>,
        },
    }
}

impl<F> KeyChecked<F> {
    fn answer(response: Response) -> Self {
        KeyChecked::Answered {
            response: Some(response),
        }
    }
}

impl<F> Future for KeyChecked<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            KeyCheckedProj::Admitted { inner, decision } => {
                let mut response = ready!(inner.poll(cx))?;
                with_rate_headers(&mut response, decision.as_ref());
                Poll::Ready(Ok(response))
            }
            KeyCheckedProj::LookingUp { inner } => inner.as_mut().poll(cx),
            KeyCheckedProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after answering: tower never does this.
                None => Poll::Pending,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use clearance_core::Mode;
    use clearance_core::account::{Account, ApiKey, TeamMember};
    use clearance_core::keys::{generate_key, hint};
    use clearance_store_sqlite::SqliteStore;

    use super::*;

    async fn store_with_key(dir: &std::path::Path) -> (SqliteStore, String, String) {
        let store = clearance_store_sqlite::open(&dir.join("db")).await.unwrap();
        store.migrate().await.unwrap();
        let account = Account {
            id: "acc1".into(),
            name: "one".into(),
            created_at: 1,
        };
        let owner = TeamMember {
            id: "tm1".into(),
            account_id: "acc1".into(),
            first_name: "A".into(),
            last_name: "B".into(),
            role: "owner".into(),
            created_at: 1,
        };
        store.create_account(&account, &owner).await.unwrap();
        let key = generate_key(Mode::Test);
        store
            .insert_api_key(&ApiKey {
                id: "key1".into(),
                account_id: "acc1".into(),
                mode: Mode::Test,
                hash: hash_key(&key),
                hint: hint(&key),
                created_at: 1,
                revoked_at: None,
            })
            .await
            .unwrap();
        (store, key, "key1".into())
    }

    #[tokio::test]
    async fn a_revoked_key_stops_working_once_its_entry_expires() {
        let dir = tempfile::tempdir().unwrap();
        let (store, key, key_id) = store_with_key(dir.path()).await;
        let cache = KeyCache::default();
        let t0 = Instant::now();
        let caller = cache.lookup_at(&store, &key, t0).await.unwrap().unwrap();
        assert_eq!(
            (caller.key_id.as_str(), caller.scope.mode),
            ("key1", Mode::Test)
        );
        assert_eq!(caller.scope.account_id, "acc1");

        assert!(store.revoke_api_key(&key_id, 2).await.unwrap());
        let within = t0 + CACHE_TTL - Duration::from_millis(1);
        assert!(
            cache
                .lookup_at(&store, &key, within)
                .await
                .unwrap()
                .is_some(),
            "trusted until the entry expires"
        );
        assert!(
            cache
                .lookup_at(&store, &key, t0 + CACHE_TTL)
                .await
                .unwrap()
                .is_none(),
            "revoked once the entry has expired"
        );
    }

    #[tokio::test]
    async fn only_the_exact_key_hits_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let (store, key, _) = store_with_key(dir.path()).await;
        let cache = KeyCache::default();
        let now = Instant::now();
        assert!(cache.lookup_at(&store, &key, now).await.unwrap().is_some());
        let mut other = key.clone();
        let last = other.pop().unwrap();
        other.push(if last == 'a' { 'b' } else { 'a' });
        assert!(
            cache
                .lookup_at(&store, &other, now)
                .await
                .unwrap()
                .is_none()
        );
        let live = key.replacen("test_", "live_", 1);
        assert!(cache.lookup_at(&store, &live, now).await.unwrap().is_none());
        assert_ne!(cache.tag(&key), cache.tag(&other));
        assert_ne!(
            cache.tag(&key),
            KeyCache::default().tag(&key),
            "tags depend on the per-cache secret"
        );
    }
}
