//! Flow sessions: create one (answering the opaque token of its link, shown once) and look it
//! up again from that token.

use serde_json::{Map, Value};

use super::Services;
use crate::audit::{self, Action, Actor};
use crate::error::{CoreError, Result};
use crate::events::workflow_session_event;
use crate::fields::as_object;
use crate::ids::{new_resource_id, random_alphanumeric};
use crate::keys::hash_key;
use crate::resources::client::Client;
use crate::resources::flow_session::{
    self, FlowLinkRecord, FlowSession, FlowStatus, SESSION_TTL_MS,
};
use crate::resources::workflow_session::WorkflowSession;
use crate::resources::workflow_template::WorkflowTemplate;
use crate::scope::{Mode, Scope};
use crate::store::{Change, Resource, ResourceKind};
use crate::time::parse_time_filter;
use crate::typed;

/// Where link records live: they are looked up before the account is known.
fn link_scope() -> Scope {
    Scope::new("_system", Mode::Live)
}

/// Length of the opaque token in a flow link (about 238 bits).
const LINK_TOKEN_LEN: usize = 40;

/// A session reached through its link: where it lives and what it is.
#[derive(Clone, Debug)]
pub struct LinkedSession {
    pub id: String,
    pub scope: Scope,
    pub session: FlowSession,
}

/// Where a flow link leads.
#[derive(Clone, Debug)]
pub enum FlowLink {
    /// A live session the client can still complete.
    Open(LinkedSession),
    /// A session the client has finished (its link no longer opens the pages).
    Completed(LinkedSession),
    /// An unknown token, an expired session, or one whose client was deleted.
    Closed,
}

impl Services {
    /// Creates a flow session for a client of this scope; answers it and its link token.
    pub async fn create_flow_session(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<(Resource, String)> {
        let input = as_object(input, None)?;
        let now = self.now_ms();
        let template = match flow_session::requested_template(input)? {
            Some(id) => {
                let stored = self
                    .store
                    .get(scope, ResourceKind::WorkflowTemplate, &id)
                    .await?
                    .ok_or_else(|| {
                        CoreError::invalid(
                            "workflowTemplateId",
                            format!("'workflowTemplateId': there is no workflow template '{id}'"),
                        )
                    })?;
                Some((id, typed::decode::<WorkflowTemplate>(&stored)?))
            }
            None => None,
        };
        let mut session = flow_session::validate_create(
            input,
            now,
            template.as_ref().map(|(id, t)| (id.as_str(), t)),
        )?;
        let client = self.require_client(scope, &session.client_id).await?;
        let session_id = new_resource_id(now);
        let mut extra = Vec::new();
        if let Some((template_id, template)) = &template {
            let entity_name = typed::decode::<Client>(&client).ok().map(|c| c.entity_name);
            let workflow = WorkflowSession::start(
                template_id,
                template,
                &session.client_id,
                entity_name,
                &session_id,
                session.progress.expires_at.clone(),
            );
            let workflow = Resource {
                id: new_resource_id(now),
                scope: scope.clone(),
                kind: ResourceKind::WorkflowSession,
                client_id: Some(session.client_id.clone()),
                created_at: now,
                updated_at: now,
                version: 1,
                body: typed::encode(&workflow),
            };
            session.workflow_session_id = Some(workflow.id.clone());
            extra.push(Change::Insert(audit::entry(
                scope,
                actor,
                Action::Create,
                &workflow,
                &Map::new(),
                &workflow.body,
                now,
            )));
            extra.push(Change::Event(workflow_session_event(
                &workflow,
                "workflow.session.started",
                now,
            )));
            extra.push(Change::Insert(workflow));
        }
        let session = Resource {
            id: session_id,
            scope: scope.clone(),
            kind: ResourceKind::FlowSession,
            client_id: Some(session.client_id.clone()),
            created_at: now,
            updated_at: now,
            version: 1,
            body: typed::encode(&session),
        };
        let token = random_alphanumeric(LINK_TOKEN_LEN);
        let link = Resource {
            id: hash_key(&token),
            scope: link_scope(),
            kind: ResourceKind::FlowLink,
            client_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
            body: typed::encode(&FlowLinkRecord {
                account_id: scope.account_id.clone(),
                mode: scope.mode,
                session_id: session.id.clone(),
            }),
        };
        let entry = audit::entry(
            scope,
            actor,
            Action::Create,
            &session,
            &Map::new(),
            &session.body,
            now,
        );
        let mut changes = vec![
            Change::Insert(session.clone()),
            Change::Insert(link),
            Change::Insert(entry),
        ];
        changes.extend(extra);
        self.commit(changes).await?;
        Ok((session, token))
    }

    /// What a link token leads to.
    pub async fn look_up_flow(&self, token: &str) -> Result<FlowLink> {
        if token.len() != LINK_TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(FlowLink::Closed);
        }
        let Some(link) = self
            .store
            .get(&link_scope(), ResourceKind::FlowLink, &hash_key(token))
            .await?
        else {
            return Ok(FlowLink::Closed);
        };
        let link: FlowLinkRecord = typed::decode(&link)?;
        let scope = Scope::new(link.account_id, link.mode);
        let Some(stored) = self
            .store
            .get(&scope, ResourceKind::FlowSession, &link.session_id)
            .await?
        else {
            return Ok(FlowLink::Closed);
        };
        let client = stored.client_id.as_deref().unwrap_or_default();
        if self
            .store
            .get(&scope, ResourceKind::Client, client)
            .await?
            .is_none()
        {
            return Ok(FlowLink::Closed);
        }
        let session: FlowSession = typed::decode(&stored)?;
        let completed = session.progress.status == FlowStatus::Completed;
        // The stored expiry, and never later than the TTL allows.
        let expires = parse_time_filter(&session.progress.expires_at)
            .unwrap_or(i64::MAX)
            .min(stored.created_at + SESSION_TTL_MS);
        let linked = LinkedSession {
            id: stored.id,
            scope,
            session,
        };
        if completed {
            return Ok(FlowLink::Completed(linked));
        }
        if self.now_ms() >= expires {
            return Ok(FlowLink::Closed);
        }
        Ok(FlowLink::Open(linked))
    }
}
