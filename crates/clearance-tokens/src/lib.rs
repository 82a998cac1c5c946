//! SDK tokens for Clearance's browser and mobile capture API.
//!
//! - [`pattern`]: referrer match patterns with Chrome's match-pattern semantics
//!   (`<scheme>://<host><path>`, `<all_urls>`), which bind a web token to the sites that may use it.
//! - [`app_id`]: iOS / Android bundle identifiers, which bind a mobile token to an app.
//! - [`jwt`]: the token itself, a compact JWS signed with Ed25519 by the newest key of a
//!   [`KeySet`]; every key of the set verifies, so keys rotate without cutting off live tokens.
//! - [`keyfile`]: where the key set lives (a 0600 file in the data folder, created on first use).
//!
//! Nothing here knows about HTTP or storage of resources.

pub mod app_id;
pub mod jwt;
pub mod keyfile;
pub mod pattern;

pub use app_id::{AppIdError, validate_app_id};
pub use jwt::{Binding, KeySet, SdkClaims, TOKEN_TTL_SECS, TokenError};
pub use pattern::{MatchPattern, PatternError};
