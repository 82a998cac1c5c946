//! OpenAddresses "conformed" CSV: one address point per row, columns by name (their order
//! changes between releases), no country column (the caller knows the source's country).
//!
//! Choices where the README leaves room:
//! - `line` is the number and street in the local order: number first (`22 Main Street`)
//!   except in the countries listed in [`NUMBER_AFTER_STREET`] (`Markgrafenstraße 22 A`).
//! - `UNIT` (flat, suite) is appended to the line after a comma (`10 Main St, Apt 4`): the
//!   client address has no unit field, and a building name it is not.
//! - Some sources put the whole address into `NUMBER` (`1016-18 WILLOW AVE` next to the street
//!   `1016-18 Willow Avenue`): the property number is then the leading token, and a street that
//!   already starts with it is used as the line as it is. A `NUMBER` without a digit is no
//!   number.

use std::io::Read;

use clearance_core::lookups::{AddressPrecision, AddressRecord, LookupAddress};

use super::common::{Row, Rows, clean};
use super::{ParseError, ParseReport};

/// Where addresses are written `street number`.
const NUMBER_AFTER_STREET: &[&str] = &[
    "AR", "AT", "BA", "BE", "BR", "CH", "CL", "CO", "CZ", "DE", "DK", "EE", "ES", "FI", "GR", "HR",
    "HU", "IS", "IT", "LI", "LT", "LU", "LV", "ME", "MK", "MX", "NL", "NO", "PL", "PT", "RO", "RS",
    "SE", "SI", "SK", "TR", "UY",
];

/// Reads one OpenAddresses file whose addresses are in `country` (ISO-2).
pub fn read(
    reader: impl Read,
    country: &str,
    emit: &mut dyn FnMut(AddressRecord),
) -> Result<ParseReport, ParseError> {
    let country = country.trim().to_ascii_uppercase();
    if !clearance_core::country::is_alpha2(&country) {
        return Err(ParseError::Format(format!(
            "{country:?} is no ISO 3166-1 alpha-2 country code"
        )));
    }
    let number_last = NUMBER_AFTER_STREET.contains(&country.as_str());
    let mut rows = Rows::new(reader, true);
    let columns = rows.columns()?;
    if !columns.has("STREET") {
        return Err(ParseError::Format(
            "not an OpenAddresses file: no STREET column".into(),
        ));
    }
    let mut report = ParseReport::default();
    loop {
        match rows.next(&mut report)? {
            Row::End => break,
            Row::Refused => continue,
            Row::Read => {}
        }
        let row = &rows.record;
        let cell = |name: &str| columns.get(row, &[name]);
        let street = cell("STREET");
        if street.is_empty() {
            report.refuse(format!("line {}: no street", rows.line()));
            continue;
        }
        let number = house_number(cell("NUMBER"));
        let line = match number.as_deref() {
            Some(n) if starts_with_word(street, n) => street.to_string(),
            Some(n) if number_last => format!("{street} {n}"),
            Some(n) => format!("{n} {street}"),
            None => street.to_string(),
        };
        let line = match clean(cell("UNIT")) {
            Some(unit) => format!("{line}, {unit}"),
            None => line,
        };
        let lat_long = match (cell("LAT").parse::<f64>(), cell("LON").parse::<f64>()) {
            (Ok(lat), Ok(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => Some((lat, lon)),
            _ => None,
        };
        report.emitted += 1;
        emit(AddressRecord {
            precision: AddressPrecision::House,
            address: LookupAddress {
                property_number: number,
                line: Some(line),
                city: clean(cell("CITY")),
                state: clean(cell("REGION")),
                postal_code: clean(cell("POSTCODE")),
                country: Some(country.clone()),
                ..LookupAddress::default()
            },
            postcode_district: None,
            lat_long,
            live: true,
        });
    }
    Ok(report)
}

/// The house number a `NUMBER` cell holds: all of it when it is a number with at most a short
/// suffix (`22`, `22 A`, `10/244-246`), its leading token when it carries more (`1016-18 WILLOW
/// AVE`), nothing when it has no digit.
fn house_number(cell: &str) -> Option<String> {
    let cell = cell.trim();
    if !cell.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let tokens: Vec<&str> = cell.split_whitespace().collect();
    if tokens.len() <= 2 && tokens.iter().skip(1).all(|t| t.chars().count() <= 2) {
        return Some(tokens.join(" "));
    }
    tokens
        .first()
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .map(|t| (*t).to_string())
}

/// Whether `text` starts with `word` as a whole word, ignoring case.
fn starts_with_word(text: &str, word: &str) -> bool {
    let (t, w) = (text.to_lowercase(), word.to_lowercase());
    t.strip_prefix(&w)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/addresses/openaddresses/"
    );

    fn addresses(bytes: &[u8], country: &str) -> (Vec<AddressRecord>, ParseReport) {
        let mut out = Vec::new();
        let report = read(bytes, country, &mut |a| out.push(a)).unwrap_or_else(|e| panic!("{e}"));
        (out, report)
    }

    fn file(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{name}")).unwrap()
    }

    #[test]
    fn reads_every_sample() {
        let cases = [
            ("pelias_interpolation_potsdamerplatz.csv", "de", 369),
            ("pelias_interpolation_ambiguous_street_name.csv", "DE", 235),
            ("pelias_interpolation_updown.csv", "DE", 140),
            ("pelias_interpolation_disjoined.csv", "DE", 41),
            ("pelias_interpolation_west26th.csv", "US", 106),
            ("pelias_interpolation_willow_ave.csv", "US", 2251),
            ("pelias_interpolation_basic.csv", "NZ", 11),
            ("pelias_openaddresses_au_input_file_4.csv", "AU", 10),
        ];
        for (name, country, rows) in cases {
            let (all, report) = addresses(&file(name), country);
            assert_eq!(
                (report.emitted, report.refused),
                (rows, 0),
                "{name}: {:?}",
                report.reasons
            );
            assert!(all.iter().all(|a| a.lat_long.is_some()), "{name}");
            assert!(
                all.iter()
                    .all(|a| a.address.country.as_deref() == Some(&*country.to_uppercase()))
            );
        }
    }

    #[test]
    fn orders_number_and_street_by_country() {
        let (berlin, _) = addresses(
            &file("pelias_interpolation_ambiguous_street_name.csv"),
            "DE",
        );
        let a = &berlin[1];
        assert_eq!(a.address.line.as_deref(), Some("Markgrafenstraße 22 A"));
        assert_eq!(a.address.property_number.as_deref(), Some("22 A"));
        assert_eq!(
            (a.address.city.as_deref(), a.address.postal_code.as_deref()),
            (Some("Berlin"), Some("10117"))
        );
        assert_eq!(a.lat_long, Some((52.5082458, 13.3943829)));
        assert_eq!(a.precision, AddressPrecision::House);

        let (au, _) = addresses(&file("pelias_openaddresses_au_input_file_4.csv"), "AU");
        assert_eq!(au[0].address.line.as_deref(), Some("10/244 BARKLY STREET"));
        assert_eq!(au[0].address.state.as_deref(), Some("VIC"));
        assert_eq!(au[0].address.postal_code.as_deref(), Some("3182"));
        assert_eq!(au[0].address.city.as_deref(), Some("ST KILDA"));

        let (willow, _) = addresses(&file("pelias_interpolation_willow_ave.csv"), "US");
        assert_eq!(
            willow[0].address.line.as_deref(),
            Some("1016-18 Willow Avenue")
        );
        assert_eq!(
            willow[0].address.property_number.as_deref(),
            Some("1016-18")
        );
        let no_number = &willow[331]; // NUMBER `WILLOW AVENUE`: line 333 of the file
        assert_eq!(no_number.address.property_number, None);
        assert_eq!(no_number.address.line.as_deref(), Some("Willow Avenue"));
    }

    #[test]
    fn units_missing_columns_and_refusals() {
        let csv = "STREET,NUMBER,UNIT,LAT\r\nMain St,10,Apt 4,91\r\n,11,,\r\n\"Long, Road\"\r\n";
        let (all, report) = addresses(csv.as_bytes(), "us");
        assert_eq!((report.emitted, report.refused), (2, 1));
        assert_eq!(report.reasons[0], "line 3: no street");
        assert_eq!(all[0].address.line.as_deref(), Some("10 Main St, Apt 4"));
        assert_eq!(all[0].lat_long, None, "no LON, and LAT out of range");
        assert_eq!(all[1].address.line.as_deref(), Some("Long, Road"));
        assert!(read(&b"LON,LAT\n1,2\n"[..], "US", &mut |_| {}).is_err());
        assert!(read(&b"STREET\nMain St\n"[..], "", &mut |_| {}).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in super::super::common::garbage(300) {
            let mut input = b"LON,LAT,NUMBER,STREET,UNIT,CITY\n".to_vec();
            input.extend_from_slice(&bytes);
            let _ = read(&input[..], "DE", &mut |_| {});
            let _ = read(&bytes[..], "DE", &mut |_| {});
        }
    }
}
