//! The store port: what the domain needs from a database. Resources are stored as JSON documents
//! with typed columns for scope, ownership, time and version; every write is one atomic change set.

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::account::{Account, ApiKey, TeamMember};
use crate::events::{Event, EventQuery, StoredEvent};
use crate::lookups::ReferenceStore;
use crate::scope::Scope;
use crate::screening_lists::ListStore;
use clearance_jobs::{JobQueue, Leases, NewJob};

mod maintenance;

pub use maintenance::Maintenance;

/// The kinds of resource kept in the document table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    Client,
    Address,
    AuditLog,
    TeamMember,
    Document,
    LivePhoto,
    LiveVideo,
    Check,
    Webhook,
    /// A webhook's signing secret, kept apart from the webhook so no read path returns it.
    WebhookSecret,
    /// How far the webhook dispatcher has read the outbox (one record, system scope).
    DispatchCursor,
    /// An account's own screening list.
    CustomList,
    /// One person or company on a custom list.
    CustomListRecord,
    /// An event waiting to be delivered to one webhook (its per-endpoint queue; owned by the
    /// webhook through `client_id`, removed once delivered).
    WebhookDelivery,
    /// One delivery attempt in a webhook's log (owned by the webhook through `client_id`).
    WebhookAttempt,
    /// A hosted verification flow for one client (`POST /flow/sessions`).
    FlowSession,
    /// Finds a flow session from the opaque token in its link (system scope, keyed by the
    /// token's SHA-256, so the token itself is never stored).
    FlowLink,
    /// A client's face, enrolled by a clear identity check: the descriptor of its live photo,
    /// sealed under the master key (owned by the client; never returned by the API).
    FaceEnrolment,
    /// What one SDK token has started so far (keyed by the token's id, owned by its client), so
    /// the bound on its checks holds across requests and servers.
    SdkTokenUse,
    /// A request's `Idempotency-Key`: the request it was used with and its first answer, kept
    /// for 24 hours (keyed by the key's SHA-256; never returned by the API).
    IdempotencyKey,
    /// A workflow template (Clearance's own API): tasks and compliance policies, versioned.
    WorkflowTemplate,
    /// A workflow session: one run of a template's version for one client.
    WorkflowSession,
    /// A person on a reference-data source the operator imported for multi-bureau checks
    /// (never returned by the API).
    BureauRecord,
    /// One imported source of bureau records in an account and mode: its name, size and time
    /// (never returned by the API).
    BureauSource,
    MonitoredCheck,
}

impl ResourceKind {
    /// Every kind, for adapters mapping stored names back.
    pub const ALL: [ResourceKind; 25] = [
        ResourceKind::Client,
        ResourceKind::Address,
        ResourceKind::AuditLog,
        ResourceKind::TeamMember,
        ResourceKind::Document,
        ResourceKind::LivePhoto,
        ResourceKind::LiveVideo,
        ResourceKind::Check,
        ResourceKind::Webhook,
        ResourceKind::WebhookSecret,
        ResourceKind::DispatchCursor,
        ResourceKind::CustomList,
        ResourceKind::CustomListRecord,
        ResourceKind::WebhookDelivery,
        ResourceKind::WebhookAttempt,
        ResourceKind::FlowSession,
        ResourceKind::FlowLink,
        ResourceKind::FaceEnrolment,
        ResourceKind::SdkTokenUse,
        ResourceKind::IdempotencyKey,
        ResourceKind::WorkflowTemplate,
        ResourceKind::WorkflowSession,
        ResourceKind::BureauRecord,
        ResourceKind::BureauSource,
        ResourceKind::MonitoredCheck,
    ];

    /// The kind with this stored name.
    pub fn parse(name: &str) -> Option<ResourceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The stored name of the kind (also the audit log's `resourceType`).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Client => "client",
            ResourceKind::Address => "address",
            ResourceKind::AuditLog => "auditLog",
            ResourceKind::TeamMember => "teamMember",
            ResourceKind::Document => "document",
            ResourceKind::LivePhoto => "livePhoto",
            ResourceKind::LiveVideo => "liveVideo",
            ResourceKind::Check => "check",
            ResourceKind::Webhook => "webhook",
            ResourceKind::WebhookSecret => "webhookSecret",
            ResourceKind::DispatchCursor => "dispatchCursor",
            ResourceKind::CustomList => "customList",
            ResourceKind::CustomListRecord => "customListRecord",
            ResourceKind::WebhookDelivery => "webhookDelivery",
            ResourceKind::WebhookAttempt => "webhookAttempt",
            ResourceKind::FlowSession => "flowSession",
            ResourceKind::FlowLink => "flowLink",
            ResourceKind::FaceEnrolment => "faceEnrolment",
            ResourceKind::SdkTokenUse => "sdkTokenUse",
            ResourceKind::IdempotencyKey => "idempotencyKey",
            ResourceKind::WorkflowTemplate => "workflowTemplate",
            ResourceKind::WorkflowSession => "workflowSession",
            ResourceKind::BureauRecord => "bureauRecord",
            ResourceKind::BureauSource => "bureauSource",
            ResourceKind::MonitoredCheck => "monitoredCheck",
        }
    }

    /// The name used in `Invalid <name> id '…'` messages.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Client => "client",
            ResourceKind::Address => "address",
            ResourceKind::AuditLog => "audit log",
            ResourceKind::TeamMember => "team member",
            ResourceKind::Document => "document",
            ResourceKind::LivePhoto => "live photo",
            ResourceKind::LiveVideo => "live video",
            ResourceKind::Check => "check",
            ResourceKind::Webhook => "webhook",
            ResourceKind::WebhookSecret => "webhook secret",
            ResourceKind::DispatchCursor => "dispatch cursor",
            ResourceKind::CustomList => "custom list",
            ResourceKind::CustomListRecord => "custom list record",
            ResourceKind::WebhookDelivery => "webhook delivery",
            ResourceKind::WebhookAttempt => "webhook delivery attempt",
            ResourceKind::FlowSession => "flow session",
            ResourceKind::FlowLink => "flow link",
            ResourceKind::FaceEnrolment => "face enrolment",
            ResourceKind::SdkTokenUse => "SDK token use",
            ResourceKind::IdempotencyKey => "idempotency key",
            ResourceKind::WorkflowTemplate => "workflow template",
            ResourceKind::WorkflowSession => "workflow session",
            ResourceKind::BureauRecord => "bureau record",
            ResourceKind::BureauSource => "bureau source",
            ResourceKind::MonitoredCheck => "monitored check",
        }
    }
}

/// One stored resource. `body` holds the wire fields other than `id` and the timestamps.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub id: String,
    pub scope: Scope,
    pub kind: ResourceKind,
    pub client_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Starts at 1 and grows by one on each update; used for optimistic concurrency.
    pub version: i64,
    pub body: Map<String, Value>,
}

/// One stored resource with its body still the stored JSON text: a read that only passes the
/// body on (`GET` by id) skips parsing it into values and serialising them again.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredJson {
    pub id: String,
    pub kind: ResourceKind,
    pub created_at: i64,
    pub updated_at: i64,
    /// The body as one JSON object, exactly as `serde_json` writes [`Resource::body`].
    pub body: String,
}

impl StoredJson {
    /// The body's members as text, without the enclosing braces (empty for `{}`); `None` when
    /// the body is not one JSON object's text.
    #[must_use]
    pub fn members(&self) -> Option<&str> {
        self.body.strip_prefix('{')?.strip_suffix('}')
    }
}

impl From<Resource> for StoredJson {
    fn from(r: Resource) -> Self {
        StoredJson {
            body: Value::Object(r.body).to_string(),
            id: r.id,
            kind: r.kind,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One write inside an atomic change set.
#[derive(Clone, Debug)]
pub enum Change {
    /// Insert a new resource.
    Insert(Resource),
    /// Replace a resource whose stored version is `resource.version - 1`; otherwise the whole
    /// change set fails with [`StoreError::Conflict`].
    Update(Resource),
    /// Delete one resource; deleting a missing one fails with [`StoreError::NotFound`].
    Delete {
        scope: Scope,
        kind: ResourceKind,
        id: String,
    },
    /// Delete every resource of a client except its audit-log entries (the trail outlives it).
    DeleteOwnedBy { scope: Scope, client_id: String },
    /// Put a job on the queue, committed with the change that needs it.
    Enqueue(NewJob),
    /// Record an event in the outbox, committed with the change it describes.
    Event(Event),
    /// Insert the resource, or replace the one with its id (in its scope and kind) whatever its
    /// version: for derived records that follow their source (a monitored check's
    /// registration).
    Put(Resource),
    /// Delete the resource if it exists.
    Discard {
        scope: Scope,
        kind: ResourceKind,
        id: String,
    },
}

/// Equality on one attribute of the body, addressed by a dotted path.
#[derive(Clone, Debug, PartialEq)]
pub struct AttrFilter {
    pub path: Vec<String>,
    pub value: String,
}

/// A page request over one kind of resource in one scope, newest first (or oldest first).
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    pub scope: Scope,
    pub kind: ResourceKind,
    pub client_id: Option<String>,
    pub filters: Vec<AttrFilter>,
    pub created_after: Option<i64>,
    pub created_before: Option<i64>,
    pub updated_after: Option<i64>,
    pub updated_before: Option<i64>,
    pub offset: u64,
    pub limit: u64,
    /// Oldest first instead of newest first (work queues read their head).
    pub oldest_first: bool,
}

impl ListQuery {
    /// The newest `limit` resources of one kind in a scope, unfiltered; callers narrow it with
    /// struct-update syntax (`client_id`, `filters`).
    pub fn newest(scope: Scope, kind: ResourceKind, limit: u64) -> Self {
        ListQuery {
            scope,
            kind,
            client_id: None,
            filters: Vec::new(),
            created_after: None,
            created_before: None,
            updated_after: None,
            updated_before: None,
            offset: 0,
            limit,
            oldest_first: false,
        }
    }
}

/// One page of results and the total count matching the query.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            total: 0,
        }
    }
}

/// Failures of a store adapter.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A conditional write found another version, or a unique value already exists.
    #[error("conflicting write: {0}")]
    Conflict(String),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database failed; the text is for operators, never for API callers.
    #[error("database error: {0}")]
    Backend(String),
}

/// What the domain needs from a database. Implemented for SQLite and PostgreSQL and checked by
/// the shared conformance suite. The same database holds the job queue and the leases that keep
/// work such as draining one webhook's queue to one server at a time; [`Maintenance`] is what
/// housekeeping needs beyond the request paths.
#[async_trait]
pub trait Store:
    JobQueue + Leases + ListStore + ReferenceStore + Maintenance + Send + Sync
{
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// Checks the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Reads one resource in a scope.
    async fn get(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<Resource>, StoreError>;
    /// Reads one resource in a scope with its body as JSON text. Stores that keep the text as
    /// written answer without parsing it; the default reads and serialises.
    async fn get_json(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<StoredJson>, StoreError> {
        Ok(self.get(scope, kind, id).await?.map(StoredJson::from))
    }
    /// Lists resources, newest first, with the total count.
    async fn list(&self, query: &ListQuery) -> Result<Page<Resource>, StoreError>;
    /// Applies all changes in one transaction, or none of them.
    async fn apply(&self, changes: Vec<Change>) -> Result<(), StoreError>;

    /// Outbox events after position `after_seq`, oldest first.
    async fn events_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;
    /// A mark of the transactions running now, for [`Store::transactions_ended`]; `None` on a
    /// store where writes become visible in the order they took their sequence numbers, so a
    /// gap in the outbox's sequence is never a transaction still running.
    async fn transaction_mark(&self) -> Result<Option<i64>, StoreError>;
    /// Whether every transaction running when `mark` was taken has ended.
    async fn transactions_ended(&self, mark: i64) -> Result<bool, StoreError>;
    /// Outbox events of one scope matching `query`, oldest first.
    async fn find_events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError>;

    /// Creates an account with its owner team member, atomically.
    async fn create_account(&self, account: &Account, owner: &TeamMember)
    -> Result<(), StoreError>;
    /// Finds an account by id.
    async fn get_account(&self, id: &str) -> Result<Option<Account>, StoreError>;
    /// Finds an account by its unique name.
    async fn find_account_by_name(&self, name: &str) -> Result<Option<Account>, StoreError>;
    /// Counts accounts (zero on a fresh database).
    async fn count_accounts(&self) -> Result<u64, StoreError>;

    /// Stores a new API key (its hash, never the key).
    async fn insert_api_key(&self, key: &ApiKey) -> Result<(), StoreError>;
    /// Finds an API key by the hash of the presented key.
    async fn find_api_key(&self, hash: &str) -> Result<Option<ApiKey>, StoreError>;
    /// All API keys, newest first, revoked ones included.
    async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError>;
    /// Marks a key revoked; false when no such key exists.
    async fn revoke_api_key(&self, id: &str, at_ms: i64) -> Result<bool, StoreError>;
}
