//! Checks: the check, its result and the review bodies are `clearance_core::checks` types.

use crate::routes::list::{ListPage, ListQuery};
use clearance_core::typed::Stored;

pub use clearance_core::checks::input::CheckRequest as CheckCreate;
pub use clearance_core::checks::review::{
    CheckRedact, CheckUpdate, CheckValidate, ValidationOutcome,
};

/// A check.
pub type Check = Stored<clearance_core::checks::Check>;

/// A page of checks.
pub type CheckList = ListPage<Check>;

/// The query of `GET /v1/checks`: filters on the check's attributes (`result.outcome` too).
pub type CheckQuery = ListQuery<clearance_core::checks::Check>;
