//! Results of the checks about where a person lives (checks-and-more.md §2.7, §2.8): proof of
//! address from a document, and multi-bureau verification of name, birth date and address.

use serde::{Deserialize, Serialize};

use super::document::NotProcessedReason;
use super::outcome::{DateParts, Verdict};

/// `breakdown` of `proof_of_address_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProofOfAddressBreakdown {
    pub extracted_data: PoaExtractedData,
    pub client_validation: PoaClientValidation,
    pub content_analysis: PoaContentAnalysis,
    pub geolocation_analysis: GeolocationAnalysis,
    /// How the text was read, `text_layer` (a PDF's own text) or `ocr` (live checks; Clearance's
    /// own key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source: Option<String>,
    /// Why the document could not be analysed, when that made the outcome `not_processed`
    /// (Clearance's own key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_processed_reason: Option<NotProcessedReason>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PoaExtractedData {
    pub document_details: PoaDocumentDetails,
    pub holder_details: PoaHolderDetails,
    pub address_details: AddressDetails,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PoaDocumentDetails {
    /// `utility_bill`, `bank_statement`, `tax_document`, `driving_license`, …
    pub document_type: String,
    /// Who issued the document (the utility, the bank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_date: Option<DateParts>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PoaHolderDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddressDetails {
    /// The address as printed, on one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<StructuredAddress>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StructuredAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat_long: Option<LatLong>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatLong {
    pub lat: f64,
    pub long: f64,
}

/// The document's holder and address against the client's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PoaClientValidation {
    pub entity_name: Verdict,
    pub address: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PoaContentAnalysis {
    /// Whether the document is recent enough.
    pub issuing_date: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GeolocationAnalysis {
    /// Whether the address exists where it says it is.
    pub address: Verdict,
}

impl ProofOfAddressBreakdown {
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        vec![
            (
                "clientValidation.entityName",
                &mut self.client_validation.entity_name,
            ),
            (
                "clientValidation.address",
                &mut self.client_validation.address,
            ),
            (
                "contentAnalysis.issuingDate",
                &mut self.content_analysis.issuing_date,
            ),
            (
                "geolocationAnalysis.address",
                &mut self.geolocation_analysis.address,
            ),
        ]
    }
}

/// `breakdown` of `multi_bureau_check`: one entry per client attribute.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MultiBureauBreakdown {
    pub name: BureauAttribute,
    pub dob: BureauAttribute,
    pub address: BureauAttribute,
    /// What was sent to and answered by each HTTP bureau, kept for audit (live checks;
    /// Clearance's own field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchanges: Option<Vec<BureauExchange>>,
}

/// One request to an HTTP bureau and its answer, as sent and received.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BureauExchange {
    pub bureau: String,
    /// The JSON body sent.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub request: serde_json::Value,
    /// The HTTP status answered.
    pub status: u16,
    /// The body answered, as text.
    pub response: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BureauAttribute {
    pub result: Verdict,
    pub breakdown: BureauSources,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BureauSources {
    /// How many separate sources confirmed the attribute.
    pub sources: u32,
    /// Which sources (live checks; Clearance's own field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
}

impl MultiBureauBreakdown {
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        vec![
            ("name.result", &mut self.name.result),
            ("dob.result", &mut self.dob.result),
            ("address.result", &mut self.address.result),
        ]
    }
}
