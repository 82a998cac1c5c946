//! Clients (persons and companies): the resource and its creation and update rules from
//! core.md §10.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Rules;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};
use crate::merge::deep_merge;
use crate::time::parse_date;
use crate::typed;

wire_enum! {
    /// Whether a client is a person or a company.
    pub enum ClientType {
        Person = "person",
        Company = "company",
    }
}

wire_enum! {
    pub enum Gender {
        Male = "male",
        Female = "female",
        Other = "other",
    }
}

wire_enum! {
    pub enum IncorporationType {
        SoleProprietorship = "sole_proprietorship",
        PrivateLimitedCompany = "private_limited_company",
        PublicLimitedCompany = "public_limited_company",
        LimitedPartnership = "limited_partnership",
        HoldingCompany = "holding_company",
        NonGovernmentOrganisation = "non_government_organisation",
        StatutoryCompany = "statutory_company",
        SubsidiaryCompany = "subsidiary_company",
        UnlimitedPartnership = "unlimited_partnership",
        CharitableIncorporatedOrganisation = "charitable_incorporated_organisation",
        CharteredCompany = "chartered_company",
    }
}

/// A client (person or company).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Client {
    #[serde(rename = "type")]
    pub kind: ClientType,
    /// The person's full name or the company's name, kept by the server.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub entity_name: String,
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub joined_date: Option<String>,
    /// A person's details; required when `type` is `person`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_details: Option<PersonDetails>,
    /// A company's details; required when `type` is `company`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_details: Option<CompanyDetails>,
    /// Up to 20 string values with keys of at most 40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<HashMap<String, String>>))]
    pub metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_action_by: Option<String>,
}

/// A person's details.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PersonDetails {
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub dob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_insurance_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_identity_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_identification_number: Option<String>,
}

/// A company's details.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CompanyDetails {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorporation_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incorporation_type: Option<IncorporationType>,
}

impl Client {
    /// Whether the client is a company.
    pub fn is_company(&self) -> bool {
        self.kind == ClientType::Company
    }

    /// A person's details, when the client is a person.
    pub fn person(&self) -> Option<&PersonDetails> {
        self.person_details.as_ref().filter(|_| !self.is_company())
    }

    /// A company's details, when the client is a company.
    pub fn company(&self) -> Option<&CompanyDetails> {
        self.company_details.as_ref().filter(|_| self.is_company())
    }
}

/// Validates a create request and returns the client (with `entityName`).
pub fn validate_create(
    input: &Map<String, Value>,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Client> {
    validate(input, today, rules)
}

/// Deep-merges `patch` into the stored client and validates the result. `type` cannot change;
/// details of the other client type are ignored, as the real service does.
pub fn validate_update(
    existing: &Client,
    patch: &Map<String, Value>,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Client> {
    if let Some(new_type) = Reader::new(patch).raw("type")
        && new_type.as_str() != Some(existing.kind.as_str())
    {
        return Err(CoreError::invalid(
            "type",
            "'type' cannot be changed once a client is created",
        ));
    }
    let mut merged = Value::Object(typed::encode(existing));
    if let Value::Object(m) = &mut merged {
        m.remove("entityName");
    }
    let mut patch = patch.clone();
    patch.remove("type");
    deep_merge(&mut merged, &Value::Object(patch));
    let merged = merged.as_object().cloned().unwrap_or_default();
    validate(&merged, today, rules)
}

fn validate(input: &Map<String, Value>, today: NaiveDate, rules: &Rules) -> Result<Client> {
    let r = Reader::new(input);
    let kind = r
        .opt_wire("type", ClientType::NAMES, ClientType::parse)?
        .ok_or_else(|| r.missing("type"))?;
    let email = email(&r)?;
    let (person, company) = match kind {
        ClientType::Person => {
            let details = r.opt_object("personDetails")?.ok_or_else(|| {
                CoreError::invalid(
                    "personDetails",
                    "'personDetails' must be provided when client type is `person`",
                )
            })?;
            (Some(person_details(&details, today)?), None)
        }
        ClientType::Company => {
            let details = r.opt_object("companyDetails")?.ok_or_else(|| {
                CoreError::invalid(
                    "companyDetails",
                    "'companyDetails' must be provided when client type is `company`",
                )
            })?;
            (None, Some(company_details(&details)?))
        }
    };
    let entity_name = match (&person, &company) {
        (Some(p), _) => format!("{} {}", p.first_name, p.last_name),
        (_, Some(c)) => c.name.clone(),
        _ => String::new(),
    };
    Ok(Client {
        kind,
        entity_name,
        email,
        mobile: phone(&r, "mobile")?,
        telephone: phone(&r, "telephone")?,
        external_id: r.opt_str("externalId", MAX_TEXT)?,
        joined_date: r.opt_date("joinedDate")?,
        person_details: person,
        company_details: company,
        metadata: metadata(&r, rules)?,
        last_action_by: r.opt_str("lastActionBy", MAX_TEXT)?,
    })
}

fn email(r: &Reader<'_>) -> Result<String> {
    let email = r.req_str("email", 254)?;
    if is_email(&email) {
        Ok(email)
    } else {
        Err(CoreError::invalid(
            "email",
            "'email' must be a valid email address",
        ))
    }
}

/// Email syntax only (`local@domain.tld`, no spaces); no DNS.
pub(crate) fn is_email(email: &str) -> bool {
    email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !email.chars().any(char::is_whitespace)
}

fn phone(r: &Reader<'_>, key: &str) -> Result<Option<String>> {
    let Some(value) = r.opt_str(key, 50)? else {
        return Ok(None);
    };
    if value.chars().any(|c| c.is_ascii_digit()) {
        Ok(Some(value))
    } else {
        Err(CoreError::invalid(
            key,
            format!("'{key}' must be a phone number"),
        ))
    }
}

fn person_details(r: &Reader<'_>, today: NaiveDate) -> Result<PersonDetails> {
    let dob = r.opt_date("dob")?;
    if let Some(d) = dob.as_deref().and_then(parse_date)
        && (d > today || d.year() < 1900)
    {
        let p = r.param("dob");
        return Err(CoreError::invalid(
            &p,
            format!("'{p}' must be a date between 1900-01-01 and today"),
        ));
    }
    let text = |key: &str| r.opt_str(key, MAX_TEXT);
    Ok(PersonDetails {
        first_name: r.req_str("firstName", MAX_TEXT)?,
        middle_name: text("middleName")?,
        last_name: r.req_str("lastName", MAX_TEXT)?,
        dob,
        gender: r.opt_wire("gender", Gender::NAMES, Gender::parse)?,
        nationality: r.opt_country("nationality")?,
        birth_country: r.opt_country("birthCountry")?,
        ssn: text("ssn")?,
        social_insurance_number: text("socialInsuranceNumber")?,
        national_identity_number: text("nationalIdentityNumber")?,
        tax_identification_number: text("taxIdentificationNumber")?,
    })
}

fn company_details(r: &Reader<'_>) -> Result<CompanyDetails> {
    let website = r.opt_str("website", MAX_TEXT)?;
    if website
        .as_deref()
        .is_some_and(|w| w.chars().any(char::is_whitespace))
    {
        let p = r.param("website");
        return Err(CoreError::invalid(&p, format!("'{p}' must be a URL")));
    }
    Ok(CompanyDetails {
        name: r.req_str("name", MAX_TEXT)?,
        website,
        registration_number: r.opt_str("registrationNumber", MAX_TEXT)?,
        incorporation_country: r.opt_country("incorporationCountry")?,
        incorporation_type: r.opt_wire(
            "incorporationType",
            IncorporationType::NAMES,
            IncorporationType::parse,
        )?,
    })
}

fn metadata(r: &Reader<'_>, rules: &Rules) -> Result<Option<Map<String, Value>>> {
    let Some(value) = r.raw("metadata") else {
        return Ok(None);
    };
    let map = value.as_object().ok_or_else(|| {
        CoreError::invalid("metadata", "'metadata' must be an object of string values")
    })?;
    if map.len() > rules.max_metadata_keys {
        return Err(CoreError::invalid(
            "metadata",
            format!(
                "'metadata' can have at most {} keys",
                rules.max_metadata_keys
            ),
        ));
    }
    for (key, value) in map {
        if key.is_empty() || key.chars().count() > 40 {
            return Err(CoreError::invalid(
                "metadata",
                "'metadata' keys must be 1 to 40 characters long",
            ));
        }
        match value.as_str() {
            Some(s) if s.chars().count() <= 500 => {}
            Some(_) => {
                return Err(CoreError::invalid(
                    "metadata",
                    "'metadata' values must be at most 500 characters long",
                ));
            }
            None => {
                return Err(CoreError::invalid(
                    "metadata",
                    "'metadata' values must be strings",
                ));
            }
        }
    }
    Ok((!map.is_empty()).then(|| map.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    fn create(v: Value) -> Result<Map<String, Value>> {
        validate_create(v.as_object().unwrap(), today(), &Rules::default())
            .map(|c| typed::encode(&c))
    }

    fn param<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(CoreError::Invalid { param, .. }) => param.unwrap_or_default(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn wire_enums_serialise_as_their_names() {
        for name in ClientType::NAMES {
            let t = ClientType::parse(name).unwrap();
            assert_eq!(serde_json::to_value(t).unwrap(), *name);
        }
        for name in IncorporationType::NAMES {
            let t = IncorporationType::parse(name).unwrap();
            assert_eq!(serde_json::to_value(t).unwrap(), *name);
            assert_eq!(t.as_str(), *name);
        }
        assert_eq!(serde_json::to_value(Gender::Female).unwrap(), "female");
    }

    #[test]
    fn a_person_gets_an_entity_name() {
        let body = create(json!({"type": "person", "email": "a@b.co",
            "personDetails": {"firstName": "Ada", "middleName": "B", "lastName": "Lovelace"}}))
        .unwrap();
        assert_eq!(body["entityName"], "Ada Lovelace");
        assert!(!body.contains_key("companyDetails"));
    }

    #[test]
    fn documented_rejections_name_their_field() {
        assert_eq!(
            param(create(json!({"type": "person", "email": "a@b.co"}))),
            "personDetails"
        );
        assert_eq!(
            param(create(
                json!({"type": "person", "personDetails": {"firstName": "A", "lastName": "B"}})
            )),
            "email"
        );
        assert_eq!(
            param(create(json!({"type": "robot", "email": "a@b.co"}))),
            "type"
        );
        assert_eq!(
            param(create(
                json!({"type": "person", "email": "a@b.co", "personDetails": {"lastName": "B"}})
            )),
            "personDetails.firstName"
        );
        assert_eq!(
            param(create(
                json!({"type": "company", "email": "a@b.co", "companyDetails": {"name": "N", "incorporationCountry": "NOTACOUNTRYCODE"}})
            )),
            "companyDetails.incorporationCountry"
        );
        assert_eq!(
            param(create(
                json!({"type": "person", "email": "a@b.co", "personDetails": {"firstName": "A", "lastName": "B", "dob": "2030-01-01"}})
            )),
            "personDetails.dob"
        );
    }

    #[test]
    fn metadata_limits() {
        let base = |m: Value| json!({"type": "company", "email": "a@b.co", "companyDetails": {"name": "N"}, "metadata": m});
        let many: Map<String, Value> = (0..21).map(|i| (format!("k{i}"), json!("v"))).collect();
        assert_eq!(param(create(base(Value::Object(many)))), "metadata");
        assert_eq!(
            param(create(base(json!({"k".repeat(41): "v"})))),
            "metadata"
        );
        assert_eq!(
            param(create(base(json!({"k": "v".repeat(501)})))),
            "metadata"
        );
        assert_eq!(param(create(base(json!({"k": 1})))), "metadata");
        assert_eq!(param(create(base(json!({"k": {"n": "v"}})))), "metadata");
        assert!(create(base(json!({"k": "v"}))).is_ok());
    }

    #[test]
    fn updates_deep_merge_and_keep_the_type() {
        let existing = validate_create(
            json!({"type": "company", "email": "a@b.co", "companyDetails": {"name": "N"}})
                .as_object()
                .unwrap(),
            today(),
            &Rules::default(),
        )
        .unwrap();
        let updated = validate_update(
            &existing,
            json!({"companyDetails": {"website": "https://x.example"}, "personDetails": {"firstName": "Z"}})
                .as_object()
                .unwrap(),
            today(),
            &Rules::default(),
        )
        .unwrap();
        let updated = typed::encode(&updated);
        assert_eq!(
            updated["companyDetails"],
            json!({"name": "N", "website": "https://x.example"})
        );
        assert!(!updated.contains_key("personDetails"));
        let changed = validate_update(
            &existing,
            json!({"type": "person"}).as_object().unwrap(),
            today(),
            &Rules::default(),
        );
        assert_eq!(param(changed), "type");
    }
}
