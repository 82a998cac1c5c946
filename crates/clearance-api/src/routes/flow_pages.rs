//! The hosted flow pages (`/flow/<link token>`): consent, document choice and capture, selfie,
//! review. Server-rendered from an embedded template in the session's language and theme, with
//! the session's own `messages` where given; a small script and stylesheet, embedded too and
//! served from `/flow-assets/`, drive the steps and talk to the flow endpoints of `flow_api`. Everything runs under a strict
//! Content-Security-Policy: nothing inline, nothing from elsewhere, no framing, no referrer.

mod i18n;
mod render;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clearance_core::service::FlowLink;

use crate::state::AppState;
use i18n::Catalogue;

const SCRIPT: &str = include_str!("flow_pages/assets/flow.js");
const STYLE: &str = include_str!("flow_pages/assets/flow.css");

/// Only our own script, style and endpoints; camera frames and previews as `blob:`/`data:`.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; \
    form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn secured(mut response: Response, content_type: &'static str, cache: &'static str) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn html(status: StatusCode, body: String) -> Response {
    secured(
        (status, body).into_response(),
        "text/html; charset=utf-8",
        "no-store",
    )
}

/// The flow page of a live session; 410 for a completed or expired one, 404 for an unknown
/// token (or a session whose client was deleted).
pub async fn flow_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let session = match state.services.look_up_flow(&token).await {
        Ok(FlowLink::Open(linked)) => linked.session,
        Ok(FlowLink::Completed(linked)) => {
            let t = Catalogue::for_session(&linked.session);
            return html(
                StatusCode::GONE,
                render::gone_page(&t, "gone_title", "gone_text"),
            );
        }
        Ok(FlowLink::Closed) => {
            let t = Catalogue::for_language("en");
            return html(
                StatusCode::NOT_FOUND,
                render::gone_page(&t, "gone_title", "gone_text"),
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "opening a flow session failed");
            let t = Catalogue::for_language("en");
            return html(
                StatusCode::SERVICE_UNAVAILABLE,
                render::gone_page(&t, "unavailable_title", "unavailable_text"),
            );
        }
    };
    let t = Catalogue::for_session(&session);
    html(StatusCode::OK, render::flow_page(&session, &t))
}

/// `GET /flow-assets/flow.js`.
pub async fn script() -> Response {
    secured(
        SCRIPT.into_response(),
        "text/javascript; charset=utf-8",
        "public, max-age=300",
    )
}

/// `GET /flow-assets/flow.css`.
pub async fn style() -> Response {
    secured(
        STYLE.into_response(),
        "text/css; charset=utf-8",
        "public, max-age=300",
    )
}
