//! Company and address lookups (`POST /lookup/companies`, `GET /lookup/companies/:id`,
//! `POST /lookup/addresses`) over register and address data the operator imports. The records
//! are wire-shaped; the [`Lookups`] port answers the searches (the engine behind it is an
//! adapter, `clearance-lookups`), and the imported datasets are kept in the store through
//! [`ReferenceStore`] so that every node builds the same index from the same rows.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// An address as lookups answer it (§3): no id, client or dates, unlike a client's address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A code of the company's industry (UK SIC 2007, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndustryCode {
    pub code: String,
    pub description: String,
    pub scheme: String,
}

/// A person or entity with significant control of a company.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Owner {
    /// What kind of owner record this is (`person_with_significant_control`,
    /// `beneficial_owner`, `parent_company`).
    #[serde(rename = "type")]
    pub kind: String,
    pub role: String,
    /// `person` or `company`.
    pub entity_type: String,
    pub entity_name: String,
    /// The share band (`25_to_50_percent`, …) or the other kind of control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `YYYY-MM` (registers publish no day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_residence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<LookupAddress>,
    /// How control is held (`direct`, `through_trust`, `through_firm`), with the natures of
    /// control as the register states them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_structure: Option<String>,
}

/// A director, secretary or other officer of a company.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Officer {
    pub entity_name: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub active: bool,
}

/// A filing the register holds for the company (for Companies House data: the last accounts,
/// confirmation statement and annual return made up).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filing {
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,
}

/// One company as a register describes it, with everything `GET /lookup/companies/:id` shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Company {
    /// [`company_id`] of the country and registration number: stable across imports and nodes.
    pub id: String,
    pub name: String,
    pub registration_number: String,
    /// ISO 3166-1 alpha-2.
    pub incorporation_country: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorporation_date: Option<String>,
    /// One of the client `companyDetails.incorporationType` values, where the register's
    /// category has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorporation_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<LookupAddress>,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Source-side timestamps: when the register's record began and the date of the data.
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub industry_codes: Vec<IndustryCode>,
    #[serde(default)]
    pub owners: Vec<Owner>,
    #[serde(default)]
    pub officers: Vec<Officer>,
    #[serde(default)]
    pub filings: Vec<Filing>,
    /// Earlier names: searched as well as `name`; not part of the wire shape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_names: Vec<String>,
    /// The Legal Entity Identifier, when GLEIF data names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lei: Option<String>,
}

/// The id of a company: the hex of `<country, lower case>__<registration number>`. The hosted
/// service's ids decode the same way (its own suite's `67625f5f3131343535333733` is
/// `gb__11455373`), so an id a client stored from either keeps resolving after a re-import.
pub fn company_id(country: &str, registration_number: &str) -> String {
    hex::encode(format!(
        "{}__{}",
        country.to_ascii_lowercase(),
        registration_number.trim()
    ))
}

/// One line of an imported register dataset. Records stream through one at a time, so the
/// owner variant's size costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "camelCase")]
pub enum RegistryRecord {
    Company(Box<Company>),
    /// An owner of the company with this id (PSC data names companies by number only).
    #[serde(rename_all = "camelCase")]
    Owner {
        company_id: String,
        owner: Owner,
    },
    #[serde(rename_all = "camelCase")]
    Officer {
        company_id: String,
        officer: Officer,
    },
    /// A consolidation parent from GLEIF's relationship data, between two LEIs: joined to the
    /// companies whose `lei` they name when the index is built.
    #[serde(rename_all = "camelCase")]
    LeiParent {
        child_lei: String,
        parent_lei: String,
        /// `IS_DIRECTLY_CONSOLIDATED_BY` or `IS_ULTIMATELY_CONSOLIDATED_BY`.
        relationship: String,
    },
}

/// How precise an imported address record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AddressPrecision {
    /// A delivery point: house number and street (OpenAddresses).
    House,
    /// A named street within a postcode district (OS Open Names).
    Street,
    /// A postcode with its place (ONSPD): validates the postcode and names the town.
    Postcode,
}

/// One line of an imported address dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressRecord {
    pub precision: AddressPrecision,
    #[serde(flatten)]
    pub address: LookupAddress,
    /// For street records: the postcode district (outward code) the street lies in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode_district: Option<String>,
    /// WGS84 latitude and longitude, when the source gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat_long: Option<(f64, f64)>,
    /// False for a terminated postcode: kept so that an old bill still explains itself.
    #[serde(default = "live")]
    pub live: bool,
}

fn live() -> bool {
    true
}

/// A search of `POST /lookup/addresses`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressQuery {
    pub line: String,
    pub postal_code: String,
    pub country: String,
}

/// Why a lookup cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No imported data covers the country; the message says what is covered.
    #[error("{0}")]
    UnsupportedCountry(String),
    /// The index is being built for the first time on this node.
    #[error("{0}")]
    NotReady(String),
    #[error("{0}")]
    Internal(String),
}

/// The lookup engine.
#[async_trait]
pub trait Lookups: Send + Sync {
    /// Companies registered in `country` whose names match `name`, best first, at most `limit`.
    async fn search_companies(
        &self,
        name: &str,
        country: &str,
        limit: usize,
    ) -> Result<Vec<Company>, LookupError>;
    /// One company by its id.
    async fn company(&self, id: &str) -> Result<Option<Company>, LookupError>;
    /// Addresses matching the query, best first, at most `limit`.
    async fn search_addresses(
        &self,
        query: &AddressQuery,
        limit: usize,
    ) -> Result<Vec<LookupAddress>, LookupError>;
    /// Where a postcode lies, from the imported postcode data: `Some(Some((lat, long)))` when
    /// known and placed, `Some(None)` when known without a place, `None` when the data covers
    /// the country and does not hold it. [`LookupError::UnsupportedCountry`] when no postcode
    /// data covers the country.
    async fn geocode(
        &self,
        postal_code: &str,
        country: &str,
    ) -> Result<Option<Option<(f64, f64)>>, LookupError>;
}

/// What kind of reference data a dataset holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetKind {
    /// Lines of [`RegistryRecord`].
    Registry,
    /// Lines of [`AddressRecord`].
    Addresses,
}

impl DatasetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetKind::Registry => "registry",
            DatasetKind::Addresses => "addresses",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "registry" => Some(DatasetKind::Registry),
            "addresses" => Some(DatasetKind::Addresses),
            _ => None,
        }
    }
}

/// The summary row of one imported dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataset {
    /// Unique: an import under the same name replaces it.
    pub name: String,
    pub kind: DatasetKind,
    /// The importer's format (`companies-house-csv`, `onspd`, …).
    pub format: String,
    /// SHA-256 of the stored chunks.
    pub content_hash: String,
    pub record_count: i64,
    pub chunk_count: i64,
    /// Epoch milliseconds.
    pub imported_at: i64,
}

/// What lookups need from the database: datasets stored as ordered chunks (compressed JSON
/// lines) under their content hash, replaced with their summary row in one transaction.
#[async_trait]
pub trait ReferenceStore: Send + Sync {
    /// Stores a dataset, replacing the one of the same name, atomically.
    async fn put_reference_dataset(
        &self,
        dataset: &StoredDataset,
        chunks: &[Vec<u8>],
    ) -> Result<(), StoreError>;
    /// Every stored dataset, by name.
    async fn reference_datasets(&self) -> Result<Vec<StoredDataset>, StoreError>;
    /// The chunks of one version of a dataset, in order; fewer than its `chunk_count` when it
    /// was replaced meanwhile.
    async fn reference_dataset_chunks(
        &self,
        name: &str,
        content_hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Removes a dataset; false when there was none.
    async fn remove_reference_dataset(&self, name: &str) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_ids_decode_as_the_hosted_services_do() {
        assert_eq!(company_id("GB", "11455373"), "67625f5f3131343535333733");
    }

    #[test]
    fn records_round_trip_as_json_lines() {
        let record = RegistryRecord::Owner {
            company_id: company_id("GB", "08209948"),
            owner: Owner {
                kind: "person_with_significant_control".into(),
                entity_name: "A Person".into(),
                ..Owner::default()
            },
        };
        let line = serde_json::to_string(&record).unwrap_or_default();
        assert!(line.contains("\"record\":\"owner\""), "{line}");
        let back: RegistryRecord = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, record);
    }
}
