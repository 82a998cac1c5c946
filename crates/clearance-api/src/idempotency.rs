//! `Idempotency-Key` on `/v1` POSTs (Stripe's semantics, see `docs/compatibility.md`): a retry
//! with the same key and the same request gets the first answer again, marked
//! `Idempotent-Replayed: true`; the same key with another request is 400; while the first is
//! still running, 409. Server errors are not kept, so a retry after one runs again.
//!
//! A hand-written layer: requests without the header (every GET, and POSTs that do not use
//! it) pass straight to the handler, with no boxing and no body read.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use clearance_core::service::{
    IdempotencyClaim, IdempotentStart, Services, StoredAnswer, request_hash,
};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// Longest key accepted (Stripe's limit).
const MAX_KEY_LEN: usize = 255;
/// Largest answer kept for replays; a larger one is answered but not kept.
const MAX_KEPT_ANSWER: usize = 1024 * 1024;
/// Background attempts to settle a claim the database refused: 0.25 s doubling, about a minute.
const SETTLE_RETRIES: u32 = 8;

#[derive(Clone)]
pub(crate) struct IdempotencyLayer {
    pub(crate) state: AppState,
}

impl<S> Layer<S> for IdempotencyLayer {
    type Service = Idempotent<S>;

    fn layer(&self, inner: S) -> Idempotent<S> {
        Idempotent {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Idempotent<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for Idempotent<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = MaybeIdempotent<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
            return MaybeIdempotent::Plain {
                inner: self.inner.call(request),
            };
        }
        // The ready service goes with the request; this one keeps a fresh clone.
        let fresh = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, fresh);
        MaybeIdempotent::Keyed {
            inner: Box::pin(run_once(self.state.clone(), ready, request)),
        }
    }
}

pin_project! {
    #[project = MaybeIdempotentProj]
    pub(crate) enum MaybeIdempotent<F> {
        Plain { #[pin] inner: F },
        Keyed { inner: Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>> },
    }
}

impl<F> Future for MaybeIdempotent<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            MaybeIdempotentProj::Plain { inner } => inner.poll(cx),
            MaybeIdempotentProj::Keyed { inner } => inner.as_mut().poll(cx),
        }
    }
}

/// The key, if it is one: 1 to 255 visible ASCII characters.
fn key_of(request: &Request) -> Result<String, ApiError> {
    let value = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if value.is_empty() || value.len() > MAX_KEY_LEN || !value.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::invalid(
            format!("'Idempotency-Key' must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
            None,
        ));
    }
    Ok(value.to_string())
}

async fn run_once<S>(
    state: AppState,
    mut ready: S,
    request: Request,
) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return ready.call(request).await; // not an API-key route: keys do not apply
    };
    let key = match key_of(&request) {
        Ok(key) => key,
        Err(e) => return Ok(e.into_response()),
    };
    let (parts, body) = request.into_parts();
    let limit = state.config.max_body_bytes;
    let Ok(bytes) = to_bytes(body, limit).await else {
        return Ok(ApiError::too_large(limit).into_response());
    };
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let resource_path = parts.uri.path().to_string();
    let hash = request_hash(parts.method.as_str(), path, &bytes);
    let services = &state.services;
    let claim = match services.start_idempotent(&caller.scope, &key, &hash).await {
        Ok(IdempotentStart::Run(claim)) => claim,
        Ok(IdempotentStart::Replay(answer)) => return Ok(replay(answer)),
        Ok(IdempotentStart::ReplayWritten(id)) => {
            return Ok(replay_written(&state, parts, &resource_path, &id).await);
        }
        Ok(IdempotentStart::InProgress) => {
            return Ok(ApiError::conflict(
                "A request with this Idempotency-Key is still being processed; retry it later",
            )
            .into_response());
        }
        Ok(IdempotentStart::Mismatch) => {
            return Ok(ApiError::invalid(
                "This Idempotency-Key was used with a different request; use a new key for a new request",
                None,
            )
            .into_response());
        }
        Err(e) => return Ok(ApiError::from(e).into_response()),
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let (response, claim) = if Replay::of(&resource_path).is_some() {
        let (response, claim) = services.run_claimed(claim, ready.call(request)).await;
        (response?, claim)
    } else {
        (ready.call(request).await?, claim)
    };
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        settle(services, claim, None).await;
        return Ok(ApiError::internal().into_response());
    };
    let kept = if parts.status.is_server_error() || bytes.len() > MAX_KEPT_ANSWER {
        None
    } else {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_string();
        let answer = StoredAnswer {
            status: parts.status.as_u16(),
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        Some((answer, client_named(&resource_path, &bytes)))
    };
    settle(services, claim, kept).await;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Keeps the answer (`Some`) or frees the key for a retry (`None`). When the database refuses
/// (a server error often comes from the database being away for a moment), it is tried again
/// in the background for about a minute: otherwise every retry of the key would answer 409
/// until the claim lapses.
async fn settle(
    services: &Services,
    claim: IdempotencyClaim,
    kept: Option<(StoredAnswer, Option<String>)>,
) {
    if settle_once(services, claim.clone(), kept.clone()).await {
        return;
    }
    let services = services.clone();
    tokio::spawn(async move {
        let mut wait = Duration::from_millis(250);
        for _ in 0..SETTLE_RETRIES {
            tokio::time::sleep(wait).await;
            if settle_once(&services, claim.clone(), kept.clone()).await {
                return;
            }
            wait *= 2;
        }
    });
}

async fn settle_once(
    services: &Services,
    claim: IdempotencyClaim,
    kept: Option<(StoredAnswer, Option<String>)>,
) -> bool {
    let settled = match kept {
        Some((answer, names_client)) => {
            services
                .finish_idempotent(claim, answer, names_client)
                .await
        }
        None => services.abandon_idempotent(claim).await,
    };
    match settled {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "could not settle an idempotency key; trying again");
            false
        }
    }
}

/// The client a kept answer names: a client created or changed under `/v1/clients`, or the
/// `clientId` of anything a client owns.
fn client_named(path: &str, body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        id: Option<String>,
        #[serde(rename = "clientId")]
        client_id: Option<String>,
    }
    let named: Named = serde_json::from_slice(body).ok()?;
    let is_client = path == "/v1/clients" || path.starts_with("/v1/clients/");
    named.client_id.or(named.id.filter(|_| is_client))
}

/// The creates whose answer is the created resource as `GET {path}/{id}` shows it.
const REPLAYABLE_CREATES: [&str; 6] = [
    "/v1/clients",
    "/v1/addresses",
    "/v1/documents",
    "/v1/checks",
    "/v1/livePhotos",
    "/v1/liveVideos",
];

/// The POSTs whose answer can be rebuilt by reading what they wrote, so a retry whose first
/// answer was lost after the commit is answered instead of run again.
enum Replay {
    /// A create: the created resource.
    Created,
    /// `POST /v1/documents/{id}/upload/{side}`: the document's image of that side.
    Upload { document: String, side: String },
}

impl Replay {
    fn of(path: &str) -> Option<Replay> {
        let path = path.trim_end_matches('/');
        if REPLAYABLE_CREATES.contains(&path) {
            return Some(Replay::Created);
        }
        let rest = path.strip_prefix("/v1/documents/")?;
        let (document, side) = rest.split_once("/upload/")?;
        (!document.is_empty() && !document.contains('/') && matches!(side, "front" | "back")).then(
            || Replay::Upload {
                document: document.to_string(),
                side: side.to_string(),
            },
        )
    }
}

/// Answers a retry of a request whose first run committed (writing `id`) but whose answer was
/// lost: rebuilt from what it wrote as it is now, read by the route that shows it, for the
/// same caller. (The layer sits on each route, so the request's own route cannot be asked for
/// another; the few routes are put together here, only on this rare path.)
async fn replay_written(
    state: &AppState,
    parts: axum::http::request::Parts,
    path: &str,
    id: &str,
) -> Response {
    use axum::routing::get;
    use tower::ServiceExt as _;

    use crate::routes::{addresses, checks, clients, documents, live_media};

    let Some(replay) = Replay::of(path) else {
        // Only those requests record what they wrote; this cannot be one of their keys.
        return ApiError::internal().into_response();
    };
    let read_path = match &replay {
        Replay::Created => format!("{}/{id}", path.trim_end_matches('/')),
        Replay::Upload { document, .. } => format!("/v1/documents/{document}"),
    };
    let Ok(uri) = read_path.parse::<axum::http::Uri>() else {
        return ApiError::internal().into_response();
    };
    let reads = axum::Router::new()
        .route("/v1/clients/{id}", get(clients::get_client))
        .route("/v1/addresses/{id}", get(addresses::get_address))
        .route("/v1/documents/{id}", get(documents::get_document))
        .route("/v1/checks/{id}", get(checks::get_check))
        .route("/v1/livePhotos/{id}", get(live_media::get_live_photo))
        .route("/v1/liveVideos/{id}", get(live_media::get_live_video))
        .with_state(state.clone());
    let mut read = Request::new(Body::empty());
    *read.method_mut() = Method::GET;
    *read.uri_mut() = uri;
    *read.headers_mut() = parts.headers;
    read.headers_mut().remove(header::CONTENT_LENGTH);
    read.headers_mut().remove(header::CONTENT_TYPE);
    // The caller only: the original route's path parameters would be read as this one's.
    if let Some(caller) = parts.extensions.get::<Caller>() {
        read.extensions_mut().insert(caller.clone());
    }
    let Ok(response) = reads.oneshot(read).await;
    let mut response = match replay {
        Replay::Upload { side, .. } if response.status().is_success() => {
            upload_answer(response, &side).await
        }
        _ => response,
    };
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

/// An upload's answer, the image of `side`, out of the document as `GET` shows it.
async fn upload_answer(document: Response, side: &str) -> Response {
    let Ok(bytes) = to_bytes(document.into_body(), MAX_KEPT_ANSWER).await else {
        return ApiError::internal().into_response();
    };
    let image = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|d| {
            d.get("images")?
                .as_array()?
                .iter()
                .find(|i| i.get("documentSide").and_then(|s| s.as_str()) == Some(side))
                .cloned()
        });
    match image {
        Some(image) => axum::Json(image).into_response(),
        None => ApiError::internal().into_response(),
    }
}

fn replay(answer: StoredAnswer) -> Response {
    let status =
        axum::http::StatusCode::from_u16(answer.status).unwrap_or(axum::http::StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&answer.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
