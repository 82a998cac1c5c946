//! The ComplyCube shape of a live screening result: `breakdown.summary` (four groups of
//! per-category values) and `breakdown.matches` (one object per potential match, with the
//! engine's explanation).

use std::collections::HashSet;

use clearance_screening::{Entity, EntityKind, Gender, Match};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Every summary key, with its `screeningClassification` value (checks-and-more.md §2.3).
pub const SUMMARY: [(&str, &str, &str); 20] = [
    ("pep", "level1", "pepLevel1"),
    ("pep", "level2", "pepLevel2"),
    ("pep", "level3", "pepLevel3"),
    ("pep", "level4", "pepLevel4"),
    ("watchlist", "sanctionsLists", "watchlistSanctionsLists"),
    (
        "watchlist",
        "otherOfficialLists",
        "watchlistOtherOfficialLists",
    ),
    ("watchlist", "warCrimes", "watchlistWarCrimes"),
    ("watchlist", "terror", "watchlistTerror"),
    (
        "watchlist",
        "otherExclusionLists",
        "watchlistOtherExclusionLists",
    ),
    (
        "watchlist",
        "sanctionsControlAndOwnership",
        "watchlistSanctionsControlAndOwnership",
    ),
    (
        "adverseMedia",
        "environmentProduction",
        "adverseMediaEnvironmentProduction",
    ),
    ("adverseMedia", "socialLabour", "adverseMediaSocialLabour"),
    (
        "adverseMedia",
        "competitiveFinancial",
        "adverseMediaCompetitiveFinancial",
    ),
    ("adverseMedia", "regulatory", "adverseMediaRegulatory"),
    (
        "otherLists",
        "associatedEntity",
        "otherListsAssociatedEntity",
    ),
    ("otherLists", "organisedCrime", "otherListsOrganisedCrime"),
    ("otherLists", "financialCrime", "otherListsFinancialCrime"),
    ("otherLists", "taxCrime", "otherListsTaxCrime"),
    ("otherLists", "corruption", "otherListsCorruption"),
    ("otherLists", "trafficking", "otherListsTrafficking"),
];

/// Whether a check type covers a category: standard checks leave out other exclusion lists,
/// adverse media and the "other lists" group.
pub fn covered_by(extensive: bool, group: &str, key: &str) -> bool {
    extensive || group == "pep" || (group == "watchlist" && key != "otherExclusionLists")
}

/// `breakdown.summary`: `not_processed` where the category was not screened, `attention` where
/// a match carries it, `clear` otherwise.
pub fn summary(processed: &HashSet<&str>, flagged: &HashSet<&str>) -> Value {
    let mut groups = Map::new();
    for (group, key, class) in SUMMARY {
        let value = if !processed.contains(class) {
            "not_processed"
        } else if flagged.contains(class) {
            "attention"
        } else {
            "clear"
        };
        if let Value::Object(g) = groups
            .entry(group)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            g.insert(key.into(), value.into());
        }
    }
    Value::Object(groups)
}

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

/// One `breakdown.matches` item.
pub fn match_json(
    check_id: &str,
    m: &Match,
    entity: &Entity,
    source: &Source<'_>,
    processed: &HashSet<&str>,
) -> Value {
    let person = entity.kind == EntityKind::Person;
    let names: Vec<Value> = entity
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| name_json(&n.full, i == 0, person))
        .collect();
    let classifications: Vec<&str> = entity
        .classifications
        .iter()
        .map(|c| c.request_value())
        .filter(|c| processed.contains(c))
        .collect();
    let mut out = Map::new();
    out.insert("id".into(), match_id(check_id, &m.entity_id).into());
    out.insert("entityId".into(), m.entity_id.clone().into());
    out.insert(
        "entityType".into(),
        if person { "person" } else { "company" }.into(),
    );
    if !person && entity.kind != EntityKind::Organisation && entity.kind != EntityKind::Unknown {
        let kind = if entity.kind == EntityKind::Vessel {
            "vessel"
        } else {
            "aircraft"
        };
        out.insert("entityKind".into(), kind.into());
    }
    out.insert("score".into(), json!(m.score.round() as i64));
    out.insert("names".into(), names.into());
    if let Some(g) = entity.gender.filter(|_| person) {
        let g = match g {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
        };
        out.insert("gender".into(), g.into());
    }
    let countries: Vec<Value> = entity
        .countries
        .iter()
        .map(|c| json!({"type": "Associated Country", "country": c}))
        .collect();
    if !countries.is_empty() {
        out.insert("countries".into(), countries.into());
    }
    let dates: Vec<Value> = entity
        .dates_of_birth
        .iter()
        .map(|d| {
            let mut date = Map::new();
            if let Some(day) = d.day {
                date.insert("day".into(), day.into());
            }
            if let Some(month) = d.month {
                date.insert("month".into(), month.into());
            }
            date.insert("year".into(), d.year.into());
            json!({"type": "Date of Birth", "date": date})
        })
        .collect();
    if !dates.is_empty() {
        out.insert("dates".into(), dates.into());
    }
    if !entity.programmes.is_empty() {
        out.insert("programmes".into(), json!(entity.programmes));
    }
    let mut src = Map::new();
    src.insert("list".into(), source.list.into());
    if let Some(v) = source.version {
        src.insert("listVersion".into(), v.into());
    }
    if let Some(first) = classifications.first() {
        src.insert("classification".into(), (*first).into());
    }
    out.insert("sources".into(), json!([src]));
    out.insert("classifications".into(), json!(classifications));
    out.insert("entityHash".into(), entity_hash(entity).into());
    out.insert(
        "explanation".into(),
        serde_json::to_value(&m.explanation).unwrap_or(Value::Null),
    );
    Value::Object(out)
}

/// A listed name as a ComplyCube name object: always the name as published (`fullName`);
/// for persons also a first/middle/last split by position (lists publish names in given-name
/// order; a mononym is a `lastName`).
fn name_json(full: &str, primary: bool, person: bool) -> Value {
    let mut out = Map::new();
    out.insert(
        "type".into(),
        if primary { "primary" } else { "alias" }.into(),
    );
    if person {
        let parts: Vec<&str> = full.split_whitespace().collect();
        if let Some((last, rest)) = parts.split_last() {
            if let Some((first, middle)) = rest.split_first() {
                out.insert("firstName".into(), (*first).into());
                if !middle.is_empty() {
                    out.insert("middleName".into(), middle.join(" ").into());
                }
            }
            out.insert("lastName".into(), (*last).into());
        }
    } else {
        out.insert("companyName".into(), full.into());
    }
    out.insert("fullName".into(), full.into());
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_marks_unprocessed_flagged_and_clear() {
        let processed: HashSet<&str> = ["pepLevel1", "watchlistSanctionsLists"].into();
        let flagged: HashSet<&str> = ["watchlistSanctionsLists"].into();
        let s = summary(&processed, &flagged);
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
        let n = name_json("Jesus Alfredo Salazar Ramirez", true, true);
        assert_eq!(n["firstName"], "Jesus");
        assert_eq!(n["middleName"], "Alfredo Salazar");
        assert_eq!(n["lastName"], "Ramirez");
        assert_eq!(n["fullName"], "Jesus Alfredo Salazar Ramirez");
        let mono = name_json("Madonna", false, true);
        assert_eq!(mono["type"], "alias");
        assert_eq!(mono["lastName"], "Madonna");
        assert!(mono.get("firstName").is_none());
        let c = name_json("Acme Trading LLC", true, false);
        assert_eq!(c["companyName"], "Acme Trading LLC");
    }

    #[test]
    fn coverage_follows_the_check_type() {
        assert!(covered_by(false, "pep", "level4"));
        assert!(covered_by(false, "watchlist", "terror"));
        assert!(!covered_by(false, "watchlist", "otherExclusionLists"));
        assert!(!covered_by(false, "adverseMedia", "regulatory"));
        assert!(covered_by(true, "otherLists", "corruption"));
    }
}
