//! Clearance's domain: resources and their validation, the services that change them, and the
//! store port the database adapters implement. Nothing here knows about HTTP or SQL.

#[macro_use]
mod wire_enum;

pub mod account;
pub mod audit;
pub mod autofill;
pub mod blobs;
pub mod bureau;
pub mod checks;
pub mod clock;
pub mod country;
pub mod diff;
pub mod error;
pub mod events;
pub mod faces;
pub mod fields;
pub mod ids;
pub mod inspection;
pub mod keys;
pub mod list;
pub mod lookups;
pub mod merge;
pub mod monitoring;
pub mod proof_of_address;
pub mod report;
pub mod resources;
pub mod risk;
pub mod scope;
pub mod screening_lists;
pub mod service;
pub mod static_data;
pub mod store;
pub mod time;
pub mod typed;

pub use error::{CoreError, Result};
pub use scope::{Mode, Scope};
