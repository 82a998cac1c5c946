//! Checks: the nine verification types, their inputs and options, the analyser port engines
//! implement, the sandbox simulator used by test keys, and manual validation of outcomes.

pub mod analyser;
pub mod input;
pub mod kinds;
pub mod prerequisites;
pub mod review;
pub mod sandbox;

pub use kinds::CheckType;
