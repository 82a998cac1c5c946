//! The client facts sandbox results are built from.

use chrono::NaiveDate;

use crate::resources::client::Client;

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
    pub fn of(client: &'a Client) -> Self {
        let person = client.person();
        let company = client.company();
        let text = |s: Option<&'a String>| s.map(String::as_str).filter(|s| !s.trim().is_empty());
        let (first, last) = match (person, company) {
            (Some(p), _) => (p.first_name.as_str(), p.last_name.as_str()),
            (_, Some(c)) => ("", c.name.as_str()),
            _ => ("", ""),
        };
        let entity_name = text(Some(&client.entity_name)).map_or_else(
            || [first, last].join(" ").trim().to_string(),
            str::to_string,
        );
        Holder {
            company: client.is_company(),
            first,
            last,
            entity_name,
            dob: person
                .and_then(|p| p.dob.as_deref())
                .and_then(crate::time::parse_date),
            gender: person.and_then(|p| p.gender).map(|g| g.as_str()),
            nationality: text(person.and_then(|p| p.nationality.as_ref())),
            birth_country: text(person.and_then(|p| p.birth_country.as_ref())),
            incorporation_country: text(company.and_then(|c| c.incorporation_country.as_ref())),
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
