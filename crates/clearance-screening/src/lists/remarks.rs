//! Extraction of dates of birth, nationalities, gender and identifiers from free-text remarks
//! (OFAC `Remarks`, CSL columns).

use crate::countries::country_code;
use crate::model::{Entity, Gender, Identifier, IdentifierKind, PartialDate};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses free-form dates: `12 Jan 1960`, `Jan 1960`, `1960`, `circa 1960`, `1960-01-12`,
/// `12/01/1960`; for ranges (`1960 to 1962`) every year is returned.
pub(crate) fn parse_loose_dates(s: &str) -> Vec<PartialDate> {
    let s = s.trim().trim_end_matches('.');
    let lower = s.to_ascii_lowercase();
    let lower = lower
        .trim_start_matches("circa")
        .trim_start_matches("approximately")
        .trim();
    if let Some((a, b)) = lower.split_once(" to ") {
        let (da, db) = (parse_one(a), parse_one(b));
        if let (Some(x), Some(y)) = (da, db)
            && y.year >= x.year
            && y.year - x.year <= 10
        {
            return (x.year..=y.year)
                .filter_map(|yr| PartialDate::new(yr, None, None))
                .collect();
        }
        return da.into_iter().chain(db).collect();
    }
    parse_one(lower).into_iter().collect()
}

fn parse_one(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    if s.contains('-')
        && s.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && s.len() >= 7
        && s.as_bytes().get(4) == Some(&b'-')
    {
        return PartialDate::parse_iso(s);
    }
    if s.contains('/') {
        return PartialDate::parse_dmy(s);
    }
    let toks: Vec<&str> = s.split_whitespace().collect();
    let month_of = |t: &str| {
        let t = t.to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|m| t.starts_with(m))
            .map(|i| i as u8 + 1)
    };
    match toks.as_slice() {
        [y] => PartialDate::new(y.parse().ok()?, None, None),
        [m, y] => PartialDate::new(y.parse().ok()?, month_of(m), None),
        [d, m, y] => PartialDate::new(y.parse().ok()?, month_of(m), d.parse().ok()),
        _ => None,
    }
}

fn id_with_country(rest: &str, kind: IdentifierKind) -> Option<Identifier> {
    let rest = rest.trim().trim_start_matches("No.").trim();
    let (value, country) = match rest.split_once('(') {
        Some((v, c)) => (v.trim(), country_code(c.trim_end_matches(')'))),
        None => (rest, None),
    };
    let value = value.split_whitespace().next()?.trim_end_matches(',');
    if value.is_empty() {
        return None;
    }
    Some(Identifier {
        kind,
        value: value.to_owned(),
        country,
    })
}

/// Applies the `;`-separated facts of an OFAC `Remarks` field to an entity.
pub(crate) fn apply_ofac_remarks(e: &mut Entity, remarks: &str) {
    for part in remarks.split(';') {
        let p = part.trim();
        let lower = p.to_ascii_lowercase();
        let lower = lower.trim_start_matches("alt. ");
        let off = p.len() - lower.len();
        let rest = |n: usize| p.get(off + n..).unwrap_or("").trim();
        if lower.starts_with("dob ") {
            for d in parse_loose_dates(rest(4)) {
                e.push_dob(Some(d));
            }
        } else if lower.starts_with("nationality ") {
            e.push_country(country_code(rest(12)));
        } else if lower.starts_with("citizen ") {
            e.push_country(country_code(rest(8)));
        } else if lower.starts_with("gender ") {
            e.gender = Gender::parse(rest(7));
        } else if lower.starts_with("passport ") {
            e.identifiers
                .extend(id_with_country(rest(9), IdentifierKind::Passport));
        } else if lower.starts_with("national id no. ") {
            e.identifiers
                .extend(id_with_country(rest(16), IdentifierKind::NationalId));
        } else if lower.starts_with("cedula no. ") {
            e.identifiers
                .extend(id_with_country(rest(11), IdentifierKind::NationalId));
        } else if lower.starts_with("vessel registration identification imo ") {
            e.identifiers
                .extend(id_with_country(rest(40), IdentifierKind::Imo));
        } else if lower.starts_with("tax id no. ") {
            e.identifiers
                .extend(id_with_country(rest(11), IdentifierKind::TaxId));
        } else if lower.starts_with("registration id ") {
            e.identifiers.extend(id_with_country(
                rest(16),
                IdentifierKind::RegistrationNumber,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntityKind, SourceList};

    #[test]
    fn remarks_facts() {
        let mut e = Entity::new(SourceList::UsOfacSdn, "1", EntityKind::Person);
        apply_ofac_remarks(
            &mut e,
            "DOB 12 Jan 1960; alt. DOB 1961; POB Tehran; nationality Iran; Gender Male; Passport A1234567 (Iran).",
        );
        assert_eq!(e.dates_of_birth.len(), 2);
        assert_eq!(e.dates_of_birth[0].to_string(), "1960-01-12");
        assert_eq!(e.countries, vec!["IR".to_owned()]);
        assert_eq!(e.gender, Some(Gender::Male));
        assert_eq!(e.identifiers[0].value, "A1234567");
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_loose_dates("1960 to 1962").len(), 3);
        assert_eq!(parse_loose_dates("circa 1955")[0].year, 1955);
    }
}
