//! The Clearance server as a library: configuration, store selection and application wiring,
//! shared by the `clearance` binary and the test harness.

pub mod accounts;
pub mod blobs;
pub mod bureau;
pub mod bureau_http;
pub mod coarse_timer;
pub mod config;
pub mod engines;
pub mod fetch;
pub mod housekeeping;
pub mod http_server;
pub mod list_deltas;
pub mod lists;
pub mod reference_data;
pub mod snapshot;
pub mod webhook_sender;
pub mod wiring;
