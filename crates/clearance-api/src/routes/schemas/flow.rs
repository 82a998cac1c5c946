//! Hosted flow sessions: the session is `clearance_core::resources::flow_session::FlowSession`.

use clearance_core::resources::flow_session;
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::NewBody;

/// Body of `POST /v1/flow/sessions` (check-driven style).
pub type FlowSessionCreate = NewBody<flow_session::FlowSession>;

// Only the session's link is answered, never the session itself.
/// A created flow session.
#[derive(Serialize, ToSchema)]
#[schema(as = FlowSession)]
#[serde(rename_all = "camelCase")]
pub struct FlowSessionLink {
    /// The hosted pages for the client, under the server's public URL.
    pub redirect_url: String,
}
