//! OS Open Names CSV: no header row, a byte-order mark, 34 columns in the order OS publishes
//! separately (README §2). Only roads are address data: named roads, their sections, and
//! numbered roads (`A9`: people do write those as street names). Each gives a street-precision
//! record within its postcode district, once per name (`NAME2` is the other-language name).

use std::io::Read;

use clearance_core::lookups::{AddressPrecision, AddressRecord, LookupAddress};

use super::bng;
use super::common::{Row, Rows, clean};
use super::{ParseError, ParseReport};

const NAME1: usize = 2;
const NAME2: usize = 4;
const TYPE: usize = 6;
const LOCAL_TYPE: usize = 7;
const GEOMETRY_X: usize = 8;
const GEOMETRY_Y: usize = 9;
const POSTCODE_DISTRICT: usize = 16;
const POPULATED_PLACE: usize = 18;
const DISTRICT_BOROUGH: usize = 21;
const COUNTY_UNITARY: usize = 24;
const COLUMNS: usize = 34;

const ROADS: &[&str] = &[
    "Named Road",
    "Section Of Named Road",
    "Numbered Road",
    "Section Of Numbered Road",
];

/// Reads one OS Open Names file (a tile or the whole country).
pub fn read(
    reader: impl Read,
    emit: &mut dyn FnMut(AddressRecord),
) -> Result<ParseReport, ParseError> {
    let mut rows = Rows::new(reader, false);
    let mut report = ParseReport::default();
    loop {
        match rows.next(&mut report)? {
            Row::End => break,
            Row::Refused => continue,
            Row::Read => {}
        }
        let row = &rows.record;
        if row.len() < COLUMNS {
            report.refuse(format!(
                "line {}: {} columns, not {COLUMNS}",
                rows.line(),
                row.len()
            ));
            continue;
        }
        let cell = |i: usize| row.get(i).unwrap_or("").trim();
        if cell(TYPE) != "transportNetwork" || !ROADS.contains(&cell(LOCAL_TYPE)) {
            continue;
        }
        let Some(name) = clean(cell(NAME1)) else {
            report.refuse(format!("line {}: a road without a name", rows.line()));
            continue;
        };
        let lat_long = match (
            cell(GEOMETRY_X).parse::<f64>(),
            cell(GEOMETRY_Y).parse::<f64>(),
        ) {
            // The grid covers 0–700 km east, 0–1300 km north.
            (Ok(e), Ok(n))
                if (0.0..=700_000.0).contains(&e) && (0.0..=1_300_000.0).contains(&n) =>
            {
                Some(bng::to_wgs84(e, n))
            }
            _ => None,
        };
        let record = |line: String| AddressRecord {
            precision: AddressPrecision::Street,
            address: LookupAddress {
                line: Some(line),
                city: clean(cell(POPULATED_PLACE)).or_else(|| clean(cell(DISTRICT_BOROUGH))),
                state: clean(cell(COUNTY_UNITARY)),
                country: Some("GB".to_string()),
                ..LookupAddress::default()
            },
            postcode_district: clean(cell(POSTCODE_DISTRICT)),
            lat_long,
            live: true,
        };
        let other = clean(cell(NAME2));
        report.emitted += 1;
        emit(record(name));
        if let Some(other) = other {
            report.emitted += 1;
            emit(record(other));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/addresses/uk_os_open_names/HY20.csv"
    );

    fn streets(bytes: &[u8]) -> (Vec<AddressRecord>, ParseReport) {
        let mut out = Vec::new();
        let report = read(bytes, &mut |a| out.push(a)).unwrap_or_else(|e| panic!("{e}"));
        (out, report)
    }

    #[test]
    fn reads_the_roads_of_the_sample() {
        let (all, report) = streets(&std::fs::read(FILE).unwrap());
        // 744 named roads, 85 sections, 18 numbered roads, 12 sections of them.
        assert_eq!(
            (report.emitted, report.refused),
            (744 + 85 + 18 + 12, 0),
            "{:?}",
            report.reasons
        );
        let first = &all[0];
        assert_eq!(first.precision, AddressPrecision::Street);
        assert_eq!(first.address.line.as_deref(), Some("Netherbrough Road"));
        assert_eq!(first.address.city.as_deref(), Some("Netherbrough"));
        assert_eq!(first.address.state.as_deref(), Some("Orkney Islands"));
        assert_eq!(first.address.country.as_deref(), Some("GB"));
        assert_eq!(first.address.postal_code, None);
        assert_eq!(first.postcode_district.as_deref(), Some("KW17"));
        let (lat, lon) = first.lat_long.unwrap();
        assert!(
            (lat - 59.0).abs() < 0.1 && (lon + 3.15).abs() < 0.2,
            "{lat},{lon}"
        );
        assert!(all.iter().any(|a| a.address.line.as_deref() == Some("A9")));
        assert_eq!(all.iter().filter(|a| a.address.city.is_none()).count(), 68);
    }

    #[test]
    fn second_names_short_rows_and_other_types() {
        let mut road: Vec<String> = vec![String::new(); COLUMNS];
        road[NAME1] = "Sràid na h-Eaglais".into();
        road[NAME2] = "Church Street".into();
        road[TYPE] = "transportNetwork".into();
        road[LOCAL_TYPE] = "Named Road".into();
        road[GEOMETRY_X] = "not a number".into();
        road[DISTRICT_BOROUGH] = "Somewhere".into();
        let mut place = road.clone();
        place[TYPE] = "populatedPlace".into();
        let input = format!(
            "\u{feff}{}\n{}\nshort,row\n",
            road.join(","),
            place.join(",")
        );
        let (all, report) = streets(input.as_bytes());
        assert_eq!((report.emitted, report.refused), (2, 1));
        assert_eq!(all[1].address.line.as_deref(), Some("Church Street"));
        assert_eq!(all[0].address.city.as_deref(), Some("Somewhere"));
        assert_eq!(all[0].lat_long, None);
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in super::super::common::garbage(300) {
            let _ = read(&bytes[..], &mut |_| {});
            let mut row = b"a,b,Road,,,,transportNetwork,Named Road,".to_vec();
            row.extend_from_slice(&bytes);
            let _ = read(&row[..], &mut |_| {});
        }
    }
}
