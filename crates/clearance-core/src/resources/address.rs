//! Addresses of clients: the resource and its creation and update rules from core.md §11.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::country::is_usps_state;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};
use crate::merge::deep_merge;
use crate::typed;

wire_enum! {
    pub enum AddressType {
        Main = "main",
        Alternative = "alternative",
        Other = "other",
    }
}

/// A client's address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub client_id: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AddressType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_name: Option<String>,
    pub line: String,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub from_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub to_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_action_by: Option<String>,
}

/// Validates a create request (the caller has checked that `clientId` exists).
pub fn validate_create(input: &Map<String, Value>) -> Result<Address> {
    validate(input)
}

/// Merges a partial update into the stored address and validates the result; `clientId` is
/// fixed.
pub fn validate_update(existing: &Address, patch: &Map<String, Value>) -> Result<Address> {
    if let Some(client) = Reader::new(patch).raw("clientId")
        && client.as_str() != Some(existing.client_id.as_str())
    {
        return Err(CoreError::invalid(
            "clientId",
            "'clientId' of an address cannot be changed",
        ));
    }
    let mut merged = Value::Object(typed::encode(existing));
    deep_merge(&mut merged, &Value::Object(patch.clone()));
    validate(merged.as_object().unwrap_or(&Map::new()))
}

/// Reads the required `clientId` of a create request.
pub fn client_id(input: &Map<String, Value>) -> Result<String> {
    Reader::new(input).req_str("clientId", 64)
}

fn validate(input: &Map<String, Value>) -> Result<Address> {
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
    Ok(Address {
        client_id: client_id(input)?,
        kind: r.opt_wire("type", AddressType::NAMES, AddressType::parse)?,
        property_number: r.opt_str("propertyNumber", MAX_TEXT)?,
        building_name: r.opt_str("buildingName", MAX_TEXT)?,
        line: r.req_str("line", MAX_TEXT)?,
        city: r.req_str("city", MAX_TEXT)?,
        state,
        postal_code: r.opt_str("postalCode", 32)?,
        country,
        from_date: from,
        to_date: to,
        last_action_by: r.opt_str("lastActionBy", MAX_TEXT)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param<T: std::fmt::Debug>(r: Result<T>) -> String {
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
        assert_eq!(updated.line, "1 Road");
        assert_eq!(updated.country, "FR");
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
