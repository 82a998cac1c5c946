//! Team members, audit logs and account information: `clearance_core::account` and
//! `clearance_core::audit` types.

use crate::routes::list::{ListPage, ListQuery};
use clearance_core::typed::Created;

pub use clearance_core::account::AccountInfo;

/// A member of the account's team.
pub type TeamMember = Created<clearance_core::account::TeamMemberBody>;

/// An audit-log entry (`diff` only on the single-entry read).
pub type AuditLog = Created<clearance_core::audit::AuditLog>;

/// A page of team members.
pub type TeamMemberList = ListPage<TeamMember>;
/// A page of audit-log entries (without their `diff`).
pub type AuditLogList = ListPage<AuditLog>;

/// The query of `GET /v1/teamMembers`.
pub type TeamMemberQuery = ListQuery<clearance_core::account::TeamMemberBody>;
/// The query of `GET /v1/auditLogs`.
pub type AuditLogQuery = ListQuery<clearance_core::audit::AuditLog>;
