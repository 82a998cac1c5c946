//! Addresses.

#![expect(dead_code, reason = "schema-only types: never constructed")]

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressType {
    Main,
    Alternative,
    Other,
}

/// A client's address.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    id: String,
    client_id: String,
    #[serde(rename = "type")]
    kind: Option<AddressType>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: String,
    city: String,
    state: Option<String>,
    postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    country: String,
    #[schema(format = Date)]
    from_date: Option<String>,
    #[schema(format = Date)]
    to_date: Option<String>,
    last_action_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/addresses`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressCreate {
    client_id: String,
    #[serde(rename = "type")]
    kind: Option<AddressType>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: String,
    city: String,
    state: Option<String>,
    postal_code: Option<String>,
    country: String,
    #[schema(format = Date)]
    from_date: Option<String>,
    #[schema(format = Date)]
    to_date: Option<String>,
}

/// Body of `POST /v1/addresses/{id}`: any subset of the address fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressUpdate {
    #[serde(rename = "type")]
    kind: Option<AddressType>,
    property_number: Option<String>,
    building_name: Option<String>,
    line: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    #[schema(format = Date)]
    from_date: Option<String>,
    #[schema(format = Date)]
    to_date: Option<String>,
}

list_schema!(AddressList, Address);
