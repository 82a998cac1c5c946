//! Custom screening lists (checks-and-more.md §4): the list and the person or company records on
//! it. The spec leaves list creation to a portal; Clearance creates lists through the API.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::Gender;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, as_object};

const MAX_DESCRIPTION: usize = 1000;
const MAX_NAMES: usize = 50;
const MAX_ITEMS: usize = 50;
const MAX_URI: usize = 2048;

wire_enum! {
    /// The `screeningClassification` values a list's matches may be reported under (the ones a
    /// screening summary has a key for that comes from a list rather than from media).
    #[derive(Default)]
    pub enum CustomListClassification {
        WatchlistSanctionsLists = "watchlistSanctionsLists",
        // The default: covered by standard and extensive checks alike, and not a claim of an
        // official sanction.
        #[default]
        WatchlistOtherOfficialLists = "watchlistOtherOfficialLists",
        WatchlistWarCrimes = "watchlistWarCrimes",
        WatchlistTerror = "watchlistTerror",
        WatchlistOtherExclusionLists = "watchlistOtherExclusionLists",
        WatchlistSanctionsControlAndOwnership = "watchlistSanctionsControlAndOwnership",
        PepLevel1 = "pepLevel1",
        PepLevel2 = "pepLevel2",
        PepLevel3 = "pepLevel3",
        PepLevel4 = "pepLevel4",
    }
}

wire_enum! {
    /// Whether a record is a person or a company.
    pub enum CustomListEntityType {
        Person = "person",
        Company = "company",
    }
}

wire_enum! {
    /// Whether a name is the record's main name or another it is known by.
    pub enum CustomListNameType {
        Primary = "primary",
        Alias = "alias",
    }
}

/// An account's own screening list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomList {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The `screeningClassification` its matches are reported under (default
    /// `watchlistOtherOfficialLists`).
    #[serde(default)]
    pub classification: CustomListClassification,
}

/// Person and company counts of a custom list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomListStats {
    pub person_count: u64,
    pub company_count: u64,
}

/// A custom list as answered: the list and its counts, which are counted, never stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomListWithStats {
    #[serde(flatten)]
    pub list: CustomList,
    pub stats: CustomListStats,
}

/// A person or company on a custom list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomListRecord {
    /// The list it is on, named by the request's path.
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub custom_list_id: String,
    /// `person` or `company`.
    pub entity_type: CustomListEntityType,
    pub names: Vec<CustomListName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Persons only: `male`, `female` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CustomListCountry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<CustomListDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
}

/// A name on a custom-list record: first and last name for a person, `companyName` for a
/// company.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomListName {
    /// `primary` or `alias`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CustomListNameType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
}

/// A country of a custom-list record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomListCountry {
    /// e.g. `Jurisdiction`, `Resident of`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub country: String,
}

/// A date of a custom-list record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomListDate {
    /// e.g. `Date of Birth`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub date: CustomListDateParts,
}

/// Date parts (strings such as `"01"` or numbers are accepted; numbers are returned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomListDateParts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    pub year: u32,
}

/// The answered list's schema is the list's, under its name, with the counts added; and
/// `classification`, optional in requests, is always answered.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CustomListWithStats {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::schema::Schema;
        use utoipa::openapi::{Ref, RefOr};
        let mut schema = CustomList::schema();
        if let RefOr::T(Schema::Object(list)) = &mut schema {
            list.properties.insert(
                "stats".into(),
                Ref::from_schema_name(CustomListStats::name()).into(),
            );
            list.required
                .extend(["classification".to_string(), "stats".to_string()]);
        }
        schema
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CustomListWithStats {
    fn name() -> std::borrow::Cow<'static, str> {
        <CustomList as utoipa::ToSchema>::name()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::{PartialSchema, ToSchema};
        <CustomList as ToSchema>::schemas(schemas);
        schemas.push((
            CustomListStats::name().into_owned(),
            CustomListStats::schema(),
        ));
    }
}

/// Validates a list create request.
pub fn validate_list(input: &Map<String, Value>) -> Result<CustomList> {
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
        .opt_wire(
            "classification",
            CustomListClassification::NAMES,
            CustomListClassification::parse,
        )?
        .unwrap_or_default();
    Ok(CustomList {
        name: r.req_str("name", MAX_TEXT)?,
        description: r.opt_str("description", MAX_DESCRIPTION)?,
        classification,
    })
}

/// Applies an update (any create field; `null` removes the description) and validates it.
pub fn validate_list_update(
    existing: &CustomList,
    patch: &Map<String, Value>,
) -> Result<CustomList> {
    let mut merged = crate::typed::encode(existing);
    for (k, v) in patch {
        if v.is_null() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    validate_list(&merged)
}

/// Validates a `POST /customLists/:id/records` body into the record for the list `list_id`.
pub fn validate_record(list_id: &str, input: &Map<String, Value>) -> Result<CustomListRecord> {
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
        .opt_wire(
            "entityType",
            CustomListEntityType::NAMES,
            CustomListEntityType::parse,
        )?
        .ok_or_else(|| r.missing("entityType"))?;
    let person = entity_type == CustomListEntityType::Person;
    let names = array(&r, "names", MAX_NAMES)?.ok_or_else(|| r.missing("names"))?;
    if names.is_empty() {
        return Err(CoreError::invalid(
            "names",
            "'names' must contain at least one name",
        ));
    }
    let names = items(names, "names", |v, p| name(v, p, person))?;
    let gender = r.opt_wire("gender", Gender::NAMES, Gender::parse)?;
    if gender.is_some() && !person {
        return Err(CoreError::invalid(
            "gender",
            "'gender' only applies to a person",
        ));
    }
    let countries = optional_items(&r, "countries", country)?;
    let dates = optional_items(&r, "dates", date)?;
    let images = optional_items(&r, "images", image)?;
    Ok(CustomListRecord {
        custom_list_id: list_id.to_string(),
        entity_type,
        names,
        active: r.opt_bool("active")?,
        gender,
        countries,
        dates,
        images,
    })
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

/// Reads each item of an array, naming it `<key>[i]` in errors.
fn items<T>(list: &[Value], key: &str, read: impl Fn(&Value, &str) -> Result<T>) -> Result<Vec<T>> {
    list.iter()
        .enumerate()
        .map(|(i, v)| read(v, &format!("{key}[{i}]")))
        .collect()
}

/// The items of an optional array of at most [`MAX_ITEMS`]; absent reads as empty.
fn optional_items<T>(
    r: &Reader<'_>,
    key: &str,
    read: impl Fn(&Value, &str) -> Result<T>,
) -> Result<Vec<T>> {
    match array(r, key, MAX_ITEMS)? {
        Some(list) => items(list, key, read),
        None => Ok(Vec::new()),
    }
}

fn name(value: &Value, p: &str, person: bool) -> Result<CustomListName> {
    let r = Reader::nested(as_object(value, Some(p))?, p);
    let kind = r.opt_wire("type", CustomListNameType::NAMES, CustomListNameType::parse)?;
    if person {
        if r.raw("companyName").is_some() {
            let q = r.param("companyName");
            return Err(CoreError::invalid(
                &q,
                format!("'{q}' only applies to a company"),
            ));
        }
        Ok(CustomListName {
            kind,
            first_name: Some(r.req_str("firstName", MAX_TEXT)?),
            middle_name: r.opt_str("middleName", MAX_TEXT)?,
            last_name: Some(r.req_str("lastName", MAX_TEXT)?),
            company_name: None,
        })
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
        Ok(CustomListName {
            kind,
            company_name: Some(r.req_str("companyName", MAX_TEXT)?),
            ..CustomListName::default()
        })
    }
}

fn country(value: &Value, p: &str) -> Result<CustomListCountry> {
    let r = Reader::nested(as_object(value, Some(p))?, p);
    Ok(CustomListCountry {
        kind: r.opt_str("type", MAX_TEXT)?,
        country: r.req_country("country")?,
    })
}

/// `{type?, date: {day?, month?, year}}`; parts may be strings (`"01"`) or numbers and are
/// stored as numbers.
fn date(value: &Value, p: &str) -> Result<CustomListDate> {
    let r = Reader::nested(as_object(value, Some(p))?, p);
    let parts = r.opt_object("date")?.ok_or_else(|| r.missing("date"))?;
    let part = |key: &str, lo: u32, hi: u32| -> Result<Option<u32>> {
        let q = parts.param(key);
        let bad = || CoreError::invalid(&q, format!("'{q}' must be a number from {lo} to {hi}"));
        let in_range = |n: i64| u32::try_from(n).ok().filter(|n| (lo..=hi).contains(n));
        match parts.raw(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().and_then(in_range).map(Some).ok_or_else(bad),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(in_range)
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
    let date = CustomListDateParts { day, month, year };
    Ok(CustomListDate {
        kind: r.opt_str("type", MAX_TEXT)?,
        date,
    })
}

fn image(value: &Value, p: &str) -> Result<String> {
    value
        .as_str()
        .filter(|s| !s.trim().is_empty() && s.len() <= MAX_URI)
        .map(str::to_string)
        .ok_or_else(|| CoreError::invalid(p, format!("'{p}' must be an image URI")))
}

#[cfg(test)]
mod tests;
