//! `/v1/sdk`: the capture API for browsers and mobile apps, authenticated by an SDK token (see
//! `sdk_auth`). Everything acts on the token's client only; a resource of any other client is
//! answered as if it did not exist.

use axum::extract::State;
use axum::{Extension, Json};
use clearance_core::audit::Actor;
use clearance_core::store::ResourceKind;
use serde_json::{Map, Value, json};

use super::extract::IdPair;
use super::schemas::{Check, Document, Image, ImageUpload, LivePhoto, LiveVideo};
use super::sdk_schemas::{
    SdkCheckCreate, SdkDocumentCreate, SdkLivePhotoUpload, SdkLiveVideoCreate, SdkSession,
};
use crate::body::{JsonBody, SdkBody};
use crate::error::ApiError;
use crate::sdk_auth::SdkCaller;
use crate::state::AppState;
use crate::wire::resource_json;

/// What an SDK token may do, as `GET /v1/sdk/session` lists it.
const ACTIONS: &[&str] = &[
    "documents.create",
    "documents.upload",
    "livePhotos.create",
    "liveVideos.create",
    "checks.create",
];

/// The token's client, mode, binding, expiry and allowed actions.
#[utoipa::path(get, path = "/v1/sdk/session", tag = "Capture API",
    responses((status = 200, description = "What the token stands for", body = SdkSession)))]
pub async fn session(Extension(caller): Extension<SdkCaller>) -> Json<SdkSession> {
    Json(SdkSession::of(&caller.session, ACTIONS))
}

/// The body with `clientId` set to the token's client; another client id is refused.
fn for_own_client(body: Value, caller: &SdkCaller) -> Result<Value, ApiError> {
    let mut body = match body {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        _ => {
            return Err(ApiError::invalid(
                "The request body must be a JSON object",
                None,
            ));
        }
    };
    let own = &caller.session.client_id;
    match body.get("clientId") {
        None | Some(Value::Null) => {}
        Some(Value::String(id)) if id == own => {}
        Some(_) => {
            return Err(ApiError::forbidden(
                "This SDK token acts only for the client it was issued for",
            ));
        }
    }
    body.insert("clientId".into(), json!(own));
    Ok(Value::Object(body))
}

/// Create a document record for the token's client.
#[utoipa::path(post, path = "/v1/sdk/documents", tag = "Capture API", request_body = SdkDocumentCreate,
    responses((status = 200, description = "The new document", body = Document)))]
pub async fn create_document(
    State(state): State<AppState>,
    Extension(caller): Extension<SdkCaller>,
    SdkBody(body, _): SdkDocumentCreate,
) -> Result<Json<Value>, ApiError> {
    let body = for_own_client(body, &caller)?;
    let doc = state
        .services
        .create_document(&caller.session.scope, &Actor::default(), &body)
        .await?;
    Ok(Json(resource_json(&doc)))
}

/// Upload the image of one side of a document of the token's client.
#[utoipa::path(post, path = "/v1/sdk/documents/{id}/upload/{side}", tag = "Capture API", request_body = ImageUpload,
    params(("id" = String, Path, description = "Document id"), ("side" = String, Path, description = "`front` or `back`")),
    responses((status = 200, description = "The stored image", body = Image)))]
pub async fn upload_document_image(
    State(state): State<AppState>,
    Extension(caller): Extension<SdkCaller>,
    IdPair(id, side): IdPair,
    JsonBody(body): JsonBody,
) -> Result<Json<Image>, ApiError> {
    let scope = &caller.session.scope;
    let doc = state
        .services
        .get(scope, ResourceKind::Document, &id)
        .await?;
    if doc.client_id.as_deref() != Some(caller.session.client_id.as_str()) {
        return Err(clearance_core::CoreError::not_found("document", id).into());
    }
    let image = state
        .services
        .upload_document_image(scope, &Actor::default(), &id, &side, &body)
        .await?;
    Ok(Json(image))
}

/// Upload a live photo (selfie) of the token's client.
#[utoipa::path(post, path = "/v1/sdk/livePhotos", tag = "Capture API", request_body = SdkLivePhotoUpload,
    responses((status = 200, description = "The stored photo", body = LivePhoto)))]
pub async fn upload_live_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<SdkCaller>,
    SdkBody(body, _): SdkLivePhotoUpload,
) -> Result<Json<Value>, ApiError> {
    let body = for_own_client(body, &caller)?;
    let photo = state
        .services
        .upload_live_photo(&caller.session.scope, &Actor::default(), &body)
        .await?;
    Ok(Json(resource_json(&photo)))
}

/// Create a live video record (with its challenges and optional frames) for the token's client.
#[utoipa::path(post, path = "/v1/sdk/liveVideos", tag = "Capture API", request_body = SdkLiveVideoCreate,
    responses((status = 200, description = "The new live video", body = LiveVideo)))]
pub async fn create_live_video(
    State(state): State<AppState>,
    Extension(caller): Extension<SdkCaller>,
    SdkBody(body, _): SdkLiveVideoCreate,
) -> Result<Json<Value>, ApiError> {
    let body = for_own_client(body, &caller)?;
    let video = state
        .services
        .create_live_video(&caller.session.scope, &Actor::default(), &body)
        .await?;
    Ok(Json(resource_json(&video)))
}

/// Create a check for the token's client; every resource it links to must be that client's.
#[utoipa::path(post, path = "/v1/sdk/checks", tag = "Capture API", request_body = SdkCheckCreate,
    responses((status = 200, description = "The new, pending check", body = Check)))]
pub async fn create_check(
    State(state): State<AppState>,
    Extension(caller): Extension<SdkCaller>,
    SdkBody(body, _): SdkCheckCreate,
) -> Result<Json<Value>, ApiError> {
    let body = for_own_client(body, &caller)?;
    let check = state
        .services
        .create_client_check(&caller.session, &Actor::default(), &body)
        .await?;
    Ok(Json(resource_json(&check)))
}
