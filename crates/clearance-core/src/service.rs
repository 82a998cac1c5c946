//! The use cases behind the API: read, list, create, update and delete resources, each write
//! committed atomically with its audit-log entry.

use std::sync::Arc;

use serde_json::{Map, Value};

mod autofill;
mod capture;
mod checks;
mod custom_lists;
mod documents;
mod drain_lease;
mod erasure;
mod flow;
mod flow_finish;
mod housekeeping;
mod idempotency;
mod list_deltas;
mod live_media;
mod lookups;
mod monitoring;
mod reports;
mod retry;
mod tokens;
mod uploads;
mod webhook_delivery;
mod webhook_dispatch;
mod webhook_log;
mod webhook_queue;
mod webhook_secrets;
mod webhooks;
mod workflow_sessions;
mod workflow_templates;

pub use checks::{CHECK_QUEUE, CheckRunner};
pub use custom_lists::{custom_list_records, custom_lists};
pub use flow::{FlowLink, LinkedSession};
pub use flow_finish::FlowOutcome;
pub use housekeeping::{DEFAULT_RETENTION, Retention, Swept};
pub use idempotency::{
    IDEMPOTENCY_WINDOW_MS, IdempotencyClaim, IdempotentStart, StoredAnswer, request_hash,
};
pub use list_deltas::{DeltaPage, DeltaWithEntities, MAX_DELTA_PAGE};
pub use monitoring::{
    MonitoringRun, MonitoringRunner, Registered, read_registrations, rejected_matches,
};
pub use reports::ReportPdf;
pub use tokens::{SdkSession, SdkTokenRefusal, Token, TokenCreate};
pub use webhook_delivery::{DeliveryRunner, RETRY_SCHEDULE_SECS, WebhookSender, WebhookStats};
pub use webhook_log::MAX_REDELIVER;
pub use webhook_queue::{DELIVERY_QUEUE, event_body};
pub use webhooks::{FORGET_SECRET_QUEUE, SecretForgetter};

use crate::audit::{self, Action, Actor};
use crate::blobs::{Blobs, client_prefix};
use crate::checks::analyser::Analysers;
use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::events;
use crate::fields::as_object;
use crate::ids::new_resource_id;
use crate::list::{ListRequest, parse_list_request};
use crate::resources::{Rules, address, client};
use crate::scope::{Mode, Scope};
use crate::store::{Change, Page, Resource, ResourceKind, Store, StoreError, StoredJson};
use crate::time::date_of;
use crate::typed;
use retry::{Tried, kept_changing, retry_on_conflict};

/// Decides, before each commit, whether it fails as if the database had gone away (tests only:
/// see [`Services::with_commit_fault`]).
pub type CommitFault = dyn Fn(&[Change]) -> std::result::Result<(), StoreError> + Send + Sync;

/// The domain services, shared by every request handler.
#[derive(Clone)]
pub struct Services {
    store: Arc<dyn Store>,
    blobs: Arc<dyn Blobs>,
    clock: Arc<dyn Clock>,
    rules: Rules,
    analysers: Analysers,
    document_reader: Option<Arc<dyn crate::autofill::DocumentReader>>,
    face_inspector: Option<Arc<dyn crate::faces::FaceInspector>>,
    document_inspector: Option<Arc<dyn crate::inspection::DocumentInspector>>,
    report_renderer: Option<Arc<dyn crate::report::ReportRenderer>>,
    lookups: Option<Arc<dyn crate::lookups::Lookups>>,
    delta_screener: Option<Arc<dyn crate::monitoring::DeltaScreener>>,
    on_enqueue: Arc<dyn Fn() + Send + Sync>,
    on_event: Arc<dyn Fn() + Send + Sync>,
    commit_fault: Option<Arc<CommitFault>>,
    webhook_stats: Arc<WebhookStats>,
    token_keys: Arc<clearance_tokens::KeySet>,
}

impl Services {
    /// Wires the services to a store, a blob store and a clock.
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn Blobs>,
        clock: Arc<dyn Clock>,
        rules: Rules,
    ) -> Self {
        Services {
            store,
            blobs,
            rules,
            analysers: Analysers::default(),
            document_reader: None,
            face_inspector: None,
            document_inspector: None,
            report_renderer: None,
            lookups: None,
            delta_screener: None,
            on_enqueue: Arc::new(|| {}),
            on_event: Arc::new(|| {}),
            commit_fault: None,
            webhook_stats: Arc::default(),
            token_keys: Arc::new(clearance_tokens::KeySet::generate(
                clock.now_ms().div_euclid(1000),
            )),
            clock,
        }
    }

    /// Installs the keys that sign and verify SDK tokens (default: one key made at start-up,
    /// which dies with the process).
    pub fn with_token_keys(mut self, keys: Arc<clearance_tokens::KeySet>) -> Self {
        self.token_keys = keys;
        self
    }

    /// Installs the live verification engines (test keys always use the simulator).
    pub fn with_analysers(mut self, analysers: Analysers) -> Self {
        self.analysers = analysers;
        self
    }

    /// Installs the reader behind `POST /v1/autofill`.
    pub fn with_document_reader(
        mut self,
        reader: Arc<dyn crate::autofill::DocumentReader>,
    ) -> Self {
        self.document_reader = Some(reader);
        self
    }

    /// Installs the inspection live photos uploaded with live keys go through.
    pub fn with_face_inspector(mut self, inspector: Arc<dyn crate::faces::FaceInspector>) -> Self {
        self.face_inspector = Some(inspector);
        self
    }

    /// Installs the inspection identity-document images uploaded with live keys go through.
    pub fn with_document_inspector(
        mut self,
        inspector: Arc<dyn crate::inspection::DocumentInspector>,
    ) -> Self {
        self.document_inspector = Some(inspector);
        self
    }

    /// Called after each job is enqueued, to wake the local workers at once.
    pub fn with_enqueue_hook(mut self, hook: Arc<dyn Fn() + Send + Sync>) -> Self {
        self.on_enqueue = hook;
        self
    }

    /// Called after a change that wrote outbox events commits, to wake the local webhook
    /// dispatcher at once (other processes' events are found by its poll).
    pub fn with_event_hook(mut self, hook: Arc<dyn Fn() + Send + Sync>) -> Self {
        self.on_event = hook;
        self
    }

    /// Fault injection for tests: `fault` sees each change set before it is committed, and an
    /// error it answers fails that commit with nothing written, as a crash or a lost database
    /// connection at that point would. Tests use it to show that a use case split over several
    /// transactions can be retried without doing anything twice. Never installed in a server.
    pub fn with_commit_fault(mut self, fault: Arc<CommitFault>) -> Self {
        self.commit_fault = Some(fault);
        self
    }

    /// Applies `changes` in one transaction and, when they wrote outbox events, wakes the
    /// dispatcher.
    async fn commit(&self, mut changes: Vec<Change>) -> std::result::Result<(), StoreError> {
        if let Some(fault) = &self.commit_fault {
            fault(&changes)?;
        }
        let wrote_events = changes.iter().any(|c| matches!(c, Change::Event(_)));
        // A create or upload run under an idempotency key records what it wrote in the same
        // transaction: a retry whose answer was lost must not do it again.
        let mark = idempotency::claim_mark(&changes, self.now_ms()).map(|(change, marked)| {
            changes.push(change);
            marked
        });
        self.store.apply(changes).await?;
        if let Some(marked) = mark {
            marked.committed();
        }
        if wrote_events {
            (self.on_event)();
        }
        Ok(())
    }

    /// This process's webhook delivery counters (for metrics).
    pub fn webhook_stats(&self) -> &Arc<WebhookStats> {
        &self.webhook_stats
    }

    /// The underlying store (for health checks and account administration).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The current time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Team members belong to the account, not to a mode: both keys see the same ones.
    fn scope_for(scope: &Scope, kind: ResourceKind) -> Scope {
        match kind {
            ResourceKind::TeamMember => Scope::new(scope.account_id.clone(), Mode::Test),
            _ => scope.clone(),
        }
    }

    /// Reads one resource, or the documented not-found error.
    pub async fn get(&self, scope: &Scope, kind: ResourceKind, id: &str) -> Result<Resource> {
        self.store
            .get(&Self::scope_for(scope, kind), kind, id)
            .await?
            .ok_or_else(|| CoreError::not_found(kind.label(), id))
    }

    /// Reads one resource with its body as stored JSON text, or the documented not-found error.
    pub async fn get_json(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<StoredJson> {
        self.store
            .get_json(&Self::scope_for(scope, kind), kind, id)
            .await?
            .ok_or_else(|| CoreError::not_found(kind.label(), id))
    }

    /// Lists resources from raw query pairs. `required_client` makes `clientId` mandatory.
    pub async fn list(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        pairs: &[(String, String)],
        required_client: bool,
    ) -> Result<(ListRequest, Page<Resource>)> {
        let request = parse_list_request(Self::scope_for(scope, kind), kind, pairs)?;
        if required_client && request.query.client_id.is_none() {
            return Err(CoreError::invalid(
                "clientId",
                "'clientId' must be provided",
            ));
        }
        if request.matches_nothing {
            return Ok((request, Page::default()));
        }
        let page = self.store.list(&request.query).await?;
        Ok((request, page))
    }

    /// Creates a client.
    pub async fn create_client(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let now = self.now_ms();
        let client = client::validate_create(as_object(input, None)?, date_of(now), &self.rules)?;
        self.insert(
            scope,
            actor,
            ResourceKind::Client,
            None,
            typed::encode(&client),
            now,
        )
        .await
    }

    /// Applies a partial update to a client.
    pub async fn update_client(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let rules = self.rules.clone();
        let today = date_of(self.now_ms());
        let registrations = self.registrations_of(scope, id).await?;
        let (_, after) = self
            .update_with(
                scope,
                actor,
                ResourceKind::Client,
                id,
                move |existing| {
                    typed::change("client", existing, |c| {
                        client::validate_update(&c, patch, today, &rules)
                    })
                },
                |_, after, now| monitoring::follow_client(&registrations, after, now),
            )
            .await?;
        Ok(after)
    }

    /// Deletes a client and everything it owns. Its audit trail stays, with every recorded value
    /// erased: who changed what, and when, without the personal data.
    pub async fn delete_client(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        let mut changes = vec![Change::DeleteOwnedBy {
            scope: scope.clone(),
            client_id: id.to_string(),
        }];
        changes.extend(self.erase_client_trail(scope, id, self.now_ms()).await?);
        self.delete_erasing(scope, actor, ResourceKind::Client, id, changes, true)
            .await?;
        self.remove_blobs(&client_prefix(scope, id)).await;
        Ok(())
    }

    /// Removes one file after its record is gone (see [`Self::remove_blobs`]).
    async fn remove_blob(&self, key: &str) {
        if let Err(e) = self.blobs.delete(key).await {
            tracing::warn!(error = %e, "could not remove a stored file of a deleted resource");
        }
    }

    /// Removes files after their records are gone. A failure leaves an orphaned (encrypted,
    /// unreachable) object behind, which is logged for the operator; it never fails the request.
    async fn remove_blobs(&self, prefix: &str) {
        if let Err(e) = self.blobs.delete_prefix(prefix).await {
            tracing::warn!(error = %e, "could not remove the stored files of a deleted resource");
        }
    }

    /// Creates an address for an existing client of the same account and mode.
    pub async fn create_address(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let input = as_object(input, None)?;
        let client_id = address::client_id(input)?;
        self.require_client(scope, &client_id).await?;
        let address = address::validate_create(input)?;
        let now = self.now_ms();
        self.insert(
            scope,
            actor,
            ResourceKind::Address,
            Some(client_id),
            typed::encode(&address),
            now,
        )
        .await
    }

    /// Applies a partial update to an address.
    pub async fn update_address(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let (_, after) = self
            .update(scope, actor, ResourceKind::Address, id, move |existing| {
                typed::change("address", existing, |a| address::validate_update(&a, patch))
            })
            .await?;
        Ok(after)
    }

    /// Deletes an address.
    pub async fn delete_address(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        let address = self.get(scope, ResourceKind::Address, id).await?;
        self.ensure_unused_by_checks(scope, "addressId", &address)
            .await?;
        self.delete(scope, actor, ResourceKind::Address, id, Vec::new())
            .await
    }

    /// Fails with `'clientId' is invalid` unless the client exists in this scope.
    pub async fn require_client(&self, scope: &Scope, client_id: &str) -> Result<Resource> {
        self.store
            .get(scope, ResourceKind::Client, client_id)
            .await?
            .ok_or_else(|| CoreError::invalid("clientId", "'clientId' is invalid"))
    }

    async fn insert(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        client_id: Option<String>,
        body: Map<String, Value>,
        now: i64,
    ) -> Result<Resource> {
        let id = new_resource_id(now);
        self.insert_with_id(scope, actor, kind, &id, client_id, body, now)
            .await
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per resource kind; a struct would only rename them"
    )]
    async fn insert_with_id(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        client_id: Option<String>,
        body: Map<String, Value>,
        now: i64,
    ) -> Result<Resource> {
        let resource = Resource {
            id: id.to_string(),
            scope: scope.clone(),
            kind,
            client_id,
            created_at: now,
            updated_at: now,
            version: 1,
            body,
        };
        let entry = audit::entry(
            scope,
            actor,
            Action::Create,
            &resource,
            &Map::new(),
            &resource.body,
            now,
        );
        let mut changes = vec![Change::Insert(resource.clone()), Change::Insert(entry)];
        changes.extend(lifecycle_event(&resource, "created", now));
        self.commit(changes).await?;
        Ok(resource)
    }

    async fn update(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        change: impl Fn(&Map<String, Value>) -> Result<Map<String, Value>>,
    ) -> Result<(Resource, Resource)> {
        self.update_with(scope, actor, kind, id, change, |_, _, _| Vec::new())
            .await
    }

    /// [`Self::update`], committing `also(before, after, now)` (events, jobs) in the same
    /// transaction as the change.
    async fn update_with(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        change: impl Fn(&Map<String, Value>) -> Result<Map<String, Value>>,
        also: impl Fn(&Resource, &Resource, i64) -> Vec<Change>,
    ) -> Result<(Resource, Resource)> {
        self.update_erasing(scope, actor, kind, id, change, also, |_| false)
            .await
    }

    /// [`Self::update_with`], erasing from the change's own audit entry the values `erase`
    /// picks (a redaction must not record what it removed).
    #[expect(
        clippy::too_many_arguments,
        reason = "update_with's arguments and the erasure; a struct would only rename them"
    )]
    async fn update_erasing(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        change: impl Fn(&Map<String, Value>) -> Result<Map<String, Value>>,
        also: impl Fn(&Resource, &Resource, i64) -> Vec<Change>,
        erase: impl Fn(&crate::diff::DiffEntry) -> bool,
    ) -> Result<(Resource, Resource)> {
        let (change, also, erase) = (&change, &also, &erase);
        retry_on_conflict(|| async move {
            let existing = self.get(scope, kind, id).await?;
            let body = change(&existing.body)?;
            if body == existing.body {
                return Ok(Tried::Done((existing.clone(), existing)));
            }
            let now = self.now_ms().max(existing.updated_at);
            let updated = Resource {
                updated_at: now,
                version: existing.version + 1,
                body,
                ..existing.clone()
            };
            let entry = erasure::erased_entry(
                audit::entry(
                    scope,
                    actor,
                    Action::Update,
                    &updated,
                    &existing.body,
                    &updated.body,
                    now,
                ),
                erase,
            )?;
            let mut changes = vec![Change::Update(updated.clone()), Change::Insert(entry)];
            changes.extend(lifecycle_event(&updated, "updated", now));
            changes.extend(also(&existing, &updated, now));
            match self.commit(changes).await {
                Err(StoreError::NotFound) => Err(CoreError::not_found(kind.label(), id)),
                commit => Tried::committed(commit, || (existing, updated)),
            }
        })
        .await?
        .ok_or_else(|| kept_changing("the resource"))
    }

    async fn delete(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        extra: Vec<Change>,
    ) -> Result<()> {
        self.delete_erasing(scope, actor, kind, id, extra, false)
            .await
    }

    /// [`Self::delete`]; with `erase`, the deletion's own audit entry records no values.
    async fn delete_erasing(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        mut extra: Vec<Change>,
        erase: bool,
    ) -> Result<()> {
        let existing = self.get(scope, kind, id).await?;
        let now = self.now_ms();
        let mut entry = audit::entry(
            scope,
            actor,
            Action::Delete,
            &existing,
            &existing.body,
            &Map::new(),
            now,
        );
        if erase {
            entry = erasure::erased_entry(entry, |_| true)?;
        }
        let mut changes = vec![Change::Delete {
            scope: scope.clone(),
            kind,
            id: id.to_string(),
        }];
        changes.append(&mut extra);
        changes.push(Change::Insert(entry));
        changes.extend(lifecycle_event(&existing, "deleted", now));
        match self.commit(changes).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => Err(CoreError::not_found(kind.label(), id)),
            Err(e) => Err(e.into()),
        }
    }
}

/// The `<kind>.<action>` outbox event of a client, address or document change.
fn lifecycle_event(resource: &Resource, action: &str, now: i64) -> Option<Change> {
    let prefix = events::lifecycle_prefix(resource.kind)?;
    Some(Change::Event(events::resource_event(
        resource,
        &format!("{prefix}.{action}"),
        now,
    )))
}
