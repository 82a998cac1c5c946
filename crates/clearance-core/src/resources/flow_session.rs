//! Flow sessions (`POST /flow/sessions`, check-driven style): the hosted verification pages for
//! one client, the checks to create when the client finishes, and where to send them after.

use serde_json::{Map, Value, json};

use super::client::is_email;
use crate::checks::CheckType;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, object_of};

/// A session expires this long after creation (or when the client completes it).
pub const SESSION_TTL_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// The check types a flow may run (the documented list: every type but multi-bureau).
pub const FLOW_CHECK_TYPES: &[&str] = &[
    "standard_screening_check",
    "extensive_screening_check",
    "document_check",
    "identity_check",
    "enhanced_identity_check",
    "proof_of_address_check",
    "face_authentication_check",
    "age_estimation_check",
];

/// The documented UI languages.
pub const LANGUAGES: &[&str] = &[
    "en", "ar", "de", "es", "fr", "hi", "hk", "id", "it", "ja", "ko", "nl", "no", "pl", "pt", "sv",
    "th", "vi", "zh",
];

/// The document types a flow may offer.
pub const DOCUMENT_TYPES: &[&str] = &[
    "passport",
    "driving_license",
    "residence_permit",
    "national_identity_card",
];

const MAX_URL: usize = 2048;
const MAX_MESSAGES: usize = 100;
const MAX_MESSAGE_LEN: usize = 2000;

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
    /// The captures the named check types need; screening alone needs none.
    pub fn of<'a>(check_types: impl IntoIterator<Item = &'a str>) -> Needs {
        let mut needs = Needs::default();
        for t in check_types.into_iter().filter_map(CheckType::parse) {
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

/// The proof-of-address document types the hosted pages offer.
pub const ADDRESS_DOCUMENT_TYPES: &[&str] = &["utility_bill", "bank_statement", "tax_document"];

/// Whether the hosted pages may create a document of this type for the session: one of its
/// offered identity-document types, or a proof-of-address type when it asks for one.
pub fn offers_document_type(session: &Map<String, Value>, doc_type: &str) -> bool {
    let needs = Needs::of(check_types(session));
    let offered = session
        .get("documentTypes")
        .and_then(|d| d.get(doc_type))
        .is_some_and(|v| v == &json!(true));
    (needs.document && offered)
        || (needs.address_document && ADDRESS_DOCUMENT_TYPES.contains(&doc_type))
}

/// The check types of a stored session body, in request order.
pub fn check_types(body: &Map<String, Value>) -> Vec<&str> {
    body.get("checkTypes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The `clientId` of a create request.
pub fn client_id(input: &Map<String, Value>) -> Result<String> {
    Reader::new(input).req_str("clientId", 64)
}

/// Validates a check-driven create request; answers the stored body (without the session's
/// status and expiry, which the service adds).
pub fn validate_create(input: &Map<String, Value>) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    let client_id = r.req_str("clientId", 64)?;
    if r.raw("workflowTemplateId").is_some() {
        return Err(CoreError::invalid(
            "workflowTemplateId",
            "Workflow templates are not supported yet: create the session with 'checkTypes'",
        ));
    }
    let check_types = requested_check_types(&r)?;
    let success_url = url(&r, "successUrl")?;
    let cancel_url = url(&r, "cancelUrl")?;
    let enable_monitoring = r.opt_bool("enableMonitoring")?.unwrap_or(false);
    if enable_monitoring
        && !check_types
            .iter()
            .filter_map(|t| CheckType::parse(t))
            .any(CheckType::is_screening)
    {
        return Err(CoreError::invalid(
            "enableMonitoring",
            "'enableMonitoring' applies only to screening checks; add one to 'checkTypes'",
        ));
    }
    let language = r
        .opt_enum("language", LANGUAGES)?
        .unwrap_or_else(|| "en".into());
    let theme = r
        .opt_enum("theme", &["light", "dark"])?
        .unwrap_or_else(|| "light".into());
    let allow_upload = r.opt_bool("allowDocumentUpload")?.unwrap_or(true);
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
    let document_types = document_types(&r)?;
    let short_url = r.opt_bool("shortUrl")?.unwrap_or(false);
    Ok(object_of(vec![
        ("clientId", Some(json!(client_id))),
        ("checkTypes", Some(json!(check_types))),
        ("successUrl", Some(json!(success_url))),
        ("cancelUrl", Some(json!(cancel_url))),
        ("enableMonitoring", Some(json!(enable_monitoring))),
        ("language", Some(json!(language))),
        ("theme", Some(json!(theme))),
        ("allowDocumentUpload", Some(json!(allow_upload))),
        ("supportEmail", support_email.map(|e| json!(e))),
        ("messages", messages),
        ("documentTypes", Some(document_types)),
        ("shortUrl", Some(json!(short_url))),
    ]))
}

fn requested_check_types(r: &Reader<'_>) -> Result<Vec<String>> {
    let invalid = || {
        CoreError::invalid(
            "checkTypes",
            format!(
                "'checkTypes' must be a non-empty array of: {}",
                FLOW_CHECK_TYPES.join(", ")
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
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let name = item.as_str().ok_or_else(invalid)?;
        if !FLOW_CHECK_TYPES.contains(&name) {
            return Err(invalid());
        }
        if !out.iter().any(|t| t == name) {
            out.push(name.to_string());
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

fn messages(r: &Reader<'_>) -> Result<Option<Value>> {
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
    let mut out = Map::new();
    for key in keys {
        if key.len() > MAX_TEXT {
            return Err(CoreError::invalid(
                "messages",
                "'messages' has a key that is too long",
            ));
        }
        if let Some(text) = m.opt_str(&key, MAX_MESSAGE_LEN)? {
            out.insert(key, json!(text));
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

/// `documentTypes`: booleans per type; absent means all. Answers the full map.
fn document_types(r: &Reader<'_>) -> Result<Value> {
    let mut out = Map::new();
    let Some(d) = r.opt_object("documentTypes")? else {
        for t in DOCUMENT_TYPES {
            out.insert((*t).to_string(), json!(true));
        }
        return Ok(Value::Object(out));
    };
    for key in d.keys() {
        if !DOCUMENT_TYPES.contains(&key.as_str()) {
            return Err(CoreError::invalid(
                d.param(&key),
                format!(
                    "'{}' is not a document type; use: {}",
                    d.param(&key),
                    DOCUMENT_TYPES.join(", ")
                ),
            ));
        }
    }
    for t in DOCUMENT_TYPES {
        // A type the request leaves out is not offered once any type is listed.
        out.insert((*t).to_string(), json!(d.opt_bool(t)?.unwrap_or(false)));
    }
    if !out.values().any(|v| v == &json!(true)) {
        return Err(CoreError::invalid(
            "documentTypes",
            "'documentTypes' must allow at least one document type",
        ));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Value {
        json!({"clientId": "c1", "checkTypes": ["document_check", "identity_check"],
            "successUrl": "https://www.example.com/success", "cancelUrl": "https://www.example.com/cancel"})
    }

    fn param(body: Value) -> Option<String> {
        match validate_create(body.as_object().unwrap()) {
            Err(CoreError::Invalid { param, .. }) => param,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn needs_follow_the_check_types() {
        assert!(Needs::of(["standard_screening_check"]).none());
        let idv = Needs::of(["identity_check"]);
        assert!(idv.document && idv.selfie && !idv.video && !idv.address_document);
        let enhanced = Needs::of(["enhanced_identity_check", "proof_of_address_check"]);
        assert!(enhanced.document && enhanced.video && enhanced.address_document);
        assert!(!enhanced.selfie);
        assert!(Needs::of(["age_estimation_check"]).selfie);
    }

    #[test]
    fn defaults_are_filled_in() {
        let body = validate_create(base().as_object().unwrap()).unwrap();
        assert_eq!(body["language"], "en");
        assert_eq!(body["theme"], "light");
        assert_eq!(body["allowDocumentUpload"], true);
        assert_eq!(body["enableMonitoring"], false);
        assert_eq!(body["shortUrl"], false);
        assert_eq!(body["documentTypes"]["passport"], true);
        assert!(body.get("supportEmail").is_none());
    }

    #[test]
    fn each_bad_field_is_named() {
        let with = |k: &str, v: Value| {
            let mut b = base();
            b[k] = v;
            b
        };
        assert_eq!(
            param(with("checkTypes", json!([]))).as_deref(),
            Some("checkTypes")
        );
        assert_eq!(
            param(with("checkTypes", json!(["multi_bureau_check"]))).as_deref(),
            Some("checkTypes")
        );
        assert_eq!(
            param(with("successUrl", json!("javascript:alert(1)"))).as_deref(),
            Some("successUrl")
        );
        assert_eq!(
            param(with("cancelUrl", json!("/relative"))).as_deref(),
            Some("cancelUrl")
        );
        assert_eq!(
            param(with("language", json!("xx"))).as_deref(),
            Some("language")
        );
        assert_eq!(
            param(with("theme", json!("blue"))).as_deref(),
            Some("theme")
        );
        assert_eq!(
            param(with("supportEmail", json!("nope"))).as_deref(),
            Some("supportEmail")
        );
        assert_eq!(
            param(with("enableMonitoring", json!(true))).as_deref(),
            Some("enableMonitoring")
        );
        assert_eq!(
            param(with("documentTypes", json!({"visa": true}))).as_deref(),
            Some("documentTypes.visa")
        );
        assert_eq!(
            param(with("documentTypes", json!({"passport": false}))).as_deref(),
            Some("documentTypes")
        );
        assert_eq!(
            param(with("shortUrl", json!("yes"))).as_deref(),
            Some("shortUrl")
        );
    }
}
