//! Document check results (checks-and-more.md §2.4): what was read off the document and one
//! verdict per analysis.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::outcome::{DateParts, Verdict};

/// `breakdown` of `document_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DocumentBreakdown {
    pub extracted_data: DocumentExtractedData,
    pub mrz_analysis: MrzAnalysis,
    pub consistency_analysis: ConsistencyAnalysis,
    pub content_analysis: ContentAnalysis,
    pub format_analysis: FormatAnalysis,
    pub forensic_analysis: ForensicAnalysis,
    pub front_and_back_analysis: FrontAndBackAnalysis,
    /// Present when the check asked for `clientDataValidation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_validation: Option<ClientValidation>,
    /// Crops of the document; Clearance keeps none beyond the uploaded sides.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub extracted_images: Vec<Value>,
    /// Why the images could not be analysed, when that made the outcome `not_processed`
    /// (Clearance's own key): never a silent `not_processed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_processed_reason: Option<NotProcessedReason>,
}

/// A code (`image_unreadable`, `under_exposure`, `excessive_glare`, `document_type_undetected`,
/// `no_mrz_expected`, `unsupported_document_type`) and a sentence for the reviewer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotProcessedReason {
    pub code: String,
    pub message: String,
}

/// `extractedData` of a document check (and of autofill).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DocumentExtractedData {
    pub document_details: DocumentDetails,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrz_details: Option<MrzDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_details: Option<HolderDetails>,
}

/// The document itself. Every field but the type may be redacted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DocumentDetails {
    /// `passport`, `driving_license`, `national_id`, `residence_permit`, `visa` or
    /// `unidentified`.
    pub document_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_two_sides: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_date: Option<DateParts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<DateParts>,
}

/// The machine-readable zone as read, one string per line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MrzDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// TD1 (three-line identity cards) only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line3: Option<String>,
}

impl MrzDetails {
    /// The lines in order (two or three).
    pub fn of_lines(lines: &[impl AsRef<str>]) -> Self {
        let line = |i: usize| lines.get(i).map(|l| l.as_ref().to_string());
        MrzDetails {
            line1: line(0),
            line2: line(1),
            line3: line(2),
        }
    }
}

/// The holder as printed; names are arrays of words.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HolderDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<DateParts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// `male`, `female` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
}

impl DocumentExtractedData {
    /// The dotted path of every field present in `documentDetails` and `holderDetails`, in
    /// output order.
    pub fn field_paths(&self) -> Vec<&'static str> {
        let d = &self.document_details;
        let mut out = vec!["documentDetails.documentType"];
        let details = [
            ("documentDetails.hasTwoSides", d.has_two_sides.is_some()),
            (
                "documentDetails.issuingCountry",
                d.issuing_country.is_some(),
            ),
            (
                "documentDetails.documentNumber",
                d.document_number.is_some(),
            ),
            ("documentDetails.issuingDate", d.issuing_date.is_some()),
            (
                "documentDetails.expirationDate",
                d.expiration_date.is_some(),
            ),
        ];
        out.extend(details.into_iter().filter(|(_, p)| *p).map(|(f, _)| f));
        if let Some(h) = &self.holder_details {
            let holder = [
                ("holderDetails.firstName", h.first_name.is_some()),
                ("holderDetails.lastName", h.last_name.is_some()),
                ("holderDetails.dob", h.dob.is_some()),
                ("holderDetails.nationality", h.nationality.is_some()),
                ("holderDetails.gender", h.gender.is_some()),
            ];
            out.extend(holder.into_iter().filter(|(_, p)| *p).map(|(f, _)| f));
        }
        out
    }

    /// Removes one redactable attribute (`POST /checks/:id/redact`) wherever it stands; `mrz`
    /// removes the MRZ lines. Attributes this result never holds are ignored.
    pub fn redact(&mut self, attribute: &str) {
        let d = &mut self.document_details;
        match attribute {
            "mrz" => self.mrz_details = None,
            "issuingCountry" => d.issuing_country = None,
            "documentNumber" => d.document_number = None,
            "issuingDate" => d.issuing_date = None,
            "expirationDate" => d.expiration_date = None,
            _ => {}
        }
        if let Some(h) = &mut self.holder_details {
            match attribute {
                "firstName" => h.first_name = None,
                "lastName" => h.last_name = None,
                "dob" => h.dob = None,
                "nationality" => h.nationality = None,
                "gender" => h.gender = None,
                _ => {}
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MrzAnalysis {
    pub mrz_format: Verdict,
    pub mrz_checksum: Verdict,
}

/// The MRZ against the printed page (names, birth date) and against the document record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsistencyAnalysis {
    pub first_name: Verdict,
    pub last_name: Verdict,
    pub dob: Verdict,
    #[serde(default)]
    pub document_type: Verdict,
    #[serde(default)]
    pub issuing_country: Verdict,
    #[serde(default)]
    pub document_number: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContentAnalysis {
    pub data_integrity: Verdict,
    pub minimum_accepted_age: Verdict,
    #[serde(default)]
    pub document_expiry: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FormatAnalysis {
    pub model_identification: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ForensicAnalysis {
    pub image_tampering: Verdict,
    /// Clearance's own field: the image editor an image's metadata named at upload, the signal
    /// behind an `imageTampering` of `attention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editing_software: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FrontAndBackAnalysis {
    pub front_and_back_match: Verdict,
}

/// The client's record against the document (`clientDataValidation`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClientValidation {
    pub first_name: Verdict,
    pub last_name: Verdict,
    #[serde(default)]
    pub dob: Verdict,
}

/// The `analysisCoverage` option value that selects each analysis group.
pub const COVERAGE: [(&str, &str); 6] = [
    ("mrzAnalysis", "mrz_analysis"),
    ("consistencyAnalysis", "consistency_analysis"),
    ("contentAnalysis", "content_analysis"),
    ("formatAnalysis", "format_analysis"),
    ("forensicAnalysis", "forensic_analysis"),
    ("frontAndBackAnalysis", "front_back_analysis"),
];

impl DocumentBreakdown {
    /// Every verdict with its path, in output order.
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        let mut out: Vec<(&'static str, &mut Verdict)> = vec![
            ("mrzAnalysis.mrzFormat", &mut self.mrz_analysis.mrz_format),
            (
                "mrzAnalysis.mrzChecksum",
                &mut self.mrz_analysis.mrz_checksum,
            ),
            (
                "consistencyAnalysis.firstName",
                &mut self.consistency_analysis.first_name,
            ),
            (
                "consistencyAnalysis.lastName",
                &mut self.consistency_analysis.last_name,
            ),
            (
                "consistencyAnalysis.dob",
                &mut self.consistency_analysis.dob,
            ),
            (
                "consistencyAnalysis.documentType",
                &mut self.consistency_analysis.document_type,
            ),
            (
                "consistencyAnalysis.issuingCountry",
                &mut self.consistency_analysis.issuing_country,
            ),
            (
                "consistencyAnalysis.documentNumber",
                &mut self.consistency_analysis.document_number,
            ),
            (
                "contentAnalysis.dataIntegrity",
                &mut self.content_analysis.data_integrity,
            ),
            (
                "contentAnalysis.minimumAcceptedAge",
                &mut self.content_analysis.minimum_accepted_age,
            ),
            (
                "contentAnalysis.documentExpiry",
                &mut self.content_analysis.document_expiry,
            ),
            (
                "formatAnalysis.modelIdentification",
                &mut self.format_analysis.model_identification,
            ),
            (
                "forensicAnalysis.imageTampering",
                &mut self.forensic_analysis.image_tampering,
            ),
            (
                "frontAndBackAnalysis.frontAndBackMatch",
                &mut self.front_and_back_analysis.front_and_back_match,
            ),
        ];
        if let Some(c) = &mut self.client_validation {
            out.push(("clientValidation.firstName", &mut c.first_name));
            out.push(("clientValidation.lastName", &mut c.last_name));
            out.push(("clientValidation.dob", &mut c.dob));
        }
        out
    }

    /// The `analysisCoverage` value of the group a verdict path belongs to (`None` for
    /// `clientValidation`, which `clientDataValidation` selects).
    pub fn coverage_of(path: &str) -> Option<&'static str> {
        let group = path.split_once('.').map_or(path, |(g, _)| g);
        COVERAGE.iter().find(|(g, _)| *g == group).map(|(_, c)| *c)
    }
}
