//! Accounts, their API keys and their team members.

use serde::{Deserialize, Serialize};

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

wire_enum! {
    /// The roles a team member may have.
    pub enum Role {
        Owner = "owner",
        Administrator = "administrator",
        Developer = "developer",
        Analyst = "analyst",
        SupportSpecialist = "support-specialist",
        ViewOnly = "view-only",
    }
}

/// The roles a team member may have.
pub const ROLES: &[&str] = Role::NAMES;

/// A member of the account's team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TeamMember))]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberBody {
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

/// Account information.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub username: String,
    pub plan: String,
    /// Absent: a self-hosted account has no credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_credit: Option<f64>,
}

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
    pub fn body(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut body = crate::typed::encode(&TeamMemberBody {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            role: Role::parse(&self.role).unwrap_or(Role::ViewOnly),
        });
        // A role this server does not know (an older or newer one) is kept as it was given.
        body.insert("role".into(), self.role.clone().into());
        body
    }
}
