//! Reading and checking the fields of an untrusted JSON object, with errors that name the field
//! (`param`) the way ComplyCube's `invalid_request` errors do.

use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::{country, time};

/// Longest free-text value accepted where the API sets no tighter rule.
pub const MAX_TEXT: usize = 255;

/// Reads fields of one JSON object; nested objects get a dotted prefix for `param`.
pub struct Reader<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
}

/// The body of a request must be a JSON object.
pub fn as_object<'a>(value: &'a Value, param: Option<&str>) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| match param {
        Some(p) => CoreError::invalid(p, format!("'{p}' must be an object")),
        None => CoreError::invalid_request("The request body must be a JSON object"),
    })
}

impl<'a> Reader<'a> {
    /// Reads the top level of a body.
    pub fn new(obj: &'a Map<String, Value>) -> Self {
        Reader {
            obj,
            prefix: String::new(),
        }
    }

    /// Reads a nested object (e.g. an array element) whose fields are named `<prefix>.<key>`.
    pub fn nested(obj: &'a Map<String, Value>, prefix: impl Into<String>) -> Self {
        Reader {
            obj,
            prefix: prefix.into(),
        }
    }

    /// The dotted parameter name of `key` in this object.
    pub fn param(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// An optional string; `""` counts as absent, since empty properties are omitted on the wire.
    pub fn opt_str(&self, key: &str, max_len: usize) -> Result<Option<String>> {
        let Some(value) = self.present(key) else {
            return Ok(None);
        };
        let p = self.param(key);
        let s = value
            .as_str()
            .ok_or_else(|| CoreError::invalid(&p, format!("'{p}' must be a string")))?;
        if s.chars().count() > max_len {
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' must be at most {max_len} characters long"),
            ));
        }
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(CoreError::invalid(
                &p,
                format!("'{p}' must not contain control characters"),
            ));
        }
        Ok((!s.trim().is_empty()).then(|| s.to_string()))
    }

    /// A required, non-blank string.
    pub fn req_str(&self, key: &str, max_len: usize) -> Result<String> {
        self.opt_str(key, max_len)?.ok_or_else(|| self.missing(key))
    }

    /// The error for a required field that is absent.
    pub fn missing(&self, key: &str) -> CoreError {
        let p = self.param(key);
        CoreError::invalid(&p, format!("'{p}' must be provided"))
    }

    /// An optional value from a closed vocabulary.
    pub fn opt_enum(&self, key: &str, allowed: &[&str]) -> Result<Option<String>> {
        let Some(s) = self.opt_str(key, MAX_TEXT)? else {
            return Ok(None);
        };
        if allowed.contains(&s.as_str()) {
            return Ok(Some(s));
        }
        let p = self.param(key);
        Err(CoreError::invalid(
            &p,
            format!("'{p}' must be one of: {}", allowed.join(", ")),
        ))
    }

    /// An optional value of a wire enum, checked against its values.
    pub fn opt_wire<T>(
        &self,
        key: &str,
        names: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        Ok(self.opt_enum(key, names)?.and_then(|s| parse(&s)))
    }

    /// An optional ISO 3166-1 alpha-2 country code.
    pub fn opt_country(&self, key: &str) -> Result<Option<String>> {
        let Some(s) = self.opt_str(key, MAX_TEXT)? else {
            return Ok(None);
        };
        if country::is_alpha2(&s) {
            return Ok(Some(s));
        }
        let p = self.param(key);
        Err(CoreError::invalid(
            &p,
            format!("'{p}' must be an ISO 3166-1 alpha-2 country code, such as GB or US"),
        ))
    }

    /// A required ISO 3166-1 alpha-2 country code.
    pub fn req_country(&self, key: &str) -> Result<String> {
        self.opt_country(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional `YYYY-MM-DD` date.
    pub fn opt_date(&self, key: &str) -> Result<Option<String>> {
        let Some(s) = self.opt_str(key, MAX_TEXT)? else {
            return Ok(None);
        };
        if time::parse_date(&s).is_some() {
            return Ok(Some(s));
        }
        let p = self.param(key);
        Err(CoreError::invalid(
            &p,
            format!("'{p}' must be a valid date in the format YYYY-MM-DD"),
        ))
    }

    /// An optional boolean.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        let Some(value) = self.present(key) else {
            return Ok(None);
        };
        let p = self.param(key);
        value
            .as_bool()
            .map(Some)
            .ok_or_else(|| CoreError::invalid(&p, format!("'{p}' must be a boolean")))
    }

    /// An optional nested object, read with a dotted prefix.
    pub fn opt_object(&self, key: &str) -> Result<Option<Reader<'a>>> {
        let Some(value) = self.present(key) else {
            return Ok(None);
        };
        let p = self.param(key);
        let obj = as_object(value, Some(&p))?;
        Ok(Some(Reader { obj, prefix: p }))
    }

    /// The names of every field present, in request order.
    pub fn keys(&self) -> Vec<String> {
        self.obj.keys().cloned().collect()
    }

    /// The raw value of `key`, if present and not null.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.present(key)
    }
}

/// Builds a JSON object from `(key, optional value)` pairs, leaving out the absent ones.
pub fn object_of(pairs: Vec<(&str, Option<Value>)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param_of(err: CoreError) -> Option<String> {
        match err {
            CoreError::Invalid { param, .. } => param,
            _ => None,
        }
    }

    #[test]
    fn errors_name_the_dotted_field() {
        let body = json!({"personDetails": {"dob": "1990-13-01", "gender": 3}});
        let top = Reader::new(body.as_object().unwrap());
        let person = top.opt_object("personDetails").unwrap().unwrap();
        assert_eq!(
            param_of(person.opt_date("dob").unwrap_err()).as_deref(),
            Some("personDetails.dob")
        );
        assert_eq!(
            param_of(person.opt_enum("gender", &["male"]).unwrap_err()).as_deref(),
            Some("personDetails.gender")
        );
        assert_eq!(
            param_of(person.req_str("firstName", 10).unwrap_err()).as_deref(),
            Some("personDetails.firstName")
        );
    }

    #[test]
    fn empty_strings_are_absent_and_long_ones_refused() {
        let body = json!({"a": "", "b": "xxxxx", "c": "GB", "d": "gb"});
        let r = Reader::new(body.as_object().unwrap());
        assert_eq!(r.opt_str("a", 10).unwrap(), None);
        assert!(r.opt_str("b", 4).is_err());
        assert_eq!(r.opt_country("c").unwrap().as_deref(), Some("GB"));
        assert!(r.opt_country("d").is_err());
    }
}
