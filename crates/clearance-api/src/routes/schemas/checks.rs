//! Checks: the check, its result and the review bodies are `clearance_core::checks` types.

use clearance_core::typed::Stored;
use serde::Serialize;
use utoipa::ToSchema;

pub use clearance_core::checks::input::CheckRequest as CheckCreate;
pub use clearance_core::checks::review::{
    CheckRedact, CheckUpdate, CheckValidate, ValidationOutcome,
};

/// A check.
pub type Check = Stored<clearance_core::checks::Check>;

list_schema!(CheckList, Check);
