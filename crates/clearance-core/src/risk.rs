//! The client risk profile (core.md §16): the documented sandbox triggers for test keys, and a
//! deterministic model over the vendored country table and the client's screening results for
//! live keys.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use crate::time::format_timestamp;

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
    /// The check's `result` object (`{outcome, breakdown: {summary, matches}}`).
    pub result: &'a Value,
    /// When the check completed (epoch milliseconds); the most recent evidence counts.
    pub completed_at: i64,
}

/// A risk level; the order is the severity, so the overall level is a maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    NotSet,
    Low,
    Medium,
    High,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::NotSet => "not_set",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// Builds the `riskProfile` object: `overall`, `countryRisk`, `politicalExposureRisk`,
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
    client: &Map<String, Value>,
    addresses: &[&Map<String, Value>],
    screenings: &[ScreeningEvidence<'_>],
    updated_at_ms: i64,
) -> Value {
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
                .map(|c| (level, *c, TABLE.get(*c)))
                .filter(|_| level != Level::NotSet);
            (country, pep.min(level), watchlist.min(level))
        }
    };
    let country_level = country.map_or(Level::NotSet, |(level, _, _)| level);
    let overall = country_level.max(pep).max(watchlist);
    let check_id = evidence.map(|e| e.check_id);
    json!({
        "overall": overall.as_str(),
        "countryRisk": match country {
            Some((level, code, row)) => json!({
                "risk": level.as_str(),
                "country": code,
                "breakdown": row.map_or_else(Vec::new, CountryRow::breakdown),
            }),
            None => not_set(),
        },
        "politicalExposureRisk": component(pep, check_id),
        // Clients have no occupation field in API v1.7.x: nothing to assess.
        "occupationRisk": not_set(),
        "watchlistRisk": component(watchlist, check_id),
        "updatedAt": format_timestamp(updated_at_ms),
    })
}

fn not_set() -> Value {
    json!({ "risk": "not_set" })
}

fn component(level: Level, check_id: Option<&str>) -> Value {
    match (level, check_id) {
        (Level::NotSet, _) | (_, None) => not_set(),
        (level, Some(id)) => json!({ "risk": level.as_str(), "checkId": id }),
    }
}

/// The client's countries in order: nationality, birth country, incorporation country, then
/// each address country.
fn countries<'a>(
    client: &'a Map<String, Value>,
    addresses: &[&'a Map<String, Value>],
) -> Vec<&'a str> {
    let nested = |parent: &str, key: &str| {
        client
            .get(parent)
            .and_then(Value::as_object)
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
    };
    [
        nested("personDetails", "nationality"),
        nested("personDetails", "birthCountry"),
        nested("companyDetails", "incorporationCountry"),
    ]
    .into_iter()
    .chain(
        addresses
            .iter()
            .map(|a| a.get("country").and_then(Value::as_str)),
    )
    .flatten()
    .filter(|c| !c.is_empty())
    .collect()
}

/// The documented middle-name trigger: `medium-risk`, `high-risk`, otherwise low.
fn sandbox_level(client: &Map<String, Value>) -> Level {
    let middle = client
        .get("personDetails")
        .and_then(|d| d.get("middleName"))
        .and_then(Value::as_str)
        .map(|m| m.trim().to_lowercase());
    match middle.as_deref() {
        Some("high-risk") => Level::High,
        Some("medium-risk") => Level::Medium,
        _ => Level::Low,
    }
}

/// The riskiest known country (the first one on a tie).
fn riskiest<'a>(countries: &[&'a str]) -> Option<(Level, &'a str, Option<&'static CountryRow>)> {
    let mut best: Option<(Level, &str, Option<&CountryRow>)> = None;
    for code in countries {
        if let Some(row) = TABLE.get(*code)
            && best.is_none_or(|(level, _, _)| row.level > level)
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
        .filter(|e| matches!(outcome(e.result), "clear" | "attention" | "match_confirmed"))
        .max_by_key(|e| (e.completed_at, e.check_id))
}

fn outcome(result: &Value) -> &str {
    result.get("outcome").and_then(Value::as_str).unwrap_or("")
}

/// The values of one summary group of a screening result.
fn group<'a>(result: &'a Value, name: &str) -> Vec<(&'a str, &'a str)> {
    result
        .pointer(&format!("/breakdown/summary/{name}"))
        .and_then(Value::as_object)
        .map(|g| {
            g.iter()
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether any key of the groups was screened, and which were flagged (none when the outcome
/// is `clear`, i.e. every match was rejected).
fn flags<'a>(result: &'a Value, groups: &[&str]) -> (bool, Vec<&'a str>) {
    let values: Vec<_> = groups.iter().flat_map(|g| group(result, g)).collect();
    let screened = values
        .iter()
        .any(|(_, v)| matches!(*v, "clear" | "attention"));
    let flagged = if outcome(result) == "clear" {
        Vec::new()
    } else {
        values
            .iter()
            .filter(|(_, v)| *v == "attention")
            .map(|(k, _)| *k)
            .collect()
    };
    (screened, flagged)
}

fn pep_level(result: &Value) -> Level {
    let (screened, flagged) = flags(result, &["pep"]);
    let confirmed = outcome(result) == "match_confirmed";
    if flagged.contains(&"level1") || (confirmed && flagged.contains(&"level2")) {
        Level::High
    } else if !flagged.is_empty() {
        Level::Medium
    } else if screened {
        Level::Low
    } else {
        Level::NotSet
    }
}

fn watchlist_level(result: &Value) -> Level {
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

/// The risk columns of one row of `data/country_risk.csv`.
#[derive(Debug)]
struct CountryRow {
    /// `suggested_level`.
    level: Level,
    /// Per-source scores, in [`SOURCES`] order.
    scores: [Level; 6],
}

/// The sources the table records, as named in the breakdown (`data/country_risk.README.md`).
const SOURCES: [&str; 6] = [
    "Financial Action Task Force (FATF)",
    "EU High-Risk Third Countries (Delegated Regulation (EU) 2016/1675)",
    "United Nations Security Council (UNSC) sanctions",
    "US Treasury Office of Foreign Assets Control (OFAC)",
    "EU restrictive measures (EU Sanctions Map)",
    "UK Sanctions List (FCDO)",
];

impl CountryRow {
    fn breakdown(&self) -> Vec<Value> {
        SOURCES
            .iter()
            .zip(self.scores)
            .map(|(source, level)| json!({ "source": source, "normalisedRiskScore": level.as_str() }))
            .collect()
    }

    /// Scores each source with the level the README's rule gives when only that source counts:
    /// FATF call for action high, grey list medium; EU high-risk list medium; a UN country regime
    /// or country-wide measures medium; OFAC high for a comprehensive embargo, medium for a
    /// regional one or country-wide measures; EU and UK medium for country-wide measures. (A
    /// single US, EU or UK regime does not raise the level on its own; two of them together
    /// do, which only the country's own level shows.)
    fn parse(row: &HashMap<&str, &str>) -> Option<CountryRow> {
        let cell = |column: &str| row.get(column).copied().unwrap_or("");
        let yes = |column: &str| cell(column) == "yes";
        let sectoral = |issuer: &str| {
            cell("country_wide_sectoral_sanctions")
                .split(';')
                .any(|i| i == issuer)
        };
        let medium_if = |b: bool| if b { Level::Medium } else { Level::Low };
        let fatf = if yes("fatf_call_for_action") {
            Level::High
        } else {
            medium_if(yes("fatf_increased_monitoring"))
        };
        let embargo = cell("comprehensive_embargo");
        let ofac = match (yes("us_sanctions"), embargo) {
            (true, "yes") => Level::High,
            (true, "regional") => Level::Medium,
            _ => medium_if(sectoral("US")),
        };
        let level = match cell("suggested_level") {
            "high" => Level::High,
            "medium" => Level::Medium,
            "low" => Level::Low,
            _ => return None,
        };
        Some(CountryRow {
            level,
            scores: [
                fatf,
                medium_if(yes("eu_high_risk_third_country")),
                medium_if(yes("un_sanctions") || sectoral("UN")),
                ofac,
                medium_if(sectoral("EU")),
                medium_if(sectoral("UK")),
            ],
        })
    }
}

/// The vendored table, keyed by alpha-2 code; columns are found by their header names.
static TABLE: LazyLock<HashMap<String, CountryRow>> =
    LazyLock::new(|| parse_table(include_str!("../data/country_risk.csv")));

fn parse_table(csv: &str) -> HashMap<String, CountryRow> {
    let mut lines = csv.lines();
    let header = lines.next().map(split_csv_line).unwrap_or_default();
    lines
        .filter_map(|line| {
            let cells = split_csv_line(line);
            let row: HashMap<&str, &str> = header
                .iter()
                .map(String::as_str)
                .zip(cells.iter().map(String::as_str))
                .collect();
            Some((row.get("alpha2")?.to_string(), CountryRow::parse(&row)?))
        })
        .collect()
}

/// Splits one RFC 4180 line (the table has no embedded newlines).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckType;
    use crate::checks::sandbox::{Trigger, simulate};

    const AT: i64 = 1_714_642_274_212;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn person(middle: &str, nationality: Option<&str>) -> Map<String, Value> {
        let mut details = json!({ "firstName": "Ada", "middleName": middle, "lastName": "Byron" });
        if let Some(n) = nationality {
            details["nationality"] = json!(n);
        }
        obj(json!({ "type": "person", "personDetails": details }))
    }

    fn levels(profile: &Value) -> [&str; 5] {
        [
            "overall",
            "countryRisk",
            "politicalExposureRisk",
            "occupationRisk",
            "watchlistRisk",
        ]
        .map(|k| {
            let v = &profile[k];
            v.get("risk").unwrap_or(v).as_str().unwrap()
        })
    }

    fn screening(trigger: Trigger) -> Value {
        let last = if trigger == Trigger::Attention {
            "attention"
        } else {
            "Byron"
        };
        let client = serde_json::from_value(json!({ "type": "person", "email": "a@b.co",
            "entityName": "Ada", "personDetails": { "firstName": "Ada", "lastName": last } }))
        .unwrap();
        let check: crate::checks::Check = serde_json::from_value(json!({
            "clientId": "c", "type": CheckType::StandardScreening, "status": "pending"}))
        .unwrap();
        simulate("018f38a4c7a40a1b2c3d4e5f", &check, &client, trigger).to_value()
    }

    #[test]
    fn the_table_is_read_whole_and_sources_never_exceed_the_level() {
        assert_eq!(TABLE.len(), 249);
        for row in TABLE.values() {
            assert!(
                row.scores
                    .iter()
                    .all(|s| *s <= row.level && *s != Level::NotSet)
            );
        }
        assert_eq!(
            TABLE["KP"].scores,
            [
                Level::High,
                Level::Medium,
                Level::Medium,
                Level::High,
                Level::Medium,
                Level::Medium
            ]
        );
        assert_eq!(TABLE["GB"].level, Level::Low);
        assert_eq!(TABLE["UA"].scores[3], Level::Medium);
    }

    #[test]
    fn sandbox_triggers() {
        let run = |client: &Map<String, Value>, addresses: &[&Map<String, Value>]| {
            risk_profile(RiskMode::Sandbox, client, addresses, &[], AT)
        };
        let none = run(&person("", None), &[]);
        assert_eq!(levels(&none), ["not_set"; 5]);
        assert_eq!(none["updatedAt"], "2024-05-02T09:31:14.212Z");
        assert_eq!(
            levels(&run(&person("high-risk", None), &[])),
            ["not_set"; 5]
        );

        let low = run(&person("", Some("GB")), &[]);
        assert_eq!(
            levels(&low),
            ["low", "low", "not_set", "not_set", "not_set"]
        );
        assert_eq!(low["countryRisk"]["country"], "GB");
        assert_eq!(low["countryRisk"]["breakdown"].as_array().unwrap().len(), 6);

        let address = obj(json!({ "country": "FR", "city": "Paris" }));
        let medium = run(&person("Medium-Risk", None), &[&address]);
        assert_eq!(
            levels(&medium),
            ["medium", "medium", "not_set", "not_set", "not_set"]
        );
        assert_eq!(medium["countryRisk"]["country"], "FR");

        let company = obj(json!({ "type": "company",
            "companyDetails": { "name": "Acme", "incorporationCountry": "DE" } }));
        assert_eq!(levels(&run(&company, &[]))[0], "low");
        let high = run(&person("high-risk", Some("GB")), &[]);
        assert_eq!(levels(&high)[..2], ["high", "high"]);
    }

    #[test]
    fn sandbox_screening_components_are_capped_at_the_trigger() {
        let result = screening(Trigger::Attention);
        let evidence = [ScreeningEvidence {
            check_id: "c1",
            result: &result,
            completed_at: 1,
        }];
        let profile = risk_profile(
            RiskMode::Sandbox,
            &person("", Some("GB")),
            &[],
            &evidence,
            AT,
        );
        assert_eq!(levels(&profile), ["low", "low", "low", "not_set", "low"]);
        assert_eq!(profile["politicalExposureRisk"]["checkId"], "c1");
    }

    #[test]
    fn live_country_risk_follows_the_riskiest_country() {
        let kp = risk_profile(RiskMode::Live, &person("", Some("KP")), &[], &[], AT);
        assert_eq!(
            levels(&kp),
            ["high", "high", "not_set", "not_set", "not_set"]
        );
        assert_eq!(kp["countryRisk"]["country"], "KP");
        assert_eq!(
            kp["countryRisk"]["breakdown"][0],
            json!({ "source": "Financial Action Task Force (FATF)", "normalisedRiskScore": "high" })
        );

        let address = obj(json!({ "country": "VE" }));
        let ve = risk_profile(
            RiskMode::Live,
            &person("", Some("GB")),
            &[&address],
            &[],
            AT,
        );
        assert_eq!(ve["countryRisk"]["risk"], "medium");
        assert_eq!(ve["countryRisk"]["country"], "VE");

        let gb = risk_profile(
            RiskMode::Live,
            &person("high-risk", Some("GB")),
            &[],
            &[],
            AT,
        );
        assert_eq!(levels(&gb)[..2], ["low", "low"]);
        let unknown = risk_profile(RiskMode::Live, &person("", Some("XK")), &[], &[], AT);
        assert_eq!(levels(&unknown), ["not_set"; 5]);
    }

    #[test]
    fn live_screening_components() {
        let flagged = screening(Trigger::Attention);
        let clear = screening(Trigger::Clear);
        let evidence = [
            ScreeningEvidence {
                check_id: "old",
                result: &clear,
                completed_at: 1,
            },
            ScreeningEvidence {
                check_id: "new",
                result: &flagged,
                completed_at: 2,
            },
        ];
        let profile = risk_profile(RiskMode::Live, &person("", Some("GB")), &[], &evidence, AT);
        assert_eq!(levels(&profile), ["high", "low", "high", "not_set", "high"]);
        assert_eq!(profile["politicalExposureRisk"]["checkId"], "new");
        assert_eq!(profile["watchlistRisk"]["checkId"], "new");

        let mut rejected = flagged.clone();
        rejected["outcome"] = json!("clear");
        let not_processed = screening(Trigger::NotProcessed);
        let evidence = [
            ScreeningEvidence {
                check_id: "a",
                result: &rejected,
                completed_at: 1,
            },
            ScreeningEvidence {
                check_id: "b",
                result: &not_processed,
                completed_at: 2,
            },
        ];
        let profile = risk_profile(RiskMode::Live, &person("", None), &[], &evidence, AT);
        assert_eq!(
            levels(&profile),
            ["low", "not_set", "low", "not_set", "low"]
        );
        assert_eq!(profile["watchlistRisk"]["checkId"], "a");
    }

    #[test]
    fn pep_levels_and_adverse_media() {
        let result = |pep: [&str; 4], outcome: &str| {
            json!({ "outcome": outcome, "breakdown": { "summary": {
                "pep": { "level1": pep[0], "level2": pep[1], "level3": pep[2], "level4": pep[3] },
                "watchlist": { "sanctionsLists": "clear" },
                "adverseMedia": { "regulatory": "attention" },
            }}})
        };
        let a = ["clear", "attention", "clear", "clear"];
        assert_eq!(pep_level(&result(a, "attention")), Level::Medium);
        assert_eq!(pep_level(&result(a, "match_confirmed")), Level::High);
        let c = ["clear", "clear", "clear", "attention"];
        assert_eq!(pep_level(&result(c, "attention")), Level::Medium);
        assert_eq!(watchlist_level(&result(c, "attention")), Level::Medium);
        let n = ["not_processed"; 4];
        assert_eq!(pep_level(&result(n, "attention")), Level::NotSet);
    }

    #[test]
    fn no_data_is_not_set_everywhere() {
        let profile = risk_profile(RiskMode::Live, &Map::new(), &[], &[], AT);
        assert_eq!(levels(&profile), ["not_set"; 5]);
        assert_eq!(profile["occupationRisk"], json!({ "risk": "not_set" }));
        let keys: Vec<_> = profile.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "overall",
                "countryRisk",
                "politicalExposureRisk",
                "occupationRisk",
                "watchlistRisk",
                "updatedAt"
            ]
        );
    }
}
