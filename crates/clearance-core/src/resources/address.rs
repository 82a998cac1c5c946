//! Addresses of clients: creation and update rules from core.md §11.

use serde_json::{Map, Value, json};

use crate::country::is_usps_state;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, object_of};
use crate::merge::deep_merge;

const TYPES: &[&str] = &["main", "alternative", "other"];

/// Validates a create request (the caller has checked that `clientId` exists) and returns the body.
pub fn validate_create(input: &Map<String, Value>) -> Result<Map<String, Value>> {
    validate(input)
}

/// Merges a partial update into the stored body and validates the result; `clientId` is fixed.
pub fn validate_update(
    existing: &Map<String, Value>,
    patch: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    if let Some(client) = patch.get("clientId").filter(|c| !c.is_null())
        && Some(client) != existing.get("clientId")
    {
        return Err(CoreError::invalid(
            "clientId",
            "'clientId' of an address cannot be changed",
        ));
    }
    let mut merged = Value::Object(existing.clone());
    deep_merge(&mut merged, &Value::Object(patch.clone()));
    validate(merged.as_object().unwrap_or(&Map::new()))
}

/// Reads the required `clientId` of a create request.
pub fn client_id(input: &Map<String, Value>) -> Result<String> {
    Reader::new(input).req_str("clientId", 64)
}

fn validate(input: &Map<String, Value>) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    let country = r.req_country("country")?;
    let state = r.opt_str("state", MAX_TEXT)?;
    if country == "US" && state.as_deref().is_some_and(|s| !is_usps_state(s)) {
        return Err(CoreError::invalid(
            "state",
            "'state' must be a USPS state code, such as NY, when country is US",
        ));
    }
    let from = r.opt_date("fromDate")?;
    let to = r.opt_date("toDate")?;
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        return Err(CoreError::invalid(
            "toDate",
            "'toDate' must not be before 'fromDate'",
        ));
    }
    Ok(object_of(vec![
        ("clientId", Some(json!(client_id(input)?))),
        ("type", r.opt_enum("type", TYPES)?.map(Value::from)),
        (
            "propertyNumber",
            r.opt_str("propertyNumber", MAX_TEXT)?.map(Value::from),
        ),
        (
            "buildingName",
            r.opt_str("buildingName", MAX_TEXT)?.map(Value::from),
        ),
        ("line", Some(json!(r.req_str("line", MAX_TEXT)?))),
        ("city", Some(json!(r.req_str("city", MAX_TEXT)?))),
        ("state", state.map(Value::from)),
        ("postalCode", r.opt_str("postalCode", 32)?.map(Value::from)),
        ("country", Some(json!(country))),
        ("fromDate", from.map(Value::from)),
        ("toDate", to.map(Value::from)),
        (
            "lastActionBy",
            r.opt_str("lastActionBy", MAX_TEXT)?.map(Value::from),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(r: Result<Map<String, Value>>) -> String {
        match r {
            Err(CoreError::Invalid { param, .. }) => param.unwrap_or_default(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn required_fields_and_enums() {
        let ok = json!({"clientId": "c", "line": "1 Road", "city": "Bristol", "country": "GB"});
        assert!(validate_create(ok.as_object().unwrap()).is_ok());
        for missing in ["line", "city", "country", "clientId"] {
            let mut v = ok.as_object().unwrap().clone();
            v.remove(missing);
            assert_eq!(param(validate_create(&v)), missing);
        }
        let mut v = ok.as_object().unwrap().clone();
        v.insert("type".into(), json!("home"));
        assert_eq!(param(validate_create(&v)), "type");
        v.insert("type".into(), json!("main"));
        v.insert("country".into(), json!("US"));
        v.insert("state".into(), json!("New York"));
        assert_eq!(param(validate_create(&v)), "state");
    }

    #[test]
    fn updating_the_country_keeps_the_rest() {
        let existing = validate_create(
            json!({"clientId": "c", "line": "1 Road", "city": "Bristol", "country": "GB"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        let updated =
            validate_update(&existing, json!({"country": "FR"}).as_object().unwrap()).unwrap();
        assert_eq!(updated["line"], "1 Road");
        assert_eq!(updated["country"], "FR");
        assert_eq!(
            param(validate_update(
                &existing,
                json!({"country": "XX"}).as_object().unwrap()
            )),
            "country"
        );
        assert_eq!(
            param(validate_update(
                &existing,
                json!({"clientId": "d"}).as_object().unwrap()
            )),
            "clientId"
        );
    }
}
