//! Validating a check request: the type, the linked resources it names and its options.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::kinds::{CheckType, Link};
use super::result::CLASSIFICATIONS;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};

const ANALYSIS_COVERAGE: &[&str] = &[
    "consistency_analysis",
    "forensic_analysis",
    "content_analysis",
    "format_analysis",
    "front_back_analysis",
    "mrz_analysis",
];

/// Every `screeningClassification` value of checks-and-more.md §2.3.
pub const SCREENING_CLASSIFICATIONS: &[&str] = &CLASSIFICATIONS;

/// The resources a check links to, each checked against its type's rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Links {
    pub document_id: Option<String>,
    pub address_id: Option<String>,
    pub live_photo_id: Option<String>,
    pub live_video_id: Option<String>,
}

/// Body of `POST /v1/checks`, as validated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CheckCreate))]
#[serde(rename_all = "camelCase")]
pub struct CheckRequest {
    pub client_id: String,
    #[serde(rename = "type")]
    pub check_type: CheckType,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub links: Links,
    /// Screening checks only; default false.
    #[serde(default)]
    pub enable_monitoring: bool,
    pub client_consent: Option<bool>,
    /// Type-specific options; an option the type does not take is refused by name.
    pub options: Option<CheckOptions>,
}

/// A check's `options`, echoed back as given. Each check type accepts only its own (see
/// `allowed_options`), so at most one group is ever present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckOptions {
    /// Screening: which lists to search (`mode` `include` or `exclude`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_lists_scope: Option<ListsScope>,
    /// Screening: `fuzzy` (default) or `precise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_name_search_mode: Option<String>,
    /// Screening: the categories to report (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_classification: Option<Vec<String>>,
    /// Document: the analysis groups to run (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_coverage: Option<Vec<String>>,
    /// Document: the youngest accepted holder, in years (default 18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_permitted_age: Option<u32>,
    /// Document: compare the client's names with the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_data_validation: Option<bool>,
    /// Identity: compare with previously enrolled faces (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_enrolled_faces: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_specimen_matching: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_vpn_detection: Option<bool>,
    /// Multi-bureau: two attributes, each confirmed by two bureaus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_plus_two: Option<bool>,
}

/// `options.screeningListsScope`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListsScope {
    /// `include` (default) or `exclude`.
    pub mode: String,
    pub lists: Vec<String>,
}

impl ListsScope {
    /// Whether a screening under this scope searches the list `name`.
    pub fn allows(&self, name: &str) -> bool {
        let listed = self.lists.iter().any(|l| l == name);
        if self.mode == "exclude" {
            !listed
        } else {
            self.lists.is_empty() || listed
        }
    }
}

impl CheckOptions {
    /// A non-empty list option, or `None` (an empty list selects everything, as absence does).
    fn non_empty(list: &Option<Vec<String>>) -> Option<&[String]> {
        list.as_deref().filter(|l| !l.is_empty())
    }

    /// The screening categories asked for, when restricted.
    pub fn classifications(&self) -> Option<&[String]> {
        Self::non_empty(&self.screening_classification)
    }

    /// The document analysis groups asked for, when restricted.
    pub fn coverage(&self) -> Option<&[String]> {
        Self::non_empty(&self.analysis_coverage)
    }

    /// Whether the document analysis group `name` (`mrz_analysis`, …) runs.
    pub fn covers(&self, name: &str) -> bool {
        self.coverage().is_none_or(|c| c.iter().any(|g| g == name))
    }
}

/// Parses and validates a `POST /v1/checks` body.
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

pub(crate) fn parse_options(check_type: CheckType, r: &Reader<'_>) -> Result<CheckOptions> {
    let allowed = allowed_options(check_type);
    for key in r.keys() {
        if !allowed.contains(&key.as_str()) {
            let p = r.param(&key);
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' is not an option of a {}", check_type.as_str()),
            ));
        }
    }
    // Options of other types were refused above, so reading them all yields only this type's.
    Ok(CheckOptions {
        screening_lists_scope: lists_scope(r)?,
        screening_name_search_mode: r.opt_enum("screeningNameSearchMode", &["fuzzy", "precise"])?,
        screening_classification: string_set(
            r,
            "screeningClassification",
            SCREENING_CLASSIFICATIONS,
        )?,
        analysis_coverage: string_set(r, "analysisCoverage", ANALYSIS_COVERAGE)?,
        minimum_permitted_age: minimum_age(r)?,
        client_data_validation: r.opt_bool("clientDataValidation")?,
        enable_enrolled_faces: r.opt_bool("enableEnrolledFaces")?,
        enable_specimen_matching: r.opt_bool("enableSpecimenMatching")?,
        enable_vpn_detection: r.opt_bool("enableVpnDetection")?,
        two_plus_two: r.opt_bool("twoPlusTwo")?,
    })
}

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

fn minimum_age(r: &Reader<'_>) -> Result<Option<u32>> {
    let Some(value) = r.raw("minimumPermittedAge") else {
        return Ok(None);
    };
    let p = r.param("minimumPermittedAge");
    match value.as_u64().and_then(|a| u32::try_from(a).ok()) {
        Some(age) if (1..=120).contains(&age) => Ok(Some(age)),
        _ => Err(CoreError::invalid(
            &p,
            format!("'{p}' must be a whole number of years between 1 and 120"),
        )),
    }
}

fn lists_scope(r: &Reader<'_>) -> Result<Option<ListsScope>> {
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
    Ok(Some(ListsScope { mode, lists }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let check = crate::checks::Check::pending(ok, Some("Ada Lovelace".into()));
        let body = serde_json::to_value(&check).expect("serialises");
        assert_eq!(body["enableMonitoring"], json!(true));
        assert_eq!(body["status"], json!("pending"));
        assert_eq!(
            body["options"]["screeningListsScope"]["mode"],
            json!("exclude")
        );
        assert_eq!(
            body.as_object().expect("object").keys().collect::<Vec<_>>(),
            [
                "clientId",
                "entityName",
                "type",
                "enableMonitoring",
                "options",
                "status"
            ],
            "the stored order of today's bodies"
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
