//! The wire error `{type, message, param}` and the one table mapping domain errors onto it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clearance_core::CoreError;
use clearance_core::store::StoreError;
use serde::Serialize;

/// Every non-2xx answer of the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub param: Option<String>,
    /// Seconds to wait, for 429 answers.
    pub retry_after: Option<u64>,
}

/// The error body of every non-2xx answer.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub(crate) struct WireError<'a> {
    /// Machine-readable category, e.g. `invalid_request`, `resource_not_found`.
    #[serde(rename = "type")]
    kind: &'a str,
    /// Human-readable explanation.
    message: &'a str,
    /// The offending request field, on validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<&'a str>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }

    /// 400 `invalid_request`, optionally naming a field.
    pub fn invalid(message: impl Into<String>, param: Option<String>) -> Self {
        ApiError {
            param,
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
        }
    }

    /// 401 `unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "The 'Authorization' header is invalid",
        )
    }

    /// 401 `unauthorized` with a specific reason (SDK tokens: missing, malformed, expired,
    /// tampered with, or for a deleted client).
    pub fn unauthorized_because(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403 `unauthorized`: a valid credential used where it is not allowed (an SDK token from
    /// another site or app, or for another client).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "unauthorized", message)
    }

    /// 410 `resource_not_found`: a hosted-flow link that expired, was completed or never was.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, "resource_not_found", message)
    }

    /// 404 `resource_not_found` for a path no endpoint serves.
    pub fn unknown_endpoint() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "There is no endpoint at this path; see /v1/openapi.json",
        )
    }

    /// 405 for a known path with the wrong method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "This endpoint does not accept that HTTP method; see /v1/openapi.json",
        )
    }

    /// 413 for a body over the configured limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            format!("The request body is larger than the {limit}-byte limit"),
        )
    }

    /// 415 for a POST whose body is not declared as JSON.
    pub fn not_json_content_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "The 'Content-Type' header must be 'application/json'",
        )
    }

    /// 429 `rate_limit_exceeded`.
    pub fn rate_limited(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                "You have exceeded the rate limit prescribed to your plan",
            )
        }
    }

    /// 500 `internal_server_error`; the cause is logged, never sent.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "Something went wrong on our side; please try again, and contact your administrator if it persists",
        )
    }

    /// 503 when a dependency (the database) is unavailable.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is not ready; please try again shortly",
        )
    }

    /// 409: the resource or key is busy with another request.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "invalid_request", message)
    }

    /// 503 from `/readyz` while the process shuts down.
    pub fn shutting_down() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "This server is shutting down",
        )
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid { param, message } => ApiError::invalid(message, param),
            e @ CoreError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "resource_not_found", e.to_string())
            }
            CoreError::Forbidden(message) => ApiError::forbidden(message),
            CoreError::Missing(message) => {
                ApiError::new(StatusCode::NOT_FOUND, "resource_not_found", message)
            }
            CoreError::Unprocessable { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            CoreError::InvalidState {
                code,
                param,
                message,
            } => ApiError {
                param: Some(param.to_string()),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            },
            CoreError::Unavailable(reason) => {
                tracing::error!(reason = %reason, "an analysis engine is unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    "An analysis engine this request needs is not available on this server right now; please try again later",
                )
            }
            CoreError::Store(StoreError::Conflict(_)) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "The resource was changed by another request at the same time; please retry",
            ),
            CoreError::Internal(what) => {
                tracing::error!(error = %what, "internal failure");
                ApiError::internal()
            }
            CoreError::Store(e) => {
                tracing::error!(error = %e, "store failure");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = WireError {
            kind: self.kind,
            message: &self.message,
            param: self.param.as_deref(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, json).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
