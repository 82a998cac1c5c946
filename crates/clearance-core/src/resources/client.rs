//! Clients (persons and companies): creation and update rules from core.md §10.

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use super::Rules;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, object_of};
use crate::merge::deep_merge;
use crate::time::parse_date;

const GENDERS: &[&str] = &["male", "female", "other"];
const INCORPORATION_TYPES: &[&str] = &[
    "sole_proprietorship",
    "private_limited_company",
    "public_limited_company",
    "limited_partnership",
    "holding_company",
    "non_government_organisation",
    "statutory_company",
    "subsidiary_company",
    "unlimited_partnership",
    "charitable_incorporated_organisation",
    "chartered_company",
];

/// Validates a create request and returns the stored body (with `entityName`).
pub fn validate_create(
    input: &Map<String, Value>,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Map<String, Value>> {
    validate(input, today, rules)
}

/// Deep-merges `patch` into the stored body and validates the result. `type` cannot change;
/// details of the other client type are ignored, as the real service does.
pub fn validate_update(
    existing: &Map<String, Value>,
    patch: &Map<String, Value>,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Map<String, Value>> {
    let current_type = existing.get("type").cloned().unwrap_or(Value::Null);
    if let Some(new_type) = patch.get("type").filter(|t| !t.is_null())
        && *new_type != current_type
    {
        return Err(CoreError::invalid(
            "type",
            "'type' cannot be changed once a client is created",
        ));
    }
    let mut merged = Value::Object(existing.clone());
    if let Value::Object(m) = &mut merged {
        m.remove("entityName");
    }
    let mut patch = patch.clone();
    patch.remove("type");
    deep_merge(&mut merged, &Value::Object(patch));
    let merged = merged.as_object().cloned().unwrap_or_default();
    validate(&merged, today, rules)
}

fn validate(
    input: &Map<String, Value>,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    let kind = r
        .opt_enum("type", &["person", "company"])?
        .ok_or_else(|| r.missing("type"))?;
    let email = email(&r)?;
    let (person, company) = match kind.as_str() {
        "person" => {
            let details = r.opt_object("personDetails")?.ok_or_else(|| {
                CoreError::invalid(
                    "personDetails",
                    "'personDetails' must be provided when client type is `person`",
                )
            })?;
            (Some(person_details(&details, today)?), None)
        }
        _ => {
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
        (Some(p), _) => format!(
            "{} {}",
            p.get("firstName")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            p.get("lastName")
                .and_then(Value::as_str)
                .unwrap_or_default()
        ),
        (_, Some(c)) => c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    };
    Ok(object_of(vec![
        ("type", Some(json!(kind))),
        ("entityName", Some(json!(entity_name))),
        ("email", Some(json!(email))),
        ("mobile", phone(&r, "mobile")?.map(Value::from)),
        ("telephone", phone(&r, "telephone")?.map(Value::from)),
        (
            "externalId",
            r.opt_str("externalId", MAX_TEXT)?.map(Value::from),
        ),
        ("joinedDate", r.opt_date("joinedDate")?.map(Value::from)),
        ("personDetails", person.map(Value::Object)),
        ("companyDetails", company.map(Value::Object)),
        ("metadata", metadata(&r, rules)?.map(Value::Object)),
        (
            "lastActionBy",
            r.opt_str("lastActionBy", MAX_TEXT)?.map(Value::from),
        ),
    ]))
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

fn person_details(r: &Reader<'_>, today: NaiveDate) -> Result<Map<String, Value>> {
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
    let text =
        |key: &str| -> Result<Option<Value>> { Ok(r.opt_str(key, MAX_TEXT)?.map(Value::from)) };
    Ok(object_of(vec![
        ("firstName", Some(json!(r.req_str("firstName", MAX_TEXT)?))),
        ("middleName", text("middleName")?),
        ("lastName", Some(json!(r.req_str("lastName", MAX_TEXT)?))),
        ("dob", dob.map(Value::from)),
        ("gender", r.opt_enum("gender", GENDERS)?.map(Value::from)),
        (
            "nationality",
            r.opt_country("nationality")?.map(Value::from),
        ),
        (
            "birthCountry",
            r.opt_country("birthCountry")?.map(Value::from),
        ),
        ("ssn", text("ssn")?),
        ("socialInsuranceNumber", text("socialInsuranceNumber")?),
        ("nationalIdentityNumber", text("nationalIdentityNumber")?),
        ("taxIdentificationNumber", text("taxIdentificationNumber")?),
    ]))
}

fn company_details(r: &Reader<'_>) -> Result<Map<String, Value>> {
    let website = r.opt_str("website", MAX_TEXT)?;
    if website
        .as_deref()
        .is_some_and(|w| w.chars().any(char::is_whitespace))
    {
        let p = r.param("website");
        return Err(CoreError::invalid(&p, format!("'{p}' must be a URL")));
    }
    Ok(object_of(vec![
        ("name", Some(json!(r.req_str("name", MAX_TEXT)?))),
        ("website", website.map(Value::from)),
        (
            "registrationNumber",
            r.opt_str("registrationNumber", MAX_TEXT)?.map(Value::from),
        ),
        (
            "incorporationCountry",
            r.opt_country("incorporationCountry")?.map(Value::from),
        ),
        (
            "incorporationType",
            r.opt_enum("incorporationType", INCORPORATION_TYPES)?
                .map(Value::from),
        ),
    ]))
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

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    fn create(v: Value) -> Result<Map<String, Value>> {
        validate_create(v.as_object().unwrap(), today(), &Rules::default())
    }

    fn param(r: Result<Map<String, Value>>) -> String {
        match r {
            Err(CoreError::Invalid { param, .. }) => param.unwrap_or_default(),
            other => panic!("expected invalid, got {other:?}"),
        }
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
        let existing =
            create(json!({"type": "company", "email": "a@b.co", "companyDetails": {"name": "N"}}))
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
