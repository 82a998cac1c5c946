//! Accounts, their API keys and their team members.

use serde_json::{Value, json};

use crate::scope::Mode;

/// A tenant. Every resource belongs to exactly one account and one mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

/// A stored API key: only its SHA-256 hash and a short hint are kept.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKey {
    pub id: String,
    pub account_id: String,
    pub mode: Mode,
    pub hash: String,
    /// The first characters of the key, enough to tell keys apart in `keys list`.
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// The roles a team member may have.
pub const ROLES: &[&str] = &[
    "owner",
    "administrator",
    "developer",
    "analyst",
    "support-specialist",
    "view-only",
];

/// A person with access to the account (read-only through the API).
#[derive(Clone, Debug, PartialEq)]
pub struct TeamMember {
    pub id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub created_at: i64,
}

impl TeamMember {
    /// The stored body of the team member resource.
    pub fn body(&self) -> serde_json::Map<String, Value> {
        let v = json!({
            "firstName": self.first_name,
            "lastName": self.last_name,
            "role": self.role,
        });
        v.as_object().cloned().unwrap_or_default()
    }
}
