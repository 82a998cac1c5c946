//! Finishing a flow session: the client has consented and captured what the session's checks
//! need; create those checks and close the link.
//!
//! Idempotent: the session is claimed (`finishing`) before any check is made, each check is
//! created in the same transaction that records it on the session, and a retry after a failure
//! skips the recorded ones. Finishing a completed session answers the recorded outcome again.

use serde_json::Value;

use super::Services;
use super::checks::NewCheck;
use super::flow::{FlowLink, LinkedSession};
use crate::audit::Actor;
use crate::checks::CheckType;
use crate::checks::input::{CheckRequest, Links};
use crate::checks::kinds::Link;
use crate::error::{CoreError, Result};
use crate::fields::{Reader, as_object};
use crate::resources::flow_session::{FlowCheck, FlowSession, FlowStatus, Needs};
use crate::resources::workflow_session::WorkflowSession;
use crate::resources::workflow_template::Task;
use crate::scope::Scope;
use crate::store::{ResourceKind, StoreError};
use crate::time::format_timestamp;
use crate::typed;

/// A claim older than this is taken to be from a finisher that died, and may be taken over.
const CLAIM_TTL_MS: i64 = 2 * 60 * 1000;

const KIND: ResourceKind = ResourceKind::FlowSession;

/// What a finished session answers: where to send the client, and the checks made.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowOutcome {
    pub redirect_url: String,
    pub check_ids: Vec<String>,
}

/// The captures a finish request names.
#[derive(Debug, Default)]
struct Captures {
    document_id: Option<String>,
    address_document_id: Option<String>,
    live_photo_id: Option<String>,
    live_video_id: Option<String>,
}

fn read_captures(input: &Value, needs: Needs) -> Result<Captures> {
    let r = Reader::new(as_object(input, None)?);
    if r.opt_bool("consent")? != Some(true) {
        return Err(CoreError::invalid(
            "consent",
            "'consent' must be true: the client has to agree before checks are made",
        ));
    }
    let capture = |key: &str, needed: bool| -> Result<Option<String>> {
        match r.opt_str(key, 64)? {
            None if needed => Err(CoreError::invalid(
                key,
                format!("'{key}' must be provided for this session's checks"),
            )),
            Some(_) if !needed => Err(CoreError::invalid(
                key,
                format!("'{key}' is not used by this session's checks"),
            )),
            value => Ok(value),
        }
    };
    Ok(Captures {
        document_id: capture("documentId", needs.document)?,
        address_document_id: capture("addressDocumentId", needs.address_document)?,
        live_photo_id: capture("livePhotoId", needs.selfie)?,
        live_video_id: capture("liveVideoId", needs.video)?,
    })
}

fn outcome(session: &FlowSession) -> FlowOutcome {
    FlowOutcome {
        redirect_url: session.success_url.clone(),
        check_ids: session
            .progress
            .checks
            .iter()
            .map(|c| c.id.clone())
            .collect(),
    }
}

/// The check request for one check type of the session: the captures its type takes, the
/// client's consent, and monitoring for screening when the session asks for it. The captures
/// were checked against the session's needs, which are exactly the links its types require.
fn check_request(
    session: &FlowSession,
    check_type: CheckType,
    captures: &Captures,
    task: Option<&Task>,
) -> CheckRequest {
    let document = match check_type {
        CheckType::ProofOfAddress => &captures.address_document_id,
        _ => &captures.document_id,
    };
    let taken = |rule: Link, id: &Option<String>| id.clone().filter(|_| rule != Link::Refused);
    CheckRequest {
        client_id: session.client_id.clone(),
        check_type,
        links: Links {
            document_id: taken(check_type.document(), document),
            address_id: None,
            live_photo_id: taken(check_type.live_photo(), &captures.live_photo_id),
            live_video_id: taken(check_type.live_video(), &captures.live_video_id),
        },
        enable_monitoring: check_type.is_screening()
            && (session.enable_monitoring
                || task.is_some_and(|t| t.enable_monitoring == Some(true))),
        client_consent: Some(true),
        // A workflow's check task carries its options.
        options: task.and_then(|t| t.options.clone()),
    }
}

impl Services {
    /// Finishes the session behind a link token: `None` when the link is unknown, expired or
    /// its client gone; the outcome (again) when it was already finished.
    pub async fn finish_flow_session(
        &self,
        token: &str,
        actor: &Actor,
        input: &Value,
    ) -> Result<Option<FlowOutcome>> {
        let linked = match self.look_up_flow(token).await? {
            FlowLink::Closed => return Ok(None),
            FlowLink::Completed(linked) => return Ok(Some(outcome(&linked.session))),
            FlowLink::Open(linked) => linked,
        };
        let captures = read_captures(input, linked.session.needs())?;
        let LinkedSession { id, scope, .. } = linked;
        let claimed = self.claim(&scope, actor, &id).await?;
        if claimed.progress.status == FlowStatus::Completed {
            return Ok(Some(outcome(&claimed)));
        }
        let workflow = match &claimed.workflow_session_id {
            Some(wf) => self
                .store
                .get(&scope, ResourceKind::WorkflowSession, wf)
                .await?
                .map(|s| typed::decode::<WorkflowSession>(&s))
                .transpose()?,
            None => None,
        };
        match self
            .make_checks(&scope, actor, &id, &claimed, &captures, workflow.as_ref())
            .await
        {
            Ok(()) => {
                let now = self.now_ms();
                let done = self
                    .set_session(&scope, actor, &id, |session| {
                        session.progress.status = FlowStatus::Completed;
                        session.progress.completed_at = Some(format_timestamp(now));
                        session.progress.finishing_ms = None;
                    })
                    .await?;
                if let Some(wf) = &done.workflow_session_id
                    && let Err(e) = self.refresh_workflow_session(&scope, actor, wf).await
                {
                    // Its next read or check repairs it.
                    tracing::warn!(id = %wf, error = %e, "a workflow session was not moved on");
                }
                Ok(Some(outcome(&done)))
            }
            Err(e) => {
                // Give the session back so the client can correct the capture and retry.
                let _ = self
                    .set_session(&scope, actor, &id, |session| {
                        session.progress.status = FlowStatus::Created;
                        session.progress.finishing_ms = None;
                    })
                    .await;
                Err(e)
            }
        }
    }

    /// The client chose cancel in the pages: records it (a session being finished stays as it
    /// is) and tells its workflow session. The link stays open: a client who comes back may
    /// still finish. Answers where to send the client, or `None` when the link is closed.
    pub async fn cancel_flow_session(&self, token: &str, actor: &Actor) -> Result<Option<String>> {
        let linked = match self.look_up_flow(token).await? {
            FlowLink::Open(linked) => linked,
            FlowLink::Completed(_) | FlowLink::Closed => return Ok(None),
        };
        let LinkedSession { id, scope, session } = linked;
        let cancelled = self
            .set_session(&scope, actor, &id, |s| {
                if s.progress.status == FlowStatus::Created {
                    s.progress.finishing_ms = None;
                    s.progress.status = FlowStatus::Cancelled;
                }
            })
            .await?;
        if let Some(wf) = &cancelled.workflow_session_id
            && let Err(e) = self.refresh_workflow_session(&scope, actor, wf).await
        {
            tracing::warn!(id = %wf, error = %e, "a workflow session was not told of the cancel");
        }
        Ok(Some(session.cancel_url))
    }

    /// Marks the session `finishing`; refuses while another finisher holds a fresh claim.
    async fn claim(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<FlowSession> {
        let now = self.now_ms();
        let (_, claimed) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    let session: FlowSession = typed::decode_body(KIND.label(), body)?;
                    let since = session.progress.finishing_ms.unwrap_or_default();
                    match session.progress.status {
                        // Unchanged, so nothing is written.
                        FlowStatus::Completed => Ok(body.clone()),
                        FlowStatus::Finishing if now - since < CLAIM_TTL_MS => {
                            Err(CoreError::Store(StoreError::Conflict(
                                "this session is being finished; try again in a moment".into(),
                            )))
                        }
                        _ => {
                            let mut session = session;
                            session.progress.status = FlowStatus::Finishing;
                            session.progress.finishing_ms = Some(now);
                            Ok(typed::encode(&session))
                        }
                    }
                },
                |_, _, _| Vec::new(),
            )
            .await?;
        typed::decode(&claimed)
    }

    /// Creates each check the session names that is not made yet. A check is committed in the
    /// transaction that records it on the session, guarded by the session's version: a crash
    /// leaves both or neither, never a check the session does not know (which a retry would
    /// make again), and a finisher that raced another re-reads the session and, finding the
    /// type recorded, writes nothing.
    async fn make_checks(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        session: &FlowSession,
        captures: &Captures,
        workflow: Option<&WorkflowSession>,
    ) -> Result<()> {
        let made = &session.progress.checks;
        for &check_type in &session.check_types {
            if made.iter().any(|c| c.check_type == check_type) {
                continue;
            }
            let task = workflow.and_then(|w| w.check_task(check_type));
            let request = check_request(session, check_type, captures, task);
            let NewCheck { check, changes } = self.prepare_check(scope, actor, request).await?;
            let record = FlowCheck {
                check_type,
                id: check.id.clone(),
            };
            let (before, after) = self
                .update_with(
                    scope,
                    actor,
                    KIND,
                    id,
                    |body| {
                        let stored: FlowSession = typed::decode_body(KIND.label(), body)?;
                        if stored
                            .progress
                            .checks
                            .iter()
                            .any(|c| c.check_type == check_type)
                        {
                            // Unchanged, so nothing is written: neither the session nor the check.
                            return Ok(body.clone());
                        }
                        let mut stored = stored;
                        stored.progress.checks.push(record.clone());
                        Ok(typed::encode(&stored))
                    },
                    // Only called when the session changes, so the check goes with its record.
                    |_, _, _| changes.clone(),
                )
                .await?;
            if after.version != before.version {
                (self.on_enqueue)();
            }
        }
        Ok(())
    }

    /// Applies `change` to the stored session; answers the session after it.
    async fn set_session(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        change: impl Fn(&mut FlowSession),
    ) -> Result<FlowSession> {
        let (_, after) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    typed::change(KIND.label(), body, |mut session: FlowSession| {
                        change(&mut session);
                        Ok(session)
                    })
                },
                |_, _, _| Vec::new(),
            )
            .await?;
        typed::decode(&after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session(check_types: Value, monitoring: bool) -> FlowSession {
        let body = json!({"clientId": "c1", "checkTypes": check_types,
            "enableMonitoring": monitoring,
            "successUrl": "https://example.com/ok", "cancelUrl": "https://example.com/no"});
        crate::resources::flow_session::validate_create(body.as_object().unwrap(), 0, None).unwrap()
    }

    fn all_captures() -> Captures {
        Captures {
            document_id: Some("doc".into()),
            address_document_id: Some("bill".into()),
            live_photo_id: Some("photo".into()),
            live_video_id: Some("video".into()),
        }
    }

    #[test]
    fn each_request_links_what_its_type_requires_and_nothing_it_refuses() {
        let all = crate::resources::flow_session::FLOW_CHECK_TYPES;
        let names: Vec<_> = all.iter().map(|t| t.as_str()).collect();
        let session = session(json!(names), true);
        for check_type in all {
            let needs = Needs::of([check_type]);
            let only_needed = Captures {
                document_id: Some("doc".into()).filter(|_| needs.document),
                address_document_id: Some("bill".into()).filter(|_| needs.address_document),
                live_photo_id: Some("photo".into()).filter(|_| needs.selfie),
                live_video_id: Some("video".into()).filter(|_| needs.video),
            };
            for captures in [only_needed, all_captures()] {
                let request = check_request(&session, check_type, &captures, None);
                let links = &request.links;
                for (rule, link) in [
                    (check_type.document(), &links.document_id),
                    (check_type.live_photo(), &links.live_photo_id),
                    (check_type.live_video(), &links.live_video_id),
                ] {
                    match rule {
                        Link::Required => assert!(link.is_some(), "{check_type:?}"),
                        Link::Refused => assert!(link.is_none(), "{check_type:?}"),
                        Link::Optional => {}
                    }
                }
                assert_eq!(request.enable_monitoring, check_type.is_screening());
                assert_eq!(request.client_consent, Some(true));
                assert_eq!(request.client_id, "c1");
            }
        }
    }

    #[test]
    fn proof_of_address_takes_the_address_document() {
        let session = session(json!(["document_check", "proof_of_address_check"]), false);
        let poa = check_request(&session, CheckType::ProofOfAddress, &all_captures(), None);
        assert_eq!(poa.links.document_id.as_deref(), Some("bill"));
        let doc = check_request(&session, CheckType::Document, &all_captures(), None);
        assert_eq!(doc.links.document_id.as_deref(), Some("doc"));
        assert!(!doc.enable_monitoring);
    }
}
