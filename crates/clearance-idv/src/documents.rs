//! The supported-documents table: document type × issuing country × sides to
//! capture, shared by the document check and `GET /v1/static/supportedDocuments`.
//!
//! The table is data: one default per type ([`TYPES`]) plus per-country
//! exceptions ([`SIDE_EXCEPTIONS`]), over every ISO 3166-1 country.

use std::fmt;
use std::str::FromStr;

use crate::country;
use crate::error::IdvError;
use crate::mrz::{MrzDocumentKind, MrzFormat};

/// A document type as named in the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentType {
    /// `passport`.
    Passport,
    /// `driving_license`.
    DrivingLicense,
    /// `national_id`.
    NationalId,
    /// `residence_permit`.
    ResidencePermit,
    /// `visa`.
    Visa,
}

/// Which side of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The front (the data page of a passport).
    Front,
    /// The back.
    Back,
}

/// The properties of one document type.
#[derive(Debug)]
pub struct TypeInfo {
    /// The type.
    pub document_type: DocumentType,
    /// Sides to capture unless a country exception says otherwise.
    pub default_sides: u8,
    /// MRZ formats this type may carry (empty: no ICAO MRZ expected).
    pub mrz_formats: &'static [MrzFormat],
    /// Side on which the MRZ is printed, when there is one.
    pub mrz_side: Option<Side>,
}

/// Per-type defaults (ComplyCube reference: passport 1, driving licence 2,
/// residence permit 2, national ID 2, visa 1). ID-card MRZs are on the back;
/// passport and visa MRZs are on the only side captured.
pub static TYPES: [TypeInfo; 5] = [
    TypeInfo {
        document_type: DocumentType::Passport,
        default_sides: 1,
        mrz_formats: &[MrzFormat::Td3],
        mrz_side: Some(Side::Front),
    },
    TypeInfo {
        document_type: DocumentType::DrivingLicense,
        default_sides: 2,
        mrz_formats: &[],
        mrz_side: None,
    },
    TypeInfo {
        document_type: DocumentType::NationalId,
        default_sides: 2,
        mrz_formats: &[MrzFormat::Td1, MrzFormat::Td2],
        mrz_side: Some(Side::Back),
    },
    TypeInfo {
        document_type: DocumentType::ResidencePermit,
        default_sides: 2,
        mrz_formats: &[MrzFormat::Td1, MrzFormat::Td2],
        mrz_side: Some(Side::Back),
    },
    TypeInfo {
        document_type: DocumentType::Visa,
        default_sides: 1,
        mrz_formats: &[MrzFormat::MrvA, MrzFormat::MrvB],
        mrz_side: Some(Side::Front),
    },
];

/// Countries whose document of a type has a different number of sides than the
/// type's default: national IDs captured from one side only (ComplyCube reference).
pub static SIDE_EXCEPTIONS: [(DocumentType, &[&str], u8); 1] = [(
    DocumentType::NationalId,
    &["AR", "CI", "CL", "CY", "MY", "PE", "RO", "SV"],
    1,
)];

impl DocumentType {
    /// All types, in API order.
    pub const ALL: [DocumentType; 5] = [
        DocumentType::Passport,
        DocumentType::DrivingLicense,
        DocumentType::NationalId,
        DocumentType::ResidencePermit,
        DocumentType::Visa,
    ];

    /// The API name (`passport`, `driving_license`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Passport => "passport",
            DocumentType::DrivingLicense => "driving_license",
            DocumentType::NationalId => "national_id",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::Visa => "visa",
        }
    }

    /// The type's properties.
    #[must_use]
    pub fn info(self) -> &'static TypeInfo {
        // TYPES is in `ALL` order; the test below keeps it so.
        &TYPES[self as usize]
    }

    /// The API type an MRZ's document code points to (`None` when it says nothing,
    /// e.g. an unknown code).
    #[must_use]
    pub fn from_mrz_kind(kind: MrzDocumentKind) -> Option<DocumentType> {
        match kind {
            MrzDocumentKind::Passport => Some(DocumentType::Passport),
            MrzDocumentKind::Visa => Some(DocumentType::Visa),
            MrzDocumentKind::IdentityCard => Some(DocumentType::NationalId),
            MrzDocumentKind::ResidencePermit => Some(DocumentType::ResidencePermit),
            MrzDocumentKind::Other => None,
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocumentType {
    type Err = IdvError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or(IdvError::UnknownDocumentType)
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportedDocument {
    /// Type.
    pub document_type: DocumentType,
    /// Issuing country, ISO 3166-1 alpha-2.
    pub country: &'static str,
    /// Sides to capture (1 or 2).
    pub sides: u8,
}

/// Sides to capture for `document_type` issued by `country` (ISO alpha-2, upper
/// case), or `None` when the country is not an ISO 3166-1 code.
#[must_use]
pub fn sides_expected(document_type: DocumentType, country: &str) -> Option<u8> {
    if !country::is_alpha2(country) {
        return None;
    }
    let exception = SIDE_EXCEPTIONS
        .iter()
        .find(|(t, countries, _)| *t == document_type && countries.contains(&country));
    Some(exception.map_or(document_type.info().default_sides, |&(_, _, sides)| sides))
}

/// Whether a document of this type and country should come with a back side.
/// Unknown countries fall back to the type's default.
#[must_use]
pub fn two_sides_expected(document_type: DocumentType, country: &str) -> bool {
    sides_expected(document_type, country).unwrap_or(document_type.info().default_sides) == 2
}

/// Whether the type is supported for the country.
#[must_use]
pub fn is_supported(document_type: DocumentType, country: &str) -> bool {
    sides_expected(document_type, country).is_some()
}

/// Every supported (type, country) pair, by type in API order, then by country
/// code — the content of `GET /v1/static/supportedDocuments`.
pub fn supported_documents() -> impl Iterator<Item = SupportedDocument> {
    let mut countries: Vec<&'static str> = country::iso_alpha2_codes().chain(["XK"]).collect();
    countries.sort_unstable();
    DocumentType::ALL.into_iter().flat_map(move |t| {
        countries.clone().into_iter().filter_map(move |c| {
            sides_expected(t, c).map(|sides| SupportedDocument {
                document_type: t,
                country: c,
                sides,
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_table_is_in_all_order() {
        for (i, t) in DocumentType::ALL.into_iter().enumerate() {
            assert_eq!(TYPES[i].document_type, t);
            assert_eq!(t.info().document_type, t);
            assert_eq!(t.as_str().parse::<DocumentType>().ok(), Some(t));
        }
        assert!("id_card".parse::<DocumentType>().is_err());
    }

    #[test]
    fn sides_follow_defaults_and_exceptions() {
        assert!(!two_sides_expected(DocumentType::Passport, "GB"));
        assert!(two_sides_expected(DocumentType::DrivingLicense, "GB"));
        assert!(two_sides_expected(DocumentType::NationalId, "FR"));
        assert!(!two_sides_expected(DocumentType::NationalId, "RO"));
        assert!(two_sides_expected(DocumentType::ResidencePermit, "RO"));
        assert!(!two_sides_expected(DocumentType::Visa, "US"));
        assert_eq!(sides_expected(DocumentType::Passport, "ZZ"), None);
        assert!(two_sides_expected(DocumentType::NationalId, "ZZ"));
        assert!(is_supported(DocumentType::NationalId, "XK"));
    }

    #[test]
    fn exceptions_name_real_countries() {
        for (_, countries, sides) in &SIDE_EXCEPTIONS {
            assert!(countries.iter().all(|c| country::is_alpha2(c)));
            assert!(matches!(sides, 1 | 2));
        }
    }

    #[test]
    fn table_covers_every_type_and_country_once() {
        let rows: Vec<_> = supported_documents().collect();
        assert_eq!(rows.len(), 5 * 250);
        let cl_ids: Vec<_> = rows
            .iter()
            .filter(|r| r.country == "CL" && r.document_type == DocumentType::NationalId)
            .collect();
        assert_eq!(cl_ids.len(), 1);
        assert_eq!(cl_ids[0].sides, 1);
    }
}
