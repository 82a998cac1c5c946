//! Team members, audit logs and account information: `clearance_core::account` and
//! `clearance_core::audit` types.

use clearance_core::typed::Created;
use serde::Serialize;
use utoipa::ToSchema;

pub use clearance_core::account::AccountInfo;

/// A member of the account's team.
pub type TeamMember = Created<clearance_core::account::TeamMemberBody>;

/// An audit-log entry (`diff` only on the single-entry read).
pub type AuditLog = Created<clearance_core::audit::AuditLog>;

list_schema!(TeamMemberList, TeamMember);
list_schema!(AuditLogList, AuditLog);
