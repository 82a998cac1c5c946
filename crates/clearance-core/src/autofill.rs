//! The port behind `POST /v1/autofill`: read an identity document's data from one image, without
//! storing anything. The binary installs the offline MRZ reader (`clearance-engines`).

use async_trait::async_trait;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::checks::analyser::TransientError;
use crate::checks::result::DocumentExtractedData;

/// What reading one image gave.
#[derive(Clone, Debug, PartialEq)]
pub enum AutofillReading {
    /// The document's data.
    Read(Box<Autofill>),
    /// Nothing could be read; the documented code says why (`image_unreadable`,
    /// `under_exposure`, `excessive_glare`, `document_type_undetected`, …).
    Unusable(&'static str),
}

/// Body of `POST /v1/autofill`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutofillRequest {
    /// The image, base64 (JPG or PNG, 34 KB to 4 MB; a `data:…;base64,` prefix is accepted).
    pub data: String,
}

/// What autofill read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Autofill {
    /// As a document check's `breakdown.extractedData` (`documentDetails`, `mrzDetails`,
    /// `holderDetails`).
    pub extracted_data: DocumentExtractedData,
    /// Per field, by dotted path (`holderDetails.dob`, …).
    pub field_sources: IndexMap<String, FieldSource>,
}

/// Where one autofilled field came from and how far to trust it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldSource {
    /// `mrz` (the machine-readable zone) or `visual_zone` (the printed page; only
    /// `documentDetails.issuingDate`, which no MRZ carries).
    pub source: String,
    /// 0–1. MRZ fields: 0.99 when the field's own check digit matches, 0.9 for a field without
    /// one when every check digit matches, 0.6 when some other digit fails, 0.3 when its own
    /// fails. Visual-zone dates: 0.8 under an issue-date label, 0.6 when recognised as the one
    /// date left on the page.
    pub confidence: f64,
    /// The rule behind the confidence, in words.
    pub basis: String,
    /// For names and birth date: `agrees` or `differs` when the printed page was compared with
    /// the MRZ; absent when it was not (not found, or not read surely).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visual_zone: Option<String>,
}

/// Reads documents for autofill.
#[async_trait]
pub trait DocumentReader: Send + Sync {
    /// Reads one decoded-and-validated JPEG or PNG image; `today_ms` resolves two-digit years.
    async fn read(&self, image: Vec<u8>, today_ms: i64) -> Result<AutofillReading, TransientError>;
}
