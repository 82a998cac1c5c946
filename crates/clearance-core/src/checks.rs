//! Checks: the nine verification types, their inputs and options, the typed check and its
//! result, the analyser port engines implement, the sandbox simulator used by test keys, and
//! manual validation of outcomes.

pub mod analyser;
pub mod check;
pub mod input;
pub mod kinds;
pub mod prerequisites;
pub mod result;
pub mod review;
pub mod sandbox;

pub use check::{Check, CheckStatus};
pub use kinds::CheckType;
