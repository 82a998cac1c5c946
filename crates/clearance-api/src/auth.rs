//! API-key authentication: the raw key in `Authorization` (a `Bearer ` prefix is tolerated),
//! looked up by its SHA-256 hash, cached for a few seconds, then rate limited per key.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clearance_core::Scope;
use clearance_core::keys::{hash_key, mode_of};
use clearance_core::store::{Store, StoreError};

use crate::error::ApiError;
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

/// Recently verified keys, by hash.
#[derive(Default)]
pub struct KeyCache {
    entries: RwLock<HashMap<String, (Caller, Instant)>>,
}

impl KeyCache {
    async fn lookup(&self, store: &dyn Store, key: &str) -> Result<Option<Caller>, StoreError> {
        let Some(mode) = mode_of(key) else {
            return Ok(None);
        };
        let hash = hash_key(key);
        if let Ok(entries) = self.entries.read()
            && let Some((caller, at)) = entries.get(&hash)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(Some(caller.clone()));
        }
        let Some(stored) = store.find_api_key(&hash).await? else {
            return Ok(None);
        };
        if stored.revoked_at.is_some() || stored.mode != mode {
            return Ok(None);
        }
        let caller = Caller {
            scope: Scope::new(stored.account_id, stored.mode),
            key_id: stored.id,
        };
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CACHE_MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(hash, (caller.clone(), Instant::now()));
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
pub(crate) async fn require_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(key) = presented_key(&request) else {
        return ApiError::unauthorized().into_response();
    };
    let caller = match state
        .keys
        .lookup(state.services.store().as_ref(), key)
        .await
    {
        Ok(Some(caller)) => caller,
        Ok(None) => return ApiError::unauthorized().into_response(),
        Err(e) => {
            tracing::error!(error = %e, "api key lookup failed");
            return ApiError::unavailable().into_response();
        }
    };
    let decision = state.limiter.check(&caller.key_id, caller.scope.mode);
    if let Some(d) = &decision
        && !d.allowed
    {
        let mut response = ApiError::rate_limited(d.reset_secs).into_response();
        d.write_headers(response.headers_mut());
        return response;
    }
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    if let Some(d) = decision {
        d.write_headers(response.headers_mut());
    }
    response
}

impl crate::rate_limit::Decision {
    fn write_headers(&self, headers: &mut axum::http::HeaderMap) {
        headers.insert("ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(self.reset_secs));
    }
}
