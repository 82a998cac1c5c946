//! What a linked resource must offer before a check may run on it; failures are the documented
//! processing errors (HTTP 422), returned at create time as the documentation describes them
//! ("before running a check").

use std::str::FromStr;

use super::kinds::CheckType;
use crate::error::{CoreError, Result};
use crate::resources::document::{Document, Image, Side};
use crate::resources::media::LivePhoto;
use clearance_idv::documents::{DocumentType, is_supported};

fn unprocessable(code: &'static str, message: impl Into<String>) -> CoreError {
    CoreError::Unprocessable {
        code,
        message: message.into(),
    }
}

/// The usable (not redacted) image of one side, if any.
fn side(document: &Document, side: Side) -> Option<&Image> {
    document
        .images
        .iter()
        .find(|i| i.document_side == side && i.redacted.is_none())
}

/// The identity-document type of a document resource's `type` (the resource API says
/// `national_identity_card` where check results say `national_id`).
fn identity_type(resource_type: &str) -> Option<DocumentType> {
    match resource_type {
        "national_identity_card" => Some(DocumentType::NationalId),
        other => DocumentType::from_str(other).ok(),
    }
}

/// Checks a document against what `check_type` needs of it.
pub fn document(check_type: CheckType, document: &Document) -> Result<()> {
    let doc_type = document.kind.as_str();
    let country = document.issuing_country.as_deref();
    let identity_document = check_type != CheckType::ProofOfAddress;
    if identity_document && country.is_none() {
        return Err(unprocessable(
            "document_requires_issuing_country",
            "The document needs an 'issuingCountry' before a check can run on it",
        ));
    }
    let Some(front) = side(document, Side::Front) else {
        return Err(CoreError::invalid(
            "documentId",
            "The document has no front image; upload one before creating a check",
        ));
    };
    if check_type == CheckType::Document {
        let country = country.unwrap_or_default();
        // A missing back is not refused here: the hosted service runs the check on the front,
        // and the engine reports the missing side in `frontAndBackAnalysis`.
        if !identity_type(doc_type).is_some_and(|t| is_supported(t, country)) {
            return Err(unprocessable(
                "unsupported_document_type_country",
                format!("A document_check does not support a '{doc_type}' issued by '{country}'"),
            ));
        }
    }
    let face_check = matches!(
        check_type,
        CheckType::Identity | CheckType::EnhancedIdentity
    );
    if face_check && front.content_type.as_deref() == Some("application/pdf") {
        return Err(unprocessable(
            "unsupported_document_format",
            "Face matching needs a JPG or PNG image of the document, not a PDF",
        ));
    }
    Ok(())
}

/// A live photo must still have its file (not redacted).
pub fn live_photo(photo: &LivePhoto) -> Result<()> {
    if photo.download_link.is_none() {
        return Err(CoreError::invalid(
            "livePhotoId",
            "The live photo has been redacted and cannot be used by a check",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn doc(mut v: Value) -> Document {
        v["clientId"] = json!("c");
        if let Some(images) = v.get_mut("images").and_then(Value::as_array_mut) {
            for (n, image) in images.iter_mut().enumerate() {
                image["id"] = json!(format!("i{n}"));
                image["createdAt"] = json!("2024-01-01T00:00:00.000Z");
                image["updatedAt"] = json!("2024-01-01T00:00:00.000Z");
            }
        }
        serde_json::from_value(v).expect("a document")
    }

    fn code(r: Result<()>) -> &'static str {
        match r {
            Err(CoreError::Unprocessable { code, .. }) => code,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn documented_processing_errors() {
        let front = json!({"documentSide": "front", "contentType": "image/jpg"});
        let back = json!({"documentSide": "back", "contentType": "image/jpg"});
        let no_country = doc(json!({"type": "passport", "images": [front]}));
        assert_eq!(
            code(document(CheckType::Document, &no_country)),
            "document_requires_issuing_country"
        );
        let id_front_only = doc(
            json!({"type": "national_identity_card", "issuingCountry": "FR", "images": [front]}),
        );
        // Accepted: the engine reports the missing back (see `document_check`).
        assert!(document(CheckType::Document, &id_front_only).is_ok());
        let id_both = doc(
            json!({"type": "national_identity_card", "issuingCountry": "FR", "images": [front, back]}),
        );
        assert!(document(CheckType::Document, &id_both).is_ok());
        let bill = doc(json!({"type": "utility_bill", "issuingCountry": "GB", "images": [front]}));
        assert_eq!(
            code(document(CheckType::Document, &bill)),
            "unsupported_document_type_country"
        );
        assert!(document(CheckType::ProofOfAddress, &bill).is_ok());
        let pdf = doc(json!({"type": "passport", "issuingCountry": "GB",
            "images": [{"documentSide": "front", "contentType": "application/pdf"}]}));
        assert_eq!(
            code(document(CheckType::Identity, &pdf)),
            "unsupported_document_format"
        );
        let no_images = doc(json!({"type": "passport", "issuingCountry": "GB"}));
        assert!(matches!(
            document(CheckType::Document, &no_images),
            Err(CoreError::Invalid { .. })
        ));
    }
}
