//! Wire schemas of the capture API (`/v1/sdk/…`) for the OpenAPI document: the `/v1` bodies
//! without a required `clientId`, which the SDK token supplies.

#![expect(dead_code, reason = "schema-only types: never constructed")]

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::schemas::CheckType;
use crate::body::SdkBody;

/// The mode of the key that issued a token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SdkMode {
    Test,
    Live,
}

/// What an SDK token stands for (`GET /v1/sdk/session`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SdkSession {
    /// The one client the token acts for.
    client_id: String,
    mode: SdkMode,
    /// The match pattern of a web token.
    referrer: Option<String>,
    /// The bundle id of a mobile token.
    app_id: Option<String>,
    #[schema(format = DateTime)]
    expires_at: String,
    /// The operations the token may perform, e.g. `documents.create`, `checks.create`.
    actions: Vec<String>,
}

/// Body of `POST /v1/sdk/documents`.
pub type SdkDocumentCreate = SdkBody<super::schemas::DocumentCreate>;

/// Body of `POST /v1/sdk/livePhotos`.
pub type SdkLivePhotoUpload = SdkBody<super::schemas::LivePhotoUpload>;

/// Body of `POST /v1/sdk/liveVideos`.
pub type SdkLiveVideoCreate = SdkBody<super::schemas::LiveVideoCreate>;

/// Body of `POST /v1/sdk/checks`; linked resources must belong to the token's client.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SdkCheckCreate {
    /// Optional; when given it must be the token's client.
    client_id: Option<String>,
    #[serde(rename = "type")]
    kind: CheckType,
    enable_monitoring: Option<bool>,
    document_id: Option<String>,
    address_id: Option<String>,
    live_photo_id: Option<String>,
    live_video_id: Option<String>,
    /// Type-specific options; an option the type does not take is refused by name.
    options: Option<HashMap<String, Value>>,
    client_consent: Option<bool>,
}
