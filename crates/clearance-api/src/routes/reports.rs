//! `/v1/reports`: a PDF snapshot of a client or a check, as `{contentType, data}`.

use axum::extract::State;
use axum::{Extension, Json};
use clearance_core::report::ReportFile;

use super::extract::QueryPairs;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The parameters naming what to report on; exactly one is given.
const SUBJECTS: [&str; 3] = ["clientId", "checkId", "workflowSessionId"];

/// What a report is about.
enum Subject {
    Client(String),
    Check(String),
    WorkflowSession(String),
}

fn subject(pairs: &[(String, String)]) -> Result<Subject, ApiError> {
    let given: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, v)| SUBJECTS.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k.as_str(), v.trim()))
        .collect();
    match given.as_slice() {
        [] => Err(ApiError::invalid(
            "One of 'clientId', 'checkId' or 'workflowSessionId' must be provided",
            Some("clientId".into()),
        )),
        [(key, id)] => Ok(match *key {
            "clientId" => Subject::Client(id.to_string()),
            "checkId" => Subject::Check(id.to_string()),
            _ => Subject::WorkflowSession(id.to_string()),
        }),
        [_, (second, _), ..] => Err(ApiError::invalid(
            "A report covers one client, check or workflow session: give only one of 'clientId', 'checkId' and 'workflowSessionId'",
            Some(second.to_string()),
        )),
    }
}

/// Generate a PDF report of a client (`clientId`) or a check (`checkId`): a snapshot at
/// generation time. A pending check's report says it has no result yet.
#[utoipa::path(get, path = "/v1/reports", tag = "Reports",
    params(
        ("clientId" = Option<String>, Query, description = "The client to report on"),
        ("checkId" = Option<String>, Query, description = "The check to report on"),
        ("workflowSessionId" = Option<String>, Query, description = "The workflow session to report on"),
    ),
    responses((status = 200, description = "The PDF, base64", body = ReportFile)))]
pub async fn generate_report(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ReportFile>, ApiError> {
    let services = &state.services;
    let pdf = match subject(&pairs)? {
        Subject::Client(id) => services.client_report(&caller.scope, &id).await?,
        Subject::Check(id) => services.check_report(&caller.scope, &id).await?,
        Subject::WorkflowSession(id) => {
            services.workflow_session_report(&caller.scope, &id).await?
        }
    };
    Ok(Json(pdf.into_file()))
}

/// The same as `GET /v1/reports` (the hosted service's reference shows `POST`).
#[utoipa::path(post, path = "/v1/reports", tag = "Reports",
    params(
        ("clientId" = Option<String>, Query, description = "The client to report on"),
        ("checkId" = Option<String>, Query, description = "The check to report on"),
        ("workflowSessionId" = Option<String>, Query, description = "The workflow session to report on"),
    ),
    responses((status = 200, description = "The PDF, base64", body = ReportFile)))]
pub async fn generate_report_post(
    state: State<AppState>,
    caller: Extension<Caller>,
    query: QueryPairs,
) -> Result<Json<ReportFile>, ApiError> {
    generate_report(state, caller, query).await
}
