//! Flow sessions (`POST /flow/sessions`, check-driven style): the hosted verification pages for
//! one client, the checks to create when the client finishes, and where to send them after.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::is_email;
use super::document::DocumentType;
use super::workflow_template::{TaskType, WorkflowTemplate};
use crate::checks::CheckType;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};
use crate::scope::Mode;
use crate::time::format_timestamp;

/// A session expires this long after creation (or when the client completes it).
pub const SESSION_TTL_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// The check types a flow may run (the documented list: every type but multi-bureau).
pub const FLOW_CHECK_TYPES: [CheckType; 8] = [
    CheckType::StandardScreening,
    CheckType::ExtensiveScreening,
    CheckType::Document,
    CheckType::Identity,
    CheckType::EnhancedIdentity,
    CheckType::ProofOfAddress,
    CheckType::FaceAuthentication,
    CheckType::AgeEstimation,
];

/// The document types a flow may offer, in the order the pages list them.
pub const DOCUMENT_TYPES: [DocumentType; 4] = [
    DocumentType::Passport,
    DocumentType::DrivingLicense,
    DocumentType::ResidencePermit,
    DocumentType::NationalIdentityCard,
];

/// The proof-of-address document types the hosted pages offer.
pub const ADDRESS_DOCUMENT_TYPES: [DocumentType; 3] = [
    DocumentType::UtilityBill,
    DocumentType::BankStatement,
    DocumentType::TaxDocument,
];

const MAX_URL: usize = 2048;
const MAX_MESSAGES: usize = 100;
const MAX_MESSAGE_LEN: usize = 2000;

wire_enum! {
    /// The documented UI languages.
    #[derive(Default)]
    pub enum FlowLanguage {
        #[default]
        En = "en",
        Ar = "ar",
        De = "de",
        Es = "es",
        Fr = "fr",
        Hi = "hi",
        Hk = "hk",
        Id = "id",
        It = "it",
        Ja = "ja",
        Ko = "ko",
        Nl = "nl",
        No = "no",
        Pl = "pl",
        Pt = "pt",
        Sv = "sv",
        Th = "th",
        Vi = "vi",
        Zh = "zh",
    }
}

wire_enum! {
    /// The colours of the hosted pages.
    #[derive(Default)]
    pub enum FlowTheme {
        #[default]
        Light = "light",
        Dark = "dark",
    }
}

wire_enum! {
    /// Where a session is: `created` until the client finishes, `finishing` while its checks
    /// are made, then `completed` (its link no longer opens the pages).
    pub enum FlowStatus {
        Created = "created",
        Finishing = "finishing",
        Completed = "completed",
        /// The client chose cancel in the pages; the link stays open, so the client may come
        /// back and finish.
        Cancelled = "cancelled",
    }
}

/// A hosted verification session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FlowSession {
    pub client_id: String,
    /// Checks to create when the client finishes: any type but `multi_bureau_check`. Required
    /// unless `workflowTemplateId` is given (the template's check tasks then decide).
    #[serde(default)]
    pub check_types: Vec<CheckType>,
    /// A workflow template (`/v1/workflowTemplates`) whose current version the session runs,
    /// instead of `checkTypes`; a workflow session follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_template_id: Option<String>,
    /// The workflow session started with this flow session (kept by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub workflow_session_id: Option<String>,
    /// Absolute http(s) URL the client is sent to when done.
    pub success_url: String,
    /// Absolute http(s) URL the client is sent to on cancel.
    pub cancel_url: String,
    /// Only with a screening check type (default false).
    #[serde(default)]
    pub enable_monitoring: bool,
    /// `en` (default), `ar`, `de`, `es`, `fr`, `hi`, `hk`, `id`, `it`, `ja`, `ko`, `nl`, `no`,
    /// `pl`, `pt`, `sv`, `th`, `vi`, `zh`.
    #[serde(default)]
    pub language: FlowLanguage,
    /// `light` (default) or `dark`.
    #[serde(default)]
    pub theme: FlowTheme,
    /// Default true; false forces camera capture.
    #[serde(default = "allowed")]
    pub allow_document_upload: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    /// Custom UI texts, by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<IndexMap<String, String>>,
    /// `passport`, `driving_license`, `residence_permit`, `national_identity_card` → allowed;
    /// absent: all.
    #[serde(default)]
    pub document_types: FlowDocumentTypes,
    #[serde(default)]
    pub short_url: bool,
    /// Kept by the server, never part of a request.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub progress: FlowProgress,
}

fn allowed() -> bool {
    true
}

/// The identity documents a session offers. Stored in full; a request that lists any type
/// offers only the ones it sets to true.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowDocumentTypes {
    #[serde(default)]
    pub passport: bool,
    #[serde(default)]
    pub driving_license: bool,
    #[serde(default)]
    pub residence_permit: bool,
    #[serde(default)]
    pub national_identity_card: bool,
}

/// Where a session is in its life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowProgress {
    pub status: FlowStatus,
    pub expires_at: String,
    // Field order: a session finished at the first attempt is stored as it always was
    // (`status`, `expiresAt`, `completedAt`, `checks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// The checks made so far, each recorded as soon as it exists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<FlowCheck>,
    /// When the finisher holding the session claimed it (ms); only while `finishing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finishing_ms: Option<i64>,
}

/// A check made for a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowCheck {
    #[serde(rename = "type")]
    pub check_type: CheckType,
    pub id: String,
}

/// What a flow link's token leads to. Kept under the token's hash outside any account, since a
/// link is opened before its account is known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowLinkRecord {
    pub account_id: String,
    pub mode: Mode,
    pub session_id: String,
}

impl Default for FlowDocumentTypes {
    /// Every type offered: what a request without `documentTypes` asks for.
    fn default() -> Self {
        FlowDocumentTypes {
            passport: true,
            driving_license: true,
            residence_permit: true,
            national_identity_card: true,
        }
    }
}

impl FlowDocumentTypes {
    /// Whether each of [`DOCUMENT_TYPES`] is offered, in that order.
    fn flags(self) -> [bool; 4] {
        [
            self.passport,
            self.driving_license,
            self.residence_permit,
            self.national_identity_card,
        ]
    }

    /// The offered types, in [`DOCUMENT_TYPES`] order.
    pub fn offered(self) -> Vec<DocumentType> {
        DOCUMENT_TYPES
            .into_iter()
            .zip(self.flags())
            .filter_map(|(t, on)| on.then_some(t))
            .collect()
    }

    /// Whether `doc_type` is offered.
    pub fn offers(self, doc_type: DocumentType) -> bool {
        self.offered().contains(&doc_type)
    }

    fn set(&mut self, doc_type: DocumentType, on: bool) {
        match doc_type {
            DocumentType::Passport => self.passport = on,
            DocumentType::DrivingLicense => self.driving_license = on,
            DocumentType::ResidencePermit => self.residence_permit = on,
            DocumentType::NationalIdentityCard => self.national_identity_card = on,
            _ => {}
        }
    }
}

/// What the hosted pages must collect for a session's `checkTypes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// An identity document (document, identity and enhanced identity checks).
    pub document: bool,
    /// A selfie (identity, face authentication and age estimation checks).
    pub selfie: bool,
    /// A few frames of live video (enhanced identity checks).
    pub video: bool,
    /// A proof-of-address document, separate from the identity document.
    pub address_document: bool,
}

impl Needs {
    /// The captures these check types need; screening alone needs none.
    pub fn of(check_types: impl IntoIterator<Item = CheckType>) -> Needs {
        let mut needs = Needs::default();
        for t in check_types {
            needs.document |= matches!(
                t,
                CheckType::Document | CheckType::Identity | CheckType::EnhancedIdentity
            );
            needs.selfie |= matches!(
                t,
                CheckType::Identity | CheckType::FaceAuthentication | CheckType::AgeEstimation
            );
            needs.video |= t == CheckType::EnhancedIdentity;
            needs.address_document |= t == CheckType::ProofOfAddress;
        }
        needs
    }

    /// Whether nothing needs capturing.
    pub fn none(self) -> bool {
        self == Needs::default()
    }
}

impl FlowSession {
    /// The captures the session's checks need.
    pub fn needs(&self) -> Needs {
        Needs::of(self.check_types.iter().copied())
    }

    /// Whether the session runs a screening check.
    pub fn screens(&self) -> bool {
        self.check_types.iter().any(|t| t.is_screening())
    }

    /// Whether the hosted pages may create a document of this type for the session: one of its
    /// offered identity-document types, or a proof-of-address type when it asks for one.
    pub fn offers_document_type(&self, doc_type: &str) -> bool {
        let Some(doc_type) = DocumentType::parse(doc_type) else {
            return false;
        };
        let needs = self.needs();
        (needs.document && self.document_types.offers(doc_type))
            || (needs.address_document && ADDRESS_DOCUMENT_TYPES.contains(&doc_type))
    }
}

/// Validates a check-driven create request into a new session, open for [`SESSION_TTL_MS`]
/// from `now_ms`.
/// The `workflowTemplateId` of a create request, when it names one.
pub fn requested_template(input: &Map<String, Value>) -> Result<Option<String>> {
    Reader::new(input).opt_str("workflowTemplateId", 64)
}

/// Validates a create request; `template` is the workflow template `workflowTemplateId` names
/// (read by the caller), whose check tasks stand for `checkTypes`.
pub fn validate_create(
    input: &Map<String, Value>,
    now_ms: i64,
    template: Option<(&str, &WorkflowTemplate)>,
) -> Result<FlowSession> {
    let r = Reader::new(input);
    let client_id = r.req_str("clientId", 64)?;
    let check_types = match template {
        Some(_) if r.raw("checkTypes").is_some() => {
            return Err(CoreError::invalid(
                "checkTypes",
                "'checkTypes' is not used with 'workflowTemplateId': the template's tasks name the checks",
            ));
        }
        Some((_, t)) => t.check_tasks().map(|(_, c)| c).collect(),
        None => requested_check_types(&r)?,
    };
    let success_url = url(&r, "successUrl")?;
    let cancel_url = url(&r, "cancelUrl")?;
    let enable_monitoring = match template {
        // Each screening task says whether it monitors.
        Some(_) if r.raw("enableMonitoring").is_some() => {
            return Err(CoreError::invalid(
                "enableMonitoring",
                "'enableMonitoring' is set on the template's screening tasks",
            ));
        }
        Some(_) => false,
        None => r.opt_bool("enableMonitoring")?.unwrap_or(false),
    };
    if enable_monitoring && !check_types.iter().any(|t| t.is_screening()) {
        return Err(CoreError::invalid(
            "enableMonitoring",
            "'enableMonitoring' applies only to screening checks; add one to 'checkTypes'",
        ));
    }
    let language = r
        .opt_wire("language", FlowLanguage::NAMES, FlowLanguage::parse)?
        .unwrap_or_default();
    let theme = r
        .opt_wire("theme", FlowTheme::NAMES, FlowTheme::parse)?
        .unwrap_or_default();
    let allow_document_upload = r.opt_bool("allowDocumentUpload")?.unwrap_or(true);
    let support_email = match r.opt_str("supportEmail", 254)? {
        Some(e) if is_email(&e) => Some(e),
        Some(_) => {
            return Err(CoreError::invalid(
                "supportEmail",
                "'supportEmail' must be a valid email address",
            ));
        }
        None => None,
    };
    let messages = messages(&r)?;
    let mut document_types = document_types(&r)?;
    // A template's document capture task may narrow the types offered.
    if let Some(offered) = template.and_then(|(_, t)| {
        t.tasks
            .iter()
            .find(|t| t.kind == TaskType::DocumentCapture)
            .and_then(|t| t.document_types.clone())
    }) {
        for d in DOCUMENT_TYPES {
            document_types.set(
                d,
                offered.contains(&d) && document_types.offered().contains(&d),
            );
        }
        if document_types.offered().is_empty() {
            return Err(CoreError::invalid(
                "documentTypes",
                "'documentTypes' allows none of the document types the template's capture task offers",
            ));
        }
    }
    let short_url = r.opt_bool("shortUrl")?.unwrap_or(false);
    Ok(FlowSession {
        client_id,
        check_types,
        workflow_template_id: template.map(|(id, _)| id.to_string()),
        workflow_session_id: None,
        success_url,
        cancel_url,
        enable_monitoring,
        language,
        theme,
        allow_document_upload,
        support_email,
        messages,
        document_types,
        short_url,
        progress: FlowProgress {
            status: FlowStatus::Created,
            expires_at: format_timestamp(now_ms + SESSION_TTL_MS),
            completed_at: None,
            checks: Vec::new(),
            finishing_ms: None,
        },
    })
}

fn requested_check_types(r: &Reader<'_>) -> Result<Vec<CheckType>> {
    let invalid = || {
        let names: Vec<_> = FLOW_CHECK_TYPES.iter().map(|t| t.as_str()).collect();
        CoreError::invalid(
            "checkTypes",
            format!(
                "'checkTypes' must be a non-empty array of: {}",
                names.join(", ")
            ),
        )
    };
    let Some(value) = r.raw("checkTypes") else {
        return Err(r.missing("checkTypes"));
    };
    let items = value.as_array().ok_or_else(invalid)?;
    if items.is_empty() || items.len() > FLOW_CHECK_TYPES.len() * 2 {
        return Err(invalid());
    }
    let mut out: Vec<CheckType> = Vec::new();
    for item in items {
        let check_type = item
            .as_str()
            .and_then(CheckType::parse)
            .filter(|t| FLOW_CHECK_TYPES.contains(t))
            .ok_or_else(invalid)?;
        if !out.contains(&check_type) {
            out.push(check_type);
        }
    }
    Ok(out)
}

/// A required absolute `http` or `https` URL.
fn url(r: &Reader<'_>, key: &str) -> Result<String> {
    let value = r.req_str(key, MAX_URL)?;
    let ok = value.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
            && rest
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|authority| !authority.is_empty() && !authority.contains('@'))
    }) && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(value)
    } else {
        Err(CoreError::invalid(
            key,
            format!("'{key}' must be an absolute http or https URL"),
        ))
    }
}

fn messages(r: &Reader<'_>) -> Result<Option<IndexMap<String, String>>> {
    let Some(m) = r.opt_object("messages")? else {
        return Ok(None);
    };
    let keys = m.keys();
    if keys.len() > MAX_MESSAGES {
        return Err(CoreError::invalid(
            "messages",
            format!("'messages' may hold at most {MAX_MESSAGES} texts"),
        ));
    }
    let mut out = IndexMap::new();
    for key in keys {
        if key.len() > MAX_TEXT {
            return Err(CoreError::invalid(
                "messages",
                "'messages' has a key that is too long",
            ));
        }
        if let Some(text) = m.opt_str(&key, MAX_MESSAGE_LEN)? {
            out.insert(key, text);
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// `documentTypes`: booleans per type; absent means all.
fn document_types(r: &Reader<'_>) -> Result<FlowDocumentTypes> {
    let Some(d) = r.opt_object("documentTypes")? else {
        return Ok(FlowDocumentTypes::default());
    };
    let names: Vec<_> = DOCUMENT_TYPES.iter().map(|t| t.as_str()).collect();
    for key in d.keys() {
        if !names.contains(&key.as_str()) {
            return Err(CoreError::invalid(
                d.param(&key),
                format!(
                    "'{}' is not a document type; use: {}",
                    d.param(&key),
                    names.join(", ")
                ),
            ));
        }
    }
    // A type the request leaves out is not offered once any type is listed.
    let mut offered = FlowDocumentTypes {
        passport: false,
        driving_license: false,
        residence_permit: false,
        national_identity_card: false,
    };
    for t in DOCUMENT_TYPES {
        offered.set(t, d.opt_bool(t.as_str())?.unwrap_or(false));
    }
    if offered.offered().is_empty() {
        return Err(CoreError::invalid(
            "documentTypes",
            "'documentTypes' must allow at least one document type",
        ));
    }
    Ok(offered)
}

#[cfg(test)]
mod tests;
