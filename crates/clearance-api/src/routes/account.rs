//! `/v1/accountInfo`: the account's name and plan.

use axum::extract::State;
use axum::{Extension, Json};

use super::schemas::AccountInfo;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The plan name reported for self-hosted accounts (no credits: `remainingCredit` is omitted).
const PLAN: &str = "Clearance self-hosted";

/// Get account information.
#[utoipa::path(get, path = "/v1/accountInfo", tag = "Account",
    responses((status = 200, description = "The account", body = AccountInfo)))]
pub async fn get_account_info(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<AccountInfo>, ApiError> {
    let account = state
        .services
        .store()
        .get_account(&caller.scope.account_id)
        .await
        .map_err(|e| ApiError::from(clearance_core::CoreError::from(e)))?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(AccountInfo {
        username: account.name,
        plan: PLAN.to_string(),
        remaining_credit: None,
    }))
}
