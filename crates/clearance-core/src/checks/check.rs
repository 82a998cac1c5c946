//! The check resource as stored and answered (checks-and-more.md §2.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::input::{CheckOptions, CheckRequest};
use super::kinds::CheckType;
use super::result::CheckResult;

/// Where a check is in its life: `pending` until analysed, then `complete` with a result or
/// `failed` with a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pending,
    Complete,
    Failed,
}

/// A check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", try_from = "StoredCheck")]
pub struct Check {
    pub client_id: String,
    /// The client's name when the check was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
    #[serde(rename = "type")]
    pub check_type: CheckType,
    pub enable_monitoring: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_photo_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_video_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<CheckOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_consent: Option<bool>,
    pub status: CheckStatus,
    /// Present only when `status` is `complete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<CheckResult>,
    /// Why the check could not run; present only when `status` is `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

impl Check {
    /// A new pending check for a validated request.
    pub fn pending(request: CheckRequest, entity_name: Option<String>) -> Self {
        let links = request.links;
        Check {
            client_id: request.client_id,
            entity_name,
            check_type: request.check_type,
            enable_monitoring: request.enable_monitoring,
            document_id: links.document_id,
            address_id: links.address_id,
            live_photo_id: links.live_photo_id,
            live_video_id: links.live_video_id,
            options: request.options,
            client_consent: request.client_consent,
            status: CheckStatus::Pending,
            result: None,
            failure_reason: None,
        }
    }

    /// The options, or none set.
    pub fn options(&self) -> CheckOptions {
        self.options.clone().unwrap_or_default()
    }
}

/// A stored check as read: the result's shape follows from the type, so it is read after it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredCheck {
    client_id: String,
    #[serde(default)]
    entity_name: Option<String>,
    #[serde(rename = "type")]
    check_type: CheckType,
    #[serde(default)]
    enable_monitoring: bool,
    #[serde(default)]
    document_id: Option<String>,
    #[serde(default)]
    address_id: Option<String>,
    #[serde(default)]
    live_photo_id: Option<String>,
    #[serde(default)]
    live_video_id: Option<String>,
    #[serde(default)]
    options: Option<CheckOptions>,
    #[serde(default)]
    client_consent: Option<bool>,
    status: CheckStatus,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    failure_reason: Option<String>,
}

impl TryFrom<StoredCheck> for Check {
    type Error = serde_json::Error;

    fn try_from(s: StoredCheck) -> Result<Self, Self::Error> {
        let result = s
            .result
            .map(|r| CheckResult::from_value(s.check_type, r))
            .transpose()?;
        Ok(Check {
            client_id: s.client_id,
            entity_name: s.entity_name,
            check_type: s.check_type,
            enable_monitoring: s.enable_monitoring,
            document_id: s.document_id,
            address_id: s.address_id,
            live_photo_id: s.live_photo_id,
            live_video_id: s.live_video_id,
            options: s.options,
            client_consent: s.client_consent,
            status: s.status,
            result,
            failure_reason: s.failure_reason,
        })
    }
}
