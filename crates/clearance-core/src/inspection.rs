//! Inspections of document images at upload (live keys): an image the document check could not
//! read is refused while the person can still take another.

use async_trait::async_trait;

use crate::checks::analyser::TransientError;

/// Why an uploaded image was refused: a documented processing code (HTTP 422) and a message for
/// the person taking it.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadRefusal {
    pub code: &'static str,
    pub message: String,
}

/// Inspects the images of identity documents uploaded with live keys. Implemented by the
/// document engine; a server without one accepts every image.
#[async_trait]
pub trait DocumentInspector: Send + Sync {
    /// `Ok(None)` when the image passes (or the document's `type` is not one the check reads),
    /// `Ok(Some(refusal))` when it does not.
    async fn inspect(
        &self,
        image: Vec<u8>,
        document_type: &str,
    ) -> Result<Option<UploadRefusal>, TransientError>;
}

/// What to tell the person about a document image nothing could be read from, by its code
/// (autofill's answers and the upload inspection's refusals say the same).
pub fn unreadable_image_message(code: &str) -> &'static str {
    match code {
        "under_exposure" => "The image is too dark to read the document",
        "excessive_glare" => "Glare on the image hides part of the document",
        "image_unreadable" => "The image is too small, blurred or damaged to read the document",
        "document_type_undetected" => {
            "No machine-readable zone was found: upload the side of an identity document that carries one"
        }
        _ => "The document could not be read from this image",
    }
}
