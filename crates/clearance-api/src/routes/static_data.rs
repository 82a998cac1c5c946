//! `/v1/static/…`: reference data.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;

use super::schemas::SupportedDocuments;

/// The table never changes while the process runs: serialise it once.
static SUPPORTED: LazyLock<Bytes> = LazyLock::new(|| {
    let table = clearance_core::static_data::supported_documents();
    Bytes::from(serde_json::to_vec(&table).unwrap_or_default())
});

/// The documents each check type accepts, with the sides to capture per country.
#[utoipa::path(get, path = "/v1/static/supportedDocuments", tag = "Static data",
    responses((status = 200, description = "Check type → document type → country → sides", body = SupportedDocuments)))]
pub async fn supported_documents() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        SUPPORTED.clone(),
    )
}

/// The names of the screening lists loaded on this server, alphabetical (values for
/// `screeningListsScope.lists`).
#[utoipa::path(get, path = "/v1/static/screeningLists", tag = "Static data",
    responses((status = 200, description = "List names", body = Vec<String>)))]
pub async fn screening_lists(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
) -> Result<axum::Json<Vec<String>>, crate::error::ApiError> {
    Ok(axum::Json(state.services.screening_list_names().await?))
}
