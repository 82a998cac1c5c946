//! Changes to a finished check: turning monitoring on or off, manual validation of its outcome,
//! and redaction of extracted personal data.

mod requests;

use serde_json::{Map, Value};

pub use requests::{CheckRedact, CheckUpdate, CheckValidate, ValidationOutcome};

use super::check::{Check, CheckStatus};
use super::result::{Breakdown, Outcome, ScreeningMatch, Validation};
use crate::error::{CoreError, Result};

/// Refuses changes to a check that has not completed yet.
fn require_complete(check: &Check) -> Result<()> {
    match check.status {
        CheckStatus::Complete => Ok(()),
        CheckStatus::Pending => Err(CoreError::Unprocessable {
            code: "pending_check_unmodifiable",
            message: "The check is still pending; it can be changed once it is complete".into(),
        }),
        CheckStatus::Failed => Err(CoreError::Unprocessable {
            code: "invalid_check_update",
            message: "The check failed and has no result to change".into(),
        }),
    }
}

/// `POST /v1/checks/:id`: only `enableMonitoring`, only on completed screening checks.
pub fn update(check: &Check, input: &Map<String, Value>) -> Result<Check> {
    if !check.check_type.is_screening() {
        return Err(CoreError::Unprocessable {
            code: "invalid_check_update",
            message: format!(
                "A {} cannot be updated; only screening checks can",
                check.check_type.as_str()
            ),
        });
    }
    require_complete(check)?;
    let update = CheckUpdate::read(input)?;
    Ok(Check {
        enable_monitoring: update.enable_monitoring,
        ..check.clone()
    })
}

/// What a validation did: the updated check and the outcome to answer with.
pub struct Validated {
    pub check: Check,
    pub outcome: ValidationOutcome,
}

/// `POST /v1/checks/:id/validate`. Screening checks are validated one match at a time: every
/// match rejected → `clear`, any confirmed → `match_confirmed`, otherwise `attention`. Other
/// checks: `confirmed` → `clear`, `rejected` → `rejected`, `attention` → `attention`.
pub fn validate(
    check: &Check,
    input: &Map<String, Value>,
    validated_at: &str,
) -> Result<Validated> {
    require_complete(check)?;
    let request = CheckValidate::read(check.check_type, input)?;
    let record = Validation {
        outcome: request.outcome.clone(),
        comment: request.comment,
        validated_at: validated_at.to_string(),
        rejection_reasons: request.rejection_reasons,
        user_supplied_data: request.user_supplied_data,
    };
    let mut check = check.clone();
    let Some(result) = check.result.as_mut() else {
        return Err(CoreError::Unprocessable {
            code: "invalid_check_update",
            message: "The check has no result to validate".into(),
        });
    };
    if let Breakdown::Screening(breakdown) = &mut result.breakdown {
        let matches = &mut breakdown.matches;
        let Some(found) = matches
            .iter_mut()
            .find(|m| Some(&m.id) == request.match_id.as_ref())
        else {
            return Err(CoreError::invalid("matchId", "'matchId' is invalid"));
        };
        found.validation = Some(record);
        result.outcome = screening_outcome(matches);
    } else {
        result.outcome = match request.outcome.as_str() {
            "confirmed" => Outcome::Clear,
            "rejected" => Outcome::Rejected,
            _ => Outcome::Attention,
        };
        result.validation = Some(record);
    }
    Ok(Validated {
        check,
        outcome: ValidationOutcome {
            outcome: request.outcome,
        },
    })
}

/// A screening's outcome from its matches' decisions: any confirmed → `match_confirmed`, every
/// one rejected → `clear`, otherwise (one still undecided) `attention`.
pub fn screening_outcome(matches: &[ScreeningMatch]) -> Outcome {
    let states: Vec<Option<&str>> = matches
        .iter()
        .map(|m| m.validation.as_ref().map(|v| v.outcome.as_str()))
        .collect();
    if states.contains(&Some("confirmed")) {
        Outcome::MatchConfirmed
    } else if states.iter().all(|s| *s == Some("rejected")) {
        if states.is_empty() {
            Outcome::Attention
        } else {
            Outcome::Clear
        }
    } else {
        Outcome::Attention
    }
}

/// `POST /v1/checks/:id/redact`: removes extracted attributes and images from a completed
/// document check's result for good.
pub fn redact(check: &Check, input: &Map<String, Value>) -> Result<Check> {
    if check.check_type != super::CheckType::Document {
        return Err(CoreError::invalid_request(format!(
            "Only a document_check can be redacted, not a {}",
            check.check_type.as_str()
        )));
    }
    require_complete(check)?;
    let request = CheckRedact::read(input)?;
    let mut check = check.clone();
    if let Some(result) = check.result.as_mut()
        && let Breakdown::Document(breakdown) = &mut result.breakdown
    {
        for attribute in request.attributes.iter().flatten() {
            breakdown.extracted_data.redact(attribute);
        }
        // Clearance keeps no crops beyond the uploaded sides, so any image redaction empties
        // the extracted images list.
        if request.images.is_some_and(|i| !i.is_empty()) {
            breakdown.extracted_images.clear();
        }
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::CheckType;
    use crate::checks::result::{
        CheckResult, DocumentBreakdown, DocumentExtractedData, HolderDetails, MrzDetails,
        ScreeningBreakdown, ScreeningMatch,
    };

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().expect("object").clone()
    }

    fn check(check_type: CheckType, status: CheckStatus, breakdown: Breakdown) -> Check {
        let mut check: Check = serde_json::from_value(json!({
            "clientId": "c", "type": check_type, "status": "pending",
        }))
        .expect("a check");
        check.status = status;
        check.result = Some(CheckResult::new(Outcome::Attention, breakdown));
        check
    }

    fn screening(status: CheckStatus) -> Check {
        let m = |id: &str| ScreeningMatch {
            id: id.into(),
            ..ScreeningMatch::default()
        };
        let breakdown = ScreeningBreakdown {
            matches: vec![m("m1"), m("m2")],
            ..ScreeningBreakdown::default()
        };
        check(
            CheckType::StandardScreening,
            status,
            Breakdown::Screening(breakdown),
        )
    }

    fn outcome(c: &Check) -> Outcome {
        c.result.as_ref().expect("a result").outcome
    }

    #[test]
    fn rejecting_every_match_clears_the_check() {
        let once = validate(
            &screening(CheckStatus::Complete),
            &obj(json!({"outcome": "rejected", "matchId": "m1"})),
            "now",
        )
        .expect("valid");
        assert_eq!(outcome(&once.check), Outcome::Attention);
        let twice = validate(
            &once.check,
            &obj(json!({"outcome": "rejected", "matchId": "m2"})),
            "now",
        )
        .expect("valid");
        assert_eq!(outcome(&twice.check), Outcome::Clear);
        assert_eq!(twice.outcome.outcome, "rejected");
        let confirmed = validate(
            &twice.check,
            &obj(json!({"outcome": "confirmed", "matchId": "m2"})),
            "now",
        )
        .expect("valid");
        assert_eq!(outcome(&confirmed.check), Outcome::MatchConfirmed);
        let stored = serde_json::to_value(&confirmed.check).expect("serialises");
        assert_eq!(
            stored["result"]["breakdown"]["matches"][1]["validation"],
            json!({"outcome": "confirmed", "validatedAt": "now"})
        );
    }

    #[test]
    fn unknown_matches_and_pending_checks_are_refused() {
        let e = validate(
            &screening(CheckStatus::Complete),
            &obj(json!({"outcome": "rejected", "matchId": "zz"})),
            "now",
        );
        assert!(matches!(e, Err(CoreError::Invalid { param: Some(p), .. }) if p == "matchId"));
        let e = validate(
            &screening(CheckStatus::Pending),
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
        let document = check(
            CheckType::Document,
            CheckStatus::Complete,
            Breakdown::Document(Box::default()),
        );
        let e = update(&document, &obj(json!({"enableMonitoring": true})));
        assert!(matches!(
            e,
            Err(CoreError::Unprocessable {
                code: "invalid_check_update",
                ..
            })
        ));
        let e = update(
            &screening(CheckStatus::Pending),
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
        let breakdown = DocumentBreakdown {
            extracted_data: DocumentExtractedData {
                mrz_details: Some(MrzDetails {
                    line1: Some("P<".into()),
                    ..MrzDetails::default()
                }),
                holder_details: Some(HolderDetails {
                    first_name: Some(vec!["ADA".into()]),
                    dob: Some(crate::checks::result::DateParts::ymd(1990, 1, 2)),
                    ..HolderDetails::default()
                }),
                ..DocumentExtractedData::default()
            },
            extracted_images: vec![json!({"type": "face"})],
            ..DocumentBreakdown::default()
        };
        let body = check(
            CheckType::Document,
            CheckStatus::Complete,
            Breakdown::Document(Box::new(breakdown)),
        );
        let v = validate(
            &body,
            &obj(json!({"outcome": "rejected",
            "rejectionReasons": ["document_is_specimen"]})),
            "now",
        )
        .expect("valid");
        assert_eq!(outcome(&v.check), Outcome::Rejected);
        let redacted = redact(
            &v.check,
            &obj(json!({"attributes": ["dob", "mrz"], "images": ["face"]})),
        )
        .expect("valid");
        let redacted = serde_json::to_value(&redacted).expect("serialises");
        let extracted = &redacted["result"]["breakdown"]["extractedData"];
        assert!(extracted["holderDetails"].get("dob").is_none());
        assert!(extracted.get("mrzDetails").is_none());
        assert_eq!(extracted["holderDetails"]["firstName"], json!(["ADA"]));
        assert_eq!(
            redacted["result"]["breakdown"]["extractedImages"],
            json!([])
        );
        assert_eq!(
            redacted["result"]["validation"]["rejectionReasons"],
            json!(["document_is_specimen"])
        );
        let e = redact(&body, &obj(json!({"attributes": ["shoeSize"]})));
        assert!(e.is_err());
    }
}
