//! What the vendored country table says of a country's risk, source by source.

use super::{CountryRiskSource, Level};
use crate::country::{self, Country};

/// The sources the table records, as named in the breakdown (`data/country_risk.README.md`).
const SOURCES: [&str; 6] = [
    "Financial Action Task Force (FATF)",
    "EU High-Risk Third Countries (Delegated Regulation (EU) 2016/1675)",
    "United Nations Security Council (UNSC) sanctions",
    "US Treasury Office of Foreign Assets Control (OFAC)",
    "EU restrictive measures (EU Sanctions Map)",
    "UK Sanctions List (FCDO)",
];

/// The risk columns of one row of `data/country_risk.csv`.
#[derive(Clone, Debug)]
pub(super) struct CountryRow {
    /// `suggested_level`.
    pub level: Level,
    /// Per-source scores, in [`SOURCES`] order.
    pub scores: [Level; 6],
}

impl CountryRow {
    /// The row of an alpha-2 code, when the table knows it and gives it a level.
    pub fn of(alpha2: &str) -> Option<CountryRow> {
        country::by_alpha2(alpha2).and_then(Self::parse)
    }

    pub fn breakdown(&self) -> Vec<CountryRiskSource> {
        SOURCES
            .iter()
            .zip(self.scores)
            .map(|(source, level)| CountryRiskSource {
                source: (*source).to_string(),
                normalised_risk_score: level,
            })
            .collect()
    }

    /// Scores each source with the level the README's rule gives when only that source counts:
    /// FATF call for action high, grey list medium; EU high-risk list medium; a UN country regime
    /// or country-wide measures medium; OFAC high for a comprehensive embargo, medium for a
    /// regional one or country-wide measures; EU and UK medium for country-wide measures. (A
    /// single US, EU or UK regime does not raise the level on its own; two of them together
    /// do, which only the country's own level shows.)
    fn parse(row: &Country) -> Option<CountryRow> {
        let yes = |column: &str| row.column(column) == "yes";
        let sectoral = |issuer: &str| {
            row.column("country_wide_sectoral_sanctions")
                .split(';')
                .any(|i| i == issuer)
        };
        let medium_if = |b: bool| if b { Level::Medium } else { Level::Low };
        let fatf = if yes("fatf_call_for_action") {
            Level::High
        } else {
            medium_if(yes("fatf_increased_monitoring"))
        };
        let ofac = match (yes("us_sanctions"), row.column("comprehensive_embargo")) {
            (true, "yes") => Level::High,
            (true, "regional") => Level::Medium,
            _ => medium_if(sectoral("US")),
        };
        let level = match row.column("suggested_level") {
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

#[cfg(test)]
pub(super) fn rows() -> impl Iterator<Item = (&'static str, CountryRow)> {
    country::all().filter_map(|c| Some((c.alpha2.as_str(), CountryRow::parse(c)?)))
}
