//! The one error type of the domain; the API maps each variant to the wire error in one place.

use crate::store::StoreError;

/// Result alias used across the domain.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Everything a domain operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The caller sent something that does not pass validation; `param` names the field.
    #[error("{message}")]
    Invalid {
        param: Option<String>,
        message: String,
    },
    /// The resource does not exist in the caller's account and mode.
    #[error("Invalid {resource} id '{id}'")]
    NotFound { resource: &'static str, id: String },
    /// The caller is who it says, but may not do this (an SDK token asking past what it was
    /// issued for; HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Something inside an existing resource is missing (an image side, a redacted file).
    #[error("{0}")]
    Missing(String),
    /// A processing error with a documented machine code (HTTP 422 on the wire).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// The resource's state (the field `param`) forbids the operation (HTTP 422 naming it).
    #[error("{message}")]
    InvalidState {
        code: &'static str,
        param: &'static str,
        message: String,
    },
    /// An analysis engine this request needs cannot run now (its model is missing, it is not
    /// installed, it failed); the message says which, for the operator (HTTP 503).
    #[error("{0}")]
    Unavailable(String),
    /// Something on the server's side failed that the caller cannot fix: a blob store, an
    /// engine, signing, or a stored record that no longer reads as its type (HTTP 500, logged).
    #[error("{0}")]
    Internal(String),
    /// The storage layer failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CoreError {
    /// A validation failure naming the offending field.
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Invalid {
            param: Some(param.into()),
            message: message.into(),
        }
    }

    /// A validation failure that concerns no single field.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        CoreError::Invalid {
            param: None,
            message: message.into(),
        }
    }

    /// A failure on the server's side; `what` says what failed, for the log.
    pub fn internal(what: impl std::fmt::Display) -> Self {
        CoreError::Internal(what.to_string())
    }

    /// A missing resource, worded as ComplyCube does (`Invalid client id '…'`).
    pub fn not_found(resource: &'static str, id: impl Into<String>) -> Self {
        CoreError::NotFound {
            resource,
            id: id.into(),
        }
    }
}
