//! Custom lists and their records.

use serde::Serialize;
use utoipa::ToSchema;

/// Person and company counts of a custom list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListStats {
    person_count: u64,
    company_count: u64,
}

/// An account's own screening list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomList {
    id: String,
    name: String,
    description: Option<String>,
    /// The `screeningClassification` its matches are reported under (default
    /// `watchlistOtherOfficialLists`).
    classification: String,
    stats: CustomListStats,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/customLists`.
#[derive(Serialize, ToSchema)]
pub struct CustomListCreate {
    name: String,
    description: Option<String>,
    classification: Option<String>,
}

/// Body of `POST /v1/customLists/{id}` (any create field).
#[derive(Serialize, ToSchema)]
pub struct CustomListUpdate {
    name: Option<String>,
    description: Option<String>,
    classification: Option<String>,
}

list_schema!(CustomListList, CustomList);

/// A name on a custom-list record: first and last name for a person, `companyName` for a
/// company.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListName {
    /// `primary` or `alias`.
    r#type: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
}

/// A country of a custom-list record.
#[derive(Serialize, ToSchema)]
pub struct CustomListCountry {
    /// e.g. `Jurisdiction`, `Resident of`.
    r#type: Option<String>,
    country: String,
}

/// Date parts (strings such as `"01"` or numbers are accepted; numbers are returned).
#[derive(Serialize, ToSchema)]
pub struct CustomListDateParts {
    day: Option<u32>,
    month: Option<u32>,
    year: u32,
}

/// A date of a custom-list record.
#[derive(Serialize, ToSchema)]
pub struct CustomListDate {
    /// e.g. `Date of Birth`.
    r#type: Option<String>,
    date: CustomListDateParts,
}

/// Body of `POST /v1/customLists/{id}/records`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListRecordCreate {
    /// `person` or `company`.
    entity_type: String,
    names: Vec<CustomListName>,
    active: Option<bool>,
    /// Persons only: `male`, `female` or `other`.
    gender: Option<String>,
    countries: Option<Vec<CustomListCountry>>,
    dates: Option<Vec<CustomListDate>>,
    images: Option<Vec<String>>,
}

/// A person or company on a custom list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomListRecord {
    id: String,
    custom_list_id: String,
    entity_type: String,
    names: Vec<CustomListName>,
    active: Option<bool>,
    gender: Option<String>,
    countries: Option<Vec<CustomListCountry>>,
    dates: Option<Vec<CustomListDate>>,
    images: Option<Vec<String>>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

list_schema!(CustomListRecordList, CustomListRecord);
