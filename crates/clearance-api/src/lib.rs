//! Clearance's HTTP layer: the ComplyCube-compatible `/v1` API (thin handlers over the domain
//! services), authentication, rate limiting, the wire error, metrics and the OpenAPI document.

mod auth;
mod body;
mod error;
mod idempotency;
mod metrics;
mod openapi;
mod rate_limit;
mod router;
mod routes;
mod sdk_auth;
mod state;
mod wire;

pub use error::ApiError;
pub use router::router;
pub use state::{ApiConfig, AppState};
