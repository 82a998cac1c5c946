//! OFAC legacy delimited files: the SDN trio (`sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`)
//! and the Consolidated non-SDN set (`cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`, `cons_comments.csv`).

use std::collections::HashMap;
use std::io::Read;

use super::common::{Issues, Tail, cell, csv_error, reject_utf16, utf8_field};
use super::remarks;
use crate::error::{Result, ScreeningError};
use crate::model::{Classification, Entity, EntityKind, NameQuality, ParsedList, SourceList};

/// The readers of one OFAC set; only the primary file is required.
pub struct OfacFiles<P, A, D, C> {
    pub primary: P,
    pub aliases: Option<A>,
    pub addresses: Option<D>,
    pub comments: Option<C>,
}

/// Reads rows of a header-less OFAC CSV, calling `f(line, fields)` for every complete row.
fn read_rows<R: Read>(
    file: &str,
    reader: R,
    expected: usize,
    issues: &mut Issues,
    mut f: impl FnMut(u64, &[String], &mut Issues),
) -> Result<()> {
    let mut tail = Tail::new(reader);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&mut tail);
    let mut rec = csv::ByteRecord::new();
    // A short row is only an error once we know it is not the last one (then the file is truncated).
    let mut pending_short: Option<(u64, usize)> = None;
    let mut first = true;
    let mut line_no = 0u64;
    loop {
        let start_byte = rdr.position().byte();
        let more = rdr
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(file, &e))?;
        if !more {
            break;
        }
        // OFAC rows are one line each (no header): the record number is the line number
        line_no += 1;
        let pos = (line_no, start_byte);
        if first {
            first = false;
            if let Some(b) = rec.get(0) {
                reject_utf16(file, b)?;
            }
        }
        // The files end with a DOS end-of-file marker (0x1A) on its own "row".
        if rec.len() == 1
            && rec
                .get(0)
                .is_some_and(|b| b.iter().all(|c| *c == 0x1a || c.is_ascii_whitespace()))
        {
            continue;
        }
        if let Some((line, n)) = pending_short.take() {
            issues.records += 1;
            issues.push(file, line, format!("expected {expected} fields, found {n}"));
        }
        if rec.len() < expected {
            pending_short = Some((pos.0, rec.len()));
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        for b in rec.iter() {
            fields.push(utf8_field(file, b, pos.1)?);
        }
        issues.records += 1;
        f(pos.0, &fields, issues);
    }
    drop(rdr);
    if let Some((line, n)) = pending_short {
        return Err(ScreeningError::Truncated {
            file: file.to_owned(),
            line,
            message: format!("last row has {n} of {expected} fields"),
        });
    }
    if tail.open_quote() {
        return Err(ScreeningError::Truncated {
            file: file.to_owned(),
            line: 0,
            message: "file ends inside a quoted field".into(),
        });
    }
    issues.check(file)
}

/// Turns `SURNAME, Given names` into `Given names SURNAME`.
pub(crate) fn reorder_person(name: &str) -> String {
    match name.split_once(',') {
        Some((surname, given)) if !given.trim().is_empty() && !surname.trim().is_empty() => {
            format!("{} {}", given.replace(',', " ").trim(), surname.trim())
        }
        _ => name.to_owned(),
    }
}

fn kind_of(sdn_type: &str) -> EntityKind {
    match sdn_type.to_ascii_lowercase().as_str() {
        "individual" => EntityKind::Person,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Organisation,
    }
}

/// Parses one OFAC set. `names` are the file names used in error reports.
pub fn parse_ofac<P: Read, A: Read, D: Read, C: Read>(
    files: OfacFiles<P, A, D, C>,
    source: SourceList,
    names: [&str; 4],
) -> Result<ParsedList> {
    let mut issues = Issues::default();
    let mut entities: Vec<Entity> = Vec::new();
    let mut remarks_by: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    read_rows(
        names[0],
        files.primary,
        12,
        &mut issues,
        |line, f, issues| {
            let id = cell(&f[0]);
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
                issues.push(names[0], line, format!("bad ent_num {id:?}"));
                return;
            }
            let kind = kind_of(cell(&f[2]));
            let raw = cell(&f[1]);
            if raw.is_empty() {
                issues.push(names[0], line, "empty name");
                return;
            }
            let mut e = Entity::new(source, id, kind);
            let name = if kind == EntityKind::Person {
                reorder_person(raw)
            } else {
                raw.to_owned()
            };
            e.push_name(&name, NameQuality::Primary);
            for p in cell(&f[3]).split(['[', ']', ';']) {
                let p = p.trim();
                if !p.is_empty() {
                    e.push_programme(p);
                }
            }
            e.push_classification(Classification::WatchlistSanctionsLists);
            if e.programmes.iter().any(|p| is_terror_programme(p)) {
                e.push_classification(Classification::WatchlistTerror);
            }
            if let Some(flag) = crate::countries::country_code(cell(&f[9])) {
                e.countries.push(flag);
            }
            if by_id.insert(id.to_owned(), entities.len()).is_some() {
                issues.push(names[0], line, format!("duplicate ent_num {id}"));
                by_id.insert(id.to_owned(), entities.len());
            }
            remarks_by.push(cell(&f[11]).to_owned());
            entities.push(e);
        },
    )?;
    if let Some(alt) = files.aliases {
        read_rows(names[1], alt, 5, &mut issues, |line, f, issues| {
            let Some(&i) = by_id.get(cell(&f[0])) else {
                issues.push(
                    names[1],
                    line,
                    format!("alias for unknown ent_num {:?}", cell(&f[0])),
                );
                return;
            };
            let raw = cell(&f[3]);
            if raw.is_empty() {
                issues.push(names[1], line, "empty alias");
                return;
            }
            let e = &mut entities[i];
            let name = if e.kind == EntityKind::Person {
                reorder_person(raw)
            } else {
                raw.to_owned()
            };
            let quality = if cell(&f[2]).eq_ignore_ascii_case("weak aka") {
                NameQuality::Weak
            } else {
                NameQuality::Strong
            };
            e.push_name(&name, quality);
        })?;
    }
    if let Some(add) = files.addresses {
        read_rows(names[2], add, 6, &mut issues, |line, f, issues| {
            let Some(&i) = by_id.get(cell(&f[0])) else {
                issues.push(
                    names[2],
                    line,
                    format!("address for unknown ent_num {:?}", cell(&f[0])),
                );
                return;
            };
            entities[i].push_country(crate::countries::country_code(cell(&f[4])));
        })?;
    }
    if let Some(com) = files.comments {
        read_rows(names[3], com, 2, &mut issues, |line, f, issues| {
            let Some(&i) = by_id.get(cell(&f[0])) else {
                issues.push(
                    names[3],
                    line,
                    format!("comment for unknown ent_num {:?}", cell(&f[0])),
                );
                return;
            };
            remarks_by[i].push_str(cell(&f[1]));
        })?;
    }
    for (e, r) in entities.iter_mut().zip(&remarks_by) {
        remarks::apply_ofac_remarks(e, r);
    }
    Ok(ParsedList {
        entities,
        errors: issues.errors,
        version: None,
    })
}

pub(crate) fn is_terror_programme(p: &str) -> bool {
    let p = p.to_ascii_uppercase();
    p.contains("SDGT") || p.contains("FTO") || p == "SDT" || p.contains("TERROR")
}
