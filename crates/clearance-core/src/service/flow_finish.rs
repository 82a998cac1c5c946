//! Finishing a flow session: the client has consented and captured what the session's checks
//! need; create those checks and close the link.
//!
//! Idempotent: the session is claimed (`finishing`) before any check is made, each created
//! check is recorded on the session at once, and a retry after a failure skips the recorded
//! ones. Finishing a completed session answers the recorded outcome again.

use serde_json::{Map, Value, json};

use super::Services;
use super::flow::FlowLink;
use crate::audit::Actor;
use crate::checks::CheckType;
use crate::checks::kinds::Link;
use crate::error::{CoreError, Result};
use crate::fields::{Reader, as_object};
use crate::resources::flow_session::{Needs, check_types};
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind, StoreError};
use crate::time::format_timestamp;

/// A claim older than this is taken to be from a finisher that died, and may be taken over.
const CLAIM_TTL_MS: i64 = 2 * 60 * 1000;

/// What a finished session answers: where to send the client, and the checks made.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowOutcome {
    pub redirect_url: String,
    pub check_ids: Vec<String>,
}

/// The captures a finish request names.
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

fn status(session: &Map<String, Value>) -> &str {
    session
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The `{type, id}` of the checks already made for a session.
fn made(session: &Map<String, Value>) -> Vec<Value> {
    session
        .get("checks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn outcome(session: &Resource) -> FlowOutcome {
    FlowOutcome {
        redirect_url: session
            .body
            .get("successUrl")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        check_ids: made(&session.body)
            .iter()
            .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_string))
            .collect(),
    }
}

/// The `POST /v1/checks` body for one check type of the session.
fn check_request(
    session: &Resource,
    check_type: CheckType,
    captures: &Captures,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("clientId".into(), json!(session.client_id));
    out.insert("type".into(), json!(check_type.as_str()));
    out.insert("clientConsent".into(), json!(true));
    let document = match check_type {
        CheckType::ProofOfAddress => &captures.address_document_id,
        _ => &captures.document_id,
    };
    let link = |id: &Option<String>| id.as_ref().map(|v| json!(v));
    for (key, rule, value) in [
        ("documentId", check_type.document(), link(document)),
        (
            "livePhotoId",
            check_type.live_photo(),
            link(&captures.live_photo_id),
        ),
        (
            "liveVideoId",
            check_type.live_video(),
            link(&captures.live_video_id),
        ),
    ] {
        if rule != Link::Refused
            && let Some(value) = value
        {
            out.insert(key.into(), value);
        }
    }
    let monitoring = session.body.get("enableMonitoring") == Some(&json!(true));
    if check_type.is_screening() && monitoring {
        out.insert("enableMonitoring".into(), json!(true));
    }
    out
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
        let session = match self.look_up_flow(token).await? {
            FlowLink::Closed => return Ok(None),
            FlowLink::Completed(session) => return Ok(Some(outcome(&session))),
            FlowLink::Open(session) => session,
        };
        let needs = Needs::of(check_types(&session.body));
        let captures = read_captures(input, needs)?;
        let scope = session.scope.clone();
        let claimed = self.claim(&scope, actor, &session.id).await?;
        if status(&claimed.body) == "completed" {
            return Ok(Some(outcome(&claimed)));
        }
        match self.make_checks(&scope, actor, &claimed, &captures).await {
            Ok(()) => {
                let now = self.now_ms();
                let (_, done) = self
                    .set_session(&scope, actor, &session.id, |body| {
                        body.insert("status".into(), json!("completed"));
                        body.insert("completedAt".into(), json!(format_timestamp(now)));
                        body.remove("finishingMs");
                    })
                    .await?;
                Ok(Some(outcome(&done)))
            }
            Err(e) => {
                // Give the session back so the client can correct the capture and retry.
                let _ = self
                    .set_session(&scope, actor, &session.id, |body| {
                        body.insert("status".into(), json!("created"));
                        body.remove("finishingMs");
                    })
                    .await;
                Err(e)
            }
        }
    }

    /// Marks the session `finishing`; refuses while another finisher holds a fresh claim.
    async fn claim(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<Resource> {
        let now = self.now_ms();
        let (_, claimed) = self
            .update_with(
                scope,
                actor,
                ResourceKind::FlowSession,
                id,
                |body| {
                    let since = body
                        .get("finishingMs")
                        .and_then(Value::as_i64)
                        .unwrap_or_default();
                    match status(body) {
                        "completed" => Ok(body.clone()),
                        "finishing" if now - since < CLAIM_TTL_MS => {
                            Err(CoreError::Store(StoreError::Conflict(
                                "this session is being finished; try again in a moment".into(),
                            )))
                        }
                        _ => {
                            let mut body = body.clone();
                            body.insert("status".into(), json!("finishing"));
                            body.insert("finishingMs".into(), json!(now));
                            Ok(body)
                        }
                    }
                },
                |_, _, _| Vec::new(),
            )
            .await?;
        Ok(claimed)
    }

    /// Creates each check the session names that is not made yet, recording each at once.
    async fn make_checks(
        &self,
        scope: &Scope,
        actor: &Actor,
        session: &Resource,
        captures: &Captures,
    ) -> Result<()> {
        let done: Vec<String> = made(&session.body)
            .iter()
            .filter_map(|c| c.get("type").and_then(Value::as_str).map(str::to_string))
            .collect();
        for check_type in check_types(&session.body)
            .into_iter()
            .filter_map(CheckType::parse)
        {
            if done.iter().any(|t| t == check_type.as_str()) {
                continue;
            }
            let request = Value::Object(check_request(session, check_type, captures));
            let check = self.create_check(scope, actor, &request).await?;
            self.set_session(scope, actor, &session.id, |body| {
                let mut list = made(body);
                list.push(json!({"type": check_type.as_str(), "id": check.id}));
                body.insert("checks".into(), Value::Array(list));
            })
            .await?;
        }
        Ok(())
    }

    async fn set_session(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        change: impl Fn(&mut Map<String, Value>),
    ) -> Result<(Resource, Resource)> {
        self.update_with(
            scope,
            actor,
            ResourceKind::FlowSession,
            id,
            |body| {
                let mut body = body.clone();
                change(&mut body);
                Ok(body)
            },
            |_, _, _| Vec::new(),
        )
        .await
    }
}
