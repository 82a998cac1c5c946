//! The ComplyCube shape of a live screening result, as core's typed `ScreeningBreakdown`: the
//! summary (four groups of per-category values) and one match per potential match, with the
//! engine's explanation.

use clearance_core::checks::result::{
    CountryEntry, DateEntry, DateParts, MatchName, MatchSource, ScreeningMatch,
};
use clearance_screening::{Entity, EntityKind, Gender, Match};
use sha2::{Digest, Sha256};

/// A short hash of an entity's content: a rejected match is raised again once it changes.
pub fn entity_hash(entity: &Entity) -> String {
    let bytes = serde_json::to_vec(entity).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..12])
}

/// The match id `validate` takes: stable for a check and an entity.
pub fn match_id(check_id: &str, entity_id: &str) -> String {
    let digest = hex::encode(Sha256::digest(format!("{check_id}:{entity_id}")));
    digest[..24].to_string()
}

/// Where a match was found, for `sources`.
pub struct Source<'a> {
    pub list: &'a str,
    pub version: Option<&'a str>,
}

/// One `breakdown.matches` item; `processed` says which classifications were screened.
pub fn screening_match(
    check_id: &str,
    m: &Match,
    entity: &Entity,
    source: &Source<'_>,
    processed: impl Fn(&str) -> bool,
) -> ScreeningMatch {
    let person = entity.kind == EntityKind::Person;
    let classifications: Vec<String> = entity
        .classifications
        .iter()
        .map(|c| c.request_value())
        .filter(|c| processed(c))
        .map(str::to_string)
        .collect();
    let entity_kind = match entity.kind {
        EntityKind::Vessel => Some("vessel"),
        EntityKind::Aircraft => Some("aircraft"),
        EntityKind::Person | EntityKind::Organisation | EntityKind::Unknown => None,
    };
    let countries: Vec<CountryEntry> = entity
        .countries
        .iter()
        .map(|c| CountryEntry {
            kind: "Associated Country".into(),
            country: c.clone(),
        })
        .collect();
    let dates: Vec<DateEntry> = entity
        .dates_of_birth
        .iter()
        .map(|d| DateEntry {
            kind: "Date of Birth".into(),
            date: DateParts {
                day: d.day.map(u32::from),
                month: d.month.map(u32::from),
                year: i32::from(d.year),
            },
        })
        .collect();
    ScreeningMatch {
        id: match_id(check_id, &m.entity_id),
        entity_id: Some(m.entity_id.clone()),
        entity_type: if person { "person" } else { "company" }.into(),
        entity_kind: entity_kind.map(str::to_string),
        score: m.score.round().clamp(0.0, 100.0) as u32,
        names: entity
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| match_name(&n.full, i == 0, person))
            .collect(),
        gender: entity.gender.filter(|_| person).map(|g| {
            match g {
                Gender::Male => "male",
                Gender::Female => "female",
                Gender::Other => "other",
            }
            .to_string()
        }),
        countries: (!countries.is_empty()).then_some(countries),
        dates: (!dates.is_empty()).then_some(dates),
        programmes: (!entity.programmes.is_empty()).then(|| entity.programmes.clone()),
        sources: vec![MatchSource {
            list: source.list.into(),
            list_version: source.version.map(str::to_string),
            classification: classifications.first().cloned(),
        }],
        classifications: Some(classifications),
        entity_hash: Some(entity_hash(entity)),
        explanation: serde_json::to_value(&m.explanation).ok(),
        ..ScreeningMatch::default()
    }
}

/// A listed name as a ComplyCube name object: always the name as published (`fullName`);
/// for persons also a first/middle/last split by position (lists publish names in given-name
/// order; a mononym is a `lastName`).
fn match_name(full: &str, primary: bool, person: bool) -> MatchName {
    let mut out = MatchName {
        kind: if primary { "primary" } else { "alias" }.into(),
        full_name: Some(full.into()),
        ..MatchName::default()
    };
    if person {
        let parts: Vec<&str> = full.split_whitespace().collect();
        if let Some((last, rest)) = parts.split_last() {
            if let Some((first, middle)) = rest.split_first() {
                out.first_name = Some((*first).into());
                if !middle.is_empty() {
                    out.middle_name = Some(middle.join(" "));
                }
            }
            out.last_name = Some((*last).into());
        }
    } else {
        out.company_name = Some(full.into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_core::checks::result::{ScreeningSummary, covered_by};
    use serde_json::{Map, Value};

    fn json(name: MatchName) -> Value {
        serde_json::to_value(name).expect("json")
    }

    #[test]
    fn summary_marks_unprocessed_flagged_and_clear() {
        let processed = ["pepLevel1", "watchlistSanctionsLists"];
        let flagged = ["watchlistSanctionsLists"];
        let s = ScreeningSummary::graded(|c| processed.contains(&c), |c| flagged.contains(&c));
        let s = serde_json::to_value(s).expect("json");
        assert_eq!(s["pep"]["level1"], "clear");
        assert_eq!(s["pep"]["level2"], "not_processed");
        assert_eq!(s["watchlist"]["sanctionsLists"], "attention");
        assert_eq!(s["otherLists"]["trafficking"], "not_processed");
        let keys: usize = s
            .as_object()
            .map(|g| g.values().filter_map(Value::as_object).map(Map::len).sum())
            .unwrap_or(0);
        assert_eq!(keys, 20);
    }

    #[test]
    fn names_split_by_position() {
        let n = json(match_name("Jesus Alfredo Salazar Ramirez", true, true));
        assert_eq!(n["firstName"], "Jesus");
        assert_eq!(n["middleName"], "Alfredo Salazar");
        assert_eq!(n["lastName"], "Ramirez");
        assert_eq!(n["fullName"], "Jesus Alfredo Salazar Ramirez");
        let mono = json(match_name("Madonna", false, true));
        assert_eq!(mono["type"], "alias");
        assert_eq!(mono["lastName"], "Madonna");
        assert!(mono.get("firstName").is_none());
        let c = json(match_name("Acme Trading LLC", true, false));
        assert_eq!(c["companyName"], "Acme Trading LLC");
    }

    #[test]
    fn coverage_follows_the_check_type() {
        assert!(covered_by(false, "pepLevel4"));
        assert!(covered_by(false, "watchlistTerror"));
        assert!(!covered_by(false, "watchlistOtherExclusionLists"));
        assert!(!covered_by(false, "adverseMediaRegulatory"));
        assert!(covered_by(true, "otherListsCorruption"));
    }
}
