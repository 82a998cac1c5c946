//! Validating a check request: the type, the linked resources it names and its options.

use serde_json::{Map, Value, json};

use super::kinds::{CheckType, Link};
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, object_of};

const ANALYSIS_COVERAGE: &[&str] = &[
    "consistency_analysis",
    "forensic_analysis",
    "content_analysis",
    "format_analysis",
    "front_back_analysis",
    "mrz_analysis",
];

/// Every `screeningClassification` value of checks-and-more.md §2.3.
pub const SCREENING_CLASSIFICATIONS: &[&str] = &[
    "pepLevel1",
    "pepLevel2",
    "pepLevel3",
    "pepLevel4",
    "watchlistSanctionsLists",
    "watchlistOtherOfficialLists",
    "watchlistWarCrimes",
    "watchlistTerror",
    "watchlistOtherExclusionLists",
    "watchlistSanctionsControlAndOwnership",
    "adverseMediaEnvironmentProduction",
    "adverseMediaSocialLabour",
    "adverseMediaCompetitiveFinancial",
    "adverseMediaRegulatory",
    "otherListsAssociatedEntity",
    "otherListsOrganisedCrime",
    "otherListsFinancialCrime",
    "otherListsTaxCrime",
    "otherListsCorruption",
    "otherListsTrafficking",
];

/// The ids a check links to, as the request named them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Links {
    pub document_id: Option<String>,
    pub address_id: Option<String>,
    pub live_photo_id: Option<String>,
    pub live_video_id: Option<String>,
}

/// A checked create request; the service still has to confirm the linked resources exist.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRequest {
    pub client_id: String,
    pub check_type: CheckType,
    pub links: Links,
    pub enable_monitoring: bool,
    pub client_consent: Option<bool>,
    pub options: Option<Map<String, Value>>,
}

impl CheckRequest {
    /// The stored body of the new, pending check.
    pub fn body(&self, entity_name: Option<&Value>) -> Map<String, Value> {
        object_of(vec![
            ("clientId", Some(json!(self.client_id))),
            ("entityName", entity_name.cloned()),
            ("type", Some(json!(self.check_type.as_str()))),
            ("enableMonitoring", Some(json!(self.enable_monitoring))),
            (
                "documentId",
                self.links.document_id.as_ref().map(|v| json!(v)),
            ),
            (
                "addressId",
                self.links.address_id.as_ref().map(|v| json!(v)),
            ),
            (
                "livePhotoId",
                self.links.live_photo_id.as_ref().map(|v| json!(v)),
            ),
            (
                "liveVideoId",
                self.links.live_video_id.as_ref().map(|v| json!(v)),
            ),
            ("options", self.options.clone().map(Value::Object)),
            ("clientConsent", self.client_consent.map(|v| json!(v))),
            ("status", Some(json!("pending"))),
        ])
    }
}

/// Reads a `POST /v1/checks` body.
pub fn parse_create(input: &Map<String, Value>) -> Result<CheckRequest> {
    let r = Reader::new(input);
    let type_name = r.req_str("type", MAX_TEXT)?;
    let check_type = CheckType::parse(&type_name).ok_or_else(|| {
        let names: Vec<_> = CheckType::ALL.iter().map(|t| t.as_str()).collect();
        CoreError::invalid(
            "type",
            format!("'type' must be one of: {}", names.join(", ")),
        )
    })?;
    let client_id = r.req_str("clientId", MAX_TEXT)?;
    let link = |key: &str, rule: Link| -> Result<Option<String>> {
        let value = r.opt_str(key, MAX_TEXT)?;
        match (rule, value) {
            (Link::Required, None) => Err(CoreError::invalid(
                key,
                format!("'{key}' must be provided for a {}", check_type.as_str()),
            )),
            (Link::Refused, Some(_)) => Err(CoreError::invalid(
                key,
                format!("'{key}' is not used by a {}", check_type.as_str()),
            )),
            (_, value) => Ok(value),
        }
    };
    let links = Links {
        document_id: link("documentId", check_type.document())?,
        address_id: link("addressId", check_type.address())?,
        live_photo_id: link("livePhotoId", check_type.live_photo())?,
        live_video_id: link("liveVideoId", check_type.live_video())?,
    };
    let enable_monitoring = r.opt_bool("enableMonitoring")?.unwrap_or(false);
    if enable_monitoring && !check_type.is_screening() {
        return Err(CoreError::invalid(
            "enableMonitoring",
            "'enableMonitoring' is only available for screening checks",
        ));
    }
    let options = match r.opt_object("options")? {
        Some(options) => Some(parse_options(check_type, &options)?),
        None => None,
    };
    Ok(CheckRequest {
        client_id,
        check_type,
        links,
        enable_monitoring,
        client_consent: r.opt_bool("clientConsent")?,
        options,
    })
}

/// The options a type accepts; anything else is refused by name.
fn allowed_options(check_type: CheckType) -> &'static [&'static str] {
    match check_type {
        CheckType::StandardScreening | CheckType::ExtensiveScreening => &[
            "screeningListsScope",
            "screeningNameSearchMode",
            "screeningClassification",
        ],
        CheckType::Document => &[
            "analysisCoverage",
            "minimumPermittedAge",
            "clientDataValidation",
        ],
        CheckType::Identity | CheckType::EnhancedIdentity => &[
            "enableEnrolledFaces",
            "enableSpecimenMatching",
            "enableVpnDetection",
        ],
        CheckType::MultiBureau => &["twoPlusTwo"],
        CheckType::ProofOfAddress | CheckType::FaceAuthentication | CheckType::AgeEstimation => &[],
    }
}

fn parse_options(check_type: CheckType, r: &Reader<'_>) -> Result<Map<String, Value>> {
    let allowed = allowed_options(check_type);
    let mut out = Map::new();
    for key in r.keys() {
        if !allowed.contains(&key.as_str()) {
            let p = r.param(&key);
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' is not an option of a {}", check_type.as_str()),
            ));
        }
    }
    for &key in allowed {
        let value = match key {
            "screeningNameSearchMode" => r.opt_enum(key, &["fuzzy", "precise"])?.map(Value::from),
            "screeningClassification" => {
                string_set(r, key, SCREENING_CLASSIFICATIONS)?.map(Value::from)
            }
            "analysisCoverage" => string_set(r, key, ANALYSIS_COVERAGE)?.map(Value::from),
            "screeningListsScope" => lists_scope(r)?,
            "minimumPermittedAge" => minimum_age(r)?.map(Value::from),
            _ => r.opt_bool(key)?.map(Value::from),
        };
        if let Some(value) = value {
            out.insert(key.to_string(), value);
        }
    }
    Ok(out)
}

/// An array of distinct values from a closed vocabulary.
fn string_set(r: &Reader<'_>, key: &str, allowed: &[&str]) -> Result<Option<Vec<String>>> {
    let Some(value) = r.raw(key) else {
        return Ok(None);
    };
    let p = r.param(key);
    let bad = || {
        CoreError::invalid(
            &p,
            format!("'{p}' must be an array of: {}", allowed.join(", ")),
        )
    };
    let items = value.as_array().ok_or_else(bad)?;
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let s = item
            .as_str()
            .filter(|s| allowed.contains(s))
            .ok_or_else(bad)?;
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    Ok(Some(out))
}

fn minimum_age(r: &Reader<'_>) -> Result<Option<u64>> {
    let Some(value) = r.raw("minimumPermittedAge") else {
        return Ok(None);
    };
    let p = r.param("minimumPermittedAge");
    match value.as_u64() {
        Some(age) if (1..=120).contains(&age) => Ok(Some(age)),
        _ => Err(CoreError::invalid(
            &p,
            format!("'{p}' must be a whole number of years between 1 and 120"),
        )),
    }
}

/// `{mode: include|exclude, lists: [names]}`; the mode vocabulary is our choice (see
/// docs/compatibility.md).
fn lists_scope(r: &Reader<'_>) -> Result<Option<Value>> {
    let Some(scope) = r.opt_object("screeningListsScope")? else {
        return Ok(None);
    };
    for key in scope.keys() {
        if key != "mode" && key != "lists" {
            let p = scope.param(&key);
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' is not a known field"),
            ));
        }
    }
    let mode = scope
        .opt_enum("mode", &["include", "exclude"])?
        .unwrap_or_else(|| "include".into());
    let p = scope.param("lists");
    let bad = || CoreError::invalid(&p, format!("'{p}' must be an array of list names"));
    let lists = match scope.raw("lists") {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|l| {
                l.as_str()
                    .filter(|s| !s.trim().is_empty() && s.len() <= MAX_TEXT)
                    .map(str::to_string)
                    .ok_or_else(bad)
            })
            .collect::<Result<Vec<_>>>()?,
    };
    Ok(Some(json!({"mode": mode, "lists": lists})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<CheckRequest> {
        parse_create(v.as_object().expect("object"))
    }

    fn param_of(e: CoreError) -> Option<String> {
        match e {
            CoreError::Invalid { param, .. } => param,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_document_check_needs_its_document() {
        let e = parse(json!({"clientId": "c", "type": "document_check"})).unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("documentId"));
        let ok = parse(json!({"clientId": "c", "type": "document_check", "documentId": "d"}));
        assert_eq!(ok.expect("valid").links.document_id.as_deref(), Some("d"));
    }

    #[test]
    fn unknown_types_and_options_are_named() {
        let e = parse(json!({"clientId": "c", "type": "eid_check"})).unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("type"));
        let e = parse(json!({"clientId": "c", "type": "standard_screening_check",
            "options": {"minimumPermittedAge": 18}}))
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("options.minimumPermittedAge"));
        let e = parse(
            json!({"clientId": "c", "type": "document_check", "documentId": "d",
            "options": {"minimumPermittedAge": "18"}}),
        )
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("options.minimumPermittedAge"));
        let e = parse(json!({"clientId": "c", "type": "standard_screening_check",
            "options": {"screeningClassification": ["pepLevel9"]}}))
        .unwrap_err();
        assert_eq!(
            param_of(e).as_deref(),
            Some("options.screeningClassification")
        );
    }

    #[test]
    fn monitoring_is_for_screening_only() {
        let e = parse(
            json!({"clientId": "c", "type": "document_check", "documentId": "d",
            "enableMonitoring": true}),
        )
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("enableMonitoring"));
        let ok = parse(json!({"clientId": "c", "type": "extensive_screening_check",
            "enableMonitoring": true, "options": {"screeningNameSearchMode": "precise",
            "screeningListsScope": {"mode": "exclude", "lists": ["UN Consolidated"]}}}))
        .expect("valid");
        let body = ok.body(Some(&json!("Ada Lovelace")));
        assert_eq!(body["enableMonitoring"], json!(true));
        assert_eq!(body["status"], json!("pending"));
        assert_eq!(
            body["options"]["screeningListsScope"]["mode"],
            json!("exclude")
        );
    }

    #[test]
    fn links_a_type_does_not_use_are_refused() {
        let e = parse(json!({"clientId": "c", "type": "standard_screening_check",
            "documentId": "d"}))
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("documentId"));
        let ok = parse(json!({"clientId": "c", "type": "proof_of_address_check",
            "documentId": "d", "addressId": "a"}));
        assert!(ok.is_ok(), "proof of address takes an optional address");
    }
}
