//! Wire shapes of the capture API (`/v1/sdk/…`): what a token stands for, and the `/v1` bodies
//! without a required `clientId`, which the SDK token supplies (derived with `SdkBody`).

use clearance_core::Mode;
use clearance_core::checks::CheckType;
use clearance_core::service::SdkSession as Session;
use clearance_core::time::format_timestamp;
use clearance_tokens::Binding;
use serde::Serialize;
use utoipa::ToSchema;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    referrer: Option<String>,
    /// The bundle id of a mobile token.
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<String>,
    #[schema(format = DateTime)]
    expires_at: String,
    /// The operations the token may perform, e.g. `documents.create`, `checks.create`.
    actions: Vec<String>,
    /// The check types `checks.create` may start with this token.
    check_types: Vec<CheckType>,
}

impl SdkSession {
    /// The answer for a verified token that may perform `actions`.
    pub fn of(session: &Session, actions: &[&str]) -> Self {
        let (referrer, app_id) = match &session.binding {
            Binding::Referrer(r) => (Some(r.clone()), None),
            Binding::AppId(a) => (None, Some(a.clone())),
        };
        SdkSession {
            client_id: session.client_id.clone(),
            mode: match session.scope.mode {
                Mode::Test => SdkMode::Test,
                Mode::Live => SdkMode::Live,
            },
            referrer,
            app_id,
            expires_at: format_timestamp(session.expires_at.saturating_mul(1000)),
            actions: actions.iter().map(|a| (*a).to_string()).collect(),
            check_types: session.check_types.clone(),
        }
    }
}

/// Body of `POST /v1/sdk/documents`.
pub type SdkDocumentCreate = SdkBody<super::schemas::DocumentCreate>;

/// Body of `POST /v1/sdk/livePhotos`.
pub type SdkLivePhotoUpload = SdkBody<super::schemas::LivePhotoUpload>;

/// Body of `POST /v1/sdk/liveVideos`.
pub type SdkLiveVideoCreate = SdkBody<super::schemas::LiveVideoCreate>;

/// Body of `POST /v1/sdk/checks`; linked resources must belong to the token's client.
pub type SdkCheckCreate = SdkBody<super::schemas::CheckCreate>;
