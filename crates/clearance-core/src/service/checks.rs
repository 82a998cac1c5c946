//! Checks: creation (check, audit entry, job and `check.pending` event in one transaction),
//! the runner the job queue calls, manual review, and the client risk profile built on them.

use std::sync::Arc;

use async_trait::async_trait;
use clearance_jobs::{Handler, HandlerError, Job, NewJob};
use serde_json::{Map, Value};

use super::Services;
use super::retry::{Tried, kept_changing, retry_on_conflict};
use crate::audit::{self, Action, Actor};
use crate::checks::analyser::{Analysis, CheckContext};
use crate::checks::input::{CheckRequest, parse_create};
use crate::checks::review::ValidationOutcome;
use crate::checks::{Check, CheckStatus, CheckType, prerequisites, review};
use crate::error::{CoreError, Result};
use crate::events::check_event;
use crate::faces::{self, EnrolledFace, NewEnrolment};
use crate::fields::as_object;
use crate::ids::new_resource_id;
use crate::resources::address::Address;
use crate::resources::client::Client;
use crate::risk::{self, RiskMode, RiskProfile, ScreeningEvidence};
use crate::scope::{Mode, Scope};
use crate::store::{AttrFilter, Change, ListQuery, Resource, ResourceKind, StoreError};
use crate::time::format_timestamp;
use crate::typed;

/// The queue check jobs go on.
pub const CHECK_QUEUE: &str = "check.run";
const KIND: ResourceKind = ResourceKind::Check;

/// A check about to be created: the check, and the changes (check, audit entry, job, event)
/// that create it in one transaction.
pub(super) struct NewCheck {
    pub(super) check: Resource,
    pub(super) changes: Vec<Change>,
}

/// Applies a change to a stored check's typed body.
fn on_check(
    body: &Map<String, Value>,
    change: impl FnOnce(&Check) -> Result<Check>,
) -> Result<Map<String, Value>> {
    typed::change(KIND.label(), body, |check: Check| change(&check))
}

impl Services {
    /// `POST /v1/checks`: validates the body and creates the check it asks for.
    pub async fn create_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let request = parse_create(as_object(input, None)?)?;
        self.create_requested_check(scope, actor, request).await
    }

    /// Creates a pending check for a validated request and queues its analysis.
    pub async fn create_requested_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        request: CheckRequest,
    ) -> Result<Resource> {
        let NewCheck { check, changes } = self.prepare_check(scope, actor, request).await?;
        self.commit(changes).await?;
        (self.on_enqueue)();
        Ok(check)
    }

    /// Validates a request and builds what creating its check writes, without writing it, so
    /// a caller can commit it together with its own changes (a flow session recording the
    /// check). Whoever commits the changes calls `on_enqueue` after.
    pub(super) async fn prepare_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        request: CheckRequest,
    ) -> Result<NewCheck> {
        let client: Client = typed::decode(&self.require_client(scope, &request.client_id).await?)?;
        if request.check_type.person_only() && client.is_company() {
            return Err(CoreError::invalid(
                "clientId",
                format!(
                    "A {} can only be run for a person client",
                    request.check_type.as_str()
                ),
            ));
        }
        self.check_links(scope, &request).await?;
        let entity_name = Some(client.entity_name);
        let now = self.now_ms();
        let id = new_resource_id(now);
        let check = Resource {
            id: id.clone(),
            scope: scope.clone(),
            kind: KIND,
            client_id: Some(request.client_id.clone()),
            created_at: now,
            updated_at: now,
            version: 1,
            body: typed::encode(&Check::pending(request, entity_name)),
        };
        let entry = audit::entry(
            scope,
            actor,
            Action::Create,
            &check,
            &Map::new(),
            &check.body,
            now,
        );
        let job = NewJob::now(
            id.clone(),
            CHECK_QUEUE,
            CheckJob {
                check_id: id.clone(),
                account_id: scope.account_id.clone(),
                mode: scope.mode.as_str().to_string(),
            }
            .payload(),
            now,
        )
        .fair_to(scope.account_id.clone());
        let event = check_event(&check, "check.pending", now);
        let changes = vec![
            Change::Insert(check.clone()),
            Change::Insert(entry),
            Change::Enqueue(job),
            Change::Event(event),
        ];
        Ok(NewCheck { check, changes })
    }

    /// Confirms every linked resource exists, belongs to the check's client and is usable.
    async fn check_links(&self, scope: &Scope, request: &CheckRequest) -> Result<()> {
        let links = &request.links;
        let owned = |kind, id: &Option<String>, param: &'static str| {
            self.owned_by(scope, kind, id.clone(), param, &request.client_id)
        };
        if let Some(doc) = owned(ResourceKind::Document, &links.document_id, "documentId").await? {
            prerequisites::document(request.check_type, &typed::decode(&doc)?)?;
        }
        if let Some(photo) =
            owned(ResourceKind::LivePhoto, &links.live_photo_id, "livePhotoId").await?
        {
            prerequisites::live_photo(&typed::decode(&photo)?)?;
        }
        owned(ResourceKind::LiveVideo, &links.live_video_id, "liveVideoId").await?;
        owned(ResourceKind::Address, &links.address_id, "addressId").await?;
        Ok(())
    }

    /// The resource `id` of `kind` when it belongs to `client_id`; `'<param>' is invalid`
    /// otherwise (another client's, another account's or a missing one look the same).
    async fn owned_by(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: Option<String>,
        param: &'static str,
        client_id: &str,
    ) -> Result<Option<Resource>> {
        let Some(id) = id else {
            return Ok(None);
        };
        match self.store.get(scope, kind, &id).await? {
            Some(r) if r.client_id.as_deref() == Some(client_id) => Ok(Some(r)),
            _ => Err(CoreError::invalid(param, format!("'{param}' is invalid"))),
        }
    }

    /// Refuses to delete a resource a check refers to under `field` (`documentId`, …).
    pub(crate) async fn ensure_unused_by_checks(
        &self,
        scope: &Scope,
        field: &str,
        resource: &Resource,
    ) -> Result<()> {
        let query = ListQuery {
            client_id: resource.client_id.clone(),
            filters: vec![AttrFilter {
                path: vec![field.to_string()],
                value: resource.id.clone(),
            }],
            ..ListQuery::newest(scope.clone(), KIND, 1)
        };
        let used = self.store.list(&query).await?;
        if let Some(check) = used.items.first() {
            return Err(CoreError::Unprocessable {
                code: "resource_in_use",
                message: format!(
                    "The {} is used by check '{}' and cannot be deleted; delete the client to remove both",
                    resource.kind.label(),
                    check.id
                ),
            });
        }
        Ok(())
    }

    /// Refuses to change the images of a document a check has used: the evidence a check
    /// decided on must stay what it was (#21, finding 7).
    pub(crate) async fn ensure_evidence_unchanged(
        &self,
        scope: &Scope,
        document: &Resource,
    ) -> Result<()> {
        let query = ListQuery {
            client_id: document.client_id.clone(),
            filters: vec![AttrFilter {
                path: vec!["documentId".into()],
                value: document.id.clone(),
            }],
            ..ListQuery::newest(scope.clone(), KIND, 1)
        };
        if let Some(check) = self.store.list(&query).await?.items.first() {
            return Err(CoreError::Unprocessable {
                code: "resource_in_use",
                message: format!(
                    "The document's images are evidence of check '{}' and cannot be replaced or \
                     removed; upload a new document instead",
                    check.id
                ),
            });
        }
        Ok(())
    }

    /// `POST /v1/checks/:id`: turns monitoring on or off on a completed screening check.
    pub async fn update_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        input: &Value,
    ) -> Result<Resource> {
        let input = as_object(input, None)?;
        // Turning monitoring on registers the check with its client's details as they are now.
        let stored = self.get(scope, KIND, id).await?;
        let client = match (&stored.client_id, scope.mode) {
            (Some(client_id), Mode::Live) => self
                .store
                .get(scope, ResourceKind::Client, client_id)
                .await?
                .and_then(|c| typed::decode::<Client>(&c).ok()),
            _ => None,
        };
        let (_, after) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| on_check(body, |c| review::update(c, input)),
                |_, after, now| {
                    let mut changes = vec![Change::Event(check_event(after, "check.updated", now))];
                    if let Ok(check) = typed::decode::<Check>(after) {
                        changes.push(super::monitoring::registration(
                            scope,
                            &after.id,
                            &check,
                            client.as_ref(),
                            now,
                        ));
                    }
                    changes
                },
            )
            .await?;
        Ok(after)
    }

    /// `POST /v1/checks/:id/validate`: records a manual decision and answers `{outcome}`.
    pub async fn validate_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        input: &Value,
    ) -> Result<ValidationOutcome> {
        let input = as_object(input, None)?;
        let at = format_timestamp(self.now_ms());
        let answer = std::sync::Mutex::new(None);
        self.update_with(
            scope,
            actor,
            KIND,
            id,
            |body| {
                on_check(body, |c| {
                    let validated = review::validate(c, input, &at)?;
                    if let Ok(mut a) = answer.lock() {
                        *a = Some(validated.outcome);
                    }
                    Ok(validated.check)
                })
            },
            |before, after, now| {
                let outcome_of = |r: &Resource| {
                    typed::decode::<Check>(r)
                        .ok()
                        .and_then(|c| c.result)
                        .map(|result| result.outcome)
                };
                let mut events = vec![Change::Event(check_event(after, "check.updated", now))];
                if outcome_of(before) != outcome_of(after)
                    && let Some(outcome) = outcome_of(after)
                {
                    let name = format!("check.completed.{}", outcome.as_str());
                    events.push(Change::Event(check_event(after, &name, now)));
                }
                events
            },
        )
        .await?;
        answer
            .into_inner()
            .ok()
            .flatten()
            .ok_or_else(|| CoreError::internal("a validation recorded no outcome"))
    }

    /// `POST /v1/checks/:id/redact`: erases extracted data from a document check's result.
    pub async fn redact_check(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        input: &Value,
    ) -> Result<Resource> {
        let empty = Map::new();
        let input = match input {
            Value::Null => &empty,
            other => as_object(other, None)?,
        };
        // The check's earlier audit entries lose what they recorded of the extracted data, and
        // the redaction's own entry never records it.
        let earlier = self.erase_extracted_data(scope, id, self.now_ms()).await?;
        let (_, after) = self
            .update_erasing(
                scope,
                actor,
                KIND,
                id,
                |body| on_check(body, |c| review::redact(c, input)),
                |_, after, now| {
                    let mut changes = earlier.clone();
                    changes.push(Change::Event(check_event(after, "check.updated", now)));
                    changes
                },
                super::erasure::extracted,
            )
            .await?;
        Ok(after)
    }

    /// Runs one check to completion: loads it and what it links to, asks the analyser, and
    /// writes the result with its events in one transaction. Idempotent: a check that is no
    /// longer pending (or no longer exists) is left alone.
    pub async fn run_check(&self, scope: &Scope, id: &str) -> Result<()> {
        self.analyse_check(scope, id).await?;
        // A workflow session waiting on this check may now be complete.
        if let Some(check) = self.store.get(scope, KIND, id).await?
            && let Some(client_id) = &check.client_id
        {
            self.settle_workflow_sessions_of(scope, client_id).await;
        }
        Ok(())
    }

    /// Runs the analysis of a pending check and records its result.
    async fn analyse_check(&self, scope: &Scope, id: &str) -> Result<()> {
        retry_on_conflict(|| async move {
            let Some(check) = self.store.get(scope, KIND, id).await? else {
                return Ok(Tried::Done(()));
            };
            let typed: Check = typed::decode(&check)?;
            if typed.status != CheckStatus::Pending {
                return Ok(Tried::Done(()));
            }
            let check_type = typed.check_type;
            let client_id = check.client_id.clone().unwrap_or_default();
            let Some(client) = self
                .store
                .get(scope, ResourceKind::Client, &client_id)
                .await?
            else {
                return Ok(Tried::Done(()));
            };
            let link = |kind: ResourceKind, id: &Option<String>| {
                let id = id.clone();
                async move {
                    match id {
                        Some(id) => self.store.get(scope, kind, &id).await,
                        None => Ok(None),
                    }
                }
            };
            // Each enrolment is unsealed on read: load only what the check compares with.
            let compares_enrolled = typed.options().enable_enrolled_faces != Some(false);
            let enrolled_faces = match (scope.mode, check_type) {
                (Mode::Live, CheckType::FaceAuthentication) => {
                    self.enrolled_faces(scope, Some(&client_id)).await?
                }
                (Mode::Live, CheckType::Identity | CheckType::EnhancedIdentity)
                    if compares_enrolled =>
                {
                    self.enrolled_faces(scope, None).await?
                }
                _ => Vec::new(),
            };
            let ctx = CheckContext {
                enrolled_faces,
                check_type,
                document: link(ResourceKind::Document, &typed.document_id).await?,
                address: link(ResourceKind::Address, &typed.address_id).await?,
                live_photo: link(ResourceKind::LivePhoto, &typed.live_photo_id).await?,
                live_video: link(ResourceKind::LiveVideo, &typed.live_video_id).await?,
                client,
                check_id: check.id.clone(),
                scope: scope.clone(),
                check: typed.clone(),
                blobs: self.blobs.clone(),
                now_ms: self.now_ms(),
            };
            let analyser = match scope.mode {
                Mode::Test => Some(self.analysers.sandbox()),
                Mode::Live => self.analysers.live(check_type),
            };
            let analysis = match analyser {
                Some(a) => a
                    .analyse(&ctx)
                    .await
                    .map_err(|e| CoreError::internal(format!("analyser: {}", e.0)))?,
                None => Analysis::Failed {
                    reason: format!(
                        "No {} engine is installed on this server, so the check could not run",
                        check_type.as_str()
                    ),
                },
            };
            let now = self.now_ms().max(check.updated_at);
            let mut done = typed;
            let (result, enrol) = match analysis {
                Analysis::Complete(result) => (Ok(result), None),
                Analysis::CompleteAndEnrol { result, enrolment } => (Ok(result), Some(enrolment)),
                Analysis::Failed { reason } => (Err(reason), None),
            };
            let events: Vec<String> = match result {
                Ok(result) => {
                    let outcome = result.outcome.as_str();
                    done.status = CheckStatus::Complete;
                    done.result = Some(*result);
                    vec![
                        "check.completed".into(),
                        format!("check.completed.{outcome}"),
                    ]
                }
                Err(reason) => {
                    done.status = CheckStatus::Failed;
                    done.failure_reason = Some(reason);
                    vec!["check.failed".into()]
                }
            };
            let completed = done;
            let done = Resource {
                body: typed::encode(&completed),
                updated_at: now,
                version: check.version + 1,
                ..check
            };
            let mut changes = vec![Change::Update(done.clone())];
            changes.extend(
                events
                    .iter()
                    .map(|t| Change::Event(check_event(&done, t, now))),
            );
            // A completing check has no registration yet: register it only when monitored
            // (no delete of nothing on every other live screening).
            if check_type.is_screening() && scope.mode == Mode::Live && completed.enable_monitoring
            {
                let client = typed::decode::<Client>(&ctx.client).ok();
                let registered = super::monitoring::registration(
                    scope,
                    &done.id,
                    &completed,
                    client.as_ref(),
                    now,
                );
                if matches!(registered, Change::Put(_)) {
                    changes.push(registered);
                }
            }
            if let Some(enrolment) = &enrol {
                changes.push(Change::Insert(self.enrolment(&done, enrolment, now)?));
            }
            match self.commit(changes).await {
                // Deleted while it ran: nothing left to complete.
                Err(StoreError::NotFound) => Ok(Tried::Done(())),
                commit => Tried::committed(commit, || ()),
            }
        })
        .await?
        .ok_or_else(|| kept_changing("the check"))
    }

    /// The enrolled faces of a scope, or of one client in it, unsealed (see [`crate::faces`]).
    pub(crate) async fn enrolled_faces(
        &self,
        scope: &Scope,
        client_id: Option<&str>,
    ) -> Result<Vec<EnrolledFace>> {
        const PAGE: u64 = 1000;
        let mut faces = Vec::new();
        let mut query = ListQuery {
            client_id: client_id.map(str::to_owned),
            oldest_first: true,
            ..ListQuery::newest(scope.clone(), ResourceKind::FaceEnrolment, PAGE)
        };
        loop {
            let page = self.store.list(&query).await?;
            let got = page.items.len() as u64;
            faces.extend(
                page.items
                    .iter()
                    .filter_map(|stored| faces::unseal(self.blobs.as_ref(), stored)),
            );
            if got < PAGE {
                return Ok(faces);
            }
            query.offset += got;
        }
    }

    /// The record enrolling a face for the client of `check`.
    fn enrolment(&self, check: &Resource, enrolment: &NewEnrolment, now: i64) -> Result<Resource> {
        let id = new_resource_id(now);
        let body = faces::record(self.blobs.as_ref(), &check.scope, &id, &check.id, enrolment)
            .map_err(|e| CoreError::internal(format!("sealing an enrolled face: {e}")))?;
        Ok(Resource {
            id,
            scope: check.scope.clone(),
            kind: ResourceKind::FaceEnrolment,
            client_id: check.client_id.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
            body,
        })
    }

    /// `GET /v1/clients/:id/riskProfile`.
    pub async fn risk_profile(&self, scope: &Scope, client_id: &str) -> Result<RiskProfile> {
        let stored = self.get(scope, ResourceKind::Client, client_id).await?;
        let client: Client = typed::decode(&stored)?;
        let owned = |kind| ListQuery {
            client_id: Some(client_id.to_string()),
            ..ListQuery::newest(scope.clone(), kind, 1000)
        };
        let stored_addresses = self.store.list(&owned(ResourceKind::Address)).await?.items;
        let addresses = stored_addresses
            .iter()
            .map(typed::decode::<Address>)
            .collect::<Result<Vec<_>>>()?;
        let mut completed = owned(KIND);
        completed.filters.push(AttrFilter {
            path: vec!["status".into()],
            value: "complete".into(),
        });
        let stored_checks = self.store.list(&completed).await?.items;
        let mut checks = Vec::new();
        for stored in &stored_checks {
            let check: Check = typed::decode(stored)?;
            if let Some(result) = check.result.filter(|_| check.check_type.is_screening()) {
                checks.push((stored, result));
            }
        }
        let screenings: Vec<ScreeningEvidence<'_>> = checks
            .iter()
            .map(|(stored, result)| ScreeningEvidence {
                check_id: &stored.id,
                result,
                completed_at: stored.updated_at,
            })
            .collect();
        let updated_at = std::iter::once(stored.updated_at)
            .chain(stored_addresses.iter().map(|a| a.updated_at))
            .chain(screenings.iter().map(|s| s.completed_at))
            .max()
            .unwrap_or(stored.updated_at);
        let mode = match scope.mode {
            Mode::Test => RiskMode::Sandbox,
            Mode::Live => RiskMode::Live,
        };
        Ok(risk::risk_profile(
            mode,
            &client,
            &addresses,
            &screenings,
            updated_at,
        ))
    }
}

/// What a check job carries: the check and its scope.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckJob {
    check_id: String,
    account_id: String,
    mode: String,
}

impl CheckJob {
    fn payload(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The job handler that runs checks.
pub struct CheckRunner {
    services: Arc<Services>,
}

impl CheckRunner {
    pub fn new(services: Arc<Services>) -> Self {
        CheckRunner { services }
    }
}

#[async_trait]
impl Handler for CheckRunner {
    async fn handle(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        let Some((job, mode)) = serde_json::from_value::<CheckJob>(job.payload.clone())
            .ok()
            .and_then(|j| Mode::parse(&j.mode).map(|m| (j, m)))
        else {
            return Err(HandlerError::Permanent("malformed check job".into()));
        };
        let scope = Scope::new(job.account_id, mode);
        self.services
            .run_check(&scope, &job.check_id)
            .await
            .map_err(|e| HandlerError::Retry(e.to_string()))
    }
}
