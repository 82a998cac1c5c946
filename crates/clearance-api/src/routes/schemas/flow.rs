//! Hosted flow sessions.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

/// Body of `POST /v1/flow/sessions` (check-driven style).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowSessionCreate {
    client_id: String,
    /// Checks to create when the client finishes: any type but `multi_bureau_check`.
    check_types: Vec<String>,
    /// Absolute http(s) URL the client is sent to when done.
    success_url: String,
    /// Absolute http(s) URL the client is sent to on cancel.
    cancel_url: String,
    /// Only with a screening check type (default false).
    enable_monitoring: Option<bool>,
    /// `en` (default), `ar`, `de`, `es`, `fr`, `hi`, `hk`, `id`, `it`, `ja`, `ko`, `nl`, `no`,
    /// `pl`, `pt`, `sv`, `th`, `vi`, `zh`.
    language: Option<String>,
    /// `light` (default) or `dark`.
    theme: Option<String>,
    /// Default true; false forces camera capture.
    allow_document_upload: Option<bool>,
    support_email: Option<String>,
    /// Custom UI texts, by key.
    messages: Option<HashMap<String, String>>,
    /// `passport`, `driving_license`, `residence_permit`, `national_identity_card` → allowed;
    /// absent: all.
    document_types: Option<HashMap<String, bool>>,
    short_url: Option<bool>,
}

/// A created flow session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowSession {
    /// The hosted pages for the client, under the server's public URL.
    redirect_url: String,
}
