//! The port behind `POST /v1/autofill`: read an identity document's data from one image, without
//! storing anything. The binary installs the offline MRZ reader (`clearance-engines`).

use async_trait::async_trait;
use serde_json::Value;

use crate::checks::analyser::TransientError;

/// What reading one image gave.
#[derive(Clone, Debug, PartialEq)]
pub enum AutofillReading {
    /// The document's data: `extractedData` in the document check's shape and `fieldSources`
    /// (per field: where it was read and how sure the reader is).
    Read(Value),
    /// Nothing could be read; the documented code says why (`image_unreadable`,
    /// `under_exposure`, `excessive_glare`, `document_type_undetected`, …).
    Unusable(&'static str),
}

/// Reads documents for autofill.
#[async_trait]
pub trait DocumentReader: Send + Sync {
    /// Reads one decoded-and-validated JPEG or PNG image; `today_ms` resolves two-digit years.
    async fn read(&self, image: Vec<u8>, today_ms: i64) -> Result<AutofillReading, TransientError>;
}
