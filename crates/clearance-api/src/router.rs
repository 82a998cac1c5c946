//! The whole route table and the middleware stack, in one place.

use std::any::Any;
use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Request};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::RequireKeyLayer;
use crate::error::ApiError;
use crate::idempotency::IdempotencyLayer;
use crate::metrics;
use crate::openapi::{ApiDoc, finish};
use crate::routes::{
    account, addresses, audit_logs, autofill, checks, clients, custom_lists, documents, flow,
    flow_api, flow_pages, health, live_media, lookups, reports, screening_lists, sdk, static_data,
    team_members, tokens, webhooks, workflow_sessions, workflow_templates,
};
use crate::sdk_auth::require_sdk_token;
use crate::state::AppState;

/// Builds the application: `/v1` (API key required), the OpenAPI document and docs page, health
/// and metrics endpoints, and wire-shaped answers for unknown paths, wrong methods and panics.
pub fn router(state: AppState) -> Router {
    let (v1, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(clients::create_client, clients::list_clients))
        .routes(routes!(
            clients::get_client,
            clients::update_client,
            clients::delete_client
        ))
        .routes(routes!(
            addresses::create_address,
            addresses::list_addresses
        ))
        .routes(routes!(
            addresses::get_address,
            addresses::update_address,
            addresses::delete_address
        ))
        .routes(routes!(clients::get_risk_profile))
        .routes(routes!(checks::create_check, checks::list_checks))
        .routes(routes!(checks::get_check, checks::update_check))
        .routes(routes!(checks::validate_check))
        .routes(routes!(checks::redact_check))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::list_webhook_deliveries))
        .routes(routes!(webhooks::redeliver_webhook))
        .routes(routes!(webhooks::rotate_webhook_secret))
        .routes(routes!(autofill::autofill))
        .routes(routes!(static_data::supported_documents))
        .routes(routes!(static_data::screening_lists))
        .routes(routes!(screening_lists::list_screening_list_deltas))
        .routes(routes!(screening_lists::get_screening_list_delta))
        .routes(routes!(
            custom_lists::create_custom_list,
            custom_lists::list_custom_lists
        ))
        .routes(routes!(
            custom_lists::get_custom_list,
            custom_lists::update_custom_list,
            custom_lists::delete_custom_list
        ))
        .routes(routes!(
            custom_lists::add_custom_list_record,
            custom_lists::list_custom_list_records
        ))
        .routes(routes!(custom_lists::delete_custom_list_record))
        .routes(routes!(team_members::list_team_members))
        .routes(routes!(team_members::get_team_member))
        .routes(routes!(audit_logs::list_audit_logs))
        .routes(routes!(audit_logs::get_audit_log))
        .routes(routes!(account::get_account_info))
        .routes(routes!(
            reports::generate_report,
            reports::generate_report_post
        ))
        .routes(routes!(lookups::search_companies))
        .routes(routes!(lookups::get_company))
        .routes(routes!(lookups::search_addresses))
        .routes(routes!(workflow_sessions::list_workflow_sessions))
        .routes(routes!(workflow_sessions::get_workflow_session))
        .routes(routes!(workflow_sessions::complete_workflow_session))
        .routes(routes!(
            workflow_templates::create_workflow_template,
            workflow_templates::list_workflow_templates
        ))
        .routes(routes!(
            workflow_templates::get_workflow_template,
            workflow_templates::update_workflow_template,
            workflow_templates::delete_workflow_template
        ))
        .routes(routes!(tokens::create_token))
        .routes(routes!(flow::create_flow_session))
        .routes(routes!(
            documents::create_document,
            documents::list_documents
        ))
        .routes(routes!(
            documents::get_document,
            documents::update_document,
            documents::delete_document
        ))
        .routes(routes!(documents::upload_document_image))
        .routes(routes!(documents::download_document_image))
        .routes(routes!(documents::download_document_image_by_id))
        .routes(routes!(documents::delete_document_image))
        .routes(routes!(documents::redact_document))
        .routes(routes!(
            live_media::upload_live_photo,
            live_media::list_live_photos
        ))
        .routes(routes!(
            live_media::get_live_photo,
            live_media::delete_live_photo
        ))
        .routes(routes!(live_media::download_live_photo))
        .routes(routes!(live_media::redact_live_photo))
        .routes(routes!(
            live_media::create_live_video,
            live_media::list_live_videos
        ))
        .routes(routes!(
            live_media::get_live_video,
            live_media::delete_live_video
        ))
        .routes(routes!(live_media::redact_live_video))
        .split_for_parts();
    // The capture API: SDK tokens instead of API keys, and CORS for the token's sites.
    let (sdk, sdk_doc) = OpenApiRouter::new()
        .routes(routes!(sdk::session))
        .routes(routes!(sdk::create_document))
        .routes(routes!(sdk::upload_document_image))
        .routes(routes!(sdk::upload_live_photo))
        .routes(routes!(sdk::create_live_video))
        .routes(routes!(sdk::create_check))
        .split_for_parts();
    let mut doc = doc;
    doc.merge(sdk_doc);
    let doc = finish(doc);
    // `Router::layer` boxes each route once per call, and each box costs every request an
    // allocation and a clone: each part's layers go on in one call. Layers run outside in:
    // metrics first, then the key is checked (and the caller known) before the idempotency key
    // is looked at.
    let record = metrics::RecordLayer {
        metrics: state.metrics.clone(),
    };
    let v1 = v1
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(
            ServiceBuilder::new()
                .layer(record.clone())
                .layer(RequireKeyLayer {
                    state: state.clone(),
                })
                .layer(IdempotencyLayer {
                    state: state.clone(),
                }),
        );
    let sdk = sdk
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(
            ServiceBuilder::new()
                .layer(record.clone())
                .layer(from_fn_with_state(state.clone(), require_sdk_token)),
        );
    let rest = Router::new()
        .merge(SwaggerUi::new("/docs").url("/v1/openapi.json", doc))
        .merge(hosted_flow(&state))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(record.clone());
    let app = Router::new().merge(v1).merge(sdk).merge(rest);
    with_edge(app, state, record)
}

/// The hosted flow: its pages, their script and style, and the JSON endpoints they call.
fn hosted_flow(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/flow/{token}/documents", post(flow_api::create_document))
        .route(
            "/flow/{token}/documents/{id}/upload/{side}",
            post(flow_api::upload_document_image),
        )
        .route(
            "/flow/{token}/livePhotos",
            post(flow_api::upload_live_photo),
        )
        .route(
            "/flow/{token}/liveVideos",
            post(flow_api::create_live_video),
        )
        .route("/flow/{token}/finish", post(flow_api::finish))
        .route("/flow/{token}/cancel", post(flow_api::cancel))
        .route_layer(from_fn_with_state(state.clone(), flow_api::gate))
        .route("/flow/{token}", get(flow_pages::flow_page))
        .route("/flow-assets/flow.js", get(flow_pages::script))
        .route("/flow-assets/flow.css", get(flow_pages::style))
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
}

/// The outer middleware: trailing-slash tolerance, wire-shaped 404s (recorded by `record`), the
/// body limit and the panic catcher.
///
/// `Router::layer` wraps every route on its own, and a route's whole stack is cloned (one boxed
/// service per layer call) on each request. So only the layers that need the matched route
/// (metrics) or apply to some routes (keys, tokens) are added that way; the rest wrap the router
/// once, as one service.
fn with_edge(app: Router<AppState>, state: AppState, record: metrics::RecordLayer) -> Router {
    let limit = state.config.max_body_bytes;
    let unknown = ServiceBuilder::new()
        .layer(record)
        .service_fn(|_: Request<Body>| async {
            Ok::<_, Infallible>(ApiError::unknown_endpoint().into_response())
        });
    let routed = app.fallback_service(unknown).with_state(state);
    // The official Node SDK sends `POST /v1/webhooks/` (a trailing slash on every collection
    // path); API paths are trimmed before routing, so both spellings reach the same handler.
    let trimmed = ServiceBuilder::new()
        .map_request(trim_api_trailing_slash)
        .service(routed);
    let edge = ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(on_panic))
        .service(LimitBodies {
            limited: DefaultBodyLimit::max(limit).layer(trimmed.clone()),
            plain: trimmed,
        });
    Router::new().fallback_service(edge)
}

/// The body limit on the requests that carry a body. axum passes the limit to the extractors
/// as a request extension; a GET without it keeps its extension map one entry smaller, which
/// spares the map a regrowth on every read.
#[derive(Clone)]
struct LimitBodies<L, P> {
    limited: L,
    plain: P,
}

impl<L, P, F> Service<Request<Body>> for LimitBodies<L, P>
where
    L: Service<Request<Body>, Response = Response, Error = Infallible, Future = F>,
    P: Service<Request<Body>, Response = Response, Error = Infallible, Future = F>,
    F: Future<Output = Result<Response, Infallible>>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = F;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both are the same router (always ready), one with the limit's layer.
        match self.limited.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.plain.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, request: Request<Body>) -> F {
        let bodiless = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS | Method::TRACE
        );
        if bodiless {
            self.plain.call(request)
        } else {
            self.limited.call(request)
        }
    }
}

/// Only under `/v1/`: the docs page redirects `/docs` to `/docs/` and must keep its slash.
fn trim_api_trailing_slash(mut request: Request<Body>) -> Request<Body> {
    let path = request.uri().path();
    if path.len() > "/v1/".len() && path.starts_with("/v1/") && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let rebuilt = match request.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        if let Ok(uri) = rebuilt.parse() {
            *request.uri_mut() = uri;
        }
    }
    request
}

fn on_panic(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    ApiError::internal().into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use clearance_core::clock::SystemClock;
    use clearance_core::resources::Rules;
    use clearance_core::service::Services;
    use clearance_core::store::Store;
    use tower::ServiceExt;

    use super::*;
    use crate::state::ApiConfig;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_without_the_panic_text() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(
            clearance_store_sqlite::open(&dir.path().join("db"))
                .await
                .unwrap(),
        );
        let blobs = Arc::new(clearance_core::blobs::MemoryBlobs::default());
        let services = Services::new(store, blobs, Arc::new(SystemClock), Rules::default());
        let state = AppState::new(services, ApiConfig::default());
        async fn boom() -> &'static str {
            panic!("secret personal data");
        }
        let app = Router::new().route("/boom", get(boom));
        let record = metrics::RecordLayer {
            metrics: state.metrics.clone(),
        };
        let response = with_edge(app, state, record)
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["type"], "internal_server_error");
        assert!(!String::from_utf8_lossy(&bytes).contains("secret"));
    }
}
