//! What an SDK token may start for its one client: checks of the types it was issued for, a
//! bounded number of times, whose linked resources all belong to that client, with the server's
//! default options. A foreign resource is answered as if it did not exist.

use serde_json::{Map, Value, json};

use super::Services;
use super::checks::NewCheck;
use super::tokens::SdkSession;
use crate::audit::Actor;
use crate::checks::CheckType;
use crate::checks::input::parse_create;
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::store::{Change, Resource, ResourceKind, StoreError};

/// The fields of a check request that name another resource, and what they name.
const LINKS: &[(&str, ResourceKind)] = &[
    ("documentId", ResourceKind::Document),
    ("livePhotoId", ResourceKind::LivePhoto),
    ("liveVideoId", ResourceKind::LiveVideo),
    ("addressId", ResourceKind::Address),
];

/// Attempts at counting a check against its token when another request of the same token
/// counted one at the same moment.
const COUNT_ATTEMPTS: usize = 32;

impl Services {
    /// Creates a check for the token's client. The request's `clientId` is replaced by the
    /// token's client; a linked resource of another client, account or mode is `NotFound`,
    /// exactly like a missing one. A type the token was not issued for, or a check past the
    /// token's bound, is `Forbidden`. The check and the token's count are written together.
    pub async fn create_client_check(
        &self,
        session: &SdkSession,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let (scope, client_id) = (&session.scope, session.client_id.as_str());
        let mut body = as_object(input, None)?.clone();
        // The person being verified holds the token: options such as `screeningListsScope` or
        // `screeningNameSearchMode` would let them choose how they are screened. A capture
        // check runs with the server's defaults.
        if body.get("options").is_some_and(|o| !o.is_null()) {
            return Err(CoreError::invalid(
                "options",
                "A check started with an SDK token takes no options; create the check with an API key to set them",
            ));
        }
        // Foreign ids are refused before anything else, whatever the check type, so a token
        // learns nothing about resources it does not own.
        for (param, kind) in LINKS {
            let Some(Value::String(id)) = body.get(*param) else {
                continue;
            };
            if id.is_empty() {
                continue;
            }
            match self.store.get(scope, *kind, id).await? {
                Some(r) if r.client_id.as_deref() == Some(client_id) => {}
                _ => return Err(CoreError::not_found(kind.label(), id.clone())),
            }
        }
        // A type the token was not issued for is refused whatever else the body says; an
        // unknown type is left to the usual validation.
        if let Some(kind) = body
            .get("type")
            .and_then(Value::as_str)
            .and_then(CheckType::parse)
            && !session.check_types.contains(&kind)
        {
            return Err(CoreError::Forbidden(format!(
                "This SDK token may not start a {}; issue the token with it in 'checkTypes', or create the check with an API key",
                kind.as_str()
            )));
        }
        body.insert("clientId".into(), Value::String(client_id.to_string()));
        let request = parse_create(&body)?;
        for attempt in 1..=COUNT_ATTEMPTS {
            let NewCheck { check, mut changes } =
                self.prepare_check(scope, actor, request.clone()).await?;
            changes.push(self.count_against(session).await?);
            match self.commit(changes).await {
                Ok(()) => {
                    (self.on_enqueue)();
                    return Ok(check);
                }
                // Another check of the same token was counted in between: count again.
                Err(StoreError::Conflict(_)) if attempt < COUNT_ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CoreError::internal(
            "the SDK token's check count kept changing",
        ))
    }

    /// The write that counts one more check against the token, or `Forbidden` when it has
    /// started all it may.
    async fn count_against(&self, session: &SdkSession) -> Result<Change> {
        let max = i64::from(self.rules.sdk_token_max_checks);
        let stored = self
            .store
            .get(&session.scope, ResourceKind::SdkTokenUse, &session.token_id)
            .await?;
        let now = self.now_ms();
        let Some(mut used) = stored else {
            if max == 0 {
                return Err(limit_reached(max));
            }
            return Ok(Change::Insert(Resource {
                id: session.token_id.clone(),
                scope: session.scope.clone(),
                kind: ResourceKind::SdkTokenUse,
                client_id: Some(session.client_id.clone()),
                created_at: now,
                updated_at: now,
                version: 1,
                body: checks_started(1),
            }));
        };
        let started = used.body.get("checks").and_then(Value::as_i64).unwrap_or(0);
        if started >= max {
            return Err(limit_reached(max));
        }
        used.body = checks_started(started + 1);
        used.version += 1;
        used.updated_at = now;
        Ok(Change::Update(used))
    }
}

fn checks_started(n: i64) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("checks".into(), json!(n));
    body
}

fn limit_reached(max: i64) -> CoreError {
    CoreError::Forbidden(format!(
        "This SDK token has started the {max} checks it may start; issue a new token"
    ))
}
