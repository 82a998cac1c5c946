//! `POST /v1/autofill`: a document's data read from one image, for pre-filling a form. Nothing is
//! stored: the image is validated like an upload, read, and forgotten.

use serde_json::{Map, Value};

use super::Services;
use super::uploads::accept_upload;
use crate::autofill::{Autofill, AutofillReading};
use crate::error::{CoreError, Result};
use crate::fields::as_object;

impl Services {
    /// Reads the base64 image in `data` (JPG or PNG, the document-upload size rules).
    pub async fn autofill(&self, input: &Value) -> Result<Autofill> {
        let input: &Map<String, Value> = as_object(input, None)?;
        if let Some(unknown) = input.keys().find(|k| k.as_str() != "data") {
            return Err(CoreError::invalid(
                unknown.clone(),
                format!("'{unknown}' is not a field of an autofill request"),
            ));
        }
        let accepted = accept_upload(input, &clearance_media::Policy::photo()).await?;
        let Some(reader) = &self.document_reader else {
            return Err(CoreError::Unavailable(
                "no document reader is installed on this server".into(),
            ));
        };
        let reading = reader
            .read(accepted.bytes, self.now_ms())
            .await
            .map_err(|e| CoreError::Unavailable(e.0))?;
        match reading {
            AutofillReading::Read(data) => Ok(*data),
            AutofillReading::Unusable(code) => Err(CoreError::Unprocessable {
                code,
                message: crate::inspection::unreadable_image_message(code).into(),
            }),
        }
    }
}
