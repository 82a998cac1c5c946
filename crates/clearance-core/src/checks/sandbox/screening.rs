//! Sandbox screening results: the summary graded for the trigger and, for each flagged category,
//! one fictional list entry that "is" the client.

use sha2::{Digest, Sha256};

use super::Sim;
use crate::checks::result::{
    Breakdown, CheckResult, CountryEntry, DateEntry, MatchName, MatchSource, ScreeningBreakdown,
    ScreeningMatch, Verdict, covered_by,
};

impl Sim<'_> {
    pub(super) fn screening(&self, extensive: bool) -> CheckResult {
        let selected = self.options.classifications();
        let covered = |class: &str| {
            covered_by(extensive, class) && selected.is_none_or(|s| s.iter().any(|c| c == class))
        };
        let preferred: &[_] = if self.holder.company {
            &["watchlistSanctionsLists"]
        } else {
            &["pepLevel1", "watchlistSanctionsLists"]
        };
        let mut result = self.grade(
            Breakdown::Screening(ScreeningBreakdown::default()),
            covered,
            preferred,
        );
        if let Breakdown::Screening(b) = &mut result.breakdown {
            let flagged: Vec<&str> = b
                .summary
                .verdicts_mut()
                .into_iter()
                .filter(|(_, v)| **v == Verdict::Attention)
                .map(|(class, _)| class)
                .collect();
            b.matches = flagged
                .iter()
                .enumerate()
                .map(|(i, class)| self.screening_match(i + 1, class))
                .collect();
        }
        result
    }

    /// A fictional list entry that "is" the client, found on a sandbox list of the flagged
    /// category `class`.
    fn screening_match(&self, n: usize, class: &str) -> ScreeningMatch {
        let h = &self.holder;
        let digest = hex::encode(Sha256::digest(format!("{}:{n}", self.id)));
        let mut name = MatchName {
            kind: "primary".into(),
            ..MatchName::default()
        };
        if h.company {
            name.company_name = Some(h.last.into());
        } else {
            // No middle name: it carries the sandbox risk triggers (see `identity_document`).
            name.first_name = Some(h.first.into());
            name.last_name = Some(h.last.into());
        }
        let typed = [
            ("Citizenship", h.nationality),
            ("Country of Birth", h.birth_country),
            ("Jurisdiction", h.incorporation_country),
        ];
        let countries = typed
            .into_iter()
            .filter_map(|(kind, country)| {
                country.map(|c| CountryEntry {
                    kind: kind.into(),
                    country: c.into(),
                })
            })
            .collect();
        let dates = h
            .dob
            .map(|d| DateEntry {
                kind: "Date of Birth".into(),
                date: d.into(),
            })
            .into_iter()
            .collect();
        let list = if class == "watchlistSanctionsLists" {
            "Clearance Sandbox Sanctions List"
        } else if class.starts_with("pep") {
            "Clearance Sandbox PEP List"
        } else if class.starts_with("watchlist") {
            "Clearance Sandbox Watchlist"
        } else if class.starts_with("adverseMedia") {
            "Clearance Sandbox Adverse Media"
        } else {
            "Clearance Sandbox Other Lists"
        };
        ScreeningMatch {
            id: digest[..24].to_string(),
            entity_type: if h.company { "company" } else { "person" }.into(),
            score: self.pick(&format!("score:{n}"), 91, 99),
            names: vec![name],
            gender: h.gender.filter(|_| !h.company).map(str::to_string),
            active: Some(true),
            deceased: Some(false),
            countries: Some(countries),
            dates: Some(dates),
            images: Some(Vec::new()),
            sources: vec![MatchSource {
                list: list.into(),
                list_version: None,
                classification: Some(class.into()),
            }],
            ..ScreeningMatch::default()
        }
    }
}
