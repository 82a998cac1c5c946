//! Workflow templates (Clearance's own API): `clearance_core::resources::workflow_template`.

use crate::body::{NewBody, PatchBody};
use crate::routes::list::{ListPage, ListQuery};
use clearance_core::resources::workflow_template;
use clearance_core::typed::Stored;

/// A workflow template as answered.
pub type WorkflowTemplate = Stored<workflow_template::WorkflowTemplate>;

/// Body of `POST /v1/workflowTemplates`.
pub type WorkflowTemplateCreate = NewBody<workflow_template::WorkflowTemplate>;

/// Body of `POST /v1/workflowTemplates/{id}`: the fields given replace the stored ones.
pub type WorkflowTemplateUpdate = PatchBody<workflow_template::WorkflowTemplate>;

/// A page of workflow templates.
pub type WorkflowTemplateList = ListPage<WorkflowTemplate>;

/// The query of `GET /v1/workflowTemplates`.
pub type WorkflowTemplateQuery = ListQuery<workflow_template::WorkflowTemplate>;

/// A workflow session as answered.
pub type WorkflowSession = Stored<clearance_core::resources::workflow_session::WorkflowSession>;

/// A page of workflow sessions.
pub type WorkflowSessionList = ListPage<WorkflowSession>;

/// The query of `GET /v1/workflowSessions` (`clientId`, `workflowTemplateId`, `status`,
/// `outcome` and any other attribute).
pub type WorkflowSessionQuery =
    ListQuery<clearance_core::resources::workflow_session::WorkflowSession>;

/// What `POST /v1/workflowSessions/{id}/complete` answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WorkflowSessionCompletion {
    /// `processing`, or `complete` when the session's checks have already ended.
    pub status: clearance_core::resources::workflow_session::WorkflowStatus,
}
