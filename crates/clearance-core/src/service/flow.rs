//! Flow sessions: create one (answering the opaque token of its link, shown once) and look it
//! up again from that token.

use serde_json::{Map, Value, json};

use super::Services;
use crate::audit::{self, Action, Actor};
use crate::error::Result;
use crate::fields::as_object;
use crate::ids::{new_resource_id, random_alphanumeric};
use crate::keys::hash_key;
use crate::resources::flow_session::{self, SESSION_TTL_MS};
use crate::scope::{Mode, Scope};
use crate::store::{Change, Resource, ResourceKind};
use crate::time::{format_timestamp, parse_time_filter};

/// Where link records live: they are looked up before the account is known.
fn link_scope() -> Scope {
    Scope::new("_system", Mode::Live)
}

/// Length of the opaque token in a flow link (about 238 bits).
const LINK_TOKEN_LEN: usize = 40;

impl Services {
    /// Creates a flow session for a client of this scope; answers it and its link token.
    pub async fn create_flow_session(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<(Resource, String)> {
        let input = as_object(input, None)?;
        let mut body = flow_session::validate_create(input)?;
        let client_id = flow_session::client_id(input)?;
        self.require_client(scope, &client_id).await?;
        let now = self.now_ms();
        body.insert("status".into(), json!("created"));
        body.insert(
            "expiresAt".into(),
            json!(format_timestamp(now + SESSION_TTL_MS)),
        );
        let session = Resource {
            id: new_resource_id(now),
            scope: scope.clone(),
            kind: ResourceKind::FlowSession,
            client_id: Some(client_id),
            created_at: now,
            updated_at: now,
            version: 1,
            body,
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
            body: Map::from_iter([
                ("accountId".to_string(), json!(scope.account_id)),
                ("mode".to_string(), json!(scope.mode.as_str())),
                ("sessionId".to_string(), json!(session.id)),
            ]),
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
        self.store
            .apply(vec![
                Change::Insert(session.clone()),
                Change::Insert(link),
                Change::Insert(entry),
            ])
            .await?;
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
        let field = |k: &str| link.body.get(k).and_then(Value::as_str).unwrap_or_default();
        let Some(mode) = Mode::parse(field("mode")) else {
            return Ok(FlowLink::Closed);
        };
        let scope = Scope::new(field("accountId"), mode);
        let Some(session) = self
            .store
            .get(&scope, ResourceKind::FlowSession, field("sessionId"))
            .await?
        else {
            return Ok(FlowLink::Closed);
        };
        let client = session.client_id.as_deref().unwrap_or_default();
        if self
            .store
            .get(&scope, ResourceKind::Client, client)
            .await?
            .is_none()
        {
            return Ok(FlowLink::Closed);
        }
        if session.body.get("status").and_then(Value::as_str) == Some("completed") {
            return Ok(FlowLink::Completed(session));
        }
        // The stored expiry, and never later than the TTL allows.
        let expires = session
            .body
            .get("expiresAt")
            .and_then(Value::as_str)
            .and_then(parse_time_filter)
            .unwrap_or(i64::MAX)
            .min(session.created_at + SESSION_TTL_MS);
        if self.now_ms() >= expires {
            return Ok(FlowLink::Closed);
        }
        Ok(FlowLink::Open(session))
    }
}

/// Where a flow link leads.
#[derive(Clone, Debug)]
pub enum FlowLink {
    /// A live session the client can still complete.
    Open(Resource),
    /// A session the client has finished (its link no longer opens the pages).
    Completed(Resource),
    /// An unknown token, an expired session, or one whose client was deleted.
    Closed,
}
