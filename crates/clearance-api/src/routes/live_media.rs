//! `/v1/livePhotos` and `/v1/liveVideos`: selfies and videos captured from the client.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use clearance_core::store::ResourceKind;
use serde_json::Value;

use super::extract::Id;
use super::list::ListQuery;
use super::schemas::{
    Empty, FileDownload, LivePhoto, LivePhotoList, LivePhotoQuery, LivePhotoUpload, LiveVideo,
    LiveVideoCreate, LiveVideoList, LiveVideoQuery,
};
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{list_page, resource_json, stored_json_response};

/// Upload a live photo (selfie).
#[utoipa::path(post, path = "/v1/livePhotos", tag = "Live photos", request_body = LivePhotoUpload,
    responses((status = 200, description = "The stored photo", body = LivePhoto)))]
pub async fn upload_live_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let photo = state
        .services
        .upload_live_photo(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&photo)))
}

/// Get a live photo's metadata.
#[utoipa::path(get, path = "/v1/livePhotos/{id}", tag = "Live photos", params(("id" = String, Path, description = "Live photo id")),
    responses((status = 200, description = "The photo", body = LivePhoto)))]
pub async fn get_live_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let media = state
        .services
        .get_json(&caller.scope, ResourceKind::LivePhoto, &id)
        .await?;
    stored_json_response(&media)
}

/// Download a live photo as base64.
#[utoipa::path(get, path = "/v1/livePhotos/{id}/download", tag = "Live photos", params(("id" = String, Path, description = "Live photo id")),
    responses((status = 200, description = "The file", body = FileDownload)))]
pub async fn download_live_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<FileDownload>, ApiError> {
    Ok(Json(
        state
            .services
            .download_live_photo(&caller.scope, &id)
            .await?,
    ))
}

/// Erase a live photo's file for good.
#[utoipa::path(post, path = "/v1/livePhotos/{id}/redact", tag = "Live photos", params(("id" = String, Path, description = "Live photo id")),
    responses((status = 200, description = "Redacted", body = Empty)))]
pub async fn redact_live_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<Empty>, ApiError> {
    state
        .services
        .redact_live_photo(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(Json(Empty {}))
}

/// Delete a live photo.
#[utoipa::path(delete, path = "/v1/livePhotos/{id}", tag = "Live photos", params(("id" = String, Path, description = "Live photo id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_live_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_live_photo(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a client's live photos, newest first.
#[utoipa::path(get, path = "/v1/livePhotos", tag = "Live photos", params(LivePhotoQuery),
    responses((status = 200, description = "A page of photos", body = LivePhotoList)))]
pub async fn list_live_photos(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): LivePhotoQuery,
) -> Result<Json<LivePhotoList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::LivePhoto, &pairs, true)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}

/// Create a live video record with generated challenges (used by capture flows).
#[utoipa::path(post, path = "/v1/liveVideos", tag = "Live videos", request_body = LiveVideoCreate,
    responses((status = 200, description = "The new live video", body = LiveVideo)))]
pub async fn create_live_video(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let video = state
        .services
        .create_live_video(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(resource_json(&video)))
}

/// Get a live video.
#[utoipa::path(get, path = "/v1/liveVideos/{id}", tag = "Live videos", params(("id" = String, Path, description = "Live video id")),
    responses((status = 200, description = "The live video", body = LiveVideo)))]
pub async fn get_live_video(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let media = state
        .services
        .get_json(&caller.scope, ResourceKind::LiveVideo, &id)
        .await?;
    stored_json_response(&media)
}

/// Erase a live video's frames for good.
#[utoipa::path(post, path = "/v1/liveVideos/{id}/redact", tag = "Live videos", params(("id" = String, Path, description = "Live video id")),
    responses((status = 200, description = "Redacted", body = Empty)))]
pub async fn redact_live_video(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<Json<Empty>, ApiError> {
    state
        .services
        .redact_live_video(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(Json(Empty {}))
}

/// Delete a live video.
#[utoipa::path(delete, path = "/v1/liveVideos/{id}", tag = "Live videos", params(("id" = String, Path, description = "Live video id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_live_video(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .delete_live_video(&caller.scope, &caller.actor(), &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a client's live videos, newest first.
#[utoipa::path(get, path = "/v1/liveVideos", tag = "Live videos", params(LiveVideoQuery),
    responses((status = 200, description = "A page of live videos", body = LiveVideoList)))]
pub async fn list_live_videos(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ListQuery(pairs, _): LiveVideoQuery,
) -> Result<Json<LiveVideoList>, ApiError> {
    let (request, page) = state
        .services
        .list(&caller.scope, ResourceKind::LiveVideo, &pairs, true)
        .await?;
    Ok(Json(list_page(&request, &page, resource_json)))
}
