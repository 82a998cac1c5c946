//! The bodies of the review endpoints, read from untrusted JSON with the documented messages.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::checks::kinds::CheckType;
use crate::error::{CoreError, Result};
use crate::fields::Reader;

const VALIDATION_OUTCOMES: &[&str] = &["confirmed", "rejected", "attention", "pending"];
const REJECTION_REASONS: &[&str] = &[
    "document_appears_fake",
    "document_has_expired",
    "document_is_specimen",
    "document_is_blacklisted",
    "document_age_below_threshold",
    "document_misread",
];
const REDACTABLE_ATTRIBUTES: &[&str] = &[
    "address",
    "birthPlace",
    "dob",
    "documentDiscriminator",
    "documentNumber",
    "expirationDate",
    "firstName",
    "gender",
    "healthInsuranceNumber",
    "issuingAuthority",
    "issuingCountry",
    "issuingDate",
    "issuingPlace",
    "lastName",
    "mrz",
    "nationality",
    "personalNumber",
    "taxIdentificationNumber",
];
const REDACTABLE_IMAGES: &[&str] = &[
    "all",
    "face",
    "securityElements",
    "signature",
    "code",
    "fingerprint",
];
const MAX_COMMENT: usize = 4_000;

/// Body of `POST /v1/checks/{id}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckUpdate {
    pub enable_monitoring: bool,
}

impl CheckUpdate {
    /// Only `enableMonitoring` may be sent.
    pub fn read(input: &Map<String, Value>) -> Result<Self> {
        let r = Reader::new(input);
        if let Some(other) = r.keys().into_iter().find(|k| k != "enableMonitoring") {
            return Err(CoreError::invalid(
                &other,
                format!("'{other}' cannot be updated; only 'enableMonitoring' can"),
            ));
        }
        let enable_monitoring = r
            .opt_bool("enableMonitoring")?
            .ok_or_else(|| r.missing("enableMonitoring"))?;
        Ok(CheckUpdate { enable_monitoring })
    }
}

/// Body of `POST /v1/checks/{id}/validate`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckValidate {
    /// `confirmed`, `rejected` or `attention`.
    pub outcome: String,
    /// Required for screening checks: the match being decided.
    pub match_id: Option<String>,
    pub rejection_reasons: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub user_supplied_data: Option<Map<String, Value>>,
    pub comment: Option<String>,
}

impl CheckValidate {
    /// Reads a decision on a check of `check_type`: `matchId` only (and always) for screening,
    /// `rejectionReasons` and `userSuppliedData` only for a document check.
    pub fn read(check_type: CheckType, input: &Map<String, Value>) -> Result<Self> {
        let r = Reader::new(input);
        let given = r
            .opt_enum("outcome", VALIDATION_OUTCOMES)?
            .ok_or_else(|| r.missing("outcome"))?;
        // API v1.7.2 called `attention` `pending`.
        let outcome = if given == "pending" {
            "attention".to_string()
        } else {
            given
        };
        let comment = r.opt_str("comment", MAX_COMMENT)?;
        if check_type.is_screening() {
            return Ok(CheckValidate {
                outcome,
                match_id: Some(r.req_str("matchId", 255)?),
                rejection_reasons: None,
                user_supplied_data: None,
                comment,
            });
        }
        for key in ["rejectionReasons", "userSuppliedData"] {
            if r.raw(key).is_some() && check_type != CheckType::Document {
                return Err(CoreError::invalid(
                    key,
                    format!("'{key}' only applies to a document_check"),
                ));
            }
        }
        if r.raw("matchId").is_some() {
            return Err(CoreError::invalid(
                "matchId",
                "'matchId' only applies to screening checks",
            ));
        }
        let rejection_reasons = match r.raw("rejectionReasons") {
            Some(_) => Some(string_list(&r, "rejectionReasons", REJECTION_REASONS)?),
            None => None,
        };
        // Checked to be an object; kept as given, next to (not over) the extracted data.
        let user_supplied_data = match r.opt_object("userSuppliedData")? {
            Some(_) => r
                .raw("userSuppliedData")
                .and_then(Value::as_object)
                .cloned(),
            None => None,
        };
        Ok(CheckValidate {
            outcome,
            match_id: None,
            rejection_reasons,
            user_supplied_data,
            comment,
        })
    }
}

/// Answer of `POST /v1/checks/{id}/validate`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationOutcome {
    pub outcome: String,
}

/// Body of `POST /v1/checks/{id}/redact`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckRedact {
    pub attributes: Option<Vec<String>>,
    pub images: Option<Vec<String>>,
}

impl CheckRedact {
    /// Reads what to erase; at least one attribute or image kind must be named.
    pub fn read(input: &Map<String, Value>) -> Result<Self> {
        let r = Reader::new(input);
        let attributes = string_list(&r, "attributes", REDACTABLE_ATTRIBUTES)?;
        let images = string_list(&r, "images", REDACTABLE_IMAGES)?;
        if attributes.is_empty() && images.is_empty() {
            return Err(CoreError::invalid(
                "attributes",
                "'attributes' or 'images' must name something to redact",
            ));
        }
        Ok(CheckRedact {
            attributes: Some(attributes),
            images: Some(images),
        })
    }
}

fn string_list(r: &Reader<'_>, key: &str, allowed: &[&str]) -> Result<Vec<String>> {
    let Some(value) = r.raw(key) else {
        return Ok(Vec::new());
    };
    let bad = || {
        CoreError::invalid(
            key,
            format!("'{key}' must be an array of: {}", allowed.join(", ")),
        )
    };
    value
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| {
            v.as_str()
                .filter(|s| allowed.contains(s))
                .map(str::to_string)
                .ok_or_else(bad)
        })
        .collect()
}
