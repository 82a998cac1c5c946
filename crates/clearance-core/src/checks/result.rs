//! The `result` of a completed check: the outcome and one typed breakdown per check type.
//!
//! The sandbox simulator and the live engines build these same types, so test and live mode
//! answer with one shape and cannot drift apart; the OpenAPI document is derived from them too.
//! Optional fields are left out of the JSON when absent, as the wire convention asks.

mod document;
mod face;
mod outcome;
mod residence;
mod screening;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::CheckType;

pub use document::{
    ClientValidation, ConsistencyAnalysis, ContentAnalysis, DocumentBreakdown, DocumentDetails,
    DocumentExtractedData, ForensicAnalysis, FormatAnalysis, FrontAndBackAnalysis, HolderDetails,
    MrzAnalysis, MrzDetails, NotProcessedReason,
};
pub use face::{
    AgeEstimationAnalysis, AgeEstimationBreakdown, AgeRange, EngineInfo, EnhancedIdentityBreakdown,
    EnrolledFaces, FaceAnalysis, FaceAuthentication, FaceAuthenticationBreakdown,
    FaceAuthenticationDetails, FaceMatched, FaceSimilarity, IdentityBreakdown, ImageAuthenticity,
    IntegrityAnalysis, LivenessAnalysis, LivenessScore, ModelFile, PhotoAuthenticity,
    VideoFaceAnalysis,
};
pub use outcome::{DateParts, Outcome, Verdict};
pub use residence::{
    AddressDetails, BureauAttribute, BureauExchange, BureauSources, GeolocationAnalysis, LatLong,
    MultiBureauBreakdown, PoaClientValidation, PoaContentAnalysis, PoaDocumentDetails,
    PoaExtractedData, PoaHolderDetails, ProofOfAddressBreakdown, StructuredAddress,
};
pub use screening::{
    AdverseMediaSummary, CLASSIFICATIONS, CountryEntry, DateEntry, MatchMonitoring, MatchName,
    MatchSource, OtherListsSummary, PepSummary, ScreenedList, ScreeningBreakdown, ScreeningMatch,
    ScreeningSummary, WatchlistSummary, covered_by,
};

/// A check's `result`: `{outcome, breakdown}`, plus the reviewer's decision once validated.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// `clear`, `attention`, `not_processed`, and after validation `rejected` or
    /// `match_confirmed`.
    pub outcome: Outcome,
    pub breakdown: Breakdown,
    /// The manual validation of a check other than a screening (screening matches carry their
    /// own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

/// The per-type breakdown; which variant a stored result holds follows from the check's type.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Breakdown {
    Screening(ScreeningBreakdown),
    Document(Box<DocumentBreakdown>),
    Identity(IdentityBreakdown),
    EnhancedIdentity(EnhancedIdentityBreakdown),
    ProofOfAddress(Box<ProofOfAddressBreakdown>),
    MultiBureau(MultiBureauBreakdown),
    FaceAuthentication(FaceAuthenticationBreakdown),
    AgeEstimation(AgeEstimationBreakdown),
}

/// A reviewer's decision on a whole check or on one screening match
/// (`POST /v1/checks/:id/validate`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// `confirmed`, `rejected` or `attention`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub validated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reasons: Option<Vec<String>>,
    /// Data the reviewer supplied, kept next to (not over) the extracted data.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub user_supplied_data: Option<Map<String, Value>>,
}

/// How a stored result is read back: the breakdown's shape follows from the check type.
#[derive(Deserialize)]
struct StoredResult {
    outcome: Outcome,
    breakdown: Value,
    #[serde(default)]
    validation: Option<Validation>,
}

impl CheckResult {
    /// A result with no validation yet.
    pub fn new(outcome: Outcome, breakdown: Breakdown) -> Self {
        CheckResult {
            outcome,
            breakdown,
            validation: None,
        }
    }

    /// Reads a stored `result` of a check of `check_type`.
    pub fn from_value(check_type: CheckType, value: Value) -> serde_json::Result<Self> {
        let stored: StoredResult = serde_json::from_value(value)?;
        let b = stored.breakdown;
        let breakdown = match check_type {
            CheckType::StandardScreening | CheckType::ExtensiveScreening => {
                Breakdown::Screening(serde_json::from_value(b)?)
            }
            CheckType::Document => Breakdown::Document(serde_json::from_value(b)?),
            CheckType::Identity => Breakdown::Identity(serde_json::from_value(b)?),
            CheckType::EnhancedIdentity => Breakdown::EnhancedIdentity(serde_json::from_value(b)?),
            CheckType::ProofOfAddress => Breakdown::ProofOfAddress(serde_json::from_value(b)?),
            CheckType::MultiBureau => Breakdown::MultiBureau(serde_json::from_value(b)?),
            CheckType::FaceAuthentication => {
                Breakdown::FaceAuthentication(serde_json::from_value(b)?)
            }
            CheckType::AgeEstimation => Breakdown::AgeEstimation(serde_json::from_value(b)?),
        };
        Ok(CheckResult {
            outcome: stored.outcome,
            breakdown,
            validation: stored.validation,
        })
    }

    /// The JSON value stored in the check's body.
    pub fn to_value(&self) -> Value {
        // Plain data with string keys: serialising it cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Breakdown {
    /// Every per-analysis value with its dotted path inside the breakdown (screening: the
    /// summary keyed by classification), in output order: what the sandbox grades and what
    /// outcomes are computed from.
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        match self {
            Breakdown::Screening(b) => b.summary.verdicts_mut().into(),
            Breakdown::Document(b) => b.verdicts_mut(),
            Breakdown::Identity(b) => b.verdicts_mut(),
            Breakdown::EnhancedIdentity(b) => b.verdicts_mut(),
            Breakdown::ProofOfAddress(b) => b.verdicts_mut(),
            Breakdown::MultiBureau(b) => b.verdicts_mut(),
            Breakdown::FaceAuthentication(b) => b.verdicts_mut(),
            Breakdown::AgeEstimation(b) => b.verdicts_mut(),
        }
    }
}
