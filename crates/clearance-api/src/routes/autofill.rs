//! `/v1/autofill`: a document's data read from one image, nothing stored.

use axum::Json;
use axum::extract::State;

use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use clearance_core::autofill::{Autofill, AutofillRequest};

/// Read an identity document's data from a base64 JPG or PNG image (the side with the
/// machine-readable zone): `extractedData` in the document check's shape, and for each field its
/// source and a confidence with the reason for it. Images nothing can be read from are refused
/// with a 422 naming why (`image_unreadable`, `under_exposure`, `excessive_glare`,
/// `document_type_undetected`).
#[utoipa::path(post, path = "/v1/autofill", tag = "Autofill", request_body = AutofillRequest,
    responses((status = 200, description = "The data read", body = Autofill)))]
pub async fn autofill(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Autofill>, ApiError> {
    Ok(Json(state.services.autofill(&body).await?))
}
