//! Companies House persons-with-significant-control snapshot: JSON lines of
//! `{"company_number":…,"data":{…}}`, each `data` the register API's PSC resource, mapped to
//! owners as `data/registries/README.md` §2 proposes. Statements, exemptions, super-secure
//! records (no owner is named), ceased PSCs and the totals trailer are skipped, not refused.

use std::io::BufRead;

use clearance_core::lookups::{LookupAddress, Owner, RegistryRecord, company_id};
use serde::Deserialize;

use super::common::{clean, join_non_empty};
use super::countries::{country_or_text, nationality};
use super::{ParseError, ParseReport};

#[derive(Deserialize)]
struct Line {
    company_number: Option<String>,
    data: Option<Data>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Data {
    kind: String,
    name: Option<String>,
    name_elements: Option<NameElements>,
    date_of_birth: Option<BirthMonth>,
    nationality: Option<String>,
    country_of_residence: Option<String>,
    address: Option<Address>,
    natures_of_control: Vec<String>,
    ceased_on: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct NameElements {
    forename: Option<String>,
    surname: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct BirthMonth {
    month: Option<u32>,
    year: Option<u32>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Address {
    premises: Option<String>,
    address_line_1: Option<String>,
    address_line_2: Option<String>,
    locality: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

/// Reads a PSC snapshot (or one of its chunks).
pub fn read(
    mut reader: impl BufRead,
    emit: &mut dyn FnMut(RegistryRecord),
) -> Result<ParseReport, ParseError> {
    let mut report = ParseReport::default();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: Line = match serde_json::from_slice(&buf) {
            Ok(line) => line,
            Err(e) => {
                report.refuse(format!("line {line_no}: {e}"));
                continue;
            }
        };
        match owner(line) {
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

/// The owner a line names; `None` for lines that name none.
fn owner(line: Line) -> Result<Option<RegistryRecord>, String> {
    let data = line.data.unwrap_or_default();
    let kind = data.kind.as_str();
    if kind.starts_with("totals#")
        || kind == "exemptions"
        || kind.ends_with("-statement")
        || kind.starts_with("super-secure-")
        || data
            .ceased_on
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty())
    {
        return Ok(None);
    }
    let entity_type = if kind.starts_with("individual-") {
        "person"
    } else if kind.starts_with("corporate-entity-") || kind.starts_with("legal-person-") {
        "company"
    } else {
        return Err(format!("unknown kind {kind:?}"));
    };
    let number = line
        .company_number
        .as_deref()
        .and_then(clean)
        .ok_or("no company number")?;
    let name = data.name.as_deref().and_then(clean).ok_or("no name")?;
    let beneficial = kind.ends_with("-beneficial-owner");
    let names = data.name_elements.unwrap_or_default();
    let owner = Owner {
        kind: if beneficial {
            "beneficial_owner"
        } else {
            "person_with_significant_control"
        }
        .into(),
        role: if beneficial {
            "Beneficial owner"
        } else {
            "Person with significant control"
        }
        .into(),
        entity_type: entity_type.into(),
        entity_name: name,
        ownership_type: ownership_type(&data.natures_of_control).map(str::to_string),
        first_name: names.forename.as_deref().and_then(clean),
        last_name: names.surname.as_deref().and_then(clean),
        dob: data.date_of_birth.and_then(|d| match (d.year, d.month) {
            (Some(y), Some(m)) if (1..=12).contains(&m) && (1000..=9999).contains(&y) => {
                Some(format!("{y:04}-{m:02}"))
            }
            _ => None,
        }),
        nationality: data.nationality.as_deref().and_then(nationality),
        country_of_residence: data
            .country_of_residence
            .as_deref()
            .and_then(country_or_text),
        address: data.address.and_then(address),
        ownership_structure: ownership_structure(&data.natures_of_control).map(str::to_string),
    };
    Ok(Some(RegistryRecord::Owner {
        company_id: company_id("GB", &number),
        owner,
    }))
}

/// A nature of control without the suffixes that say which register or vehicle it is for.
fn base_nature(nature: &str) -> &str {
    let n = nature.trim();
    let n = n.strip_suffix("-registered-overseas-entity").unwrap_or(n);
    let n = n
        .strip_suffix("-limited-liability-partnership")
        .unwrap_or(n);
    let n = n.strip_suffix("-as-trust").unwrap_or(n);
    n.strip_suffix("-as-firm").unwrap_or(n)
}

/// The highest share, vote or surplus-assets band held; else the other kinds of control.
fn ownership_type(natures: &[String]) -> Option<&'static str> {
    const BANDS: [(&str, &str); 4] = [
        ("-75-to-100-percent", "75_to_100_percent"),
        ("-50-to-75-percent", "50_to_75_percent"),
        ("-25-to-50-percent", "25_to_50_percent"),
        ("-more-than-25-percent", "more_than_25_percent"),
    ];
    let bases: Vec<&str> = natures.iter().map(|n| base_nature(n)).collect();
    let banded = |suffix: &str| {
        bases.iter().any(|b| {
            b.ends_with(suffix)
                && (b.starts_with("ownership-of-shares")
                    || b.starts_with("voting-rights")
                    || b.starts_with("right-to-share-surplus-assets"))
        })
    };
    if let Some((_, band)) = BANDS.iter().find(|(suffix, _)| banded(suffix)) {
        return Some(band);
    }
    if bases
        .iter()
        .any(|b| b.starts_with("right-to-appoint-and-remove"))
    {
        return Some("right_to_appoint_and_remove_directors");
    }
    if bases
        .iter()
        .any(|b| b.starts_with("significant-influence-or-control"))
    {
        return Some("significant_influence_or_control");
    }
    None
}

/// Control through a trust or a firm when any nature says so; else direct.
fn ownership_structure(natures: &[String]) -> Option<&'static str> {
    let trimmed: Vec<&str> = natures
        .iter()
        .map(|n| {
            let n = n.trim();
            let n = n.strip_suffix("-registered-overseas-entity").unwrap_or(n);
            n.strip_suffix("-limited-liability-partnership")
                .unwrap_or(n)
        })
        .collect();
    if trimmed.is_empty() {
        None
    } else if trimmed.iter().any(|n| n.ends_with("-as-trust")) {
        Some("through_trust")
    } else if trimmed.iter().any(|n| n.ends_with("-as-firm")) {
        Some("through_firm")
    } else {
        Some("direct")
    }
}

/// A service address; `premises` is a house number when it starts with one, else a building.
fn address(a: Address) -> Option<LookupAddress> {
    let premises = a.premises.as_deref().and_then(clean);
    let mut line = join_non_empty(
        &[
            a.address_line_1.as_deref().unwrap_or(""),
            a.address_line_2.as_deref().unwrap_or(""),
        ],
        ", ",
    );
    let (mut property_number, mut building_name) = (None, None);
    if let Some(p) = premises {
        if p.starts_with(|c: char| c.is_ascii_digit()) {
            // `22 Chancery Lane` with no address line: the premises is the line.
            match (line.is_none(), p.split_once(' ')) {
                (true, Some((number, _))) => {
                    property_number = Some(number.trim_end_matches(',').to_string());
                    line = Some(p);
                }
                _ => property_number = Some(p),
            }
        } else {
            building_name = Some(p);
        }
    }
    let address = LookupAddress {
        property_number,
        building_name,
        line,
        city: a.locality.as_deref().and_then(clean),
        state: a.region.as_deref().and_then(clean),
        postal_code: a.postal_code.as_deref().and_then(clean),
        country: a.country.as_deref().and_then(country_or_text),
    };
    (address != LookupAddress::default()).then_some(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/registries/companies_house/psc_snapshot_sample.jsonl"
    );

    fn owners(bytes: &[u8]) -> (Vec<(String, Owner)>, ParseReport) {
        let mut out = Vec::new();
        let report = read(bytes, &mut |r| {
            if let RegistryRecord::Owner { company_id, owner } = r {
                out.push((company_id, owner));
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        (out, report)
    }

    #[test]
    fn reads_the_snapshot_sample() {
        let bytes = std::fs::read(FILE).unwrap();
        let (all, report) = owners(&bytes);
        // 19 records: a statement, a super-secure PSC and a ceased one carry no owner.
        assert_eq!(
            (report.emitted, report.refused),
            (16, 0),
            "{:?}",
            report.reasons
        );
        let of_08209948: Vec<&Owner> = all
            .iter()
            .filter(|(id, _)| *id == company_id("GB", "08209948"))
            .map(|(_, o)| o)
            .collect();
        assert_eq!(of_08209948.len(), 1);
        let o = of_08209948[0];
        assert_eq!(o.entity_name, "Mr Marc Anthony Feldman");
        assert_eq!(
            (o.first_name.as_deref(), o.last_name.as_deref()),
            (Some("Marc"), Some("Feldman"))
        );
        assert_eq!(
            (o.kind.as_str(), o.role.as_str()),
            (
                "person_with_significant_control",
                "Person with significant control"
            )
        );
        assert_eq!(o.entity_type, "person");
        assert_eq!(o.dob.as_deref(), Some("1961-12"));
        assert_eq!(o.nationality.as_deref(), Some("GB"));
        assert_eq!(o.country_of_residence.as_deref(), Some("GB"));
        assert_eq!(o.ownership_type.as_deref(), Some("75_to_100_percent"));
        assert_eq!(o.ownership_structure.as_deref(), Some("direct"));
        let a = o.address.as_ref().unwrap();
        assert_eq!(a.property_number.as_deref(), Some("9"));
        assert_eq!(a.line.as_deref(), Some("Princes Square"));
        assert_eq!(
            (a.city.as_deref(), a.postal_code.as_deref()),
            (Some("Harrogate"), Some("HG1 1ND"))
        );
        assert_eq!(a.country.as_deref(), Some("GB"));

        let by = |number: &str| {
            &all.iter()
                .find(|(id, _)| *id == company_id("GB", number))
                .unwrap()
                .1
        };
        let czech = by("OE031044");
        assert_eq!(
            (czech.kind.as_str(), czech.entity_type.as_str()),
            ("beneficial_owner", "company")
        );
        assert_eq!(
            czech.ownership_type.as_deref(),
            Some("more_than_25_percent")
        );
        assert_eq!(czech.ownership_structure.as_deref(), Some("through_firm"));
        assert_eq!(
            czech.address.as_ref().unwrap().country.as_deref(),
            Some("CZ")
        );
        let trust = by("OE029880");
        assert_eq!(
            trust.ownership_type.as_deref(),
            Some("significant_influence_or_control")
        );
        assert_eq!(trust.ownership_structure.as_deref(), Some("through_trust"));
        assert_eq!(
            by("06452920").ownership_type.as_deref(),
            Some("75_to_100_percent")
        );
        assert_eq!(by("07102351").entity_type, "company", "a legal person");
        let wales = by("07880581");
        assert_eq!(wales.country_of_residence.as_deref(), Some("GB"));
        assert_eq!(
            wales.address.as_ref().unwrap().building_name.as_deref(),
            Some("Summit House")
        );
        assert_eq!(
            wales.address.as_ref().unwrap().state.as_deref(),
            Some("Gwent")
        );
        let chancery = by("10308743").address.as_ref().unwrap();
        assert_eq!(chancery.line.as_deref(), Some("22 Chancery Lane"));
        assert_eq!(chancery.property_number.as_deref(), Some("22"));
        assert!(
            all.iter()
                .all(|(id, _)| *id != company_id("GB", "10308742")),
            "ceased"
        );
        assert!(
            all.iter()
                .all(|(id, _)| *id != company_id("GB", "02443921")),
            "super-secure"
        );
    }

    #[test]
    fn refuses_malformed_lines_and_unknown_kinds() {
        let input = "{\"company_number\":\"1\",\"data\":{\"kind\":\"individual-person-with-significant-control\",\"name\":\"A B\",\"nationality\":\"Martian\"}}\r\n\
            \n\
            {not json\n\
            {\"company_number\":\"2\",\"data\":{\"kind\":\"something-new\"}}\n\
            {\"company_number\":\"3\",\"data\":{\"kind\":\"corporate-entity-person-with-significant-control\"}}\n\
            {\"company_number\":\"4\",\"data\":{\"kind\":\"exemptions\"}}";
        let (all, report) = owners(input.as_bytes());
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].1.nationality.as_deref(),
            Some("Martian"),
            "kept as given"
        );
        assert_eq!(all[0].1.ownership_type, None);
        assert_eq!(report.refused, 3);
        assert!(
            report.reasons[0].starts_with("line 3:"),
            "{:?}",
            report.reasons
        );
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in super::super::common::garbage(300) {
            let _ = read(&bytes[..], &mut |_| {});
        }
    }
}
