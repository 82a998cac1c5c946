//! `/v1/documents`: document records and their front/back images.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::{Id, IdPair};
use super::list::ListQuery;
use super::schemas::{
    Document, DocumentCreate, DocumentList, DocumentQuery, DocumentRedact, DocumentUpdate, Empty,
    FileDownload, Image, ImageUpload,
};
use crate::auth::Caller;
use crate::body::{JsonBody, NewBody, PatchBody};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

/// Create a document record (upload its images afterwards).
#[utoipa::path(post, path = "/v1/documents", tag = "Documents", request_body = DocumentCreate,
    responses((status = 200, description = "The new document", body = Document)))]
pub async fn create_document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): DocumentCreate,
) -> Result<Json<Value>, ApiError> {
    let doc = state
        .services
        .create_document(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&doc)))
}

/// Get a document with its image metadata.
#[utoipa::path(get, path = "/v1/documents/{id}", tag = "Documents", params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "The document", body = Document)))]
pub async fn get_document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let doc = state
        .services
        .get_json(&caller.scope, ResourceKind::Document, &id)
        .await?;
    stored_json_response(&doc)
}

/// Update a document's type, classification, number or issuer.
#[utoipa::path(post, path = "/v1/documents/{id}", tag = "Documents", request_body = DocumentUpdate,
    params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "The updated document", body = Document)))]
pub async fn update_document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    PatchBody(body, _): DocumentUpdate,
) -> Result<Json<Value>, ApiError> {
    let doc = state
        .services
        .update_document(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(resource_json(&doc)))
}

/// Delete a document and its images.
#[utoipa::path(delete, path = "/v1/documents/{id}", tag = "Documents", params(("id" = String, Path, description = "Document id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_document(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a client's documents, newest first.
#[utoipa::path(get, path = "/v1/documents", tag = "Documents", params(DocumentQuery),
    responses((status = 200, description = "A page of documents", body = DocumentList)))]
pub async fn list_documents(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): DocumentQuery,
) -> Result<Json<DocumentList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::Document, &pairs, true)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}

/// Upload the image of one side (`front` or `back`), replacing an earlier one.
#[utoipa::path(post, path = "/v1/documents/{id}/upload/{side}", tag = "Documents", request_body = ImageUpload,
    params(("id" = String, Path, description = "Document id"), ("side" = String, Path, description = "`front` or `back`")),
    responses((status = 200, description = "The stored image", body = Image)))]
pub async fn upload_document_image(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    IdPair(id, side): IdPair,
    JsonBody(body): JsonBody,
) -> Result<Json<Image>, ApiError> {
    let image = state
        .services
        .upload_document_image(&caller.scope, &caller.actor(), &id, &side, &body)
        .await?;
    Ok(Json(image))
}

/// Download the image of one side as base64.
#[utoipa::path(get, path = "/v1/documents/{id}/download/{side}", tag = "Documents",
    params(("id" = String, Path, description = "Document id"), ("side" = String, Path, description = "`front` or `back`")),
    responses((status = 200, description = "The file", body = FileDownload)))]
pub async fn download_document_image(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    IdPair(id, side): IdPair,
) -> Result<Json<FileDownload>, ApiError> {
    Ok(Json(
        state
            .services
            .download_document_image(&caller.scope, &id, &side)
            .await?,
    ))
}

/// Download an image by the `downloadLink` of its image object.
#[utoipa::path(get, path = "/v1/documents/{id}/images/{imageId}/download", tag = "Documents",
    params(("id" = String, Path, description = "Document id"), ("imageId" = String, Path, description = "Image id")),
    responses((status = 200, description = "The file", body = FileDownload)))]
pub async fn download_document_image_by_id(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    IdPair(id, image_id): IdPair,
) -> Result<Json<FileDownload>, ApiError> {
    let file = state
        .services
        .download_document_image_by_id(&caller.scope, &id, &image_id)
        .await?;
    Ok(Json(file))
}

/// Delete the image of one side.
#[utoipa::path(delete, path = "/v1/documents/{id}/{side}", tag = "Documents",
    params(("id" = String, Path, description = "Document id"), ("side" = String, Path, description = "`front` or `back`")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_document_image(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    IdPair(id, side): IdPair,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_document_image(&caller.scope, &caller.actor(), &id, &side)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Erase the document's images for good (tombstones remain in `images`).
#[utoipa::path(post, path = "/v1/documents/{id}/redact", tag = "Documents", request_body = DocumentRedact,
    params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "Redacted", body = Empty)))]
pub async fn redact_document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
    JsonBody(body): JsonBody,
) -> Result<Json<Empty>, ApiError> {
    state
        .services
        .redact_document(&caller.scope, &caller.actor(), &id, &body)
        .await?;
    Ok(Json(Empty {}))
}
