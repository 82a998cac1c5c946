//! What an SDK token may start for its one client: checks whose linked resources all belong to
//! that client, with the server's default options. A foreign resource is answered as if it did
//! not exist.

use serde_json::Value;

use super::Services;
use crate::audit::Actor;
use crate::checks::input::parse_create;
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind};

/// The fields of a check request that name another resource, and what they name.
const LINKS: &[(&str, ResourceKind)] = &[
    ("documentId", ResourceKind::Document),
    ("livePhotoId", ResourceKind::LivePhoto),
    ("liveVideoId", ResourceKind::LiveVideo),
    ("addressId", ResourceKind::Address),
];

impl Services {
    /// Creates a check for `client_id` on behalf of an SDK token. The request's `clientId` is
    /// replaced by the token's client; a linked resource of another client, account or mode is
    /// `NotFound`, exactly like a missing one. The rest is [`Services::create_check`].
    pub async fn create_client_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        client_id: &str,
        input: &Value,
    ) -> Result<Resource> {
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
        body.insert("clientId".into(), Value::String(client_id.to_string()));
        let request = parse_create(&body)?;
        self.create_requested_check(scope, actor, request).await
    }
}
