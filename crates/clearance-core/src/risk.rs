//! The client risk profile (core.md §16): the documented sandbox triggers for test keys, and a
//! deterministic model over the vendored country table and the client's screening results for
//! live keys.

mod sources;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::checks::result::{Breakdown, CheckResult, Outcome, Verdict};
use crate::resources::address::Address;
use crate::resources::client::Client;
use crate::time::format_timestamp;
use sources::CountryRow;

/// Which model computes the profile: the documented triggers (test keys) or the live model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiskMode {
    Sandbox,
    Live,
}

/// A completed screening check of the client, as evidence for the PEP and watchlist components.
#[derive(Clone, Copy, Debug)]
pub struct ScreeningEvidence<'a> {
    pub check_id: &'a str,
    /// The check's result.
    pub result: &'a CheckResult,
    /// When the check completed (epoch milliseconds); the most recent evidence counts.
    pub completed_at: i64,
}

wire_enum! {
    /// A risk level; the order is the severity, so the overall level is a maximum.
    #[derive(PartialOrd, Ord)]
    pub enum Level {
        NotSet = "not_set",
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

/// A client's risk profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RiskProfile {
    /// `low`, `medium`, `high` or `not_set`.
    pub overall: Level,
    pub country_risk: CountryRisk,
    pub political_exposure_risk: RiskComponent,
    pub occupation_risk: RiskComponent,
    pub watchlist_risk: RiskComponent,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
}

/// One component of a risk profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RiskComponent {
    /// `low`, `medium`, `high` or `not_set`.
    pub risk: Level,
    /// The screening check the level comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_id: Option<String>,
}

/// The country component of a risk profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountryRisk {
    pub risk: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Vec<CountryRiskSource>>,
}

/// One source of a country's risk level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CountryRiskSource {
    pub source: String,
    pub normalised_risk_score: Level,
}

/// Builds the risk profile: `overall`, `countryRisk`, `politicalExposureRisk`,
/// `occupationRisk`, `watchlistRisk` (each at least `{"risk": "not_set"}`) and `updatedAt`.
///
/// **Live.** What drives each level:
/// - `countryRisk`: the riskiest of the client's countries (nationality, birth country,
///   incorporation country, then each address country; the first wins a tie). Its level is the
///   table's `suggested_level` (rule in `data/country_risk.README.md`); `country` is that
///   country; `breakdown` scores each source the table records (FATF, the EU high-risk
///   third-country list, UN, OFAC, EU and UK sanctions) with the level that source alone yields
///   under the same rule, so no entry exceeds `risk`. Unknown codes (e.g. `XK`) are skipped.
/// - `politicalExposureRisk` and `watchlistRisk`: the most recent screening whose outcome is
///   `clear`, `attention` or `match_confirmed`, named by `checkId`. PEP: `pep.level1` flagged →
///   high; `level2` → high when the outcome is `match_confirmed`, else medium; `level3`/`level4`
///   → medium; screened and nothing flagged → low. Watchlist: any `watchlist.*` flagged → high;
///   any `adverseMedia.*` or `otherLists.*` flagged → medium; screened and nothing flagged →
///   low. An outcome of `clear` (every match rejected in validation) counts as nothing flagged.
///   A group with every key `not_processed` leaves its component `not_set`.
/// - `occupationRisk`: clients carry no occupation in API v1.7.x, so it is always `not_set`.
/// - `overall`: the highest component, `not_set` when none is set.
///
/// **Sandbox** (checks-and-more.md §7): with an address, nationality, birth country or
/// incorporation country, `overall` is `low`, or `medium` / `high` with the person's middle name
/// `medium-risk` / `high-risk` (case-insensitive); without one of those, everything is
/// `not_set`. `countryRisk` then carries the same level for the client's first country, with
/// that country's real breakdown; the PEP and watchlist components are computed as in live mode
/// and capped at the triggered level, so `overall` stays the documented one.
pub fn risk_profile(
    mode: RiskMode,
    client: &Client,
    addresses: &[Address],
    screenings: &[ScreeningEvidence<'_>],
    updated_at_ms: i64,
) -> RiskProfile {
    let countries = countries(client, addresses);
    let evidence = latest(screenings);
    let pep = evidence.map_or(Level::NotSet, |e| pep_level(e.result));
    let watchlist = evidence.map_or(Level::NotSet, |e| watchlist_level(e.result));
    let (country, pep, watchlist) = match mode {
        RiskMode::Live => (riskiest(&countries), pep, watchlist),
        RiskMode::Sandbox => {
            let level = if countries.is_empty() {
                Level::NotSet
            } else {
                sandbox_level(client)
            };
            let country = countries
                .first()
                .map(|c| (level, *c, CountryRow::of(c)))
                .filter(|_| level != Level::NotSet);
            (country, pep.min(level), watchlist.min(level))
        }
    };
    let country_level = country
        .as_ref()
        .map_or(Level::NotSet, |(level, _, _)| *level);
    let overall = country_level.max(pep).max(watchlist);
    let check_id = evidence.map(|e| e.check_id);
    RiskProfile {
        overall,
        country_risk: match country {
            Some((level, code, row)) => CountryRisk {
                risk: level,
                country: Some(code.to_string()),
                breakdown: Some(row.map_or_else(Vec::new, |r| r.breakdown())),
            },
            None => CountryRisk {
                risk: Level::NotSet,
                country: None,
                breakdown: None,
            },
        },
        political_exposure_risk: component(pep, check_id),
        // Clients have no occupation field in API v1.7.x: nothing to assess.
        occupation_risk: component(Level::NotSet, None),
        watchlist_risk: component(watchlist, check_id),
        updated_at: format_timestamp(updated_at_ms),
    }
}

fn component(level: Level, check_id: Option<&str>) -> RiskComponent {
    match (level, check_id) {
        (Level::NotSet, _) | (_, None) => RiskComponent {
            risk: Level::NotSet,
            check_id: None,
        },
        (level, Some(id)) => RiskComponent {
            risk: level,
            check_id: Some(id.to_string()),
        },
    }
}

/// The client's countries in order: nationality, birth country, incorporation country, then
/// each address country.
fn countries<'a>(client: &'a Client, addresses: &'a [Address]) -> Vec<&'a str> {
    let person = client.person_details.as_ref();
    let company = client.company_details.as_ref();
    [
        person.and_then(|p| p.nationality.as_deref()),
        person.and_then(|p| p.birth_country.as_deref()),
        company.and_then(|c| c.incorporation_country.as_deref()),
    ]
    .into_iter()
    .flatten()
    .chain(addresses.iter().map(|a| a.country.as_str()))
    .filter(|c| !c.is_empty())
    .collect()
}

/// The documented middle-name trigger: `medium-risk`, `high-risk`, otherwise low.
fn sandbox_level(client: &Client) -> Level {
    let middle = client
        .person_details
        .as_ref()
        .and_then(|p| p.middle_name.as_deref())
        .map(|m| m.trim().to_lowercase());
    match middle.as_deref() {
        Some("high-risk") => Level::High,
        Some("medium-risk") => Level::Medium,
        _ => Level::Low,
    }
}

/// The riskiest known country (the first one on a tie).
fn riskiest<'a>(countries: &[&'a str]) -> Option<(Level, &'a str, Option<CountryRow>)> {
    let mut best: Option<(Level, &str, Option<CountryRow>)> = None;
    for code in countries {
        if let Some(row) = CountryRow::of(code)
            && best.as_ref().is_none_or(|(level, _, _)| row.level > *level)
        {
            best = Some((row.level, code, Some(row)));
        }
    }
    best
}

/// The most recent screening with a usable outcome (ties go to the greater check id).
fn latest<'a, 'b>(screenings: &'b [ScreeningEvidence<'a>]) -> Option<&'b ScreeningEvidence<'a>> {
    screenings
        .iter()
        .filter(|e| {
            matches!(
                e.result.outcome,
                Outcome::Clear | Outcome::Attention | Outcome::MatchConfirmed
            )
        })
        .max_by_key(|e| (e.completed_at, e.check_id))
}

/// Whether any category whose classification starts with one of `groups` was screened, and
/// which were flagged (none when the outcome is `clear`, i.e. every match was rejected).
fn flags(result: &CheckResult, groups: &[&str]) -> (bool, Vec<&'static str>) {
    let Breakdown::Screening(b) = &result.breakdown else {
        return (false, Vec::new());
    };
    let mut summary = b.summary.clone();
    let values: Vec<(&'static str, Verdict)> = summary
        .verdicts_mut()
        .into_iter()
        .filter(|(class, _)| groups.iter().any(|g| class.starts_with(g)))
        .map(|(class, v)| (class, *v))
        .collect();
    let screened = values.iter().any(|(_, v)| *v != Verdict::NotProcessed);
    let flagged = if result.outcome == Outcome::Clear {
        Vec::new()
    } else {
        values
            .iter()
            .filter(|(_, v)| *v == Verdict::Attention)
            .map(|(class, _)| *class)
            .collect()
    };
    (screened, flagged)
}

fn pep_level(result: &CheckResult) -> Level {
    let (screened, flagged) = flags(result, &["pep"]);
    let confirmed = result.outcome == Outcome::MatchConfirmed;
    if flagged.contains(&"pepLevel1") || (confirmed && flagged.contains(&"pepLevel2")) {
        Level::High
    } else if !flagged.is_empty() {
        Level::Medium
    } else if screened {
        Level::Low
    } else {
        Level::NotSet
    }
}

fn watchlist_level(result: &CheckResult) -> Level {
    let (listed, sanctions) = flags(result, &["watchlist"]);
    let (other, media) = flags(result, &["adverseMedia", "otherLists"]);
    if !sanctions.is_empty() {
        Level::High
    } else if !media.is_empty() {
        Level::Medium
    } else if listed || other {
        Level::Low
    } else {
        Level::NotSet
    }
}
