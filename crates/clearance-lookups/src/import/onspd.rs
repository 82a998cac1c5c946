//! ONS Postcode Directory CSV: one postcode per row, columns by name (releases rename and drop
//! columns). No streets: a postcode record validates the postcode, says whether it is live and
//! names its town (the district of `oslaua`) from the ONS code-name lists.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use clearance_core::lookups::{AddressPrecision, AddressRecord, LookupAddress};

use super::common::{Row, Rows};
use super::{ParseError, ParseReport};

/// ONS geography codes → names (`S12000033` → `Aberdeen City`).
#[derive(Clone, Debug, Default)]
pub struct CodeNames {
    pub districts: HashMap<String, String>,
    pub counties: HashMap<String, String>,
    pub wards: HashMap<String, String>,
}

impl CodeNames {
    /// Reads `districts.json`, `counties.json` and `wards.json` from `dir` (JSON objects of code
    /// → name); a missing file is an empty list, a malformed one an error.
    pub fn load(dir: &Path) -> Result<Self, ParseError> {
        let list = |name: &str| -> Result<HashMap<String, String>, ParseError> {
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|e| ParseError::Format(format!("{}: {e}", path.display()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashMap::new()),
                Err(e) => Err(ParseError::Io(e)),
            }
        };
        Ok(Self {
            districts: list("districts.json")?,
            counties: list("counties.json")?,
            wards: list("wards.json")?,
        })
    }
}

/// Reads an ONSPD CSV (the full file or an extract).
pub fn read(
    reader: impl Read,
    code_names: &CodeNames,
    emit: &mut dyn FnMut(AddressRecord),
) -> Result<ParseReport, ParseError> {
    let mut rows = Rows::new(reader, true);
    let columns = rows.columns()?;
    const POSTCODE: [&str; 5] = ["pcds", "pcd8", "pcd2", "pcd7", "pcd"];
    if !POSTCODE.iter().any(|c| columns.has(c)) {
        return Err(ParseError::Format(
            "not an ONSPD file: no postcode column".into(),
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
        let Some(postcode) = display_form(columns.get(row, &POSTCODE)) else {
            report.refuse(format!("line {}: no postcode", rows.line()));
            continue;
        };
        // `L99999999` and the like are "not applicable" pseudo-codes (the lists name them
        // "Channel Islands"), no place.
        let name_of = |list: &HashMap<String, String>, code: &str| {
            (!code.ends_with("99999999")).then(|| list.get(code).cloned())?
        };
        let city = name_of(&code_names.districts, cell("oslaua"))
            .or_else(|| name_of(&code_names.wards, cell("osward")));
        let lat_long = match (cell("lat").parse::<f64>(), cell("long").parse::<f64>()) {
            // 99.999999 marks a postcode without a grid reference.
            (Ok(lat), Ok(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => Some((lat, lon)),
            _ => None,
        };
        report.emitted += 1;
        emit(AddressRecord {
            precision: AddressPrecision::Postcode,
            address: LookupAddress {
                city,
                state: name_of(&code_names.counties, cell("oscty")),
                country: Some(country(&postcode).to_string()),
                postal_code: Some(postcode),
                ..LookupAddress::default()
            },
            postcode_district: None,
            lat_long,
            live: cell("doterm").is_empty(),
        });
    }
    Ok(report)
}

/// `M1  1AD`, `m11ad` → `M1 1AD`: upper case, one space before the three-character inward code.
fn display_form(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.len() < 5 || !compact.is_ascii() {
        return (!compact.is_empty()).then_some(compact);
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Some(format!("{outward} {inward}"))
}

/// Channel Islands and Isle of Man postcodes are their own ISO countries, not `GB` (ONSPD's
/// `ctry` gives the Channel Islands one code for Jersey and Guernsey, so the area decides).
fn country(postcode: &str) -> &'static str {
    match postcode.get(..2) {
        Some("JE") => "JE",
        Some("GY") => "GG",
        Some("IM") => "IM",
        _ => "GB",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/addresses/uk_onspd/"
    );

    fn postcodes(bytes: &[u8], names: &CodeNames) -> (Vec<AddressRecord>, ParseReport) {
        let mut out = Vec::new();
        let report = read(bytes, names, &mut |a| out.push(a)).unwrap_or_else(|e| panic!("{e}"));
        (out, report)
    }

    #[test]
    fn reads_the_extract_with_code_names() {
        let names = CodeNames::load(Path::new(&format!("{DIR}code_names"))).unwrap();
        assert_eq!(
            (
                names.districts.len(),
                names.counties.len(),
                names.wards.len()
            ),
            (366, 27, 8408)
        );
        let bytes = std::fs::read(format!("{DIR}onspd_2024_extract.csv")).unwrap();
        let (all, report) = postcodes(&bytes, &names);
        assert_eq!(
            (report.emitted, report.refused),
            (8048, 0),
            "{:?}",
            report.reasons
        );
        assert_eq!(all.iter().filter(|a| a.live).count(), 4237);
        assert_eq!(all.iter().filter(|a| a.lat_long.is_none()).count(), 2);
        let find = |pc: &str| {
            all.iter()
                .find(|a| a.address.postal_code.as_deref() == Some(pc))
                .unwrap()
        };
        let old = find("AB1 0AA");
        assert!(!old.live);
        assert_eq!(old.precision, AddressPrecision::Postcode);
        assert_eq!(old.address.city.as_deref(), Some("Aberdeen City"));
        assert_eq!(old.address.state, None);
        assert_eq!(old.address.country.as_deref(), Some("GB"));
        assert_eq!(old.lat_long, Some((57.101474, -2.242851)));
        let jersey = find("JE2 4WD");
        assert_eq!(
            (
                jersey.address.country.as_deref(),
                jersey.address.city.as_deref()
            ),
            (Some("JE"), None)
        );
        assert_eq!(jersey.lat_long, None);
        assert!(jersey.live);
        assert_eq!(find("SE1P 5ZZ").address.city.as_deref(), Some("Southwark"));
        assert_eq!(find("M1 1AD").address.city.as_deref(), Some("Manchester"));
        assert_eq!(find("AB11 3AG").address.city, None, "no district code");
    }

    #[test]
    fn newer_column_names_missing_lists_and_refusals() {
        let names = CodeNames::load(Path::new("/nonexistent")).unwrap();
        assert!(names.districts.is_empty());
        let csv = "pcd7,doterm,osward,oscty,lat,long\r\n\
            \"M1  1AD\",\"\",\"W1\",\"C1\",53.483784,-2.244866\r\n\
            \"gy1 1aa\",\"202001\"\r\n\
            \"\",\"\"\r\n";
        let mut names = CodeNames::default();
        names.wards.insert("W1".into(), "A Ward".into());
        names.counties.insert("C1".into(), "A County".into());
        let (all, report) = postcodes(csv.as_bytes(), &names);
        assert_eq!((report.emitted, report.refused), (2, 1));
        assert_eq!(all[0].address.postal_code.as_deref(), Some("M1 1AD"));
        assert_eq!(
            all[0].address.city.as_deref(),
            Some("A Ward"),
            "ward when no district"
        );
        assert_eq!(all[0].address.state.as_deref(), Some("A County"));
        assert_eq!(all[1].address.postal_code.as_deref(), Some("GY1 1AA"));
        assert_eq!(all[1].address.country.as_deref(), Some("GG"));
        assert!(!all[1].live);
        assert!(read(&b"a,b\n"[..], &names, &mut |_| {}).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let names = CodeNames::default();
        for bytes in super::super::common::garbage(300) {
            let mut input = b"pcds,doterm,oslaua,lat,long\n".to_vec();
            input.extend_from_slice(&bytes);
            let _ = read(&input[..], &names, &mut |_| {});
            let _ = read(&bytes[..], &names, &mut |_| {});
        }
    }
}
