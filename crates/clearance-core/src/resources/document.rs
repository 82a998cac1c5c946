//! Documents (core.md §12): the resource, its images and the record rules. Image uploads live
//! in `service/documents.rs`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::country::is_usps_state;
use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};
use crate::merge::deep_merge;
use crate::typed;

wire_enum! {
    /// The 23 document types.
    pub enum DocumentType {
        Passport = "passport",
        DrivingLicense = "driving_license",
        NationalInsuranceNumber = "national_insurance_number",
        SocialSecurityNumber = "social_security_number",
        UtilityBill = "utility_bill",
        TaxIdentificationNumber = "tax_identification_number",
        NationalIdentityCard = "national_identity_card",
        Visa = "visa",
        PollingCard = "polling_card",
        ResidencePermit = "residence_permit",
        BirthCertificate = "birth_certificate",
        BankStatement = "bank_statement",
        ChangeOfName = "change_of_name",
        TaxDocument = "tax_document",
        CompanyConfirmationStatement = "company_confirmation_statement",
        CompanyAnnualAccounts = "company_annual_accounts",
        CompanyStatementOfCapital = "company_statement_of_capital",
        CompanyChangeOfAddress = "company_change_of_address",
        CompanyIncorporation = "company_incorporation",
        CompanyChangeOfOfficers = "company_change_of_officers",
        CompanyChangeOfBeneficialOwners = "company_change_of_beneficial_owners",
        Unknown = "unknown",
        Other = "other",
    }
}

wire_enum! {
    /// What a document proves.
    pub enum Classification {
        ProofOfIdentity = "proof_of_identity",
        SourceOfWealth = "source_of_wealth",
        SourceOfFunds = "source_of_funds",
        ProofOfAddress = "proof_of_address",
        CompanyFiling = "company_filing",
        Other = "other",
    }
}

wire_enum! {
    /// The side of a document an image shows.
    pub enum Side {
        Front = "front",
        Back = "back",
    }
}

/// A client's identity or supporting document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub client_id: String,
    #[serde(rename = "type")]
    pub kind: DocumentType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_state: Option<String>,
    /// The uploaded sides, front first; set by the image endpoints, never by an update.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub images: Vec<Image>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_action_by: Option<String>,
}

/// An uploaded image (or, after redaction, its tombstone: `redacted: true`, no file fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// `front` or `back`.
    pub document_side: Side,
    /// Relative link without `/v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_link: Option<String>,
    /// `image/jpg`, `image/png` or `application/pdf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<bool>,
    /// Clearance's own field: the image editor the upload's metadata named (the metadata itself
    /// is stripped); absent when it named none. A forensic signal for the document check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editing_software: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
}

impl Document {
    /// The image of one side.
    pub fn image(&self, side: Side) -> Option<&Image> {
        self.images.iter().find(|i| i.document_side == side)
    }

    /// Replaces the images, front first.
    pub fn set_images(&mut self, mut images: Vec<Image>) {
        images.sort_by_key(|i| i.document_side != Side::Front);
        self.images = images;
    }
}

/// Validates a create request (the caller has checked `clientId`).
pub fn validate_create(input: &Map<String, Value>) -> Result<Document> {
    validate(input, Vec::new())
}

/// Merges an update into the stored document. `clientId` and `images` cannot be changed here.
pub fn validate_update(existing: &Document, patch: &Map<String, Value>) -> Result<Document> {
    if let Some(client) = Reader::new(patch).raw("clientId")
        && client.as_str() != Some(existing.client_id.as_str())
    {
        return Err(CoreError::invalid(
            "clientId",
            "'clientId' of a document cannot be changed",
        ));
    }
    let mut merged = Value::Object(typed::encode(existing));
    let mut patch = patch.clone();
    patch.remove("images");
    deep_merge(&mut merged, &Value::Object(patch));
    let merged = merged.as_object().cloned().unwrap_or_default();
    validate(&merged, existing.images.clone())
}

/// Reads the required `clientId` of a create request.
pub fn client_id(input: &Map<String, Value>) -> Result<String> {
    Reader::new(input).req_str("clientId", 64)
}

fn validate(input: &Map<String, Value>, images: Vec<Image>) -> Result<Document> {
    let r = Reader::new(input);
    // Older references misspell one type; accept it and store the correct name.
    let raw_type = r.opt_str("type", MAX_TEXT)?.map(|t| {
        if t == "tax_identification_numbe" {
            "tax_identification_number".to_string()
        } else {
            t
        }
    });
    let kind = match raw_type.as_deref().map(DocumentType::parse) {
        Some(Some(t)) => t,
        Some(None) => {
            return Err(CoreError::invalid(
                "type",
                format!("'type' must be one of: {}", DocumentType::NAMES.join(", ")),
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
    Ok(Document {
        client_id: client_id(input)?,
        kind,
        classification: r.opt_wire(
            "classification",
            Classification::NAMES,
            Classification::parse,
        )?,
        document_number: r.opt_str("documentNumber", 64)?,
        issuing_country: country,
        issuing_state: state,
        images,
        last_action_by: r.opt_str("lastActionBy", MAX_TEXT)?,
    })
}

/// Body of `POST /v1/documents/{id}/redact`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentRedact {
    /// Only `images` is defined.
    pub attributes: Option<Vec<String>>,
}

impl DocumentRedact {
    /// Reads a redaction request; an absent body or `attributes` means the images.
    pub fn read(input: &Value) -> Result<Self> {
        let Some(attributes) = input
            .as_object()
            .and_then(|i| Reader::new(i).raw("attributes"))
        else {
            return Ok(DocumentRedact::default());
        };
        let valid = attributes
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|v| v == "images"));
        if !valid {
            return Err(CoreError::invalid(
                "attributes",
                "'attributes' must be [\"images\"]",
            ));
        }
        Ok(DocumentRedact {
            attributes: Some(vec!["images".into()]),
        })
    }
}

/// Checks a side name from the path.
pub fn check_side(side: &str) -> Result<Side> {
    Side::parse(side)
        .ok_or_else(|| CoreError::invalid("side", "The document side must be 'front' or 'back'"))
}

pub use super::media::check_file_name;

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
    fn types_classifications_and_countries() {
        let ok = json!({"clientId": "c", "type": "passport", "classification": "proof_of_identity", "issuingCountry": "GB"});
        assert!(validate_create(ok.as_object().unwrap()).is_ok());
        let typo = json!({"clientId": "c", "type": "tax_identification_numbe"});
        assert_eq!(
            validate_create(typo.as_object().unwrap()).unwrap().kind,
            DocumentType::TaxIdentificationNumber
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
        let image: Image = serde_json::from_value(json!({"id": "i", "documentSide": "front",
            "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"}))
        .unwrap();
        existing.images = vec![image.clone()];
        let updated = validate_update(
            &existing,
            json!({"issuingCountry": "FR", "images": []})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(updated.images, [image]);
        assert_eq!(updated.issuing_country.as_deref(), Some("FR"));
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
