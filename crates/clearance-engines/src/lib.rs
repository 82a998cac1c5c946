//! Live-mode verification engines: implementations of the analyser port
//! (`clearance_core::checks::analyser::Analyser`) that really look at the client's files.
//! Test-mode keys never reach these; they get the sandbox simulator.

pub mod bureau;
pub mod document_check;
pub mod faces;
pub mod proof_of_address;
pub mod screening;

pub use bureau::BureauEngine;
pub use document_check::{DocumentCheckEngine, DocumentQualityInspector};
pub use faces::{FaceEngine, FaceSettings};
pub use proof_of_address::ProofOfAddressEngine;
pub use screening::ScreeningEngine;
