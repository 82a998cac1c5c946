//! `/v1/flow/sessions`: hosted verification sessions (check-driven style).

use axum::extract::State;
use axum::{Extension, Json};

use super::schemas::{FlowSessionCreate, FlowSessionLink};
use crate::auth::Caller;
use crate::body::NewBody;
use crate::error::ApiError;
use crate::state::AppState;

/// Create a flow session: answers the link of the hosted pages for the client, valid for 14
/// days or until the client completes it.
#[utoipa::path(post, path = "/v1/flow/sessions", tag = "Flow", request_body = FlowSessionCreate,
    responses((status = 200, description = "The link to send the client to", body = FlowSessionLink)))]
pub async fn create_flow_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    NewBody(body, _): FlowSessionCreate,
) -> Result<Json<FlowSessionLink>, ApiError> {
    let (_, token) = state
        .services
        .create_flow_session(&caller.scope, &caller.actor(), &body)
        .await?;
    Ok(Json(FlowSessionLink {
        redirect_url: format!("{}/flow/{token}", state.config.public_url),
    }))
}
