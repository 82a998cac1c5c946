//! Authentication of the capture API (`/v1/sdk/…`) by SDK token, and its CORS.
//!
//! - `Authorization: Bearer <token>`: signature, expiry and the client's existence are checked
//!   by the domain; a failure is 401 `unauthorized`.
//! - A web token (`referrer`) is accepted only from a browser whose `Origin` (or, when a browser
//!   sends none, the origin of its `Referer`) the token's pattern admits; a mobile token
//!   (`appId`) only with `X-Application-Id` equal to its app id. A mismatch is 403
//!   `unauthorized`.
//! - CORS: an actual response carries `Access-Control-Allow-Origin` only for an origin the
//!   token admits. A preflight carries no token (browsers never send `Authorization` in one), so
//!   it is answered for any web origin; the request that follows is then refused unless the
//!   token admits the origin, and its refusal carries no CORS header.
//! - Rate limit: each token has its own bucket at its mode's per-key rate, with the same
//!   `429 rate_limit_exceeded` and `RateLimit-*` headers as API keys (readable cross-origin).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clearance_core::service::{SdkSession, SdkTokenRefusal};
use clearance_tokens::Binding;

use crate::error::ApiError;
use crate::state::AppState;

/// The header a mobile SDK declares its bundle id in.
pub const APP_ID_HEADER: &str = "x-application-id";

const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, X-Application-Id";
const MAX_AGE_SECS: &str = "600";
/// Answer headers a page may read besides the CORS-safelisted ones: what it needs to back off.
const EXPOSE_HEADERS: &str = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";

/// The verified token of an SDK request.
#[derive(Clone, Debug)]
pub struct SdkCaller {
    pub session: SdkSession,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let raw = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = raw.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The web origin of a request: `Origin`, else the scheme, host and port of `Referer`.
fn request_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return Some(origin.to_string());
    }
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    Some(url.origin().ascii_serialization())
}

fn is_web_origin(origin: &str) -> bool {
    url::Url::parse(origin)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

fn preflight(headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = headers.get(header::ORIGIN)
        && origin.to_str().is_ok_and(is_web_origin)
    {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        out.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        out.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
    }
    response
}

/// Middleware for `/v1/sdk`: preflights, token verification, binding checks and CORS.
pub(crate) async fn require_sdk_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::OPTIONS {
        return preflight(request.headers());
    }
    let headers = request.headers();
    let Some(token) = bearer(headers) else {
        return ApiError::unauthorized_because(
            "The 'Authorization' header must carry an SDK token: 'Bearer <token>'",
        )
        .into_response();
    };
    let session = match state.services.verify_sdk_token(token).await {
        Ok(session) => session,
        Err(SdkTokenRefusal::Store(e)) => {
            tracing::error!(error = %e, "SDK token check failed");
            return ApiError::unavailable().into_response();
        }
        Err(refusal) => {
            return ApiError::unauthorized_because(format!("The SDK token is invalid: {refusal}"))
                .into_response();
        }
    };
    let mut allow_origin = None;
    match (&session.binding, &session.pattern) {
        (Binding::Referrer(_), Some(pattern)) => {
            let Some(origin) = request_origin(headers) else {
                return ApiError::forbidden(
                    "This SDK token is for web pages: the request must come from a browser page its referrer pattern admits",
                )
                .into_response();
            };
            if !pattern.admits_origin(&origin) {
                return ApiError::forbidden("This SDK token is not valid on this website")
                    .into_response();
            }
            allow_origin = headers.get(header::ORIGIN).cloned();
        }
        (Binding::AppId(app_id), _) => {
            let declared = headers.get(APP_ID_HEADER).and_then(|v| v.to_str().ok());
            if declared != Some(app_id.as_str()) {
                return ApiError::forbidden("This SDK token is not valid for this app")
                    .into_response();
            }
        }
        (Binding::Referrer(_), None) => return ApiError::internal().into_response(),
    }
    // Limited per token, at the mode's rate; the key space is apart from the API keys' ids.
    let decision = state
        .limiter
        .check(&format!("sdk:{}", session.token_id), session.scope.mode);
    let mut response = match &decision {
        Some(d) if !d.allowed => ApiError::rate_limited(d.reset_secs).into_response(),
        _ => {
            request.extensions_mut().insert(SdkCaller { session });
            next.run(request).await
        }
    };
    let out = response.headers_mut();
    if let Some(d) = &decision {
        d.write_headers(out);
    }
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allow_origin {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        out.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_and_origins_are_read_from_the_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  abc.def.ghi "),
        );
        assert_eq!(bearer(&h), Some("abc.def.ghi"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("test_abc"));
        assert_eq!(bearer(&h), None, "an API key is not an SDK token");
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://app.example.com:8443/verify?x=1"),
        );
        assert_eq!(
            request_origin(&h).as_deref(),
            Some("https://app.example.com:8443")
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://other.example"),
        );
        assert_eq!(request_origin(&h).as_deref(), Some("https://other.example"));
        assert!(!is_web_origin("null"));
        assert!(is_web_origin("http://localhost:3000"));
    }
}
