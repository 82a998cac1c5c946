//! API tests: a real server on a real database (SQLite, or PostgreSQL when
//! `CLEARANCE_TEST_DATABASE_URL` is set), driven over HTTP.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

mod addresses;
mod audit_logs;
mod autofill;
mod bureau;
mod checks;
mod checks_live;
mod clients;
mod custom_lists;
mod documents;
mod edge;
mod events;
mod faces;
mod fair_scheduling;
mod flow;
mod flow_finish;
mod flow_links;
mod flow_messages;
mod idempotency;
mod isolation;
mod list_deltas;
mod lists;
mod live_media;
mod lookups;
mod monitoring;
mod nodes;
mod outbox_gaps;
mod platform;
mod proof_of_address;
mod reports;
mod retention;
mod screening;
mod sdk;
mod sdk_capture;
mod sdk_openapi;
mod tokens;
mod webhook_delivery;
mod webhook_drain_race;
mod webhook_nodes;
mod webhook_operations;
mod webhook_secrets;
mod webhooks;
mod workflow_sessions;
mod workflow_templates;

use serde_json::{Value, json};

/// A valid person client body.
pub fn person(first: &str, last: &str) -> Value {
    json!({
        "type": "person",
        "email": format!("{}.{}@example.org", first.to_lowercase(), last.to_lowercase()),
        "personDetails": {"firstName": first, "lastName": last, "dob": "1985-12-10", "nationality": "GB"}
    })
}

/// A valid company client body.
pub fn company(name: &str) -> Value {
    json!({
        "type": "company",
        "email": "compliance@northwind.example",
        "companyDetails": {"name": name, "incorporationCountry": "GB", "incorporationType": "private_limited_company"}
    })
}
