//! The live `proof_of_address_check` (checks-and-more.md §2.7), as domain rules: what a bill or
//! statement says ([`extract`]) and how that compares with the client ([`grade`]). Reading the
//! text (a PDF's text layer, or OCR) is the engine's work; nothing here reads files.

pub mod dates;
pub mod extract;

use chrono::NaiveDate;
use deunicode::deunicode;

use crate::checks::result::{
    AddressDetails, GeolocationAnalysis, LatLong, NotProcessedReason, Outcome, PoaClientValidation,
    PoaContentAnalysis, PoaDocumentDetails, PoaExtractedData, PoaHolderDetails,
    ProofOfAddressBreakdown, StructuredAddress, Verdict,
};
pub use extract::{Extraction, TextCell, TextRow, extract, extract_expecting};

/// How old a document may be, by default: three months.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 92;

/// The client's side of the comparison.
#[derive(Clone, Debug, Default)]
pub struct Holder {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    /// The client's addresses to compare with (the check's `addressId`, else all of them).
    pub addresses: Vec<KnownAddress>,
}

#[derive(Clone, Debug, Default)]
pub struct KnownAddress {
    pub property_number: Option<String>,
    pub line: String,
    pub postal_code: Option<String>,
    pub country: String,
}

/// What the geocoder said of the extracted postcode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Geocoded {
    /// The address data places it here.
    At(f64, f64),
    /// The address data covers the country and does not hold this postcode.
    Unknown,
    /// No address data for the country: nothing can be said.
    NotCovered,
}

/// The settings of the check.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub today: NaiveDate,
    pub max_age_days: u32,
}

fn words(text: &str) -> Vec<String> {
    deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Two words are the same name when equal or one OCR slip apart (long words only).
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if a.len() < 5 || b.len() < 5 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let diff = a.chars().zip(b.chars()).filter(|(x, y)| x != y).count();
    a.len() == b.len() && diff <= 1
}

/// The holder's name is the client's when both the first and last names are among its words, in
/// any order (`SMITH John`, `Mr J. Smith` is not enough: an initial could be anyone's).
fn name_matches(holder: &str, client: &Holder) -> bool {
    let printed = words(holder);
    let has = |name: &str| {
        let parts = words(name);
        !parts.is_empty()
            && parts
                .iter()
                .all(|p| printed.iter().any(|w| same_word(w, p)))
    };
    has(&client.first_name) && has(&client.last_name)
}

fn postcode_key(pc: &str) -> String {
    pc.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The document's address is one of the client's when the postcodes are equal and the street
/// agrees: the same house number where both have one, and a street word in common.
fn address_matches(e: &Extraction, known: &KnownAddress) -> bool {
    let (Some(pc), Some(known_pc)) = (&e.postal_code, &known.postal_code) else {
        return false;
    };
    if postcode_key(pc) != postcode_key(known_pc) {
        return false;
    }
    let printed: Vec<String> = e.address_lines.iter().flat_map(|l| words(l)).collect();
    let known_words = words(&known.line);
    let number = known.property_number.clone().or_else(|| {
        known_words
            .first()
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .cloned()
    });
    let number_ok = match (&number, &e.property_number) {
        (Some(a), Some(b)) => words(a) == words(b),
        _ => true,
    };
    let street_ok = known_words
        .iter()
        .filter(|w| w.len() > 2 && !w.starts_with(|c: char| c.is_ascii_digit()))
        .any(|w| printed.iter().any(|p| same_word(p, w)));
    number_ok && street_ok
}

/// A result for a document nothing could be read from.
pub fn not_processed(
    code: &str,
    message: &str,
    text_source: Option<&str>,
) -> (Outcome, ProofOfAddressBreakdown) {
    (
        Outcome::NotProcessed,
        ProofOfAddressBreakdown {
            text_source: text_source.map(str::to_owned),
            not_processed_reason: Some(NotProcessedReason {
                code: code.into(),
                message: message.into(),
            }),
            ..ProofOfAddressBreakdown::default()
        },
    )
}

/// Grades what was read against the client: the holder's name, the address, the date of issue
/// (recent enough, not in the future) and whether the address data knows the postcode.
pub fn grade(
    e: &Extraction,
    client: &Holder,
    geocoded: Geocoded,
    policy: Policy,
    text_source: &str,
) -> (Outcome, ProofOfAddressBreakdown) {
    if e.postal_code.is_none() {
        return not_processed(
            "address_not_found",
            "No address with a valid postcode could be read from the document",
            Some(text_source),
        );
    }
    let entity_name = match &e.holder {
        Some(holder) => Verdict::passed(name_matches(holder, client)),
        None => Verdict::Attention,
    };
    let address = if client.addresses.is_empty() {
        Verdict::NotProcessed
    } else {
        Verdict::passed(client.addresses.iter().any(|a| address_matches(e, a)))
    };
    let issuing_date = match e.issue_date {
        Some(date) => {
            let age = (policy.today - date).num_days();
            Verdict::passed((-1..=i64::from(policy.max_age_days)).contains(&age))
        }
        None => Verdict::NotProcessed,
    };
    let (geolocation, lat_long) = match geocoded {
        Geocoded::At(lat, long) => (Verdict::Clear, Some(LatLong { lat, long })),
        Geocoded::Unknown => (Verdict::Attention, None),
        Geocoded::NotCovered => (Verdict::NotProcessed, None),
    };
    let verdicts = [entity_name, address, issuing_date, geolocation];
    let outcome = if verdicts.contains(&Verdict::Attention) {
        Outcome::Attention
    } else {
        Outcome::Clear
    };
    let line = [e.property_number.as_deref(), e.street.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let breakdown = ProofOfAddressBreakdown {
        extracted_data: PoaExtractedData {
            document_details: PoaDocumentDetails {
                document_type: e.document_type.unwrap_or("unknown").to_string(),
                issuer: e.issuer.clone(),
                issuing_date: e.issue_date.map(Into::into),
            },
            holder_details: PoaHolderDetails {
                entity_name: e.holder.clone(),
            },
            address_details: AddressDetails {
                address_line: Some(e.address_lines.join(", ")),
                address_country: Some(e.country.clone()),
                address: Some(StructuredAddress {
                    property_number: e.property_number.clone(),
                    building: e.building.clone(),
                    line: e.street.clone().or((!line.is_empty()).then_some(line)),
                    city: e.city.clone(),
                    state: None,
                    postal_code: e.postal_code.clone(),
                    country: Some(e.country.clone()),
                    lat_long,
                }),
            },
        },
        client_validation: PoaClientValidation {
            entity_name,
            address,
        },
        content_analysis: PoaContentAnalysis { issuing_date },
        geolocation_analysis: GeolocationAnalysis {
            address: geolocation,
        },
        text_source: Some(text_source.to_owned()),
        not_processed_reason: None,
    };
    (outcome, breakdown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
    }

    fn bill(holder: &str, date: &str) -> Extraction {
        let lines: Vec<TextRow> = format!(
            "Northgate Energy\nElectricity bill\n{holder}\n12 Willow Avenue\nLeeds\nLS1 4AB\nBill date: {date}"
        )
        .lines()
        .map(|l| {
            vec![TextCell {
                x: 0.1,
                text: l.to_owned(),
            }]
        })
        .collect();
        extract(&lines, "GB", today())
    }

    fn client() -> Holder {
        Holder {
            first_name: "John".into(),
            middle_name: None,
            last_name: "Smith".into(),
            addresses: vec![KnownAddress {
                property_number: None,
                line: "12 Willow Avenue".into(),
                postal_code: Some("ls14ab".into()),
                country: "GB".into(),
            }],
        }
    }

    fn policy() -> Policy {
        Policy {
            today: today(),
            max_age_days: DEFAULT_MAX_AGE_DAYS,
        }
    }

    #[test]
    fn a_recent_bill_of_the_client_at_the_clients_address_is_clear() {
        let (outcome, b) = grade(
            &bill("Mr John Smith", "03 Nov 2026"),
            &client(),
            Geocoded::At(53.8, -1.55),
            policy(),
            "text_layer",
        );
        assert_eq!(outcome, Outcome::Clear, "{b:?}");
        assert_eq!(b.client_validation.entity_name, Verdict::Clear);
        assert_eq!(b.client_validation.address, Verdict::Clear);
        assert_eq!(b.content_analysis.issuing_date, Verdict::Clear);
        let address = b.extracted_data.address_details.address.unwrap_or_default();
        assert_eq!(
            address.lat_long,
            Some(LatLong {
                lat: 53.8,
                long: -1.55
            })
        );
    }

    #[test]
    fn an_old_bill_another_holder_or_another_address_give_attention() {
        let (outcome, b) = grade(
            &bill("Mr John Smith", "03 Jun 2026"),
            &client(),
            Geocoded::NotCovered,
            policy(),
            "ocr",
        );
        assert_eq!(outcome, Outcome::Attention);
        assert_eq!(b.content_analysis.issuing_date, Verdict::Attention);
        assert_eq!(b.geolocation_analysis.address, Verdict::NotProcessed);
        let (outcome, b) = grade(
            &bill("Ms Jane Brown", "03 Nov 2026"),
            &client(),
            Geocoded::NotCovered,
            policy(),
            "ocr",
        );
        assert_eq!(outcome, Outcome::Attention);
        assert_eq!(b.client_validation.entity_name, Verdict::Attention);
        let mut elsewhere = client();
        elsewhere.addresses[0].line = "40 Station Road".into();
        let (outcome, b) = grade(
            &bill("Mr John Smith", "03 Nov 2026"),
            &elsewhere,
            Geocoded::NotCovered,
            policy(),
            "ocr",
        );
        assert_eq!(outcome, Outcome::Attention);
        assert_eq!(b.client_validation.address, Verdict::Attention);
    }

    #[test]
    fn names_match_in_any_order_but_not_by_initial() {
        let c = client();
        assert!(name_matches("SMITH JOHN", &c));
        // One OCR slip in a long word is forgiven; two, or a short word, are not.
        assert!(name_matches("Mr John Smlth", &c));
        assert!(!name_matches(
            "Mr John Smoth Jr",
            &Holder {
                last_name: "Smithers".into(),
                ..client()
            }
        ));
        assert!(!name_matches("Mr Jon Smith", &c));
        assert!(!name_matches("J Smith", &c));
    }

    #[test]
    fn nothing_readable_is_not_processed_with_a_reason() {
        let (outcome, b) = grade(
            &extract(&[], "GB", today()),
            &client(),
            Geocoded::NotCovered,
            policy(),
            "ocr",
        );
        assert_eq!(outcome, Outcome::NotProcessed);
        assert_eq!(
            b.not_processed_reason.map(|r| r.code),
            Some("address_not_found".into())
        );
    }
}
