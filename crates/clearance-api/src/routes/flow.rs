//! `/v1/flow/sessions`: hosted verification sessions (check-driven style).

use axum::extract::State;
use axum::{Extension, Json};
use clearance_core::audit::Actor;
use serde_json::{Value, json};

use super::schemas::{FlowSession, FlowSessionCreate};
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;

/// Create a flow session: answers the link of the hosted pages for the client, valid for 14
/// days or until the client completes it.
#[utoipa::path(post, path = "/v1/flow/sessions", tag = "Flow", request_body = FlowSessionCreate,
    responses((status = 200, description = "The link to send the client to", body = FlowSession)))]
pub async fn create_flow_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let (_, token) = state
        .services
        .create_flow_session(&caller.scope, &Actor::default(), &body)
        .await?;
    Ok(Json(
        json!({ "redirectUrl": format!("{}/flow/{token}", state.config.public_url) }),
    ))
}
