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
