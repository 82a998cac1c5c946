//! Screening results (checks-and-more.md §2.3): a summary of twenty categories and the potential
//! matches, each with where it was found and, from the live engine, why it matched.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::outcome::{DateParts, Verdict};

/// `breakdown` of `standard_screening_check` and `extensive_screening_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScreeningBreakdown {
    pub summary: ScreeningSummary,
    pub matches: Vec<ScreeningMatch>,
    /// The lists screened, with their versions (live checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screened_lists: Option<Vec<ScreenedList>>,
    /// `fuzzy` or `precise` (live checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_mode: Option<String>,
    /// The lowest score reported (live checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

/// Every summary category with its `screeningClassification` name, in output order.
pub const CLASSIFICATIONS: [&str; 20] = [
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

/// Whether a check type covers a classification: standard checks leave out other exclusion
/// lists, adverse media and the "other lists" group.
pub fn covered_by(extensive: bool, classification: &str) -> bool {
    extensive
        || classification.starts_with("pep")
        || (classification.starts_with("watchlist")
            && classification != "watchlistOtherExclusionLists")
}

/// `breakdown.summary`: four groups of per-category verdicts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScreeningSummary {
    pub pep: PepSummary,
    pub watchlist: WatchlistSummary,
    pub adverse_media: AdverseMediaSummary,
    pub other_lists: OtherListsSummary,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PepSummary {
    pub level1: Verdict,
    pub level2: Verdict,
    pub level3: Verdict,
    pub level4: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WatchlistSummary {
    pub sanctions_lists: Verdict,
    pub other_official_lists: Verdict,
    pub war_crimes: Verdict,
    pub terror: Verdict,
    pub other_exclusion_lists: Verdict,
    pub sanctions_control_and_ownership: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdverseMediaSummary {
    pub environment_production: Verdict,
    pub social_labour: Verdict,
    pub competitive_financial: Verdict,
    pub regulatory: Verdict,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OtherListsSummary {
    pub associated_entity: Verdict,
    pub organised_crime: Verdict,
    pub financial_crime: Verdict,
    pub tax_crime: Verdict,
    pub corruption: Verdict,
    pub trafficking: Verdict,
}

impl ScreeningSummary {
    /// Every category's verdict with its classification name, in [`CLASSIFICATIONS`] order.
    pub fn verdicts_mut(&mut self) -> [(&'static str, &mut Verdict); 20] {
        let (p, w, a, o) = (
            &mut self.pep,
            &mut self.watchlist,
            &mut self.adverse_media,
            &mut self.other_lists,
        );
        let fields = [
            &mut p.level1,
            &mut p.level2,
            &mut p.level3,
            &mut p.level4,
            &mut w.sanctions_lists,
            &mut w.other_official_lists,
            &mut w.war_crimes,
            &mut w.terror,
            &mut w.other_exclusion_lists,
            &mut w.sanctions_control_and_ownership,
            &mut a.environment_production,
            &mut a.social_labour,
            &mut a.competitive_financial,
            &mut a.regulatory,
            &mut o.associated_entity,
            &mut o.organised_crime,
            &mut o.financial_crime,
            &mut o.tax_crime,
            &mut o.corruption,
            &mut o.trafficking,
        ];
        let mut names = CLASSIFICATIONS.into_iter();
        fields.map(|v| (names.next().unwrap_or_default(), v))
    }

    /// Marks a screened category as flagged by a match (`attention`); a category that was not
    /// screened stays `not_processed`.
    pub fn flag(&mut self, classification: &str) {
        for (class, verdict) in self.verdicts_mut() {
            if class == classification && *verdict != Verdict::NotProcessed {
                *verdict = Verdict::Attention;
            }
        }
    }

    /// The summary of a screening: `not_processed` where a category was not screened,
    /// `attention` where a match carries it, `clear` otherwise.
    pub fn graded(processed: impl Fn(&str) -> bool, flagged: impl Fn(&str) -> bool) -> Self {
        let mut summary = ScreeningSummary::default();
        for (class, verdict) in summary.verdicts_mut() {
            *verdict = if !processed(class) {
                Verdict::NotProcessed
            } else {
                Verdict::passed(!flagged(class))
            };
        }
        summary
    }
}

/// One potential match (`breakdown.matches[]`); `id` is the `matchId` validation takes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScreeningMatch {
    pub id: String,
    /// The list entry's own id (`<source>:<native id>`), by which a rejection is remembered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// `person` or `company`.
    pub entity_type: String,
    /// `vessel` or `aircraft`, for listed things that are neither a person nor an organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_kind: Option<String>,
    /// 0–100.
    pub score: u32,
    pub names: Vec<MatchName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deceased: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<CountryEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<DateEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub images: Option<Vec<Value>>,
    /// Sanctions programmes the entry is listed under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programmes: Option<Vec<String>>,
    pub sources: Vec<MatchSource>,
    /// Every classification of the entry that was screened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classifications: Option<Vec<String>>,
    /// A short hash of the entry's content: a rejected match is raised again once it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_hash: Option<String>,
    /// The engine's account of why the names matched (tokens paired, qualifiers applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub explanation: Option<Value>,
    /// The reviewer's decision on this match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<super::Validation>,
    /// Set by ongoing monitoring: why this match appeared (or changed, or its entry left the
    /// list) after the check completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MatchMonitoring>,
}

/// A match's "why now": the list import that added, changed or removed its entry after the
/// check completed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MatchMonitoring {
    /// `added`, `changed` or `removed`: what the import did to the entry.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub change: crate::screening_lists::EntityChange,
    /// When monitoring found it.
    pub detected_at: String,
    /// The list and the version that brought the change.
    pub list: String,
    pub list_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_list_version: Option<String>,
    /// The list's delta (`GET /v1/screeningLists/{list}/deltas/{seq}`).
    pub delta_seq: i64,
    /// For a changed entry, the parts of its record that changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_fields: Vec<String>,
    /// For a changed entry, its content hash before (a rejected match's `entityHash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_entity_hash: Option<String>,
}

impl MatchMonitoring {
    /// The "why now" of a delta's entry, found at `at`.
    pub fn of(
        entity: &crate::screening_lists::DeltaEntity,
        delta: &crate::screening_lists::ListDelta,
        at: &str,
    ) -> Self {
        MatchMonitoring {
            change: entity.change,
            detected_at: at.to_owned(),
            list: delta.list_name.clone(),
            list_version: delta.version.clone(),
            previous_list_version: delta.previous_version.clone(),
            delta_seq: delta.seq,
            changed_fields: entity.fields.clone(),
            previous_entity_hash: entity.hash_before.clone(),
        }
    }
}

/// A listed name: `primary` or `alias`, split into parts for persons.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MatchName {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The name as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
}

/// `{type, country}`, e.g. `Citizenship` / `GB`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountryEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub country: String,
}

/// `{type, date}`, e.g. `Date of Birth`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub date: DateParts,
}

/// The list a match was found on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MatchSource {
    pub list: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
}

/// A list a live screening searched: an official list with its version, or a custom list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenedList {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The publisher's date of that version (`YYYY-MM-DD`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<bool>,
}
