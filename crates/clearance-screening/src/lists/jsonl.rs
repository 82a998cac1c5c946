//! Line-delimited JSON lists: OpenSanctions FollowTheMoney entities and Senzing records.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::common::Issues;
use crate::countries::country_code;
use crate::error::{Result, ScreeningError};
use crate::model::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, NameQuality,
    ParsedList, PartialDate, SourceList,
};

/// Reads JSON lines; `f` returns `Ok(None)` for records that are valid but not screenable.
fn read_lines<R: Read>(
    file: &str,
    reader: R,
    mut f: impl FnMut(&Value) -> Result<Option<Entity>, String>,
) -> Result<ParsedList> {
    let mut r = BufReader::new(reader);
    super::common::reject_utf16(file, r.fill_buf()?)?;
    let mut issues = Issues::default();
    let mut entities = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let terminated = buf.ends_with(b"\n");
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t.trim(),
            Err(e) => {
                return Err(ScreeningError::Encoding {
                    file: file.to_owned(),
                    expected: "UTF-8",
                    offset: e.valid_up_to() as u64,
                });
            }
        };
        let text = text.trim_start_matches('\u{feff}');
        if text.is_empty() {
            continue;
        }
        issues.records += 1;
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                if !terminated {
                    return Err(ScreeningError::Truncated {
                        file: file.to_owned(),
                        line: line_no,
                        message: e.to_string(),
                    });
                }
                issues.push(file, line_no, e.to_string());
                continue;
            }
        };
        match f(&value) {
            Ok(Some(e)) => entities.push(e),
            Ok(None) => {}
            Err(m) => issues.push(file, line_no, m),
        }
    }
    issues.check(file)?;
    Ok(ParsedList {
        entities,
        errors: issues.errors,
        version: None,
    })
}

fn strings<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a str> + 'a {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn topic_classes(topic: &str, e: &mut Entity) {
    match topic {
        "sanction" | "sanction.counter" => {
            e.push_classification(Classification::WatchlistSanctionsLists)
        }
        "sanction.linked" | "sanction.control" => {
            e.push_classification(Classification::WatchlistSanctionsControlAndOwnership)
        }
        "crime.terror" => e.push_classification(Classification::WatchlistTerror),
        "crime.war" => e.push_classification(Classification::WatchlistWarCrimes),
        "debarment" | "export.control" => {
            e.push_classification(Classification::WatchlistOtherExclusionLists)
        }
        "role.pep" | "role.pep.national" => e.push_classification(Classification::PepLevel1),
        "role.pep.intl" => e.push_classification(Classification::PepLevel1),
        "role.pep.sub" | "role.pep.local" => e.push_classification(Classification::PepLevel2),
        "gov.soe" | "role.pep.soe" => e.push_classification(Classification::PepLevel3),
        "role.rca" => e.push_classification(Classification::PepLevel4),
        "wanted" | "crime" | "reg.action" | "reg.warn" => {
            e.push_classification(Classification::WatchlistOtherOfficialLists)
        }
        _ => {}
    }
}

/// Parses OpenSanctions FollowTheMoney JSON lines (non-party schemas such as Sanction or
/// Address are skipped silently).
pub fn parse_ftm_json<R: Read>(reader: R) -> Result<ParsedList> {
    read_lines("ftm-json", reader, |v| {
        let schema = v
            .get("schema")
            .and_then(Value::as_str)
            .ok_or("missing schema")?;
        let kind = match schema {
            "Person" => EntityKind::Person,
            "Company" | "Organization" | "LegalEntity" | "PublicBody" => EntityKind::Organisation,
            "Vessel" => EntityKind::Vessel,
            "Airplane" => EntityKind::Aircraft,
            _ => return Ok(None),
        };
        let id = v.get("id").and_then(Value::as_str).ok_or("missing id")?;
        let p = v.get("properties").ok_or("missing properties")?;
        let mut e = Entity::new(SourceList::OpenSanctions, id, kind);
        if let Some(c) = v.get("caption").and_then(Value::as_str) {
            e.push_name(c, NameQuality::Primary);
        }
        for n in strings(p, "name") {
            let q = if e.names.is_empty() {
                NameQuality::Primary
            } else {
                NameQuality::Strong
            };
            e.push_name(n, q);
        }
        for key in ["alias", "previousName"] {
            for n in strings(p, key) {
                e.push_name(n, NameQuality::Strong);
            }
        }
        for n in strings(p, "weakAlias") {
            e.push_name(n, NameQuality::Weak);
        }
        if e.names.is_empty() {
            let parts: Vec<&str> = ["firstName", "middleName", "lastName"]
                .iter()
                .filter_map(|k| strings(p, k).next())
                .collect();
            e.push_name(&parts.join(" "), NameQuality::Primary);
        }
        if e.names.is_empty() {
            return Err(format!("{id}: no name"));
        }
        for d in strings(p, "birthDate") {
            e.push_dob(PartialDate::parse_iso(d));
        }
        for key in ["nationality", "citizenship", "country", "jurisdiction"] {
            for c in strings(p, key) {
                e.push_country(country_code(c));
            }
        }
        e.gender = strings(p, "gender").next().and_then(Gender::parse);
        for (key, kind) in [
            ("passportNumber", IdentifierKind::Passport),
            ("idNumber", IdentifierKind::NationalId),
            ("innCode", IdentifierKind::TaxId),
            ("taxNumber", IdentifierKind::TaxId),
            ("registrationNumber", IdentifierKind::RegistrationNumber),
            ("ogrnCode", IdentifierKind::RegistrationNumber),
            ("imoNumber", IdentifierKind::Imo),
        ] {
            for val in strings(p, key) {
                e.identifiers.push(Identifier {
                    kind,
                    value: val.to_owned(),
                    country: None,
                });
            }
        }
        for t in strings(p, "topics") {
            topic_classes(t, &mut e);
        }
        for d in strings(v, "datasets") {
            e.push_programme(d);
        }
        for pr in strings(p, "program") {
            e.push_programme(pr);
        }
        Ok(Some(e))
    })
}

fn arr<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> + 'a {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// Parses Senzing-format JSON lines (as exported by OpenSanctions for PEP data).
pub fn parse_senzing_json<R: Read>(reader: R) -> Result<ParsedList> {
    read_lines("senzing-json", reader, |v| {
        let id = v
            .get("RECORD_ID")
            .and_then(Value::as_str)
            .ok_or("missing RECORD_ID")?;
        let kind = match v.get("RECORD_TYPE").and_then(Value::as_str).unwrap_or("") {
            "PERSON" => EntityKind::Person,
            "ORGANIZATION" => EntityKind::Organisation,
            _ => EntityKind::Unknown,
        };
        let mut e = Entity::new(SourceList::Senzing, id, kind);
        for n in arr(v, "NAMES") {
            let s = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or("").trim();
            let full = if !s("NAME_FULL").is_empty() {
                s("NAME_FULL").to_owned()
            } else if !s("NAME_ORG").is_empty() {
                s("NAME_ORG").to_owned()
            } else {
                [s("NAME_FIRST"), s("NAME_MIDDLE"), s("NAME_LAST")]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let q = match s("NAME_TYPE") {
                "PRIMARY" => NameQuality::Primary,
                _ => NameQuality::Strong,
            };
            e.push_name(&full, q);
        }
        e.names.sort_by_key(|n| n.quality);
        if e.names.is_empty() {
            return Err(format!("{id}: no name"));
        }
        for d in arr(v, "DATES") {
            if let Some(s) = d.get("DATE_OF_BIRTH").and_then(Value::as_str) {
                e.push_dob(PartialDate::parse_iso(s));
            }
        }
        for c in arr(v, "COUNTRIES") {
            if let Some(obj) = c.as_object() {
                for val in obj.values().filter_map(Value::as_str) {
                    e.push_country(country_code(val));
                }
            }
        }
        if let Some(g) = v.get("GENDER").and_then(Value::as_str) {
            e.gender = Gender::parse(g);
        }
        for r in arr(v, "RISKS") {
            if let Some(t) = r.get("TOPIC").and_then(Value::as_str) {
                topic_classes(t, &mut e);
            }
        }
        if let Some(ds) = v.get("DATA_SOURCE").and_then(Value::as_str) {
            e.push_programme(ds);
        }
        Ok(Some(e))
    })
}
