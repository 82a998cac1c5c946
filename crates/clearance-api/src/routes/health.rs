//! Liveness, readiness and metrics endpoints (no API key: they carry no tenant data).

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The process can serve: it is not shutting down, and its database answers.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::shutting_down());
    }
    match state.services.store().ping().await {
        Ok(()) => Ok(Json(json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::unavailable())
        }
    }
}

/// Prometheus metrics.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    let counts = state
        .services
        .store()
        .counts(state.services.now_ms())
        .await
        .ok();
    text.push_str(&crate::metrics::render_jobs(
        state.job_stats.as_deref(),
        counts,
    ));
    text.push_str(&crate::metrics::render_webhooks(
        state.services.webhook_stats(),
    ));
    if let Ok(lists) = state.services.store().screening_lists().await {
        text.push_str(&crate::metrics::render_lists(
            &lists,
            state.services.now_ms(),
        ));
    }
    if let Ok(states) = state.services.store().list_fetch_states().await {
        text.push_str(&crate::metrics::render_fetches(&states));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
