//! UN Security Council consolidated list, XML (`CONSOLIDATED_LIST` with `INDIVIDUALS` / `ENTITIES`).

use std::io::{BufReader, Read};

use super::common::Issues;
use super::xml::{Node, check_head, stream_records};
use crate::countries::country_code;
use crate::error::Result;
use crate::model::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, NameQuality,
    ParsedList, PartialDate, SourceList,
};

const FILE: &str = "un-xml";

/// Parses the UN SC consolidated list.
pub fn parse_un_xml<R: Read>(reader: R) -> Result<ParsedList> {
    let mut r = BufReader::new(reader);
    check_head(FILE, &mut r)?;
    let mut issues = Issues::default();
    let mut entities = Vec::new();
    let mut version = None;
    stream_records(
        FILE,
        r,
        &["INDIVIDUAL", "ENTITY"],
        |root| version = root.attr("dateGenerated").map(str::to_owned),
        |idx, node| {
            issues.records += 1;
            match record(&node) {
                Ok(e) => entities.push(e),
                Err(msg) => issues.push(FILE, idx, msg),
            }
        },
    )?;
    issues.check(FILE)?;
    Ok(ParsedList {
        entities,
        errors: issues.errors,
        version,
    })
}

fn record(n: &Node) -> Result<Entity, String> {
    let person = n.name == "INDIVIDUAL";
    let id = n
        .text_of("REFERENCE_NUMBER")
        .or_else(|| n.text_of("DATAID"))
        .ok_or("record without REFERENCE_NUMBER or DATAID")?;
    let kind = if person {
        EntityKind::Person
    } else {
        EntityKind::Organisation
    };
    let mut e = Entity::new(SourceList::UnSc, id, kind);
    let parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|t| n.text_of(t))
        .collect();
    if parts.is_empty() {
        return Err(format!("{id}: no name"));
    }
    e.push_name(&parts.join(" "), NameQuality::Primary);
    if let Some(orig) = n.text_of("NAME_ORIGINAL_SCRIPT") {
        e.push_name(orig, NameQuality::Strong);
    }
    let alias_tag = if person {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    };
    for a in n.children(alias_tag) {
        let Some(name) = a.text_of("ALIAS_NAME") else {
            continue;
        };
        let q = match a.text_of("QUALITY").map(str::to_ascii_lowercase).as_deref() {
            Some("low") => NameQuality::Weak,
            _ => NameQuality::Strong,
        };
        e.push_name(name, q);
    }
    if let Some(p) = n.text_of("UN_LIST_TYPE") {
        e.push_programme(p);
    }
    e.push_classification(Classification::WatchlistSanctionsLists);
    if matches!(
        n.text_of("UN_LIST_TYPE"),
        Some("Al-Qaida") | Some("ISIL") | Some("Taliban")
    ) {
        e.push_classification(Classification::WatchlistTerror);
    }
    if let Some(g) = n.text_of("GENDER") {
        e.gender = Gender::parse(g);
    }
    for nat in n.children("NATIONALITY") {
        for v in nat.children("VALUE") {
            e.push_country(country_code(v.text.trim()));
        }
    }
    for addr in n.children(if person {
        "INDIVIDUAL_ADDRESS"
    } else {
        "ENTITY_ADDRESS"
    }) {
        if let Some(c) = addr.text_of("COUNTRY") {
            e.push_country(country_code(c));
        }
    }
    for dob in n.children("INDIVIDUAL_DATE_OF_BIRTH") {
        if let Some(d) = dob.text_of("DATE") {
            e.push_dob(PartialDate::parse_iso(d));
        } else if let Some(y) = dob.text_of("YEAR") {
            e.push_dob(y.parse().ok().and_then(|y| PartialDate::new(y, None, None)));
        } else if let (Some(from), Some(to)) = (dob.text_of("FROM_YEAR"), dob.text_of("TO_YEAR"))
            && let (Ok(a), Ok(b)) = (from.parse::<u16>(), to.parse::<u16>())
            && b >= a
            && b - a <= 10
        {
            for y in a..=b {
                e.push_dob(PartialDate::new(y, None, None));
            }
        }
    }
    for doc in n.children("INDIVIDUAL_DOCUMENT") {
        let Some(num) = doc.text_of("NUMBER") else {
            continue;
        };
        let ty = doc
            .text_of("TYPE_OF_DOCUMENT")
            .unwrap_or("")
            .to_ascii_lowercase();
        let kind = if ty.contains("passport") {
            IdentifierKind::Passport
        } else if ty.contains("national") || ty.contains("identi") {
            IdentifierKind::NationalId
        } else {
            IdentifierKind::Other
        };
        let country = doc
            .text_of("ISSUING_COUNTRY")
            .or_else(|| doc.text_of("COUNTRY_OF_ISSUE"))
            .and_then(country_code);
        e.identifiers.push(Identifier {
            kind,
            value: num.to_owned(),
            country,
        });
    }
    Ok(e)
}
