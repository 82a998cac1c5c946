//! EU Financial Sanctions Files (FSF): the XML export (`export` / `sanctionEntity`) and the
//! `;`-separated CSV export (one row per sub-record, grouped by `Entity_LogicalId`).

use std::collections::HashMap;
use std::io::{BufReader, Read};

use super::common::{Issues, read_text_lenient};
use super::csvtable::Table;
use super::xml::{Node, check_head, stream_records};
use crate::countries::country_code;
use crate::error::{Result, ScreeningError};
use crate::model::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, NameQuality,
    ParsedList, PartialDate, SourceList,
};

const XML: &str = "eu-fsf-xml";
const CSV: &str = "eu-fsf-csv";

fn kind_of(code: &str) -> EntityKind {
    match code.to_ascii_lowercase().as_str() {
        "person" | "p" => EntityKind::Person,
        "enterprise" | "e" | "entity" => EntityKind::Organisation,
        _ => EntityKind::Unknown,
    }
}

fn id_kind(code: &str) -> IdentifierKind {
    let c = code.to_ascii_lowercase();
    if c.contains("passport") {
        IdentifierKind::Passport
    } else if c == "id" || c.contains("national") {
        IdentifierKind::NationalId
    } else if c.contains("tax") || c.contains("fiscal") {
        IdentifierKind::TaxId
    } else if c.contains("regnumber") || c.contains("registration") {
        IdentifierKind::RegistrationNumber
    } else {
        IdentifierKind::Other
    }
}

fn classify(e: &mut Entity) {
    e.push_classification(Classification::WatchlistSanctionsLists);
    if e.programmes
        .iter()
        .any(|p| matches!(p.as_str(), "TERR" | "AQT" | "ISIL"))
    {
        e.push_classification(Classification::WatchlistTerror);
    }
}

fn whole_name(first: &str, middle: &str, last: &str, whole: &str) -> String {
    if !whole.trim().is_empty() {
        return whole.trim().to_owned();
    }
    [first, middle, last]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses the EU FSF XML export.
pub fn parse_eu_fsf_xml<R: Read>(reader: R) -> Result<ParsedList> {
    let mut r = BufReader::new(reader);
    check_head(XML, &mut r)?;
    let mut issues = Issues::default();
    let mut entities = Vec::new();
    let mut version = None;
    stream_records(
        XML,
        r,
        &["sanctionEntity"],
        |root| version = root.attr("generationDate").map(str::to_owned),
        |idx, node| {
            issues.records += 1;
            match xml_record(&node) {
                Ok(e) => entities.push(e),
                Err(m) => issues.push(XML, idx, m),
            }
        },
    )?;
    issues.check(XML)?;
    Ok(ParsedList {
        entities,
        errors: issues.errors,
        version,
    })
}

fn xml_record(n: &Node) -> Result<Entity, String> {
    let id = n
        .attr("logicalId")
        .ok_or("sanctionEntity without logicalId")?;
    let kind = kind_of(
        n.child("subjectType")
            .and_then(|s| s.attr("code"))
            .unwrap_or(""),
    );
    let mut e = Entity::new(SourceList::EuFsf, id, kind);
    for (i, a) in n.children("nameAlias").enumerate() {
        let g = |k: &str| a.attr(k).unwrap_or("");
        let name = whole_name(
            g("firstName"),
            g("middleName"),
            g("lastName"),
            g("wholeName"),
        );
        let q = if i == 0 {
            NameQuality::Primary
        } else if g("strong") == "false" {
            NameQuality::Weak
        } else {
            NameQuality::Strong
        };
        e.push_name(&name, q);
        if e.gender.is_none() {
            e.gender = Gender::parse(g("gender"));
        }
    }
    if e.names.is_empty() {
        return Err(format!("{id}: no nameAlias"));
    }
    for reg in n.children("regulation") {
        if let Some(p) = reg.attr("programme") {
            e.push_programme(p);
        }
    }
    classify(&mut e);
    for c in n.children("citizenship").chain(n.children("address")) {
        e.push_country(c.attr("countryIso2Code").and_then(country_code));
    }
    for b in n.children("birthdate") {
        let date = b
            .attr("birthdate")
            .and_then(PartialDate::parse_iso)
            .or_else(|| {
                let y = b.attr("year")?.parse().ok()?;
                PartialDate::new(
                    y,
                    b.attr("monthOfYear").and_then(|m| m.parse().ok()),
                    b.attr("dayOfMonth").and_then(|d| d.parse().ok()),
                )
            });
        e.push_dob(date);
    }
    for i in n.children("identification") {
        if let Some(num) = i.attr("number") {
            e.identifiers.push(Identifier {
                kind: id_kind(i.attr("identificationTypeCode").unwrap_or("")),
                value: num.to_owned(),
                country: i.attr("countryIso2Code").and_then(country_code),
            });
        }
    }
    Ok(e)
}

/// Parses the EU FSF `;`-separated CSV export.
pub fn parse_eu_fsf_csv<R: Read>(reader: R) -> Result<ParsedList> {
    let (text, _) = read_text_lenient(CSV, reader)?;
    let table = Table::parse_with(CSV, &text, b';', |row| {
        row.iter().any(|c| c.trim() == "Entity_LogicalId")
    })?;
    let Some(c_id) = table.col("Entity_LogicalId") else {
        return Err(ScreeningError::Malformed {
            file: CSV.into(),
            line: 1,
            message: "missing Entity_LogicalId".into(),
        });
    };
    let c = |n: &str| table.col(n);
    let (c_type, c_code, c_prog) = (
        c("Entity_SubjectType"),
        c("Entity_SubjectType_ClassificationCode"),
        c("Entity_Regulation_Programme"),
    );
    let (c_last, c_first, c_mid, c_whole) = (
        c("NameAlias_LastName"),
        c("NameAlias_FirstName"),
        c("NameAlias_MiddleName"),
        c("NameAlias_WholeName"),
    );
    let (c_gender, c_strong) = (c("NameAlias_Gender"), c("NameAlias_Strong"));
    let (c_bd, c_by, c_bm, c_bday) = (
        c("BirthDate_BirthDate"),
        c("BirthDate_Year"),
        c("BirthDate_Month"),
        c("BirthDate_Day"),
    );
    let (c_cit, c_addr) = (
        c("Citizenship_CountryIso2Code"),
        c("Address_CountryIso2Code"),
    );
    let (c_idn, c_idt, c_idc) = (
        c("Identification_Number"),
        c("Identification_TypeCode"),
        c("Identification_CountryIso2Code"),
    );
    let version = c("fileGenerationDate")
        .and_then(|i| table.rows.first().and_then(|(_, r)| r.get(i)))
        .map(|s| s.trim().to_owned());
    let width = table.header.len();
    let mut issues = Issues::default();
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (line, row) in &table.rows {
        issues.records += 1;
        if row.len() != width {
            issues.push(
                CSV,
                *line,
                format!("expected {width} fields, found {}", row.len()),
            );
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("");
        let id = get(Some(c_id));
        if id.is_empty() {
            issues.push(CSV, *line, "row without Entity_LogicalId");
            continue;
        }
        let kind_code = if get(c_code).is_empty() {
            get(c_type)
        } else {
            get(c_code)
        };
        let idx = *by_id.entry(id.to_owned()).or_insert_with(|| {
            entities.push(Entity::new(SourceList::EuFsf, id, kind_of(kind_code)));
            entities.len() - 1
        });
        let e = &mut entities[idx];
        let name = whole_name(get(c_first), get(c_mid), get(c_last), get(c_whole));
        if !name.is_empty() {
            let q = if e.names.is_empty() {
                NameQuality::Primary
            } else if get(c_strong).eq_ignore_ascii_case("false") {
                NameQuality::Weak
            } else {
                NameQuality::Strong
            };
            e.push_name(&name, q);
        }
        if e.gender.is_none() {
            e.gender = Gender::parse(get(c_gender));
        }
        e.push_programme(get(c_prog));
        let dob = PartialDate::parse_iso(get(c_bd)).or_else(|| {
            PartialDate::new(
                get(c_by).parse().ok()?,
                get(c_bm).parse().ok(),
                get(c_bday).parse().ok(),
            )
        });
        e.push_dob(dob);
        e.push_country(country_code(get(c_cit)));
        e.push_country(country_code(get(c_addr)));
        let num = get(c_idn);
        if !num.is_empty() && !e.identifiers.iter().any(|i| i.value == num) {
            e.identifiers.push(Identifier {
                kind: id_kind(get(c_idt)),
                value: num.to_owned(),
                country: country_code(get(c_idc)),
            });
        }
    }
    let mut out = Vec::with_capacity(entities.len());
    for (i, mut e) in entities.into_iter().enumerate() {
        if e.names.is_empty() {
            issues.push(
                CSV,
                i as u64 + 1,
                format!("entity {} has no name", e.native_id),
            );
            continue;
        }
        classify(&mut e);
        out.push(e);
    }
    issues.check(CSV)?;
    Ok(ParsedList {
        entities: out,
        errors: issues.errors,
        version,
    })
}
