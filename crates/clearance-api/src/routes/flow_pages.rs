//! The hosted flow pages (`/flow/<link token>`): server-rendered from an embedded template under a
//! strict Content-Security-Policy. For now one page: the session's welcome step, listing what the
//! client will be asked for, with the way out to `cancelUrl`. Capture steps come next (issue #7).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::state::AppState;

const PAGE: &str = include_str!("flow_page.html");

/// No scripts, no inline styles, nothing from elsewhere; the page cannot be framed, and the link
/// token in the address is never sent on as a referrer.
const CSP: &str = "default-src 'none'; style-src 'none'; img-src 'none'; form-action 'none'; \
    frame-ancestors 'none'; base-uri 'none'";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn step_name(check_type: &str) -> &'static str {
    match check_type {
        "standard_screening_check" | "extensive_screening_check" => "Screening of your name",
        "document_check" => "A photo of your identity document",
        "identity_check" | "enhanced_identity_check" => "Your identity document and a selfie",
        "proof_of_address_check" => "A proof of address",
        "face_authentication_check" => "A selfie",
        "age_estimation_check" => "A selfie to estimate your age",
        _ => "A verification step",
    }
}

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
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
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn render(title: &str, lang: &str, theme: &str, main: &str) -> String {
    PAGE.replace("{{lang}}", &escape(lang))
        .replace("{{theme}}", &escape(theme))
        .replace("{{title}}", &escape(title))
        .replace("{{main}}", main)
}

/// The welcome page of a live session; 404 for an unknown, expired or completed one.
pub async fn flow_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let session = match state.services.open_flow_session(&token).await {
        Ok(Some(session)) => session,
        Ok(None) => {
            let main = "<h1>This link is no longer valid</h1>\
                <p>It may have expired or already been used. Please ask for a new one.</p>";
            return html(
                StatusCode::NOT_FOUND,
                render("Link not valid", "en", "light", main),
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "opening a flow session failed");
            let main = "<h1>Something went wrong</h1><p>Please try again in a moment.</p>";
            return html(
                StatusCode::SERVICE_UNAVAILABLE,
                render("Unavailable", "en", "light", main),
            );
        }
    };
    let field = |k: &str| {
        session
            .body
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let mut steps: Vec<&str> = session
        .body
        .get("checkTypes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(step_name).collect())
        .unwrap_or_default();
    steps.dedup();
    let items: String = steps
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let support = match field("supportEmail") {
        "" => String::new(),
        email => format!(
            "<p>Questions? Write to <a href=\"mailto:{0}\">{0}</a>.</p>",
            escape(email)
        ),
    };
    let main = format!(
        "<h1>Verify your identity</h1>\
         <p>You will be asked for:</p><ol>{items}</ol>{support}\
         <p><a href=\"{cancel}\" rel=\"noreferrer\">Cancel and go back</a></p>",
        cancel = escape(field("cancelUrl")),
    );
    html(
        StatusCode::OK,
        render(
            "Verify your identity",
            field("language"),
            field("theme"),
            &main,
        ),
    )
}
