//! The JSON endpoints the hosted flow page calls (`/flow/<link token>/…`): the link token is
//! the credential, so the page never holds an API key or an SDK token. Each call acts on the
//! session's client only, through the same core services as `/v1`, and answers the wire error
//! shape. A link that is unknown, expired or completed answers 410.
//!
//! Same-origin only: a browser request whose `Origin` is not this host, or whose
//! `Sec-Fetch-Site` says it came from another site, is refused; no CORS headers are ever sent.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, header};
use axum::{Extension, Json};
use clearance_core::Mode;
use clearance_core::audit::Actor;
use clearance_core::resources::document::Document;
use clearance_core::service::{FlowLink, LinkedSession};
use clearance_core::store::ResourceKind;
use clearance_core::typed;
use serde_json::{Map, Value, json};

use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;

fn gone() -> ApiError {
    ApiError::gone("This verification link is no longer valid")
}

/// Refuses browser requests from other sites (the page's own calls pass).
fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return Err(ApiError::forbidden(
            "The hosted flow accepts requests from its own pages only",
        ));
    }
    if let Some(origin) = value(header::ORIGIN) {
        let host = value(header::HOST).unwrap_or_default();
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .unwrap_or(origin);
        if !origin_host.eq_ignore_ascii_case(host) {
            return Err(ApiError::forbidden(
                "The hosted flow accepts requests from its own pages only",
            ));
        }
    }
    Ok(())
}

/// What [`gate`] found behind the link, handed to the handler so the link is looked up once.
#[derive(Clone)]
pub struct GatedLink(FlowLink);

/// The open session behind the gated link; a completed one is gone for capture.
fn open(link: &GatedLink) -> Result<LinkedSession, ApiError> {
    match &link.0 {
        FlowLink::Open(linked) => Ok(linked.clone()),
        FlowLink::Completed(_) | FlowLink::Closed => Err(gone()),
    }
}

/// Runs before the body is read: refuses requests from other sites and links that are unknown
/// or expired, and takes one token from the link's bucket. An unauthenticated caller cannot
/// make the server read megabytes for a link that does not exist, nor hammer one that does.
pub async fn gate(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, ApiError> {
    same_origin(request.headers())?;
    // Before the lookup: a flood of made-up links from one place never reaches the database.
    if let Some(address) = client_address(&state, &request)
        && let Some(decision) = state.flow_address_limiter.check(&address, Mode::Live)
        && !decision.allowed
    {
        return Err(ApiError::rate_limited(decision.reset_secs));
    }
    let token = params
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    let link = state.services.look_up_flow(token).await?;
    let session = match &link {
        // A completed session still answers its finish again (the page may retry).
        FlowLink::Open(linked) | FlowLink::Completed(linked) => linked,
        FlowLink::Closed => return Err(gone()),
    };
    if let Some(decision) = state.flow_limiter.check(&session.id, session.scope.mode)
        && !decision.allowed
    {
        return Err(ApiError::rate_limited(decision.reset_secs));
    }
    request.extensions_mut().insert(GatedLink(link));
    Ok(next.run(request).await)
}

/// Whom to count a flow request against: the address a trusted proxy names in the configured
/// header (its last value, the one the proxy itself added), else the connection's peer. An
/// IPv6 address counts by its /64, which one household or phone usually holds whole.
fn client_address(state: &AppState, request: &axum::extract::Request) -> Option<String> {
    let from_header = state.config.client_ip_header.as_deref().and_then(|name| {
        let value = request
            .headers()
            .get_all(name)
            .iter()
            .next_back()?
            .to_str()
            .ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    });
    let ip = match from_header {
        Some(ip) => ip,
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()?
            .0
            .ip(),
    };
    Some(match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    })
}

fn object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::invalid(
            "The request body must be a JSON object",
            None,
        )),
    }
}

/// The session's client with only `keys` of the request copied over.
fn for_client(linked: &LinkedSession, body: &Map<String, Value>, keys: &[&str]) -> Value {
    let mut out = Map::new();
    out.insert("clientId".into(), json!(linked.session.client_id));
    for key in keys {
        if let Some(v) = body.get(*key) {
            out.insert((*key).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// `POST /flow/{token}/documents`: `{type, issuingCountry}`; the type must be one the session
/// offers.
pub async fn create_document(
    State(state): State<AppState>,
    Extension(link): Extension<GatedLink>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let linked = open(&link)?;
    let body = object(&body)?;
    let doc_type = body.get("type").and_then(Value::as_str).unwrap_or_default();
    if !linked.session.offers_document_type(doc_type) {
        return Err(ApiError::invalid(
            "'type' is not a document type this verification asks for",
            Some("type".into()),
        ));
    }
    let request = for_client(&linked, body, &["type", "issuingCountry"]);
    let created = state
        .services
        .create_document(&linked.scope, &Actor::default(), &request)
        .await?;
    let doc: Document = typed::decode(&created)?;
    Ok(Json(json!({
        "id": created.id,
        "type": doc.kind,
        "issuingCountry": doc.issuing_country,
    })))
}

/// `POST /flow/{token}/documents/{id}/upload/{side}`: `{fileName, data}` for a document of
/// the session's client.
pub async fn upload_document_image(
    State(state): State<AppState>,
    Path((_token, id, side)): Path<(String, String, String)>,
    Extension(link): Extension<GatedLink>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let linked = open(&link)?;
    let body = object(&body)?;
    let not_found = || clearance_core::CoreError::not_found("document", id.clone());
    let doc = state
        .services
        .get(&linked.scope, ResourceKind::Document, &id)
        .await?;
    if doc.client_id.as_deref() != Some(linked.session.client_id.as_str()) {
        return Err(not_found().into());
    }
    let mut request = Map::new();
    for key in ["fileName", "data"] {
        if let Some(v) = body.get(key) {
            request.insert(key.into(), v.clone());
        }
    }
    let image = state
        .services
        .upload_document_image(
            &linked.scope,
            &Actor::default(),
            &id,
            &side,
            &Value::Object(request),
        )
        .await?;
    Ok(Json(json!({
        "id": image.id,
        "documentSide": image.document_side,
    })))
}

/// `POST /flow/{token}/livePhotos`: `{data}`, the selfie.
pub async fn upload_live_photo(
    State(state): State<AppState>,
    Extension(link): Extension<GatedLink>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let linked = open(&link)?;
    let request = for_client(&linked, object(&body)?, &["data"]);
    let photo = state
        .services
        .upload_live_photo(&linked.scope, &Actor::default(), &request)
        .await?;
    Ok(Json(json!({ "id": photo.id })))
}

/// `POST /flow/{token}/liveVideos`: `{frames}`, a few frames of the client's face.
pub async fn create_live_video(
    State(state): State<AppState>,
    Extension(link): Extension<GatedLink>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let linked = open(&link)?;
    let request = for_client(&linked, object(&body)?, &["frames"]);
    let video = state
        .services
        .create_live_video(&linked.scope, &Actor::default(), &request)
        .await?;
    Ok(Json(json!({ "id": video.id })))
}

/// `POST /flow/{token}/finish`: `{consent, documentId, addressDocumentId, livePhotoId,
/// liveVideoId}` (the ones the checks need). Creates the session's checks once and answers
/// `{redirectUrl}`; finishing again answers the same.
pub async fn finish(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    // Same origin and an open or completed link: checked by `gate`.
    object(&body)?;
    match state
        .services
        .finish_flow_session(&token, &Actor::default(), &body)
        .await?
    {
        Some(outcome) => Ok(Json(json!({ "redirectUrl": outcome.redirect_url }))),
        None => Err(gone()),
    }
}

/// `POST /flow/{token}/cancel`: the client chose cancel. Closes the link (a workflow session
/// becomes `cancelled`) and answers `{redirectUrl}` (the session's `cancelUrl`); a link already
/// closed answers 410.
pub async fn cancel(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match state
        .services
        .cancel_flow_session(&token, &Actor::default())
        .await?
    {
        Some(url) => Ok(Json(json!({ "redirectUrl": url }))),
        None => Err(gone()),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_same_origin_browser_requests_pass() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h).is_ok(), "no browser headers: not a browser");
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(same_origin(&h).is_err());
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(same_origin(&h).is_err());
    }
}
