//! The crate's single error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading lists or screening.
#[derive(Debug, thiserror::Error)]
pub enum ScreeningError {
    #[error("i/o error reading {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("i/o error: {0}")]
    Stream(#[from] std::io::Error),
    #[error("{file}: malformed input at line {line}: {message}")]
    Malformed {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: truncated input at line {line}: {message}")]
    Truncated {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: not valid {expected} text at byte {offset}")]
    Encoding {
        file: String,
        expected: &'static str,
        offset: u64,
    },
    #[error("{file}: too many bad records ({bad} of {total}); file looks garbled")]
    Garbled {
        file: String,
        bad: usize,
        total: usize,
    },
    #[error("unknown list format {0:?}")]
    UnknownFormat(String),
    #[error("invalid custom-list record: {0}")]
    InvalidRecord(String),
    #[error("invalid query at line {line}: {message}")]
    Query { line: u64, message: String },
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = ScreeningError> = std::result::Result<T, E>;
