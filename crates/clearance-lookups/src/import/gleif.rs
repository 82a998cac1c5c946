//! GLEIF golden copy / concatenated files, LEI-CDF XML 2.1 and 3.x, read as a stream with
//! quick-xml and matched on local names (the prefixes and namespaces vary between releases),
//! mapped as `data/registries/README.md` §4 proposes. Also the Level 2 relationship file, whose
//! consolidation parents are handed out as LEI pairs for the caller to join.

use std::io::BufRead;

use clearance_core::country;
use clearance_core::lookups::{Company, LookupAddress, RegistryRecord, company_id};
use quick_xml::events::{BytesStart, Event};

use super::common::{clean, is_iso_date, join_non_empty};
use super::timestamp::to_utc_millis;
use super::{ParseError, ParseReport};

mod relationships;
pub use relationships::{LeiRelationship, read_relationships};

/// What one `LEIRecord` said, as its elements went by.
#[derive(Default)]
struct LeiRecord {
    lei: String,
    legal_name: String,
    previous_names: Vec<String>,
    address_number: String,
    address_lines: Vec<String>,
    city: String,
    region: String,
    address_country: String,
    postal_code: String,
    registration_number: String,
    jurisdiction: String,
    category: String,
    status: String,
    creation_date: String,
    initial_registration: String,
    last_update: String,
}

/// Walks the elements of a file: `on_start` sees each start tag with its path of local names,
/// `on_end` each element's path and text (entities decoded, trimmed).
fn walk(
    reader: impl BufRead,
    mut on_start: impl FnMut(&[String], &BytesStart),
    mut on_end: impl FnMut(&[String], &str),
) -> Result<(), ParseError> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    xml.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        let event = xml.read_event_into(&mut buf).map_err(|e| {
            ParseError::Format(format!("XML at byte {}: {e}", xml.error_position()))
        })?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                path.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                text.clear();
                on_start(&path, &e);
                if empty {
                    on_end(&path, "");
                    path.pop();
                }
            }
            Event::Text(t) => match t.unescape() {
                Ok(s) => text.push_str(&s),
                Err(e) => return Err(ParseError::Format(format!("XML text: {e}"))),
            },
            Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c)),
            Event::End(_) => {
                on_end(&path, text.trim());
                text.clear();
                path.pop();
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// The element path below the innermost `record` element, joined with `/` (`Entity/LegalName`).
fn below(path: &[String], record: &str) -> Option<String> {
    let at = path.iter().rposition(|p| p == record)?;
    Some(path[at + 1..].join("/"))
}

fn type_attribute(e: &BytesStart) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"type")
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
        .unwrap_or_default()
}

/// Reads LEI records as companies; `data_date` (`YYYY-MM-DD`) dates records without dates.
pub fn read(
    reader: impl BufRead,
    data_date: &str,
    emit: &mut dyn FnMut(RegistryRecord),
) -> Result<ParseReport, ParseError> {
    if !is_iso_date(data_date) {
        return Err(ParseError::Format(format!(
            "data date {data_date:?} is not YYYY-MM-DD"
        )));
    }
    let fallback = format!("{data_date}T00:00:00.000Z");
    let mut report = ParseReport::default();
    // Both closures need the record being read.
    let record = std::cell::RefCell::new(LeiRecord::default());
    let name_type = std::cell::RefCell::new(String::new());
    walk(
        reader,
        |path, e| match path.last().map(String::as_str) {
            Some("LEIRecord") => *record.borrow_mut() = LeiRecord::default(),
            Some("OtherEntityName" | "TransliteratedOtherEntityName") => {
                *name_type.borrow_mut() = type_attribute(e);
            }
            _ => {}
        },
        |path, text| {
            if path.last().map(String::as_str) == Some("LEIRecord") {
                let done = std::mem::take(&mut *record.borrow_mut());
                match company(done, &fallback) {
                    Ok(c) => {
                        report.emitted += 1;
                        emit(RegistryRecord::Company(Box::new(c)));
                    }
                    Err(why) => report.refuse(why),
                }
                return;
            }
            let Some(rel) = below(path, "LEIRecord") else {
                return;
            };
            let mut r = record.borrow_mut();
            let text = text.to_string();
            match rel.as_str() {
                "LEI" => r.lei = text,
                "Entity/LegalName" => r.legal_name = text,
                "Entity/OtherEntityNames/OtherEntityName"
                    if name_type.borrow().as_str() == "PREVIOUS_LEGAL_NAME" =>
                {
                    r.previous_names.push(text);
                }
                "Entity/TransliteratedOtherEntityNames/TransliteratedOtherEntityName" => {
                    r.previous_names.push(text);
                }
                "Entity/LegalAddress/FirstAddressLine" => r.address_lines.insert(0, text),
                "Entity/LegalAddress/AdditionalAddressLine" => r.address_lines.push(text),
                "Entity/LegalAddress/AddressNumber" => r.address_number = text,
                "Entity/LegalAddress/City" => r.city = text,
                "Entity/LegalAddress/Region" => r.region = text,
                "Entity/LegalAddress/Country" => r.address_country = text,
                "Entity/LegalAddress/PostalCode" => r.postal_code = text,
                "Entity/RegistrationAuthority/RegistrationAuthorityEntityID" => {
                    r.registration_number = text;
                }
                "Entity/LegalJurisdiction" => r.jurisdiction = text,
                "Entity/EntityCategory" => r.category = text,
                "Entity/EntityStatus" => r.status = text,
                "Entity/EntityCreationDate" => r.creation_date = text,
                "Registration/InitialRegistrationDate" => r.initial_registration = text,
                "Registration/LastUpdateDate" => r.last_update = text,
                _ => {}
            }
        },
    )?;
    Ok(report)
}

/// The two letters of a country or subdivision code (`US-DE` → `US`) when they are ISO's.
fn alpha2_of(code: &str) -> Option<String> {
    let two = code.trim().get(..2)?.to_ascii_uppercase();
    country::is_alpha2(&two).then_some(two)
}

fn company(r: LeiRecord, fallback: &str) -> Result<Company, String> {
    if r.lei.is_empty() {
        return Err("a record without an LEI".into());
    }
    if r.legal_name.is_empty() {
        return Err(format!("LEI {}: no legal name", r.lei));
    }
    let incorporation_country = alpha2_of(&r.jurisdiction)
        .or_else(|| alpha2_of(&r.address_country))
        .ok_or_else(|| format!("LEI {}: no country", r.lei))?;
    let registration_number = clean(&r.registration_number).unwrap_or_else(|| r.lei.clone());
    let country = alpha2_of(&r.address_country);
    // `US-MA` → `MA`: the subdivision within the address's own country.
    let state = match (&country, r.region.split_once('-')) {
        (Some(c), Some((prefix, sub))) if prefix.eq_ignore_ascii_case(c) => clean(sub),
        _ => clean(&r.region),
    };
    let line = join_non_empty(
        &r.address_lines
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ", ",
    );
    let address = LookupAddress {
        property_number: clean(&r.address_number),
        line,
        city: clean(&r.city),
        state,
        postal_code: clean(&r.postal_code),
        country,
        ..LookupAddress::default()
    };
    let mut previous_names: Vec<String> = Vec::new();
    for name in r.previous_names {
        if !name.is_empty() && name != r.legal_name && !previous_names.contains(&name) {
            previous_names.push(name);
        }
    }
    let updated_at = to_utc_millis(&r.last_update).unwrap_or_else(|| fallback.to_string());
    Ok(Company {
        id: company_id(&incorporation_country, &registration_number),
        name: r.legal_name,
        registration_number,
        incorporation_country,
        incorporation_date: r
            .creation_date
            .get(..10)
            .filter(|d| is_iso_date(d))
            .map(str::to_string),
        // The ELF code list is not at hand; only a sole proprietor is obvious.
        incorporation_type: (r.category == "SOLE_PROPRIETOR").then(|| "sole_proprietorship".into()),
        address: (address != LookupAddress::default()).then_some(address),
        active: r.status == "ACTIVE",
        source_url: Some(format!("https://search.gleif.org/#/record/{}", r.lei)),
        created_at: to_utc_millis(&r.initial_registration).unwrap_or_else(|| fallback.to_string()),
        updated_at,
        previous_names,
        lei: Some(r.lei),
        ..Company::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/registries/gleif/"
    );

    fn companies(name: &str) -> (Vec<Company>, ParseReport) {
        let bytes = std::fs::read(format!("{DIR}{name}")).unwrap();
        let mut out = Vec::new();
        let report = read(&bytes[..], "2023-06-05", &mut |r| {
            if let RegistryRecord::Company(c) = r {
                out.push(*c);
            }
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        (out, report)
    }

    #[test]
    fn reads_the_2023_golden_copy_sample() {
        let (all, report) = companies("lei_2023-06-05_sample13.xml");
        assert_eq!(
            (report.emitted, report.refused),
            (13, 0),
            "{:?}",
            report.reasons
        );
        assert_eq!(all.iter().filter(|c| c.active).count(), 12);
        let c = all
            .iter()
            .find(|c| c.lei.as_deref() == Some("1595D0QCK7Y15293JK84"))
            .unwrap();
        assert_eq!(c.name, "GALAPAGOS CONSERVATION TRUST");
        assert_eq!(
            (
                c.registration_number.as_str(),
                c.incorporation_country.as_str()
            ),
            ("03004112", "GB")
        );
        assert_eq!(c.id, company_id("GB", "03004112"), "the Companies House id");
        assert_eq!(c.incorporation_date.as_deref(), Some("1994-12-21"));
        assert_eq!(c.updated_at, "2023-03-10T12:08:56.000Z");
        assert_eq!(c.created_at, "2023-02-13T21:13:11.000Z");
        assert_eq!(
            c.source_url.as_deref(),
            Some("https://search.gleif.org/#/record/1595D0QCK7Y15293JK84")
        );
        let a = c.address.as_ref().unwrap();
        assert_eq!(a.line.as_deref(), Some("7-14 Great Dover Street"));
        assert_eq!(
            (a.city.as_deref(), a.postal_code.as_deref()),
            (Some("London"), Some("SE1 4YR"))
        );
        assert_eq!(a.country.as_deref(), Some("GB"));
        let dentsu = all
            .iter()
            .find(|c| c.lei.as_deref() == Some("213800FERQ5LE3H7WJ58"))
            .unwrap();
        assert_eq!(dentsu.registration_number, "01403668");
        assert_eq!(
            dentsu.previous_names,
            ["DENTSU AEGIS NETWORK LTD.", "AEGIS GROUP PLC"]
        );
        let fund = all
            .iter()
            .find(|c| c.lei.as_deref() == Some("001GPB6A9XPE8XJICC14"))
            .unwrap();
        assert_eq!(fund.incorporation_country, "US");
        assert_eq!(fund.address.as_ref().unwrap().state.as_deref(), Some("MA"));
        assert_eq!(fund.created_at, "2012-11-29T16:33:00.000Z");
        let hutchin = all
            .iter()
            .find(|c| c.lei.as_deref() == Some("004L5FPTUREIWK9T2N63"))
            .unwrap();
        assert_eq!(
            hutchin.address.as_ref().unwrap().line.as_deref(),
            Some("C/O Corporation Service Company, 2711 Centerville Road, Suite 400")
        );
    }

    #[test]
    fn reads_the_other_samples() {
        let (all, report) = companies("lei_2023-11-06_sample12.xml");
        assert_eq!(
            (report.emitted, report.refused),
            (12, 0),
            "{:?}",
            report.reasons
        );
        assert_eq!(
            all.iter()
                .filter(|c| c.incorporation_country == "SK")
                .count(),
            7
        );
        assert!(all.iter().any(|c| {
            c.previous_names
                .iter()
                .any(|n| n.starts_with("VUB GENERALI"))
        }));
        let (old, report) = companies("lei_2018-09-01_top10.xml");
        assert_eq!((report.emitted, report.refused), (10, 0));
        assert!(
            old.iter()
                .all(|c| c.incorporation_country == "NG" && c.incorporation_date.is_none())
        );
        let first = &old[0];
        assert_eq!(
            (first.name.as_str(), first.registration_number.as_str()),
            ("AFRINVEST SECURITIES LIMITED", "RC603315")
        );
        assert!(
            first.previous_names.is_empty(),
            "an alternative-language name is no previous name"
        );
        assert_eq!(first.updated_at, "2018-08-02T15:23:46.000Z");
    }

    #[test]
    fn unprefixed_records_fallbacks_and_refusals() {
        let xml = r#"<LEIData><LEIRecords>
            <LEIRecord><LEI>X1</LEI><Entity><LegalName>A &amp; B</LegalName>
              <LegalAddress><Country>fr</Country></LegalAddress><EntityStatus>INACTIVE</EntityStatus></Entity>
              <Registration><LastUpdateDate>garbled</LastUpdateDate></Registration></LEIRecord>
            <LEIRecord><LEI>X2</LEI><Entity><LegalName/></Entity></LEIRecord>
        </LEIRecords></LEIData>"#;
        let mut out = Vec::new();
        let report = read(xml.as_bytes(), "2024-02-01", &mut |r| out.push(r)).unwrap();
        assert_eq!((report.emitted, report.refused), (1, 1));
        let RegistryRecord::Company(c) = &out[0] else {
            panic!()
        };
        assert_eq!(
            (c.name.as_str(), c.registration_number.as_str()),
            ("A & B", "X1")
        );
        assert_eq!(c.incorporation_country, "FR");
        assert!(!c.active);
        assert_eq!(c.updated_at, "2024-02-01T00:00:00.000Z");
        assert!(read(&b"<a><b></a>"[..], "2024-02-01", &mut |_| {}).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in super::super::common::garbage(300) {
            let _ = read(&bytes[..], "2024-01-01", &mut |_| {});
        }
    }
}
