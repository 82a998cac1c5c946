//! Clients.

#![expect(dead_code, reason = "schema-only types: never constructed")]

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    Person,
    Company,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncorporationType {
    SoleProprietorship,
    PrivateLimitedCompany,
    PublicLimitedCompany,
    LimitedPartnership,
    HoldingCompany,
    NonGovernmentOrganisation,
    StatutoryCompany,
    SubsidiaryCompany,
    UnlimitedPartnership,
    CharitableIncorporatedOrganisation,
    CharteredCompany,
}

/// A person's details.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonDetails {
    first_name: String,
    middle_name: Option<String>,
    last_name: String,
    #[schema(format = Date)]
    dob: Option<String>,
    gender: Option<Gender>,
    /// ISO 3166-1 alpha-2.
    nationality: Option<String>,
    /// ISO 3166-1 alpha-2.
    birth_country: Option<String>,
    ssn: Option<String>,
    social_insurance_number: Option<String>,
    national_identity_number: Option<String>,
    tax_identification_number: Option<String>,
}

/// A company's details.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyDetails {
    name: String,
    website: Option<String>,
    registration_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    incorporation_country: Option<String>,
    incorporation_type: Option<IncorporationType>,
}

/// A client (person or company).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    id: String,
    #[serde(rename = "type")]
    kind: ClientType,
    entity_name: String,
    email: String,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    #[schema(format = Date)]
    joined_date: Option<String>,
    person_details: Option<PersonDetails>,
    company_details: Option<CompanyDetails>,
    /// Up to 20 string values with keys of at most 40 characters.
    metadata: Option<HashMap<String, String>>,
    last_action_by: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// Body of `POST /v1/clients`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientCreate {
    #[serde(rename = "type")]
    kind: ClientType,
    #[schema(format = Email)]
    email: String,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    #[schema(format = Date)]
    joined_date: Option<String>,
    /// Required when `type` is `person`.
    person_details: Option<PersonDetails>,
    /// Required when `type` is `company`.
    company_details: Option<CompanyDetails>,
    metadata: Option<HashMap<String, String>>,
}

/// Body of `POST /v1/clients/{id}`: any subset of the client's fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientUpdate {
    #[schema(format = Email)]
    email: Option<String>,
    mobile: Option<String>,
    telephone: Option<String>,
    external_id: Option<String>,
    #[schema(format = Date)]
    joined_date: Option<String>,
    person_details: Option<Value>,
    company_details: Option<Value>,
    metadata: Option<HashMap<String, String>>,
}

list_schema!(ClientList, Client);
