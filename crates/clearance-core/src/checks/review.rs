//! Changes to a finished check: turning monitoring on or off, manual validation of its outcome,
//! and redaction of extracted personal data.

use serde_json::{Map, Value, json};

use super::kinds::CheckType;
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

fn status(body: &Map<String, Value>) -> &str {
    body.get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Refuses changes to a check that has not completed yet.
fn require_complete(body: &Map<String, Value>) -> Result<()> {
    match status(body) {
        "complete" => Ok(()),
        "pending" => Err(CoreError::Unprocessable {
            code: "pending_check_unmodifiable",
            message: "The check is still pending; it can be changed once it is complete".into(),
        }),
        _ => Err(CoreError::Unprocessable {
            code: "invalid_check_update",
            message: "The check failed and has no result to change".into(),
        }),
    }
}

/// `POST /v1/checks/:id`: only `enableMonitoring`, only on completed screening checks.
pub fn update(
    check_type: CheckType,
    body: &Map<String, Value>,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    if !check_type.is_screening() {
        return Err(CoreError::Unprocessable {
            code: "invalid_check_update",
            message: format!(
                "A {} cannot be updated; only screening checks can",
                check_type.as_str()
            ),
        });
    }
    require_complete(body)?;
    let r = Reader::new(input);
    if let Some(other) = r.keys().into_iter().find(|k| k != "enableMonitoring") {
        return Err(CoreError::invalid(
            &other,
            format!("'{other}' cannot be updated; only 'enableMonitoring' can"),
        ));
    }
    let monitoring = r
        .opt_bool("enableMonitoring")?
        .ok_or_else(|| r.missing("enableMonitoring"))?;
    let mut body = body.clone();
    body.insert("enableMonitoring".into(), json!(monitoring));
    Ok(body)
}

/// What a validation did: the updated body and the outcome to answer with.
pub struct Validated {
    pub body: Map<String, Value>,
    pub outcome: String,
}

/// `POST /v1/checks/:id/validate`. Screening checks are validated one match at a time: every
/// match rejected → `clear`, any confirmed → `match_confirmed`, otherwise `attention`. Other
/// checks: `confirmed` → `clear`, `rejected` → `rejected`, `attention` → `attention`.
pub fn validate(
    check_type: CheckType,
    body: &Map<String, Value>,
    input: &Map<String, Value>,
    validated_at: &str,
) -> Result<Validated> {
    require_complete(body)?;
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
    let mut record = Map::new();
    record.insert("outcome".into(), json!(outcome));
    if let Some(c) = &comment {
        record.insert("comment".into(), json!(c));
    }
    record.insert("validatedAt".into(), json!(validated_at));
    let mut body = body.clone();
    let Some(result) = body.get_mut("result").and_then(Value::as_object_mut) else {
        return Err(CoreError::Unprocessable {
            code: "invalid_check_update",
            message: "The check has no result to validate".into(),
        });
    };
    if check_type.is_screening() {
        let match_id = r.req_str("matchId", 255)?;
        let matches = result
            .get_mut("breakdown")
            .and_then(|b| b.get_mut("matches"))
            .and_then(Value::as_array_mut);
        let Some(matches) = matches else {
            return Err(CoreError::invalid("matchId", "'matchId' is invalid"));
        };
        let Some(found) = matches
            .iter_mut()
            .find(|m| m.get("id").and_then(Value::as_str) == Some(match_id.as_str()))
        else {
            return Err(CoreError::invalid("matchId", "'matchId' is invalid"));
        };
        if let Some(m) = found.as_object_mut() {
            m.insert("validation".into(), Value::Object(record));
        }
        let states: Vec<Option<&str>> = matches
            .iter()
            .map(|m| m.pointer("/validation/outcome").and_then(Value::as_str))
            .collect();
        let overall = if states.contains(&Some("confirmed")) {
            "match_confirmed"
        } else if !states.is_empty() && states.iter().all(|s| *s == Some("rejected")) {
            "clear"
        } else {
            "attention"
        };
        result.insert("outcome".into(), json!(overall));
    } else {
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
        if let Some(reasons) = r.raw("rejectionReasons") {
            let bad = || {
                CoreError::invalid(
                    "rejectionReasons",
                    format!(
                        "'rejectionReasons' must be an array of: {}",
                        REJECTION_REASONS.join(", ")
                    ),
                )
            };
            let list = reasons.as_array().ok_or_else(bad)?;
            if list
                .iter()
                .any(|v| !v.as_str().is_some_and(|s| REJECTION_REASONS.contains(&s)))
            {
                return Err(bad());
            }
            record.insert("rejectionReasons".into(), reasons.clone());
        }
        // Checked to be an object; kept as given, next to (not over) the extracted data.
        if r.opt_object("userSuppliedData")?.is_some()
            && let Some(v) = r.raw("userSuppliedData")
        {
            record.insert("userSuppliedData".into(), v.clone());
        }
        let overall = match outcome.as_str() {
            "confirmed" => "clear",
            "rejected" => "rejected",
            _ => "attention",
        };
        result.insert("outcome".into(), json!(overall));
        result.insert("validation".into(), Value::Object(record));
    }
    Ok(Validated { body, outcome })
}

/// `POST /v1/checks/:id/redact`: removes extracted attributes and images from a completed
/// document check's result for good.
pub fn redact(
    check_type: CheckType,
    body: &Map<String, Value>,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    if check_type != CheckType::Document {
        return Err(CoreError::invalid_request(format!(
            "Only a document_check can be redacted, not a {}",
            check_type.as_str()
        )));
    }
    require_complete(body)?;
    let r = Reader::new(input);
    let attributes = string_list(&r, "attributes", REDACTABLE_ATTRIBUTES)?;
    let images = string_list(&r, "images", REDACTABLE_IMAGES)?;
    if attributes.is_empty() && images.is_empty() {
        return Err(CoreError::invalid(
            "attributes",
            "'attributes' or 'images' must name something to redact",
        ));
    }
    let mut body = body.clone();
    if let Some(extracted) = body
        .get_mut("result")
        .and_then(|r| r.get_mut("breakdown"))
        .and_then(|b| b.get_mut("extractedData"))
        .and_then(Value::as_object_mut)
    {
        for attribute in &attributes {
            if attribute == "mrz" {
                extracted.remove("mrzDetails");
                continue;
            }
            for section in extracted.values_mut() {
                if let Some(section) = section.as_object_mut() {
                    section.remove(attribute.as_str());
                }
            }
        }
    }
    if !images.is_empty()
        && let Some(breakdown) = body
            .get_mut("result")
            .and_then(|r| r.get_mut("breakdown"))
            .and_then(Value::as_object_mut)
    {
        // Clearance keeps no crops beyond the uploaded sides, so any image redaction empties
        // the extracted images list.
        breakdown.insert("extractedImages".into(), json!([]));
    }
    Ok(body)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().expect("object").clone()
    }

    fn screening(status: &str) -> Map<String, Value> {
        obj(json!({"type": "standard_screening_check", "status": status,
            "result": {"outcome": "attention", "breakdown": {"matches": [{"id": "m1"}, {"id": "m2"}]}}}))
    }

    #[test]
    fn rejecting_every_match_clears_the_check() {
        let t = CheckType::StandardScreening;
        let body = screening("complete");
        let once = validate(
            t,
            &body,
            &obj(json!({"outcome": "rejected", "matchId": "m1"})),
            "now",
        )
        .expect("valid");
        assert_eq!(once.body["result"]["outcome"], json!("attention"));
        let twice = validate(
            t,
            &once.body,
            &obj(json!({"outcome": "rejected", "matchId": "m2"})),
            "now",
        )
        .expect("valid");
        assert_eq!(twice.body["result"]["outcome"], json!("clear"));
        assert_eq!(twice.outcome, "rejected");
        let confirmed = validate(
            t,
            &twice.body,
            &obj(json!({"outcome": "confirmed", "matchId": "m2"})),
            "now",
        )
        .expect("valid");
        assert_eq!(
            confirmed.body["result"]["outcome"],
            json!("match_confirmed")
        );
    }

    #[test]
    fn unknown_matches_and_pending_checks_are_refused() {
        let t = CheckType::StandardScreening;
        let e = validate(
            t,
            &screening("complete"),
            &obj(json!({"outcome": "rejected", "matchId": "zz"})),
            "now",
        );
        assert!(matches!(e, Err(CoreError::Invalid { param: Some(p), .. }) if p == "matchId"));
        let e = validate(
            t,
            &screening("pending"),
            &obj(json!({"outcome": "rejected", "matchId": "m1"})),
            "now",
        );
        assert!(matches!(
            e,
            Err(CoreError::Unprocessable {
                code: "pending_check_unmodifiable",
                ..
            })
        ));
        let e = update(
            CheckType::Document,
            &screening("complete"),
            &obj(json!({"enableMonitoring": true})),
        );
        assert!(matches!(
            e,
            Err(CoreError::Unprocessable {
                code: "invalid_check_update",
                ..
            })
        ));
        let e = update(
            t,
            &screening("pending"),
            &obj(json!({"enableMonitoring": true})),
        );
        assert!(matches!(
            e,
            Err(CoreError::Unprocessable {
                code: "pending_check_unmodifiable",
                ..
            })
        ));
    }

    #[test]
    fn document_validation_and_redaction() {
        let body = obj(
            json!({"status": "complete", "result": {"outcome": "attention", "breakdown": {
            "extractedData": {"holderDetails": {"firstName": ["ADA"], "dob": {"year": 1990}},
                              "mrzDetails": {"line1": "P<"}},
            "extractedImages": [{"type": "face"}]}}}),
        );
        let v = validate(
            CheckType::Document,
            &body,
            &obj(json!({"outcome": "rejected",
            "rejectionReasons": ["document_is_specimen"]})),
            "now",
        )
        .expect("valid");
        assert_eq!(v.body["result"]["outcome"], json!("rejected"));
        let redacted = redact(
            CheckType::Document,
            &v.body,
            &obj(json!({"attributes": ["dob", "mrz"], "images": ["face"]})),
        )
        .expect("valid");
        let extracted = &redacted["result"]["breakdown"]["extractedData"];
        assert!(extracted["holderDetails"].get("dob").is_none());
        assert!(extracted.get("mrzDetails").is_none());
        assert_eq!(extracted["holderDetails"]["firstName"], json!(["ADA"]));
        assert_eq!(
            redacted["result"]["breakdown"]["extractedImages"],
            json!([])
        );
        let e = redact(
            CheckType::Document,
            &body,
            &obj(json!({"attributes": ["shoeSize"]})),
        );
        assert!(e.is_err());
    }
}
