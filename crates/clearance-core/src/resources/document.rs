//! Documents (core.md §12): the record rules. Image uploads live in `service/media.rs`.

use serde_json::{Map, Value, json};

use crate::country::is_usps_state;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, object_of};
use crate::merge::deep_merge;

/// The 23 document types.
pub const TYPES: &[&str] = &[
    "passport",
    "driving_license",
    "national_insurance_number",
    "social_security_number",
    "utility_bill",
    "tax_identification_number",
    "national_identity_card",
    "visa",
    "polling_card",
    "residence_permit",
    "birth_certificate",
    "bank_statement",
    "change_of_name",
    "tax_document",
    "company_confirmation_statement",
    "company_annual_accounts",
    "company_statement_of_capital",
    "company_change_of_address",
    "company_incorporation",
    "company_change_of_officers",
    "company_change_of_beneficial_owners",
    "unknown",
    "other",
];

/// The six classifications.
pub const CLASSIFICATIONS: &[&str] = &[
    "proof_of_identity",
    "source_of_wealth",
    "source_of_funds",
    "proof_of_address",
    "company_filing",
    "other",
];

/// The sides an image can be uploaded for.
pub const SIDES: &[&str] = &["front", "back"];

/// Validates a create request (the caller has checked `clientId`) and returns the body.
pub fn validate_create(input: &Map<String, Value>) -> Result<Map<String, Value>> {
    validate(input, None)
}

/// Merges an update into the stored body. `clientId` and `images` cannot be changed here.
pub fn validate_update(
    existing: &Map<String, Value>,
    patch: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    if let Some(client) = patch.get("clientId").filter(|c| !c.is_null())
        && Some(client) != existing.get("clientId")
    {
        return Err(CoreError::invalid(
            "clientId",
            "'clientId' of a document cannot be changed",
        ));
    }
    let mut merged = Value::Object(existing.clone());
    let mut patch = patch.clone();
    patch.remove("images");
    deep_merge(&mut merged, &Value::Object(patch));
    let merged = merged.as_object().cloned().unwrap_or_default();
    validate(&merged, existing.get("images").cloned())
}

/// Reads the required `clientId` of a create request.
pub fn client_id(input: &Map<String, Value>) -> Result<String> {
    Reader::new(input).req_str("clientId", 64)
}

fn validate(input: &Map<String, Value>, images: Option<Value>) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    // Older references misspell one type; accept it and store the correct name.
    let raw_type = r.opt_str("type", MAX_TEXT)?.map(|t| {
        if t == "tax_identification_numbe" {
            "tax_identification_number".to_string()
        } else {
            t
        }
    });
    let kind = match raw_type {
        Some(t) if TYPES.contains(&t.as_str()) => t,
        Some(_) => {
            return Err(CoreError::invalid(
                "type",
                format!("'type' must be one of: {}", TYPES.join(", ")),
            ));
        }
        None => return Err(r.missing("type")),
    };
    let country = r.opt_country("issuingCountry")?;
    let state = r.opt_str("issuingState", MAX_TEXT)?;
    if let Some(s) = &state
        && country.as_deref() == Some("US")
        && !is_usps_state(s)
    {
        return Err(CoreError::invalid(
            "issuingState",
            "'issuingState' must be a USPS state code, such as NY",
        ));
    }
    Ok(object_of(vec![
        ("clientId", Some(json!(client_id(input)?))),
        ("type", Some(json!(kind))),
        (
            "classification",
            r.opt_enum("classification", CLASSIFICATIONS)?
                .map(Value::from),
        ),
        (
            "documentNumber",
            r.opt_str("documentNumber", 64)?.map(Value::from),
        ),
        ("issuingCountry", country.map(Value::from)),
        ("issuingState", state.map(Value::from)),
        (
            "images",
            images.filter(|i| i.as_array().is_some_and(|a| !a.is_empty())),
        ),
        (
            "lastActionBy",
            r.opt_str("lastActionBy", MAX_TEXT)?.map(Value::from),
        ),
    ]))
}

/// Checks a side name from the path.
pub fn check_side(side: &str) -> Result<&'static str> {
    SIDES
        .iter()
        .find(|s| **s == side)
        .copied()
        .ok_or_else(|| CoreError::invalid("side", "The document side must be 'front' or 'back'"))
}

/// Reads the `fileName` of an upload: required, and named like a JPG, PNG or PDF file.
pub fn check_file_name(input: &Map<String, Value>) -> Result<String> {
    let name = Reader::new(input).req_str("fileName", MAX_TEXT)?;
    let lower = name.to_ascii_lowercase();
    if [".jpg", ".jpeg", ".png", ".pdf"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        && !name.contains(['/', '\\'])
    {
        Ok(name)
    } else {
        Err(CoreError::invalid(
            "fileName",
            "'fileName' must be a file name ending in .jpg, .jpeg, .png or .pdf",
        ))
    }
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
    fn types_classifications_and_countries() {
        let ok = json!({"clientId": "c", "type": "passport", "classification": "proof_of_identity", "issuingCountry": "GB"});
        assert!(validate_create(ok.as_object().unwrap()).is_ok());
        let typo = json!({"clientId": "c", "type": "tax_identification_numbe"});
        assert_eq!(
            validate_create(typo.as_object().unwrap()).unwrap()["type"],
            "tax_identification_number"
        );
        for (patch, p) in [
            (json!({"type": "selfie"}), "type"),
            (json!({"type": null}), "type"),
            (json!({"classification": "x"}), "classification"),
            (json!({"issuingCountry": "GBR"}), "issuingCountry"),
            (
                json!({"issuingCountry": "US", "issuingState": "Texas"}),
                "issuingState",
            ),
        ] {
            let mut v = ok.as_object().unwrap().clone();
            for (k, val) in patch.as_object().unwrap() {
                v.insert(k.clone(), val.clone());
            }
            assert_eq!(param(validate_create(&v)), p);
        }
    }

    #[test]
    fn updates_keep_images_and_client() {
        let mut existing = validate_create(
            json!({"clientId": "c", "type": "passport"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        existing.insert("images".into(), json!([{"id": "i"}]));
        let updated = validate_update(
            &existing,
            json!({"issuingCountry": "FR", "images": []})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(updated["images"], json!([{"id": "i"}]));
        assert_eq!(updated["issuingCountry"], "FR");
        assert_eq!(
            param(validate_update(
                &existing,
                json!({"clientId": "d"}).as_object().unwrap()
            )),
            "clientId"
        );
    }

    #[test]
    fn file_names_and_sides() {
        assert!(check_file_name(json!({"fileName": "front.JPEG"}).as_object().unwrap()).is_ok());
        assert!(check_file_name(json!({"fileName": "virus.exe"}).as_object().unwrap()).is_err());
        assert!(check_file_name(json!({"fileName": "../x.jpg"}).as_object().unwrap()).is_err());
        assert!(check_side("back").is_ok());
        assert!(check_side("left").is_err());
    }
}
