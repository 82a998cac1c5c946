//! Workflow sessions follow their hosted flow and their checks: `started` until the client
//! finishes the flow, `processing` while the checks run, `complete` with the outcome the
//! policies give, `abandoned` when the link expired first.
//!
//! A session is brought up to date from the facts (the flow session's state, its checks'
//! states) whenever one of them may have moved: after the flow finishes, after one of the
//! client's checks ends, and when the session is read or completed. Each step is idempotent,
//! so a crash between a check's commit and its session's update is repaired by the next one.

use super::Services;
use crate::audit::Actor;
use crate::checks::{Check, CheckStatus};
use crate::error::{CoreError, Result};
use crate::events::workflow_session_event;
use crate::resources::flow_session::{FlowSession, FlowStatus};
use crate::resources::workflow_session::{RelatedCheck, WorkflowSession, WorkflowStatus};
use crate::scope::Scope;
use crate::store::{Change, ListQuery, Resource, ResourceKind};
use crate::time::{format_timestamp, parse_time_filter};
use crate::typed;

const KIND: ResourceKind = ResourceKind::WorkflowSession;

/// What moved since the session was last written.
struct Facts {
    /// The checks the finished flow made, with their tasks (when it has finished).
    made: Option<Vec<RelatedCheck>>,
    /// Related checks that have ended, with their outcome (`failed` for a failed check).
    ended: Vec<(String, String)>,
    expired: bool,
    /// The client cancelled the flow.
    cancelled: bool,
}

/// The events a session's move from `before` to `after` is told by, in order. One update may
/// pass through several states (the client finished and every check had already ended): each
/// state reached is told, so subscribers always see `processing` before `completed`.
fn event_types(before: &WorkflowSession, after: &WorkflowSession) -> Vec<&'static str> {
    use WorkflowStatus::{Cancelled, Complete, Processing, Started};
    let mut told = Vec::new();
    let was_waiting = matches!(before.status, Started | Cancelled);
    if was_waiting && matches!(after.status, Processing | Complete) {
        told.push("workflow.session.processing");
    }
    if before.status == Started && after.status == Cancelled {
        told.push("workflow.session.cancelled");
    }
    if before.status != Complete && after.status == Complete {
        told.push("workflow.session.completed");
    }
    if told.is_empty() {
        told.push("workflow.session.updated");
    }
    told
}

impl Services {
    /// Reads a session, brought up to date.
    pub async fn workflow_session(&self, scope: &Scope, id: &str) -> Result<Resource> {
        self.refresh_workflow_session(scope, &Actor::default(), id)
            .await
    }

    /// `POST /v1/workflowSessions/:id/complete`: the session's captures are done; its checks
    /// run and its outcome follows. Answers the status: `processing` (or `complete` when the
    /// checks have already ended). A session the client has not finished, or one abandoned or
    /// cancelled, cannot be completed.
    pub async fn complete_workflow_session(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
    ) -> Result<WorkflowStatus> {
        let session = self.refresh_workflow_session(scope, actor, id).await?;
        let status = typed::decode::<WorkflowSession>(&session)?.status;
        match status {
            WorkflowStatus::Processing | WorkflowStatus::Complete => Ok(status),
            other => Err(CoreError::InvalidState {
                code: "workflow_session_not_finished",
                param: "status",
                message: format!(
                    "Workflow session '{id}' is {}: the client has to finish its hosted flow first",
                    other.as_str()
                ),
            }),
        }
    }

    /// Brings every open session of a client up to date (after one of its checks ended: the
    /// flow that made it may not have moved its session yet). Failures are logged: the next
    /// read repairs the session.
    pub(super) async fn settle_workflow_sessions_of(&self, scope: &Scope, client_id: &str) {
        let query = ListQuery {
            client_id: Some(client_id.to_string()),
            ..ListQuery::newest(scope.clone(), KIND, 100)
        };
        let sessions = match self.store.list(&query).await {
            Ok(page) => page.items,
            Err(e) => {
                tracing::warn!(error = %e, "workflow sessions could not be read after a check");
                return;
            }
        };
        let open = |s: &Resource| {
            typed::decode::<WorkflowSession>(s).is_ok_and(|w| {
                !matches!(
                    w.status,
                    WorkflowStatus::Complete | WorkflowStatus::Abandoned
                )
            })
        };
        for session in sessions.into_iter().filter(open) {
            if let Err(e) = self
                .refresh_workflow_session(scope, &Actor::default(), &session.id)
                .await
            {
                tracing::warn!(id = %session.id, error = %e, "a workflow session was not settled");
            }
        }
    }

    /// Applies what moved to the stored session, with its audit entry and event; answers the
    /// session as it is now.
    pub(super) async fn refresh_workflow_session(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
    ) -> Result<Resource> {
        let stored = self.get(scope, KIND, id).await?;
        let session: WorkflowSession = typed::decode(&stored)?;
        // A cancelled session may still be finished: its client can come back to the link.
        if matches!(
            session.status,
            WorkflowStatus::Complete | WorkflowStatus::Abandoned
        ) {
            return Ok(stored);
        }
        let facts = self.facts(scope, &session).await?;
        let now = self.now_ms();
        let at = format_timestamp(now);
        let (_, after) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    let mut s: WorkflowSession = typed::decode_body(KIND.label(), body)?;
                    match (s.status, &facts.made) {
                        (WorkflowStatus::Started | WorkflowStatus::Cancelled, Some(made)) => {
                            s.captured(made.clone(), &at)
                        }
                        (WorkflowStatus::Started, None) if facts.cancelled => {
                            s.status = WorkflowStatus::Cancelled
                        }
                        (WorkflowStatus::Started, None) if facts.expired => {
                            s.status = WorkflowStatus::Abandoned
                        }
                        _ => {}
                    }
                    if s.status == WorkflowStatus::Processing {
                        s.settle(&facts.ended, &at);
                    }
                    Ok(typed::encode(&s))
                },
                |before, after, now| {
                    let (Ok(b), Ok(a)) = (
                        typed::decode::<WorkflowSession>(before),
                        typed::decode::<WorkflowSession>(after),
                    ) else {
                        return Vec::new();
                    };
                    event_types(&b, &a)
                        .into_iter()
                        .map(|t| Change::Event(workflow_session_event(after, t, now)))
                        .collect()
                },
            )
            .await?;
        Ok(after)
    }

    async fn facts(&self, scope: &Scope, session: &WorkflowSession) -> Result<Facts> {
        let flow = self
            .store
            .get(scope, ResourceKind::FlowSession, &session.flow_session_id)
            .await?;
        let flow: Option<FlowSession> = flow.as_ref().map(typed::decode).transpose()?;
        let made = flow
            .as_ref()
            .filter(|f| f.progress.status == FlowStatus::Completed)
            .map(|f| {
                f.progress
                    .checks
                    .iter()
                    .map(|c| RelatedCheck {
                        check_id: c.id.clone(),
                        check_type: c.check_type,
                        task_id: session
                            .check_task(c.check_type)
                            .map(|t| t.id.clone())
                            .unwrap_or_default(),
                    })
                    .collect::<Vec<_>>()
            });
        let cancelled = flow
            .as_ref()
            .is_some_and(|f| f.progress.status == FlowStatus::Cancelled);
        let expired = parse_time_filter(&session.expires_at).is_some_and(|t| self.now_ms() >= t)
            || flow.is_none();
        let related = made.as_ref().unwrap_or(&session.all_related_checks);
        let mut ended = Vec::new();
        for r in related {
            let Some(check) = self
                .store
                .get(scope, ResourceKind::Check, &r.check_id)
                .await?
            else {
                // A deleted check cannot end: it counts as failed, so the session can.
                ended.push((r.check_id.clone(), "failed".to_string()));
                continue;
            };
            let check: Check = typed::decode(&check)?;
            let outcome = match (check.status, &check.result) {
                (CheckStatus::Failed, _) => Some("failed".to_string()),
                (CheckStatus::Complete, Some(result)) => Some(result.outcome.as_str().to_string()),
                _ => None,
            };
            if let Some(o) = outcome {
                ended.push((r.check_id.clone(), o));
            }
        }
        Ok(Facts {
            made,
            ended,
            expired,
            cancelled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::workflow_template::validate_create;
    use serde_json::json;

    fn session(status: WorkflowStatus) -> WorkflowSession {
        let template = validate_create(
            json!({"name": "t", "tasks": [{"type": "consent"},
                {"type": "check", "checkType": "standard_screening_check"}]})
            .as_object()
            .expect("object"),
        )
        .expect("valid");
        let mut s = WorkflowSession::start("t1", &template, "c1", None, "f1", "x".into());
        s.status = status;
        s
    }

    #[test]
    fn a_move_through_several_states_tells_each_in_order() {
        use WorkflowStatus::*;
        let told = |a, b| event_types(&session(a), &session(b));
        assert_eq!(
            told(Started, Complete),
            ["workflow.session.processing", "workflow.session.completed"]
        );
        assert_eq!(
            told(Cancelled, Complete),
            ["workflow.session.processing", "workflow.session.completed"]
        );
        assert_eq!(told(Started, Processing), ["workflow.session.processing"]);
        assert_eq!(told(Processing, Complete), ["workflow.session.completed"]);
        assert_eq!(told(Started, Cancelled), ["workflow.session.cancelled"]);
        assert_eq!(told(Processing, Processing), ["workflow.session.updated"]);
    }
}
