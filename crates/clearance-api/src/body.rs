//! The JSON body extractor: checks the content type, enforces the size limit and turns every
//! failure into the wire error instead of axum's plain-text rejections.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// A request body parsed as JSON; an empty body reads as `null`.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let declared_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        let limit = state.config.max_body_bytes;
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(limit)
                } else {
                    ApiError::invalid("The request body could not be read", None)
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Value::Null));
        }
        if declared_json == Some(false) {
            return Err(ApiError::not_json_content_type());
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::invalid(
                format!(
                    "The request body is not valid JSON ({})",
                    e.classify_label()
                ),
                None,
            )
        })
    }
}

trait Classify {
    fn classify_label(&self) -> String;
}

impl Classify for serde_json::Error {
    /// Position and category only: never echo the body, which may hold personal data.
    fn classify_label(&self) -> String {
        let what = match self.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "invalid data",
            serde_json::error::Category::Io => "read error",
        };
        format!("{what} at line {} column {}", self.line(), self.column())
    }
}
