//! Multi-bureau verification on reference data the operator owns: records of people from
//! trusted sources (an electoral-roll extract, the operator's own customer file), each source a
//! "bureau". A client's name, date of birth and address are confirmed by the sources holding a
//! record of the same person; the outcome follows the number of attributes and sources, as
//! `twoPlusTwo` asks. Pure: the engine reads the records, this decides.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::checks::result::{
    BureauAttribute, BureauExchange, BureauSources, MultiBureauBreakdown, Outcome, Verdict,
};
use crate::error::{CoreError, Result};
use crate::fields::Reader;

/// A person on a source's list, as imported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BureauRecord {
    /// The source (bureau) the record came from.
    pub source: String,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    pub last_name: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The first word of the normalised last name: records are looked up by it.
    pub last_key: String,
}

/// The client's side of a verification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub dob: Option<String>,
    pub property_number: Option<String>,
    pub line: String,
    pub postal_code: Option<String>,
    pub country: String,
}

/// Lower-case ASCII words of a name or an address line (accents folded, punctuation dropped).
pub fn words(text: &str) -> Vec<String> {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The key a record of this last name is found by.
pub fn last_key(last_name: &str) -> String {
    words(last_name).into_iter().next().unwrap_or_default()
}

/// Where a record with this lookup key is filed: records are owned by no client, so they are
/// filed in the owner column under `bureau:<key>`, which the stores index per account and mode
/// (an attribute filter would scan every record's JSON on each check).
pub fn filing_key(key: &str) -> String {
    format!("bureau:{key}")
}

/// The keys a subject's records may be filed under: each word of its names (a record may have
/// first and last name swapped, or keep only one of two family names).
pub fn lookup_keys(subject: &Subject) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for part in [
        Some(&subject.first_name),
        subject.middle_name.as_ref(),
        Some(&subject.last_name),
    ]
    .into_iter()
    .flatten()
    {
        keys.extend(words(part));
    }
    keys
}

fn postcode(p: &str) -> String {
    p.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_uppercase()
}

/// Whether a record names the same person: every word of the record's first and last names is
/// among the subject's names (order and accents aside), and the record's last name is there.
fn same_name(subject: &Subject, record: &BureauRecord) -> bool {
    let mine = lookup_keys(subject);
    let last = words(&record.last_name);
    let first = words(&record.first_name);
    !last.is_empty()
        && !first.is_empty()
        && last.iter().chain(first.iter()).all(|w| mine.contains(w))
}

fn same_address(subject: &Subject, record: &BureauRecord) -> bool {
    let country = record
        .country
        .as_deref()
        .is_none_or(|c| c.eq_ignore_ascii_case(&subject.country));
    let post = match (&subject.postal_code, &record.postal_code) {
        (Some(a), Some(b)) => postcode(a) == postcode(b),
        _ => false,
    };
    let line_words: BTreeSet<String> = words(&subject.line).into_iter().collect();
    let street = record.line.as_deref().map(words).is_some_and(|w| {
        // The record's line shares a word with the client's (other than a bare number).
        w.iter()
            .any(|x| !x.chars().all(|c| c.is_ascii_digit()) && line_words.contains(x))
    });
    let number = match (&subject.property_number, &record.property_number) {
        (Some(a), Some(b)) => postcode(a) == postcode(b),
        _ => true,
    };
    country && post && street && number
}

/// What an HTTP bureau confirmed of a subject, and the exchange that said so.
#[derive(Clone, Debug, PartialEq)]
pub struct BureauReply {
    pub name: bool,
    pub dob: bool,
    pub address: bool,
    pub exchange: BureauExchange,
}

/// A bureau reached over the network (the operator's adapter to a credit bureau or an
/// identity service).
#[async_trait::async_trait]
pub trait Bureau: Send + Sync {
    /// The source name results show.
    fn name(&self) -> &str;
    /// What the bureau confirms of the subject, or why it could not say (a timeout, an error
    /// answer, an answer that is not the agreed JSON).
    async fn confirm(&self, subject: &Subject) -> std::result::Result<BureauReply, String>;
}

impl Confirmations {
    /// Adds what a bureau confirmed. A date of birth or an address counts only with the name,
    /// as for records.
    pub fn add(&mut self, source: &str, reply: &BureauReply) {
        if !reply.name {
            return;
        }
        self.name.insert(source.to_string());
        if reply.dob {
            self.dob.insert(source.to_string());
        }
        if reply.address {
            self.address.insert(source.to_string());
        }
    }
}

/// Which sources confirmed each attribute.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Confirmations {
    pub name: BTreeSet<String>,
    pub dob: BTreeSet<String>,
    pub address: BTreeSet<String>,
}

/// What the records confirm of the subject. Date of birth and address count only from records
/// of the same person.
pub fn confirm(subject: &Subject, records: &[BureauRecord]) -> Confirmations {
    let mut c = Confirmations::default();
    for r in records.iter().filter(|r| same_name(subject, r)) {
        c.name.insert(r.source.clone());
        if subject.dob.is_some() && r.dob == subject.dob {
            c.dob.insert(r.source.clone());
        }
        if same_address(subject, r) {
            c.address.insert(r.source.clone());
        }
    }
    c
}

/// The outcome and breakdown: `clear` when the name and the date of birth or the address are
/// each confirmed by a source; with `two_plus_two`, when at least two of them, the name among
/// them, are each confirmed by two separate sources.
pub fn grade(
    subject: &Subject,
    c: &Confirmations,
    two_plus_two: bool,
) -> (Outcome, MultiBureauBreakdown) {
    let needed = if two_plus_two { 2 } else { 1 };
    let attribute = |sources: &BTreeSet<String>, asked: bool| BureauAttribute {
        result: if !asked {
            Verdict::NotProcessed
        } else {
            Verdict::passed(sources.len() >= needed)
        },
        breakdown: BureauSources {
            sources: u32::try_from(sources.len()).unwrap_or(u32::MAX),
            names: Some(sources.iter().cloned().collect()),
        },
    };
    let breakdown = MultiBureauBreakdown {
        name: attribute(&c.name, true),
        dob: attribute(&c.dob, subject.dob.is_some()),
        address: attribute(&c.address, true),
        exchanges: None,
    };
    let passed = |a: &BureauAttribute| a.result == Verdict::Clear;
    let clear = passed(&breakdown.name) && (passed(&breakdown.dob) || passed(&breakdown.address));
    let outcome = if clear {
        Outcome::Clear
    } else {
        Outcome::Attention
    };
    (outcome, breakdown)
}

/// Validates one imported record (a CSV row or a JSON line read as an object).
pub fn validate_record(
    source: &str,
    input: &serde_json::Map<String, serde_json::Value>,
) -> Result<BureauRecord> {
    let r = Reader::new(input);
    let first_name = r.req_str("firstName", 200)?;
    let last_name = r.req_str("lastName", 200)?;
    let key = last_key(&last_name);
    if key.is_empty() {
        return Err(CoreError::invalid(
            "lastName",
            "'lastName' has no letters or digits",
        ));
    }
    Ok(BureauRecord {
        source: source.to_string(),
        first_name,
        middle_name: r.opt_str("middleName", 200)?,
        last_name,
        dob: r.opt_date("dob")?,
        property_number: r.opt_str("propertyNumber", 50)?,
        line: r.opt_str("line", 500)?,
        city: r.opt_str("city", 200)?,
        postal_code: r.opt_str("postalCode", 20)?,
        country: r.opt_country("country")?,
        last_key: key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject {
            first_name: "José".into(),
            middle_name: None,
            last_name: "García Márquez".into(),
            dob: Some("1980-02-29".into()),
            property_number: Some("12".into()),
            line: "Calle Mayor".into(),
            postal_code: Some("28013".into()),
            country: "ES".into(),
        }
    }

    fn record(source: &str, first: &str, last: &str, dob: Option<&str>) -> BureauRecord {
        BureauRecord {
            source: source.into(),
            first_name: first.into(),
            middle_name: None,
            last_name: last.into(),
            dob: dob.map(str::to_string),
            property_number: Some("12".into()),
            line: Some("C/ Mayor".into()),
            city: Some("Madrid".into()),
            postal_code: Some("28 013".into()),
            country: Some("ES".into()),
            last_key: last_key(last),
        }
    }

    #[test]
    fn one_source_with_name_and_dob_clears_and_accents_and_order_do_not_matter() {
        let records = [record("roll", "Jose", "Garcia", Some("1980-02-29"))];
        let c = confirm(&subject(), &records);
        assert_eq!(c.name.len(), 1);
        assert_eq!(c.dob.len(), 1);
        assert_eq!(c.address.len(), 1);
        let (outcome, b) = grade(&subject(), &c, false);
        assert_eq!(outcome, Outcome::Clear);
        assert_eq!(b.name.breakdown.sources, 1);
        let swapped = [record("roll", "Garcia", "Jose", None)];
        assert_eq!(confirm(&subject(), &swapped).name.len(), 1);
    }

    #[test]
    fn another_person_or_one_source_under_two_plus_two_needs_attention() {
        let other = [record("roll", "Maria", "Garcia", Some("1980-02-29"))];
        let c = confirm(&subject(), &other);
        assert!(
            c.name.is_empty() && c.dob.is_empty(),
            "her birth date is not his"
        );
        assert_eq!(grade(&subject(), &c, false).0, Outcome::Attention);
        let one = [record("roll", "Jose", "Garcia", Some("1980-02-29"))];
        assert_eq!(
            grade(&subject(), &confirm(&subject(), &one), true).0,
            Outcome::Attention
        );
        let two = [
            record("roll", "Jose", "Garcia", Some("1980-02-29")),
            record("bank", "José", "García Márquez", None),
        ];
        let (outcome, b) = grade(&subject(), &confirm(&subject(), &two), true);
        assert_eq!(
            outcome,
            Outcome::Clear,
            "name and address by two sources each"
        );
        assert_eq!(b.dob.result, Verdict::Attention);
    }
}
