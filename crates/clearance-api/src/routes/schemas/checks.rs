//! Checks (the check and its result are core types).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub use clearance_core::checks::CheckType;

/// A check.
pub type Check = clearance_core::typed::Stored<clearance_core::checks::Check>;

/// Body of `POST /v1/checks`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckCreate {
    client_id: String,
    #[serde(rename = "type")]
    kind: CheckType,
    enable_monitoring: Option<bool>,
    document_id: Option<String>,
    address_id: Option<String>,
    live_photo_id: Option<String>,
    live_video_id: Option<String>,
    /// Type-specific options; an option the type does not take is refused by name.
    options: Option<HashMap<String, Value>>,
    client_consent: Option<bool>,
}

/// Body of `POST /v1/checks/{id}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckUpdate {
    enable_monitoring: bool,
}

/// Body of `POST /v1/checks/{id}/validate`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckValidate {
    /// `confirmed`, `rejected` or `attention`.
    outcome: String,
    /// Required for screening checks: the match being decided.
    match_id: Option<String>,
    rejection_reasons: Option<Vec<String>>,
    user_supplied_data: Option<HashMap<String, Value>>,
    comment: Option<String>,
}

/// Answer of `POST /v1/checks/{id}/validate`.
#[derive(Serialize, ToSchema)]
pub struct ValidationOutcome {
    outcome: String,
}

/// Body of `POST /v1/checks/{id}/redact`.
#[derive(Serialize, ToSchema)]
pub struct CheckRedact {
    attributes: Option<Vec<String>>,
    images: Option<Vec<String>>,
}

list_schema!(CheckList, Check);
