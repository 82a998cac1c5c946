//! UK HM Treasury / OFSI consolidated list, "ConList.csv" layout (Windows-1252 or UTF-8,
//! header-driven columns, one row per name variant grouped by `Group ID`).

use std::collections::HashMap;
use std::io::Read;

use super::common::{Issues, read_text_lenient};
use super::csvtable::Table;
use crate::countries::country_code;
use crate::error::{Result, ScreeningError};
use crate::model::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, NameQuality,
    ParsedList, PartialDate, SourceList,
};

const FILE: &str = "uk-ofsi-csv";

/// Parses an OFSI ConList CSV.
pub fn parse_uk_ofsi_csv<R: Read>(reader: R) -> Result<ParsedList> {
    let (text, _utf8) = read_text_lenient(FILE, reader)?;
    let version = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Last Updated,"))
        .map(|v| v.trim_end_matches(',').trim().to_owned());
    let table = Table::parse(FILE, &text, |row| {
        row.iter().any(|c| c.trim() == "Group ID") && row.iter().any(|c| c.trim() == "Name 6")
    })?;
    let col = |name: &str| table.col(name);
    let (Some(c_group), Some(c_name6)) = (col("Group ID"), col("Name 6")) else {
        return Err(ScreeningError::Malformed {
            file: FILE.into(),
            line: table.header_line,
            message: "header lacks Group ID / Name 6".into(),
        });
    };
    let given: Vec<usize> = (1..=5).filter_map(|i| col(&format!("Name {i}"))).collect();
    let (c_type, c_alias, c_regime) = (col("Group Type"), col("Alias Type"), col("Regime"));
    let (c_dob, c_nat, c_country) = (col("DOB"), col("Nationality"), col("Country"));
    let c_gender = col("Gender");
    let (c_passport, c_ni) = (col("Passport Details"), col("NI Number"));
    let c_script = col("Name Non-Latin Script");
    let mut issues = Issues::default();
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_group: HashMap<String, usize> = HashMap::new();
    for (line, row) in &table.rows {
        issues.records += 1;
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("");
        let group = get(Some(c_group));
        if group.is_empty() {
            issues.push(FILE, *line, "row without Group ID");
            continue;
        }
        let gtype = get(c_type).to_ascii_lowercase();
        let kind = match gtype.as_str() {
            "individual" => EntityKind::Person,
            "ship" | "vessel" => EntityKind::Vessel,
            _ => EntityKind::Organisation,
        };
        let idx = *by_group.entry(group.to_owned()).or_insert_with(|| {
            entities.push(Entity::new(SourceList::UkOfsi, group, kind));
            entities.len() - 1
        });
        let e = &mut entities[idx];
        let surname = get(Some(c_name6));
        let mut parts: Vec<&str> = given
            .iter()
            .map(|c| get(Some(*c)))
            .filter(|s| !s.is_empty())
            .collect();
        if !surname.is_empty() {
            parts.push(surname);
        }
        if parts.is_empty() {
            issues.push(FILE, *line, format!("group {group}: row without name"));
            continue;
        }
        let quality = match get(c_alias).to_ascii_lowercase().as_str() {
            "prime alias" | "primary name" => NameQuality::Primary,
            "aka" | "fka" | "alias" | "primary name variation" => NameQuality::Strong,
            _ => NameQuality::Weak,
        };
        e.push_name(&parts.join(" "), quality);
        let script = get(c_script);
        if !script.is_empty() {
            e.push_name(script, NameQuality::Strong);
        }
        e.push_dob(PartialDate::parse_dmy(get(c_dob)));
        for nat in split_numbered(get(c_nat)) {
            e.push_country(country_code(nat));
        }
        e.push_country(country_code(get(c_country)));
        for (c, kind) in [
            (c_passport, IdentifierKind::Passport),
            (c_ni, IdentifierKind::NationalId),
        ] {
            for value in document_numbers(get(c)) {
                if !e.identifiers.iter().any(|i| i.value == value) {
                    e.identifiers.push(Identifier {
                        kind,
                        value,
                        country: None,
                    });
                }
            }
        }
        if let Some(g) = Gender::parse(get(c_gender)) {
            e.gender = Some(g);
        }
        let regime = get(c_regime);
        e.push_programme(regime);
        e.push_classification(Classification::WatchlistSanctionsLists);
        let r = regime.to_ascii_lowercase();
        if r.contains("terror") || r.contains("al-qaida") || r.contains("isil") {
            e.push_classification(Classification::WatchlistTerror);
        }
    }
    for e in &mut entities {
        e.names.sort_by_key(|n| n.quality);
    }
    issues.check(FILE)?;
    Ok(ParsedList {
        entities,
        errors: issues.errors,
        version,
    })
}

/// Document numbers in free text (`Passport No: 592667 (Qatari passport …)`): words with at
/// least 5 characters of which at least 4 are digits.
fn document_numbers(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | ':'))
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| w.len() >= 5 && w.bytes().filter(u8::is_ascii_digit).count() >= 4)
        .filter(|w| {
            w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/')
        })
        .map(str::to_owned)
        .collect()
}

/// Splits `1) Saudi Arabia 2) Qatar` style values.
fn split_numbered(s: &str) -> Vec<&str> {
    if !s.contains(')') {
        return vec![s];
    }
    s.split(|c: char| c.is_ascii_digit() || c == ')')
        .map(|x| x.trim().trim_end_matches(','))
        .filter(|x| !x.is_empty())
        .collect()
}
