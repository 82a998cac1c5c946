//! `/v1/tokens`: short-lived SDK tokens for the browser and mobile capture API.

use axum::extract::State;
use axum::{Extension, Json};

use super::schemas::{Token, TokenCreate};
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;

/// Generate an SDK token: a JWT valid for 60 minutes, bound to one client and to the web pages
/// (`referrer`, a URL match pattern) or the mobile app (`appId`) that may use it.
#[utoipa::path(post, path = "/v1/tokens", tag = "SDK tokens", request_body = TokenCreate,
    responses((status = 200, description = "The token", body = Token)))]
pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody,
) -> Result<Json<Token>, ApiError> {
    let token = state
        .services
        .create_sdk_token(&caller.scope, &body)
        .await?;
    Ok(Json(token))
}
