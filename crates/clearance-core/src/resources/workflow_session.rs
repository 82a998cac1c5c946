//! Workflow sessions (checks-and-more.md §6.2): one run of a workflow template's version for one
//! client, started by `POST /flow/sessions` with `workflowTemplateId`. It keeps a copy of the
//! version it runs, follows its checks, and takes the outcome its policies give once they end.

use serde::{Deserialize, Serialize};

use super::workflow_template::{
    CompliancePolicy, Decision, SessionOutcome, Task, TaskType, WorkflowTemplate,
};
use crate::checks::CheckType;

wire_enum! {
    /// Where a session is: `started` until the client finishes the hosted flow, `processing`
    /// while its checks run, then `complete`; `abandoned` when its link expired unfinished.
    pub enum WorkflowStatus {
        Started = "started",
        Processing = "processing",
        Complete = "complete",
        Abandoned = "abandoned",
        Cancelled = "cancelled",
    }
}

wire_enum! {
    /// Where one task is.
    pub enum TaskStatus {
        Pending = "pending",
        Complete = "complete",
    }
}

/// A task of the session's copy of the template, with its progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionTask {
    #[serde(flatten)]
    pub task: Task,
    pub status: TaskStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

/// A check the session made, and the task it belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelatedCheck {
    pub check_id: String,
    #[serde(rename = "type")]
    pub check_type: CheckType,
    pub task_id: String,
}

/// How one compliance policy came out for the session: whether its checks triggered it, and
/// which.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PolicyAssurance {
    pub name: String,
    pub decision: Decision,
    pub triggered: bool,
    /// The checks whose outcome triggered it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub check_ids: Vec<String>,
}

/// A workflow session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowSession {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
    pub status: WorkflowStatus,
    pub workflow_template_id: String,
    pub workflow_template_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_template_description: Option<String>,
    /// The template the session runs (its id: Clearance has one workflow per template).
    pub workflow_id: String,
    /// The template's version when the session started.
    pub workflow_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_description: Option<String>,
    pub compliance_policies: Vec<CompliancePolicy>,
    /// Each policy's result, once the checks have ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_assurance: Vec<PolicyAssurance>,
    pub tasks: Vec<SessionTask>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completed_task_id: Option<String>,
    #[serde(default)]
    pub all_related_checks: Vec<RelatedCheck>,
    /// `clear`, `review` or `decline`, once `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<SessionOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// The hosted flow session the client completes (Clearance's own field).
    pub flow_session_id: String,
    /// When the flow's link stops working; a session still `started` then is abandoned.
    pub expires_at: String,
}

impl WorkflowSession {
    /// A new session running `template` (its current version).
    pub fn start(
        template_id: &str,
        template: &WorkflowTemplate,
        client_id: &str,
        entity_name: Option<String>,
        flow_session_id: &str,
        expires_at: String,
    ) -> Self {
        WorkflowSession {
            client_id: client_id.into(),
            entity_name,
            status: WorkflowStatus::Started,
            workflow_template_id: template_id.into(),
            workflow_template_name: template.name.clone(),
            workflow_template_description: template.description.clone(),
            workflow_id: template_id.into(),
            workflow_version: template.version,
            workflow_description: template.description.clone(),
            compliance_policies: template.compliance_policies.clone(),
            policy_assurance: Vec::new(),
            tasks: template
                .tasks
                .iter()
                .map(|t| SessionTask {
                    task: t.clone(),
                    status: TaskStatus::Pending,
                    completed_at: None,
                })
                .collect(),
            last_completed_task_id: None,
            all_related_checks: Vec::new(),
            outcome: None,
            completed_at: None,
            flow_session_id: flow_session_id.into(),
            expires_at,
        }
    }

    /// The session's copy of its template version (what decides its outcome).
    pub fn template(&self) -> WorkflowTemplate {
        WorkflowTemplate {
            name: self.workflow_template_name.clone(),
            description: self.workflow_template_description.clone(),
            tasks: self.tasks.iter().map(|t| t.task.clone()).collect(),
            compliance_policies: self.compliance_policies.clone(),
            version: self.workflow_version,
        }
    }

    /// The task running checks of `check_type`.
    pub fn check_task(&self, check_type: CheckType) -> Option<&Task> {
        self.tasks
            .iter()
            .map(|t| &t.task)
            .find(|t| t.kind == TaskType::Check && t.check_type == Some(check_type))
    }

    /// Marks a task complete (once), and as the last one completed.
    pub fn complete_task(&mut self, task_id: &str, at: &str) {
        if let Some(t) = self.tasks.iter_mut().find(|t| t.task.id == task_id)
            && t.status == TaskStatus::Pending
        {
            t.status = TaskStatus::Complete;
            t.completed_at = Some(at.to_string());
            self.last_completed_task_id = Some(task_id.to_string());
        }
    }

    /// Records the client's finish: consent and captures done, the checks made.
    pub fn captured(&mut self, checks: Vec<RelatedCheck>, at: &str) {
        let captures: Vec<String> = self
            .tasks
            .iter()
            .filter(|t| t.task.kind != TaskType::Check)
            .map(|t| t.task.id.clone())
            .collect();
        for id in captures {
            self.complete_task(&id, at);
        }
        self.all_related_checks = checks;
        self.status = WorkflowStatus::Processing;
    }

    /// Records that checks ended (`(check id, outcome)`, `failed` for a failed check); when
    /// every related check has ended, the policies decide the outcome and the session is
    /// complete. Answers whether anything changed.
    pub fn settle(&mut self, ended: &[(String, String)], at: &str) -> bool {
        let before = self.clone();
        let done: Vec<(RelatedCheck, String)> = self
            .all_related_checks
            .iter()
            .filter_map(|r| {
                ended
                    .iter()
                    .find(|(id, _)| *id == r.check_id)
                    .map(|(_, o)| (r.clone(), o.clone()))
            })
            .collect();
        for (related, _) in &done {
            self.complete_task(&related.task_id, at);
        }
        if self.status == WorkflowStatus::Processing && done.len() == self.all_related_checks.len()
        {
            let results: Vec<(CheckType, &str)> = done
                .iter()
                .map(|(r, o)| (r.check_type, o.as_str()))
                .collect();
            let template = self.template();
            let (outcome, _) = template.decide(&results);
            self.policy_assurance = self
                .compliance_policies
                .iter()
                .map(|p| {
                    let check_ids: Vec<String> = done
                        .iter()
                        .filter(|(r, o)| {
                            p.check_type.is_none_or(|t| t == r.check_type)
                                && p.outcomes.iter().any(|po| po == o)
                        })
                        .map(|(r, _)| r.check_id.clone())
                        .collect();
                    PolicyAssurance {
                        name: p.name.clone(),
                        decision: p.decision,
                        triggered: !check_ids.is_empty(),
                        check_ids,
                    }
                })
                .collect();
            self.outcome = Some(outcome);
            self.status = WorkflowStatus::Complete;
            self.completed_at = Some(at.to_string());
        }
        *self != before
    }
}
