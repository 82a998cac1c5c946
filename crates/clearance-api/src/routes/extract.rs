//! Small extractors whose failures use the wire error: path ids and raw query pairs.

use axum::extract::{FromRequestParts, Path, RawQuery};
use axum::http::request::Parts;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// The `:id` segment of a path.
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| Id(id))
            .map_err(|_| ApiError::invalid("The id in the path is not valid", Some("id".into())))
    }
}

/// The query string as ordered `(key, value)` pairs (keys may repeat).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid("The query string is not valid", None))?;
        let pairs = raw
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(QueryPairs(pairs))
    }
}

/// Pagination and time-window parameters shared by every list endpoint (documentation only:
/// handlers read [`QueryPairs`] so that dotted filters keep their order).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "describes the query string in the OpenAPI document"
)]
pub struct ListParams {
    /// Page number, from 1.
    #[param(minimum = 1)]
    page: Option<u64>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<u64>,
    /// Only items created after this time (RFC 3339 timestamp or YYYY-MM-DD).
    created_after: Option<String>,
    /// Only items created before this time.
    created_before: Option<String>,
    /// Only items updated after this time.
    updated_after: Option<String>,
    /// Only items updated before this time.
    updated_before: Option<String>,
}

/// Two path segments, e.g. a document id and a side.
pub struct IdPair(pub String, pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPair {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map(|Path((a, b))| IdPair(a, b))
            .map_err(|_| ApiError::invalid("The path is not valid", None))
    }
}
