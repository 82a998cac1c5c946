//! The crate's single error type.

/// Errors from document analysis. Messages never contain document data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdvError {
    /// The text does not have the shape of any ICAO 9303 MRZ format.
    #[error("not a machine-readable zone: {0}")]
    MrzShape(&'static str),
    /// A line has the wrong length for the detected format and could not be repaired.
    #[error("MRZ line {line} has {found} characters, {expected} expected")]
    MrzLineLength {
        /// 1-based line number.
        line: usize,
        /// Characters found.
        found: usize,
        /// Characters the format requires.
        expected: usize,
    },
    /// Field values cannot be rendered as an MRZ.
    #[error("cannot render MRZ: {0}")]
    MrzRender(&'static str),
    /// A document type name that is not one of the API's.
    #[error("unknown document type")]
    UnknownDocumentType,
    /// The image cannot be decoded (format, corruption or limits).
    #[error("image unreadable: {0}")]
    ImageUnreadable(&'static str),
    /// A model file is missing, unreadable or not the expected model.
    #[error("OCR model unavailable: {0}")]
    Model(String),
    /// Running the recogniser failed.
    #[error("OCR inference failed: {0}")]
    Inference(String),
}

/// Result alias for this crate.
pub type Result<T, E = IdvError> = std::result::Result<T, E>;
