//! Workflow templates: create, update (a new version) and delete. Reads and lists are the
//! generic ones.

use serde_json::Value;

use super::Services;
use crate::audit::Actor;
use crate::error::Result;
use crate::fields::as_object;
use crate::resources::workflow_template::{self, WorkflowTemplate};
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind};
use crate::typed;

const KIND: ResourceKind = ResourceKind::WorkflowTemplate;

impl Services {
    /// Creates a template (version 1).
    pub async fn create_workflow_template(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let template = workflow_template::validate_create(as_object(input, None)?)?;
        let now = self.now_ms();
        self.insert(scope, actor, KIND, None, typed::encode(&template), now)
            .await
    }

    /// Changes a template: a new version when anything changed. Sessions already started keep
    /// the version they copied.
    pub async fn update_workflow_template(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let (_, after) = self
            .update(scope, actor, KIND, id, |existing| {
                typed::change(KIND.label(), existing, |t: WorkflowTemplate| {
                    workflow_template::validate_update(&t, patch)
                })
            })
            .await?;
        Ok(after)
    }

    /// Deletes a template; sessions started from it keep their copy.
    pub async fn delete_workflow_template(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
    ) -> Result<()> {
        self.delete(scope, actor, KIND, id, Vec::new()).await
    }
}
