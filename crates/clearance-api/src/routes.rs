//! One module per resource; handlers only decode, call a service and encode.

pub mod account;
pub mod addresses;
pub mod audit_logs;
pub mod autofill;
pub mod checks;
pub mod clients;
pub mod custom_lists;
pub mod documents;
pub mod extract;
pub mod flow;
pub mod flow_api;
pub mod flow_pages;
pub mod health;
pub mod list;
pub mod live_media;
pub mod reports;
pub mod schemas;
pub mod screening_lists;
pub mod sdk;
pub mod sdk_schemas;
pub mod static_data;
pub mod team_members;
pub mod tokens;
pub mod webhooks;
pub mod workflow_sessions;
pub mod workflow_templates;
