//! `BlobError`, the crate's one error type, and its `Result` alias.
//!
//! Messages never carry key material or blob contents.

/// What can go wrong when opening or using a [`crate::BlobStore`].
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No object is stored under the key.
    #[error("blob not found")]
    NotFound,
    /// The stored object failed authentication: tampered, truncated, moved to another
    /// key, or sealed under a different master key.
    #[error("blob is corrupt or was sealed under another key")]
    Corrupt,
    /// Bad configuration or an invalid object key.
    #[error("blob configuration: {0}")]
    Config(String),
    /// The storage backend failed (I/O, network, S3 error).
    #[error("blob backend: {0}")]
    Backend(String),
}

/// `Result` with [`BlobError`] as the default error.
pub type Result<T, E = BlobError> = std::result::Result<T, E>;

impl From<object_store::Error> for BlobError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Backend(other.to_string()),
        }
    }
}
