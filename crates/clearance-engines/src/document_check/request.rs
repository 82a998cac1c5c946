//! What a document check is asked to do, read from the check, document and client records:
//! the options, the declared document and its images, and the client facts to validate.

use std::str::FromStr;

use clearance_core::checks::input::CheckOptions;
use clearance_core::resources::client::Client;
use clearance_core::resources::document::{Document, Side};
use clearance_idv::{Date, DocumentType};

/// The check's `options` (checks-and-more.md §2.4).
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// `analysisCoverage`; `None` (absent or empty) covers every analysis.
    pub coverage: Option<Vec<String>>,
    /// `minimumPermittedAge`, default 18.
    pub minimum_age: u8,
    /// `clientDataValidation`, default false.
    pub client_validation: bool,
}

impl Options {
    pub(crate) fn of(options: &CheckOptions) -> Self {
        Options {
            coverage: options.coverage().map(<[String]>::to_vec),
            minimum_age: options
                .minimum_permitted_age
                .map_or(18, |age| u8::try_from(age).unwrap_or(u8::MAX)),
            client_validation: options.client_data_validation == Some(true),
        }
    }

    /// Whether the coverage includes the analysis named `option` (`mrz_analysis`, …).
    pub(crate) fn covers(&self, option: &str) -> bool {
        self.coverage
            .as_ref()
            .is_none_or(|list| list.iter().any(|o| o == option))
    }
}

/// One stored image of the document.
#[derive(Clone, Debug)]
pub(crate) struct ImageRef {
    pub id: String,
    /// `front` or `back`.
    pub side: &'static str,
    /// The image editor the upload's metadata named, if any.
    pub editing_software: Option<String>,
}

/// The document record as the client declared it.
#[derive(Clone, Debug)]
pub(crate) struct DeclaredDocument {
    /// The identity-document type, when `type` is one the check can analyse.
    pub document_type: Option<DocumentType>,
    /// `issuingCountry`, upper-cased ISO alpha-2 (empty when missing).
    pub issuing_country: String,
    /// `documentNumber`, when recorded.
    pub document_number: Option<String>,
    /// The usable (not redacted) front and back images.
    pub front: Option<ImageRef>,
    pub back: Option<ImageRef>,
}

impl DeclaredDocument {
    pub(crate) fn of(document: &Document) -> Self {
        let image = |side: Side| {
            document
                .images
                .iter()
                .find(|i| i.document_side == side && i.redacted.is_none())
                .map(|i| ImageRef {
                    id: i.id.clone(),
                    side: side.as_str(),
                    editing_software: i.editing_software.clone(),
                })
        };
        DeclaredDocument {
            document_type: identity_type(document.kind.as_str()),
            issuing_country: document
                .issuing_country
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_uppercase(),
            document_number: document
                .document_number
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .map(str::to_owned),
            front: image(Side::Front),
            back: image(Side::Back),
        }
    }
}

/// The identity-document type of a document resource's `type` (the resource API says
/// `national_identity_card` where check results say `national_id`).
pub(crate) fn identity_type(resource_type: &str) -> Option<DocumentType> {
    match resource_type {
        "national_identity_card" => Some(DocumentType::NationalId),
        other => DocumentType::from_str(other).ok(),
    }
}

/// What `clientDataValidation` compares with the document (persons only).
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientFacts {
    pub first_name: String,
    pub last_name: String,
    pub dob: Option<Date>,
}

impl ClientFacts {
    pub(crate) fn of(client: &Client) -> Self {
        let person = client.person();
        ClientFacts {
            first_name: person.map(|p| p.first_name.clone()).unwrap_or_default(),
            last_name: person.map(|p| p.last_name.clone()).unwrap_or_default(),
            dob: person
                .and_then(|p| p.dob.as_deref())
                .and_then(clearance_core::time::parse_date)
                .and_then(date_of),
        }
    }
}

/// A chrono date as the analysis library's date (`None` outside its range).
pub(crate) fn date_of(d: chrono::NaiveDate) -> Option<Date> {
    use chrono::Datelike;
    Date::new(
        u16::try_from(d.year()).ok()?,
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    )
}

/// The UTC calendar date of a Unix time in milliseconds.
pub(crate) fn today(now_ms: i64) -> Option<Date> {
    date_of(chrono::DateTime::from_timestamp_millis(now_ms)?.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn options_default_and_parse() {
        let of = |v: Value| Options::of(&serde_json::from_value(v).expect("options"));
        let none = of(json!({}));
        assert!(none.coverage.is_none() && none.covers("mrz_analysis"));
        assert_eq!(none.minimum_age, 18);
        assert!(!none.client_validation);
        let some = of(json!({
            "analysisCoverage": ["mrz_analysis"], "minimumPermittedAge": 21,
            "clientDataValidation": true,
        }));
        assert!(some.covers("mrz_analysis") && !some.covers("content_analysis"));
        assert_eq!(some.minimum_age, 21);
        assert!(some.client_validation);
        let empty = of(json!({"analysisCoverage": []}));
        assert!(empty.covers("forensic_analysis"));
    }

    #[test]
    fn today_is_the_utc_date() {
        // 2024-05-02T12:00:00Z
        assert_eq!(today(1_714_651_200_000), Date::new(2024, 5, 2));
    }

    #[test]
    fn identity_types_map_resource_names() {
        assert_eq!(
            identity_type("national_identity_card"),
            Some(DocumentType::NationalId)
        );
        assert_eq!(identity_type("passport"), Some(DocumentType::Passport));
        assert_eq!(identity_type("utility_bill"), None);
    }
}
