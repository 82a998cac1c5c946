//! Companies House officer-appointment bulk files (fixed width + `<`), read into officers.
//!
//! # The layout, as found in `officers_update_prod198_2016-10-18_sample.dat`
//! The README calls the update layout uncertain, so it was derived from the sample's bytes
//! (207 records: 73 company, 134 person) and then compared with a third party's write-up of
//! product 198 (mrbrianevans, chguide "person update record"), which agrees at every offset.
//! Offsets below are 0-based *characters* (one record has `KÖLN`; lengths count characters).
//! - Header `DDDDUPDT` + run number (4) + production date (8); trailer `99999999` + record
//!   count (8). The snapshot product (195) has the header `DDDDSNAP`.
//! - Company record: number 0..8, type `1` at 8, status at 9 (` `/`C`/`D`/`L`/`R`), filler to
//!   32, officer count 32..36, name length 36..40 (counts the closing `<`), name from 40.
//! - Update person record: number 0..8, type `2` at 8, appointment-date origin 9,
//!   resignation-date origin 10 (`1`/`3` exactly when a resignation date is present), correction
//!   indicator 11 (`Y` once: an SE record), corporate indicator 12 (`Y` on the 30 records whose
//!   name is in the surname field), filler 13..15, old appointment type 15..17, new appointment
//!   type 17..19 (pairs seen: 01→01, 01→03 and 03→03 resigned director, 00→02 resigned secretary,
//!   05→07 resigned designated LLP member, 04, 17, and 01→99 an errored appointment), old and
//!   new person numbers 19..31 and 31..43 (differ in 14 records, each with a change date),
//!   partial birth date `CCYYMM` 43..49 (+2 spaces), full birth date 51..59 (always blank),
//!   old postcode 59..67 (always blank), new postcode 67..75, appointment date 75..83,
//!   resignation date 83..91, change date 91..99, update date 99..107, variable-part length
//!   107..111, variable part from 111: 28 `<`-ended fields, the 14 of the snapshot (title,
//!   forenames, surname, honours, care of, PO box, address lines 1 and 2, post town, county,
//!   country, occupation, nationality, usual country of residence) then 14 always empty.
//! - Snapshot person record (third-party layout of product 195, not seen in a file here): type
//!   at 8, date origin 9, appointment type 10..12, person number 12..24, corporate indicator 24,
//!   appointment date 32..40, resignation date 40..48, variable-part length 72..76, part at 76.
//!
//! The variable part is found, not assumed: it starts where the four digits before it equal the
//! number of characters left on the line. Only the two known starts (111, 76) are decoded; a
//! record with any other structure is refused, since its fixed fields cannot be trusted.
//! Errored appointments (type 99) and nominee corrections (no company number) name no officer
//! and are skipped, not refused.

use std::io::BufRead;

use clearance_core::lookups::{Officer, RegistryRecord, company_id};

use super::common::{clean, compact_to_iso, is_iso_date, join_non_empty};
use super::countries::nationality;
use super::{ParseError, ParseReport};

/// Where the fixed fields of a person record are, by the start of its variable part.
struct Layout {
    variable_start: usize,
    appointment_type: usize,
    corporate: usize,
    resignation_date: usize,
}

const UPDATE: Layout = Layout {
    variable_start: 111,
    appointment_type: 17, // the new appointment type
    corporate: 12,
    resignation_date: 83,
};

const SNAPSHOT: Layout = Layout {
    variable_start: 76,
    appointment_type: 10,
    corporate: 24,
    resignation_date: 40,
};

/// Reads an officers update (or snapshot) file. `data_date` (`YYYY-MM-DD`) is the file's date:
/// a resignation dated after it has not taken effect yet.
pub fn read(
    mut reader: impl BufRead,
    data_date: &str,
    emit: &mut dyn FnMut(RegistryRecord),
) -> Result<ParseReport, ParseError> {
    if !is_iso_date(data_date) {
        return Err(ParseError::Format(format!(
            "data date {data_date:?} is not YYYY-MM-DD"
        )));
    }
    let mut report = ParseReport::default();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let Ok(text) = std::str::from_utf8(&buf) else {
            report.refuse(format!("line {line_no}: not UTF-8"));
            continue;
        };
        let line: Vec<char> = text.trim_end_matches(['\r', '\n']).chars().collect();
        let starts = |prefix: &str| line.iter().copied().take(prefix.len()).eq(prefix.chars());
        if line.is_empty() || starts("DDDD") || starts("99999999") {
            continue; // header, trailer
        }
        match line.get(8) {
            Some('1') => continue, // company records: the person records carry the number too
            Some('2') => {}
            _ => {
                report.refuse(format!("line {line_no}: no record type at column 9"));
                continue;
            }
        }
        match officer(&line, data_date) {
            Ok(Some(record)) => {
                report.emitted += 1;
                emit(record);
            }
            Ok(None) => {}
            Err(why) => report.refuse(format!("line {line_no}: {why}")),
        }
    }
    Ok(report)
}

/// The characters `a..b` of the line, trimmed (`""` past its end).
fn slice(line: &[char], a: usize, b: usize) -> String {
    let b = b.min(line.len());
    let a = a.min(b);
    line[a..b].iter().collect::<String>().trim().to_string()
}

/// The start of the variable part: a column whose four preceding digits give the number of
/// characters from there to the end of the line. The known starts are tried first, since a
/// person number can hold four digits that match by chance; the scan only names the column of
/// an unknown layout.
fn variable_start(line: &[char]) -> Option<usize> {
    let fits = |p: usize| {
        p >= 4
            && p <= line.len()
            && line[p - 4..p].iter().all(char::is_ascii_digit)
            && line[p - 4..p]
                .iter()
                .collect::<String>()
                .parse::<usize>()
                .ok()
                == Some(line.len() - p)
            && line[p..].iter().filter(|&&c| c == '<').count() >= 14
    };
    [UPDATE.variable_start, SNAPSHOT.variable_start]
        .into_iter()
        .find(|&p| fits(p))
        .or_else(|| (4..=line.len()).find(|&p| fits(p)))
}

fn officer(line: &[char], data_date: &str) -> Result<Option<RegistryRecord>, String> {
    let start = variable_start(line).ok_or("no variable part")?;
    let layout = match start {
        111 => &UPDATE,
        76 => &SNAPSHOT,
        other => {
            return Err(format!(
                "variable part at column {}: unknown layout",
                other + 1
            ));
        }
    };
    let number = slice(line, 0, 8);
    if number.is_empty() {
        return Ok(None); // a nominee correction
    }
    let code = slice(line, layout.appointment_type, layout.appointment_type + 2);
    let Some((role, resigned_type)) = role(&code) else {
        return Ok(None); // an errored appointment
    };
    let resignation = slice(line, layout.resignation_date, layout.resignation_date + 8);
    let resigned_on = compact_to_iso(&resignation);
    if !resignation.is_empty() && resigned_on.is_none() {
        return Err(format!("resignation date {resignation:?} is not CCYYMMDD"));
    }
    let variable: String = line[layout.variable_start..].iter().collect();
    let fields: Vec<&str> = variable.split('<').map(str::trim).collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or("");
    let corporate = line.get(layout.corporate) == Some(&'Y');
    let (forenames, surname) = (field(1), field(2));
    let entity_name = join_non_empty(&[forenames, surname], " ").ok_or("no name")?;
    let officer = Officer {
        entity_name,
        role: role.to_string(),
        occupation: clean(field(11)),
        nationality: nationality(field(12)),
        first_name: if corporate { None } else { clean(forenames) },
        last_name: if corporate { None } else { clean(surname) },
        active: !resigned_type && resigned_on.is_none_or(|d| d.as_str() > data_date),
    };
    Ok(Some(RegistryRecord::Officer {
        company_id: company_id("GB", &number),
        officer,
    }))
}

/// The role an appointment type names, and whether the type is a resigned one; `None` for an
/// errored appointment (99). Codes outside the published list are plain "officer".
fn role(code: &str) -> Option<(&'static str, bool)> {
    Some(match code {
        "00" => ("secretary", false),
        "01" => ("director", false),
        "02" => ("secretary", true),
        "03" => ("director", true),
        "04" => ("llp_member", false),
        "05" => ("llp_designated_member", false),
        "06" => ("llp_member", true),
        "07" => ("llp_designated_member", true),
        "11" => ("judicial_factor", false),
        "12" => ("receiver_and_manager", false),
        "13" => ("cic_manager", false),
        "14" => ("judicial_factor", true),
        "15" => ("receiver_and_manager", true),
        "16" => ("cic_manager", true),
        "17" => ("se_member_of_administrative_organ", false),
        "18" => ("se_member_of_supervisory_organ", false),
        "19" => ("se_member_of_management_organ", false),
        "20" => ("se_member_of_administrative_organ", true),
        "21" => ("se_member_of_supervisory_organ", true),
        "22" => ("se_member_of_management_organ", true),
        "99" => return None,
        _ => ("officer", false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/registries/companies_house/officers_update_prod198_2016-10-18_sample.dat"
    );

    fn officers(bytes: &[u8]) -> (Vec<(String, Officer)>, ParseReport) {
        let mut out = Vec::new();
        let report = read(bytes, "2016-10-18", &mut |r| {
            if let RegistryRecord::Officer {
                company_id,
                officer,
            } = r
            {
                out.push((company_id, officer));
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        (out, report)
    }

    #[test]
    fn reads_the_update_sample() {
        let (all, report) = officers(&std::fs::read(FILE).unwrap());
        // 134 person records, one of them an errored appointment (01→99).
        assert_eq!(
            (report.emitted, report.refused),
            (133, 0),
            "{:?}",
            report.reasons
        );
        assert_eq!(all.iter().filter(|(_, o)| o.active).count(), 103);
        let count = |role: &str| all.iter().filter(|(_, o)| o.role == role).count();
        assert_eq!((count("director"), count("secretary")), (66 + 16, 12 + 7));
        assert_eq!(
            (count("llp_member"), count("llp_designated_member")),
            (14, 17)
        );
        assert_eq!(count("se_member_of_administrative_organ"), 1);

        let (id, hughes) = &all[0];
        assert_eq!(*id, company_id("GB", "01974210"));
        assert_eq!(hughes.entity_name, "DESMOND HUGHES");
        assert_eq!(
            (hughes.first_name.as_deref(), hughes.last_name.as_deref()),
            (Some("DESMOND"), Some("HUGHES"))
        );
        assert_eq!(hughes.occupation.as_deref(), Some("SUPPORT WORKER"));
        assert_eq!(hughes.nationality.as_deref(), Some("GB"));
        assert_eq!(hughes.role, "director");
        assert!(hughes.active);
        let holbrook = &all[1].1;
        assert_eq!(holbrook.entity_name, "PENNY HOLBROOK");
        assert!(!holbrook.active, "resigned 2016-07-13");

        let cws = &all
            .iter()
            .find(|(id, _)| *id == company_id("GB", "02197841"))
            .unwrap()
            .1;
        assert_eq!(cws.entity_name, "CWS (NO.1) LIMITED");
        assert_eq!(
            (cws.first_name.as_deref(), cws.last_name.as_deref()),
            (None, None)
        );
        let koln = &all
            .iter()
            .find(|(id, _)| *id == company_id("GB", "SE000103"))
            .unwrap()
            .1;
        assert_eq!(koln.entity_name, "PETRA MARGRET SCHEIDA");
        assert_eq!(koln.nationality.as_deref(), Some("DE"));
    }

    #[test]
    fn reads_a_snapshot_record_and_refuses_unknown_layouts() {
        let snapshot = "DDDDSNAP425720260706\r\n\
            046381921                       00140039INTERNATIONAL BEE RESEARCH ASSOCIATION<\r\n\
            046381922201024407940002        19910915        NP25 3DZ194509          0082MR<HANS<KJAERSGAARD<<<<1 AGINCOURT STREET<<MONMOUTH<<WALES<BEEKEEPER<DANISH<WALES<\r\n\
            04638192220102440794000X        19910915        NP25 3DZ194509          0009MR<HANS<<\r\n\
            9999999900000003\r\n";
        let (all, report) = officers(snapshot.as_bytes());
        assert_eq!(report.emitted, 1, "{:?}", report.reasons);
        assert_eq!(report.refused, 1);
        let (id, hans) = &all[0];
        assert_eq!(*id, company_id("GB", "04638192"));
        assert_eq!(
            (hans.entity_name.as_str(), hans.role.as_str()),
            ("HANS KJAERSGAARD", "director")
        );
        assert_eq!(hans.nationality.as_deref(), Some("DK"));
        assert!(hans.active);
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in super::super::common::garbage(300) {
            let _ = read(&bytes[..], "2016-10-18", &mut |_| {});
            let mut record = b"0000000121     0101".to_vec();
            record.extend_from_slice(&bytes);
            let _ = read(&record[..], "2016-10-18", &mut |_| {});
        }
    }
}
