//! SDK tokens.

use serde::Serialize;
use utoipa::ToSchema;

/// Body of `POST /v1/tokens`: `clientId` and exactly one of `referrer` and `appId`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenCreate {
    /// A client of the key's account and mode.
    client_id: String,
    /// Web SDK: a URL match pattern (Chrome semantics) the page's origin must satisfy, e.g.
    /// `https://*.example.com/*`.
    referrer: Option<String>,
    /// Mobile SDKs: the app's bundle id, e.g. `com.example.app`.
    app_id: Option<String>,
}

/// An SDK token.
#[derive(Serialize, ToSchema)]
pub struct Token {
    /// A JWT (EdDSA), valid for 60 minutes.
    token: String,
}
