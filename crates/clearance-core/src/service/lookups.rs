//! `POST /lookup/companies`, `GET /lookup/companies/:id` and `POST /lookup/addresses`: requests
//! validated here, answered by the installed [`Lookups`] engine over the register and address
//! data the operator imported. Reference data is the same for every account and mode: it is
//! public register data, not a tenant's.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::Services;
use crate::country::is_alpha2;
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::lookups::{AddressQuery, Company, LookupAddress, LookupError, Lookups};

/// Results one search answers with at most.
pub const LOOKUP_LIMIT: usize = 100;

/// The longest name or line searched; longer input is a mistake, not a search.
const MAX_TEXT: usize = 200;

impl Services {
    /// Installs the lookup engine.
    pub fn with_lookups(mut self, lookups: Arc<dyn Lookups>) -> Self {
        self.lookups = Some(lookups);
        self
    }

    fn lookups(&self) -> Result<&Arc<dyn Lookups>> {
        self.lookups.as_ref().ok_or_else(|| {
            CoreError::Unavailable("no lookup engine is installed on this server".into())
        })
    }

    /// Companies matching `{companyName, incorporationCountry}`, best first.
    pub async fn search_companies(&self, input: &Value) -> Result<Vec<Company>> {
        let input = only(
            input,
            &["companyName", "incorporationCountry"],
            "a company search",
        )?;
        let name = text(input, "companyName")?;
        let country = country(input, "incorporationCountry")?;
        self.lookups()?
            .search_companies(&name, &country, LOOKUP_LIMIT)
            .await
            .map_err(|e| lookup_error(e, "incorporationCountry"))
    }

    /// One company by the id a search answered.
    pub async fn company(&self, id: &str) -> Result<Company> {
        let not_found = || CoreError::NotFound {
            resource: "company",
            id: id.to_string(),
        };
        if id.is_empty() || id.len() > 2 * MAX_TEXT {
            return Err(not_found());
        }
        self.lookups()?
            .company(id)
            .await
            .map_err(|e| lookup_error(e, "id"))?
            .ok_or_else(not_found)
    }

    /// Addresses matching `{line, postalCode, country}`, best first.
    pub async fn search_addresses(&self, input: &Value) -> Result<Vec<LookupAddress>> {
        let input = only(
            input,
            &["line", "postalCode", "country"],
            "an address search",
        )?;
        let query = AddressQuery {
            line: text(input, "line")?,
            postal_code: text(input, "postalCode")?,
            country: country(input, "country")?,
        };
        self.lookups()?
            .search_addresses(&query, LOOKUP_LIMIT)
            .await
            .map_err(|e| lookup_error(e, "country"))
    }
}

fn only<'a>(input: &'a Value, known: &[&str], what: &str) -> Result<&'a Map<String, Value>> {
    let input = as_object(input, None)?;
    if let Some(unknown) = input.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(CoreError::invalid(
            unknown.clone(),
            format!("'{unknown}' is not a field of {what}"),
        ));
    }
    Ok(input)
}

fn text(input: &Map<String, Value>, key: &str) -> Result<String> {
    match input.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= MAX_TEXT => {
            Ok(s.trim().to_string())
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Err(CoreError::invalid(
            key,
            format!("'{key}' must be at most {MAX_TEXT} characters"),
        )),
        None | Some(Value::Null) => Err(CoreError::invalid(key, format!("'{key}' is required"))),
        _ => Err(CoreError::invalid(
            key,
            format!("'{key}' must be a non-empty string"),
        )),
    }
}

fn country(input: &Map<String, Value>, key: &str) -> Result<String> {
    let code = text(input, key)?.to_ascii_uppercase();
    if !is_alpha2(&code) {
        return Err(CoreError::invalid(
            key,
            format!("'{key}' must be an ISO 3166-1 alpha-2 country code"),
        ));
    }
    Ok(code)
}

fn lookup_error(e: LookupError, param: &str) -> CoreError {
    match e {
        LookupError::UnsupportedCountry(message) => CoreError::invalid(param, message),
        LookupError::NotReady(message) => CoreError::Unavailable(message),
        LookupError::Internal(message) => CoreError::Internal(message),
    }
}
