//! Small extractors whose failures use the wire error: path ids and raw query pairs.

use axum::extract::{FromRequestParts, Path, RawQuery};
use axum::http::request::Parts;

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
