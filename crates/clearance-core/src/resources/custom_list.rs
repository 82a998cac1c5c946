//! Custom screening lists (checks-and-more.md §4): the list and the person or company records on
//! it. The spec leaves list creation to a portal; Clearance creates lists through the API.

use serde_json::{Map, Value, json};

use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, as_object, object_of};

/// The `screeningClassification` values a list's matches may be reported under (the ones a
/// screening summary has a key for that comes from a list rather than from media).
pub const LIST_CLASSIFICATIONS: &[&str] = &[
    "watchlistSanctionsLists",
    "watchlistOtherOfficialLists",
    "watchlistWarCrimes",
    "watchlistTerror",
    "watchlistOtherExclusionLists",
    "watchlistSanctionsControlAndOwnership",
    "pepLevel1",
    "pepLevel2",
    "pepLevel3",
    "pepLevel4",
];

/// Where matches on a custom list show in a screening summary unless the list says otherwise:
/// covered by standard and extensive checks alike, and not a claim of an official sanction.
pub const DEFAULT_CLASSIFICATION: &str = "watchlistOtherOfficialLists";

const MAX_DESCRIPTION: usize = 1000;
const MAX_NAMES: usize = 50;
const MAX_ITEMS: usize = 50;
const MAX_URI: usize = 2048;

/// Validates a list create request.
pub fn validate_list(input: &Map<String, Value>) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    for key in r.keys() {
        if !["name", "description", "classification"].contains(&key.as_str()) {
            return Err(CoreError::invalid(
                &key,
                format!("'{key}' is not a known field"),
            ));
        }
    }
    let classification = r
        .opt_enum("classification", LIST_CLASSIFICATIONS)?
        .unwrap_or_else(|| DEFAULT_CLASSIFICATION.into());
    Ok(object_of(vec![
        ("name", Some(json!(r.req_str("name", MAX_TEXT)?))),
        (
            "description",
            r.opt_str("description", MAX_DESCRIPTION)?.map(Value::from),
        ),
        ("classification", Some(json!(classification))),
    ]))
}

/// Applies an update (any create field; `null` removes the description) and validates it.
pub fn validate_list_update(
    existing: &Map<String, Value>,
    patch: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let mut merged = existing.clone();
    for (k, v) in patch {
        if v.is_null() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    validate_list(&merged)
}

/// Validates a `POST /customLists/:id/records` body into the stored record (without the list id).
pub fn validate_record(input: &Map<String, Value>) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    const KNOWN: &[&str] = &[
        "entityType",
        "names",
        "active",
        "gender",
        "countries",
        "dates",
        "images",
    ];
    for key in r.keys() {
        if !KNOWN.contains(&key.as_str()) {
            return Err(CoreError::invalid(
                &key,
                format!("'{key}' is not a known field"),
            ));
        }
    }
    let entity_type = r
        .opt_enum("entityType", &["person", "company"])?
        .ok_or_else(|| r.missing("entityType"))?;
    let person = entity_type == "person";
    let names = array(&r, "names", MAX_NAMES)?.ok_or_else(|| r.missing("names"))?;
    if names.is_empty() {
        return Err(CoreError::invalid(
            "names",
            "'names' must contain at least one name",
        ));
    }
    let names = names
        .iter()
        .enumerate()
        .map(|(i, v)| name(v, &format!("names[{i}]"), person))
        .collect::<Result<Vec<_>>>()?;
    let gender = r.opt_enum("gender", &["male", "female", "other"])?;
    if gender.is_some() && !person {
        return Err(CoreError::invalid(
            "gender",
            "'gender' only applies to a person",
        ));
    }
    let countries = array(&r, "countries", MAX_ITEMS)?
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, v)| country(v, &format!("countries[{i}]")))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let dates = array(&r, "dates", MAX_ITEMS)?
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, v)| date(v, &format!("dates[{i}]")))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let images = array(&r, "images", MAX_ITEMS)?
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, v)| image(v, &format!("images[{i}]")))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    Ok(object_of(vec![
        ("entityType", Some(json!(entity_type))),
        ("names", Some(json!(names))),
        ("active", r.opt_bool("active")?.map(Value::from)),
        ("gender", gender.map(Value::from)),
        (
            "countries",
            countries.filter(|c| !c.is_empty()).map(Value::from),
        ),
        ("dates", dates.filter(|d| !d.is_empty()).map(Value::from)),
        ("images", images.filter(|i| !i.is_empty()).map(Value::from)),
    ]))
}

/// An optional array of at most `max` items.
fn array<'a>(r: &Reader<'a>, key: &str, max: usize) -> Result<Option<&'a Vec<Value>>> {
    let Some(value) = r.raw(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let list = value
        .as_array()
        .ok_or_else(|| CoreError::invalid(key, format!("'{key}' must be an array")))?;
    if list.len() > max {
        return Err(CoreError::invalid(
            key,
            format!("'{key}' must have at most {max} items"),
        ));
    }
    Ok(Some(list))
}

fn name(value: &Value, p: &str, person: bool) -> Result<Value> {
    let r = Reader::nested(as_object(value, Some(p))?, p);
    let kind = r.opt_enum("type", &["primary", "alias"])?;
    let field = |key: &str| r.opt_str(key, MAX_TEXT);
    let out = if person {
        if r.raw("companyName").is_some() {
            let q = r.param("companyName");
            return Err(CoreError::invalid(
                &q,
                format!("'{q}' only applies to a company"),
            ));
        }
        object_of(vec![
            ("type", kind.map(Value::from)),
            ("firstName", Some(json!(r.req_str("firstName", MAX_TEXT)?))),
            ("middleName", field("middleName")?.map(Value::from)),
            ("lastName", Some(json!(r.req_str("lastName", MAX_TEXT)?))),
        ])
    } else {
        for key in ["firstName", "middleName", "lastName"] {
            if r.raw(key).is_some() {
                let q = r.param(key);
                return Err(CoreError::invalid(
                    &q,
                    format!("'{q}' only applies to a person"),
                ));
            }
        }
        object_of(vec![
            ("type", kind.map(Value::from)),
            (
                "companyName",
                Some(json!(r.req_str("companyName", MAX_TEXT)?)),
            ),
        ])
    };
    Ok(Value::Object(out))
}

fn country(value: &Value, p: &str) -> Result<Value> {
    let r = Reader::nested(as_object(value, Some(p))?, p);
    Ok(Value::Object(object_of(vec![
        ("type", r.opt_str("type", MAX_TEXT)?.map(Value::from)),
        ("country", Some(json!(r.req_country("country")?))),
    ])))
}

/// `{type?, date: {day?, month?, year}}`; parts may be strings (`"01"`) or numbers and are
/// stored as numbers.
fn date(value: &Value, p: &str) -> Result<Value> {
    let r = Reader::nested(as_object(value, Some(p))?, p);
    let parts = r.opt_object("date")?.ok_or_else(|| r.missing("date"))?;
    let part = |key: &str, lo: i64, hi: i64| -> Result<Option<i64>> {
        let q = parts.param(key);
        let bad = || CoreError::invalid(&q, format!("'{q}' must be a number from {lo} to {hi}"));
        match parts.raw(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .filter(|n| (lo..=hi).contains(n))
                .map(Some)
                .ok_or_else(bad),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (lo..=hi).contains(n))
                .map(Some)
                .ok_or_else(bad),
            Some(_) => Err(bad()),
        }
    };
    let year = part("year", 1000, 2999)?.ok_or_else(|| parts.missing("year"))?;
    let month = part("month", 1, 12)?;
    let day = part("day", 1, 31)?;
    if day.is_some() && month.is_none() {
        return Err(parts.missing("month"));
    }
    let date = object_of(vec![
        ("day", day.map(Value::from)),
        ("month", month.map(Value::from)),
        ("year", Some(json!(year))),
    ]);
    Ok(Value::Object(object_of(vec![
        ("type", r.opt_str("type", MAX_TEXT)?.map(Value::from)),
        ("date", Some(Value::Object(date))),
    ])))
}

fn image(value: &Value, p: &str) -> Result<Value> {
    let s = value
        .as_str()
        .filter(|s| !s.trim().is_empty() && s.len() <= MAX_URI)
        .ok_or_else(|| CoreError::invalid(p, format!("'{p}' must be an image URI")))?;
    Ok(json!(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn param(e: CoreError) -> Option<String> {
        match e {
            CoreError::Invalid { param, .. } => param,
            _ => None,
        }
    }

    #[test]
    fn a_person_record_is_normalised() {
        let body = validate_record(&obj(json!({
            "entityType": "person",
            "names": [{"type": "primary", "firstName": "Jane", "lastName": "Doe"}],
            "gender": "female",
            "countries": [{"type": "Resident of", "country": "US"}],
            "dates": [{"type": "Date of Birth", "date": {"day": "01", "month": "02", "year": "1987"}}],
            "active": true
        })))
        .unwrap_or_default();
        assert_eq!(
            body["dates"][0]["date"],
            json!({"day": 1, "month": 2, "year": 1987})
        );
        assert_eq!(body["names"][0]["lastName"], "Doe");
        assert_eq!(body["gender"], "female");
    }

    #[test]
    fn bad_records_name_the_field() {
        let cases = [
            (json!({"names": [{"companyName": "X"}]}), "entityType"),
            (json!({"entityType": "person"}), "names"),
            (json!({"entityType": "person", "names": []}), "names"),
            (
                json!({"entityType": "person", "names": [{"firstName": "A"}]}),
                "names[0].lastName",
            ),
            (
                json!({"entityType": "company", "names": [{"companyName": "X", "lastName": "Y"}]}),
                "names[0].lastName",
            ),
            (
                json!({"entityType": "company", "names": [{"companyName": "X"}], "gender": "male"}),
                "gender",
            ),
            (
                json!({"entityType": "company", "names": [{"companyName": "X"}], "countries": [{"country": "XX"}]}),
                "countries[0].country",
            ),
            (
                json!({"entityType": "company", "names": [{"companyName": "X"}], "dates": [{"date": {"month": 13, "year": 1990}}]}),
                "dates[0].date.month",
            ),
            (
                json!({"entityType": "company", "names": [{"companyName": "X"}], "colour": 1}),
                "colour",
            ),
        ];
        for (input, expected) in cases {
            let e = validate_record(&obj(input.clone())).err();
            assert_eq!(e.and_then(param).as_deref(), Some(expected), "{input}");
        }
    }

    #[test]
    fn lists_default_their_classification() {
        let body = validate_list(&obj(json!({"name": "Blocked"}))).unwrap_or_default();
        assert_eq!(body["classification"], DEFAULT_CLASSIFICATION);
        let e = validate_list(&obj(
            json!({"name": "B", "classification": "adverseMediaRegulatory"}),
        ))
        .err();
        assert_eq!(e.and_then(param).as_deref(), Some("classification"));
    }
}
