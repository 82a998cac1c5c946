//! Custom lists (ComplyCube `POST /customLists/:id/records` bodies) turned into entities.

use serde::{Deserialize, Serialize};

use crate::countries::country_code;
use crate::error::{Result, ScreeningError};
use crate::model::{
    Classification, Entity, EntityKind, Gender, NameQuality, PartialDate, SourceList,
};

/// `person` or `company`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomEntityType {
    Person,
    Company,
}

/// A string or a number (ComplyCube sends date parts either way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Loose {
    Text(String),
    Number(i64),
}

impl Loose {
    fn as_u16(&self) -> Option<u16> {
        match self {
            Self::Text(s) => s.trim().parse().ok(),
            Self::Number(n) => u16::try_from(*n).ok(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomName {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub middle_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomCountry {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomDateParts {
    #[serde(default)]
    pub day: Option<Loose>,
    #[serde(default)]
    pub month: Option<Loose>,
    pub year: Loose,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomDate {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    pub date: CustomDateParts,
}

/// The body of `POST /customLists/:id/records`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRecord {
    pub entity_type: CustomEntityType,
    pub names: Vec<CustomName>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub countries: Vec<CustomCountry>,
    #[serde(default)]
    pub dates: Vec<CustomDate>,
}

fn part(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or("")
}

/// Converts a custom-list record into an entity with id `custom:<list id>/<record id>`.
/// Persons need `firstName` and `lastName` in every name, companies `companyName`.
pub fn custom_entity(
    list_id: &str,
    record_id: &str,
    record: &CustomRecord,
    classification: Classification,
) -> Result<Entity> {
    let invalid = |m: String| ScreeningError::InvalidRecord(m);
    if record.names.is_empty() {
        return Err(invalid("names must not be empty".into()));
    }
    let kind = match record.entity_type {
        CustomEntityType::Person => EntityKind::Person,
        CustomEntityType::Company => EntityKind::Organisation,
    };
    let mut e = Entity::new(SourceList::Custom, format!("{list_id}/{record_id}"), kind);
    for (i, n) in record.names.iter().enumerate() {
        let full = match record.entity_type {
            CustomEntityType::Person => {
                let (f, m, l) = (
                    part(&n.first_name),
                    part(&n.middle_name),
                    part(&n.last_name),
                );
                if f.is_empty() || l.is_empty() {
                    return Err(invalid(format!(
                        "names[{i}]: firstName and lastName are required for a person"
                    )));
                }
                [f, m, l]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            CustomEntityType::Company => {
                let c = part(&n.company_name);
                if c.is_empty() {
                    return Err(invalid(format!(
                        "names[{i}]: companyName is required for a company"
                    )));
                }
                c.to_owned()
            }
        };
        let quality = match n.kind.as_deref() {
            Some("primary") => NameQuality::Primary,
            Some("alias") | None => {
                if i == 0 {
                    NameQuality::Primary
                } else {
                    NameQuality::Strong
                }
            }
            Some(_) => NameQuality::Weak,
        };
        e.push_name(&full, quality);
    }
    e.names.sort_by_key(|n| n.quality);
    if let Some(g) = record.gender.as_deref() {
        e.gender = Some(Gender::parse(g).ok_or_else(|| invalid(format!("invalid gender {g:?}")))?);
    }
    for c in &record.countries {
        let code = country_code(&c.country)
            .ok_or_else(|| invalid(format!("unknown country {:?}", c.country)))?;
        e.push_country(Some(code));
    }
    for d in &record.dates {
        let is_birth = d
            .kind
            .as_deref()
            .is_none_or(|k| k.to_ascii_lowercase().contains("birth"));
        if !is_birth {
            continue;
        }
        let year = d
            .date
            .year
            .as_u16()
            .ok_or_else(|| invalid("invalid date year".into()))?;
        let month = d
            .date
            .month
            .as_ref()
            .and_then(Loose::as_u16)
            .and_then(|m| u8::try_from(m).ok());
        let day = d
            .date
            .day
            .as_ref()
            .and_then(Loose::as_u16)
            .and_then(|d| u8::try_from(d).ok());
        e.push_dob(Some(
            PartialDate::new(year, month, day)
                .ok_or_else(|| invalid(format!("invalid date {year}")))?,
        ));
    }
    e.push_classification(classification);
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_record() {
        let body = r#"{"entityType":"person","names":[{"type":"primary","firstName":"John","lastName":"Doe"},{"type":"alias","firstName":"Johnny","lastName":"Doe"}],"gender":"male","countries":[{"type":"Resident of","country":"US"}],"dates":[{"type":"Date of Birth","date":{"day":"01","month":"01","year":"1987"}}]}"#;
        let rec: CustomRecord = serde_json::from_str(body).expect("json");
        let e = custom_entity(
            "L1",
            "R1",
            &rec,
            Classification::WatchlistOtherExclusionLists,
        )
        .expect("entity");
        assert_eq!(e.id(), "custom:L1/R1");
        assert_eq!(e.names.len(), 2);
        assert_eq!(e.primary_name(), "John Doe");
        assert_eq!(e.dates_of_birth[0].to_string(), "1987-01-01");
        assert_eq!(e.countries, ["US"]);
    }

    #[test]
    fn invalid_records() {
        let no_last: CustomRecord =
            serde_json::from_str(r#"{"entityType":"person","names":[{"firstName":"John"}]}"#)
                .expect("json");
        assert!(
            custom_entity("L", "R", &no_last, Classification::WatchlistSanctionsLists).is_err()
        );
        let no_names: CustomRecord =
            serde_json::from_str(r#"{"entityType":"company","names":[]}"#).expect("json");
        assert!(
            custom_entity("L", "R", &no_names, Classification::WatchlistSanctionsLists).is_err()
        );
        let company: CustomRecord =
            serde_json::from_str(r#"{"entityType":"company","names":[{"companyName":"Acme Ltd"}],"dates":[{"type":"Date of Registration","date":{"year":2001}}]}"#)
                .expect("json");
        let e =
            custom_entity("L", "R", &company, Classification::WatchlistSanctionsLists).expect("ok");
        assert!(e.dates_of_birth.is_empty());
    }
}
