//! US trade.gov Consolidated Screening List (CSV with header, `;`-separated multi-values).

use std::io::Read;

use super::common::{Issues, multi, read_text_lenient};
use super::csvtable::Table;
use super::remarks::parse_loose_dates;
use crate::countries::country_code;
use crate::error::{Result, ScreeningError};
use crate::model::{Classification, Entity, EntityKind, NameQuality, ParsedList, SourceList};

const FILE: &str = "us-csl-csv";

fn classify(source: &str, e: &mut Entity) {
    let s = source.to_ascii_lowercase();
    if s.contains("specially designated")
        || s.contains("sectoral sanctions")
        || s.contains("palestinian legislative")
        || s.contains("non-sdn")
        || s.contains("capta")
        || s.contains("nonproliferation")
        || s.contains("menu-based")
    {
        e.push_classification(Classification::WatchlistSanctionsLists);
    } else {
        e.push_classification(Classification::WatchlistOtherExclusionLists);
    }
    if e.programmes
        .iter()
        .any(|p| super::ofac::is_terror_programme(p))
    {
        e.push_classification(Classification::WatchlistTerror);
    }
}

/// A short stable id for rows without an entity number (FNV-1a of source and name).
fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("h{h:016x}")
}

/// Parses a CSL CSV file.
pub fn parse_us_csl_csv<R: Read>(reader: R) -> Result<ParsedList> {
    let (text, _) = read_text_lenient(FILE, reader)?;
    let table = Table::parse(FILE, &text, |row| {
        row.iter().any(|c| c.trim() == "name") && row.iter().any(|c| c.trim() == "source")
    })?;
    let (Some(c_name), Some(c_source)) = (table.col("name"), table.col("source")) else {
        return Err(ScreeningError::Malformed {
            file: FILE.into(),
            line: 1,
            message: "missing name/source columns".into(),
        });
    };
    let (c_num, c_type, c_prog) = (
        table.col("entity_number"),
        table.col("type"),
        table.col("programs"),
    );
    let (c_alt, c_cit, c_dob, c_nat) = (
        table.col("alt_names"),
        table.col("citizenships"),
        table.col("dates_of_birth"),
        table.col("nationalities"),
    );
    let width = table.header.len();
    let mut issues = Issues::default();
    let mut entities = Vec::new();
    for (line, row) in &table.rows {
        issues.records += 1;
        if row.len() != width {
            issues.push(
                FILE,
                *line,
                format!("expected {width} fields, found {}", row.len()),
            );
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("");
        let name = get(Some(c_name));
        if name.is_empty() {
            issues.push(FILE, *line, "row without name");
            continue;
        }
        let source = get(Some(c_source));
        let kind = match get(c_type).to_ascii_lowercase().as_str() {
            "individual" => EntityKind::Person,
            "vessel" => EntityKind::Vessel,
            "aircraft" => EntityKind::Aircraft,
            "entity" => EntityKind::Organisation,
            _ => EntityKind::Unknown,
        };
        let num = get(c_num);
        let id = if num.is_empty() {
            fnv(&format!("{source}|{name}"))
        } else {
            num.to_owned()
        };
        let mut e = Entity::new(SourceList::UsCsl, id, kind);
        let name = if kind == EntityKind::Person {
            super::ofac::reorder_person(name)
        } else {
            name.to_owned()
        };
        e.push_name(&name, NameQuality::Primary);
        for a in multi(get(c_alt)) {
            let a = if kind == EntityKind::Person {
                super::ofac::reorder_person(a)
            } else {
                a.to_owned()
            };
            e.push_name(&a, NameQuality::Strong);
        }
        for p in multi(get(c_prog)) {
            e.push_programme(p);
        }
        classify(source, &mut e);
        for c in multi(get(c_cit)).chain(multi(get(c_nat))) {
            e.push_country(country_code(c));
        }
        for d in multi(get(c_dob)) {
            for d in parse_loose_dates(d) {
                e.push_dob(Some(d));
            }
        }
        entities.push(e);
    }
    issues.check(FILE)?;
    Ok(ParsedList {
        entities,
        errors: issues.errors,
        version: None,
    })
}
