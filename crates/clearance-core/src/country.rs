//! ISO 3166-1 countries and USPS state codes, from the cited country table vendored in `data/`.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One row of the vendored country table: the names the domain uses, and every column by its
/// header name (the risk model reads the sanctions and FATF columns).
#[derive(Clone, Debug)]
pub struct Country {
    pub alpha2: String,
    pub alpha3: String,
    pub name: String,
    columns: HashMap<String, String>,
}

impl Country {
    /// The cell of the column named `header` (empty when the column is absent).
    pub fn column(&self, header: &str) -> &str {
        self.columns.get(header).map_or("", String::as_str)
    }
}

/// The table, read once: the one reader of `data/country_risk.csv`.
static TABLE: LazyLock<HashMap<String, Country>> =
    LazyLock::new(|| parse_table(include_str!("../data/country_risk.csv")));

fn parse_table(csv: &str) -> HashMap<String, Country> {
    let mut lines = csv.lines();
    let header = lines.next().map(split_csv_line).unwrap_or_default();
    lines
        .filter_map(|line| {
            let columns: HashMap<String, String> =
                header.iter().cloned().zip(split_csv_line(line)).collect();
            let cell = |name: &str| columns.get(name).cloned().filter(|c| !c.is_empty());
            let country = Country {
                alpha2: cell("alpha2")?,
                alpha3: cell("alpha3")?,
                name: cell("name")?,
                columns,
            };
            Some((country.alpha2.clone(), country))
        })
        .collect()
}

/// Splits one RFC 4180 line (no embedded newlines in this table).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Every country of the table, in no particular order.
pub fn all() -> impl Iterator<Item = &'static Country> {
    TABLE.values()
}

/// Looks up an ISO 3166-1 alpha-2 code (upper case, as the API requires).
pub fn by_alpha2(code: &str) -> Option<&'static Country> {
    TABLE.get(code)
}

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code.
pub fn is_alpha2(code: &str) -> bool {
    by_alpha2(code).is_some()
}

/// USPS two-letter codes of the states, DC and the inhabited territories.
const USPS: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "UM", "AA", "AE", "AP",
];

/// Whether `code` is a USPS state abbreviation.
pub fn is_usps_state(code: &str) -> bool {
    USPS.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_assigned_code() {
        assert_eq!(TABLE.len(), 249);
        assert_eq!(by_alpha2("GB").map(|c| c.alpha3.as_str()), Some("GBR"));
        assert!(is_alpha2("US"));
        assert!(!is_alpha2("us"));
        assert!(!is_alpha2("J{"));
        assert!(!is_alpha2("UK"));
    }

    #[test]
    fn quoted_names_keep_their_commas() {
        let cells = split_csv_line(r#"BO,BOL,068,"Bolivia, Plurinational State of",no"#);
        assert_eq!(cells[3], "Bolivia, Plurinational State of");
    }
}
