//! The client facts sandbox results are built from.

use chrono::NaiveDate;
use serde_json::{Map, Value};

/// A person's or company's names, birth date and countries, as the sandbox needs them.
pub(super) struct Holder<'a> {
    pub company: bool,
    pub first: &'a str,
    /// A person's last name, or a company's name.
    pub last: &'a str,
    pub entity_name: String,
    pub dob: Option<NaiveDate>,
    pub gender: Option<&'a str>,
    pub nationality: Option<&'a str>,
    pub birth_country: Option<&'a str>,
    pub incorporation_country: Option<&'a str>,
}

impl<'a> Holder<'a> {
    pub fn of(client: &'a Map<String, Value>) -> Self {
        let company = text(client, &["type"]) == Some("company");
        let person = |key: &str| text(client, &["personDetails", key]);
        let (first, last) = if company {
            ("", text(client, &["companyDetails", "name"]).unwrap_or(""))
        } else {
            (
                person("firstName").unwrap_or(""),
                person("lastName").unwrap_or(""),
            )
        };
        let entity_name = text(client, &["entityName"]).map_or_else(
            || [first, last].join(" ").trim().to_string(),
            str::to_string,
        );
        Holder {
            company,
            first,
            last,
            entity_name,
            dob: person("dob").and_then(crate::time::parse_date),
            gender: person("gender"),
            nationality: person("nationality"),
            birth_country: person("birthCountry"),
            incorporation_country: text(client, &["companyDetails", "incorporationCountry"]),
        }
    }

    /// The country a document or bill of this client would come from.
    pub fn home_country(&self) -> &'a str {
        self.nationality
            .or(self.birth_country)
            .or(self.incorporation_country)
            .unwrap_or("GB")
    }
}

/// A non-empty string at a path of nested objects.
fn text<'a>(map: &'a Map<String, Value>, path: &[&str]) -> Option<&'a str> {
    let (last, parents) = path.split_last()?;
    let mut map = map;
    for key in parents {
        map = map.get(*key)?.as_object()?;
    }
    map.get(*last)?.as_str().filter(|s| !s.trim().is_empty())
}
