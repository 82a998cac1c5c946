//! Documents, live photos and live videos.

#![expect(dead_code, reason = "schema-only types: never constructed")]

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    DrivingLicense,
    NationalInsuranceNumber,
    SocialSecurityNumber,
    UtilityBill,
    TaxIdentificationNumber,
    NationalIdentityCard,
    Visa,
    PollingCard,
    ResidencePermit,
    BirthCertificate,
    BankStatement,
    ChangeOfName,
    TaxDocument,
    CompanyConfirmationStatement,
    CompanyAnnualAccounts,
    CompanyStatementOfCapital,
    CompanyChangeOfAddress,
    CompanyIncorporation,
    CompanyChangeOfOfficers,
    CompanyChangeOfBeneficialOwners,
    Unknown,
    Other,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    ProofOfIdentity,
    SourceOfWealth,
    SourceOfFunds,
    ProofOfAddress,
    CompanyFiling,
    Other,
}

/// An uploaded image (or, after redaction, its tombstone: `redacted: true`, no file fields).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    id: String,
    file_name: Option<String>,
    /// `front` or `back`.
    document_side: String,
    /// Relative link without `/v1`.
    download_link: Option<String>,
    /// `image/jpg`, `image/png` or `application/pdf`.
    content_type: Option<String>,
    size: Option<u64>,
    redacted: Option<bool>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// A client's identity or supporting document.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    id: String,
    client_id: String,
    #[serde(rename = "type")]
    kind: DocumentType,
    classification: Option<Classification>,
    document_number: Option<String>,
    issuing_country: Option<String>,
    issuing_state: Option<String>,
    images: Option<Vec<Image>>,
    last_action_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/documents`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCreate {
    client_id: String,
    #[serde(rename = "type")]
    kind: DocumentType,
    classification: Option<Classification>,
    document_number: Option<String>,
    issuing_country: Option<String>,
    issuing_state: Option<String>,
}

/// Body of `POST /v1/documents/{id}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentUpdate {
    #[serde(rename = "type")]
    kind: Option<DocumentType>,
    classification: Option<Classification>,
    document_number: Option<String>,
    issuing_country: Option<String>,
    issuing_state: Option<String>,
}

/// Body of an image upload: the file as base64 (34 KB to 4 MB once decoded).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpload {
    /// Ends in `.jpg`, `.jpeg`, `.png` or `.pdf`.
    file_name: String,
    /// Base64 of the file.
    data: String,
}

/// Body of `POST /v1/documents/{id}/redact`.
#[derive(Serialize, ToSchema)]
pub struct DocumentRedact {
    /// Only `images` is defined.
    attributes: Option<Vec<String>>,
}

/// A downloaded file.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileDownload {
    file_name: String,
    content_type: String,
    /// Base64 of the file.
    data: String,
}

/// A selfie of the client.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LivePhoto {
    id: String,
    client_id: String,
    perform_liveness_check: bool,
    download_link: Option<String>,
    /// `images/jpg` or `images/png`, as ComplyCube spells it on this object.
    content_type: Option<String>,
    size: Option<u64>,
    redacted: Option<bool>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/livePhotos`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LivePhotoUpload {
    client_id: String,
    /// Base64 JPG or PNG, 34 KB to 4 MB once decoded.
    data: String,
    perform_liveness_check: Option<bool>,
}

/// A challenge the client performed on video.
#[derive(Serialize, ToSchema)]
pub struct Challenge {
    /// `voice` or `actions`.
    #[serde(rename = "type")]
    kind: String,
    value: Vec<String>,
}

/// A live video of the client.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveVideo {
    id: String,
    client_id: String,
    language: String,
    challenges: Vec<Challenge>,
    frame_count: Option<u64>,
    redacted: Option<bool>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/liveVideos` (used by capture flows).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveVideoCreate {
    client_id: String,
    language: Option<String>,
    /// Up to 12 base64 JPG or PNG frames.
    frames: Option<Vec<String>>,
}

/// An empty object, answered by redaction endpoints.
#[derive(Serialize, ToSchema)]
pub struct Empty {}

list_schema!(DocumentList, Document);
list_schema!(LivePhotoList, LivePhoto);
list_schema!(LiveVideoList, LiveVideo);
