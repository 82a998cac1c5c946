//! Ongoing monitoring (see [`crate::monitoring`]): keeping each monitored check's registration
//! in step with the check and its client, and the run that follows a list import. The run is a
//! durable job per delta; it can be repeated (a crash, an expired lease, two nodes) without
//! raising an alert twice, because an alert is the check's new match, committed with its events,
//! and a match already on the check is never raised again.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use clearance_jobs::{Handler, HandlerError, Job};

use super::Services;
use crate::audit::Actor;
use crate::checks::Check;
use crate::checks::result::{Breakdown, CheckResult};
use crate::error::{CoreError, Result};
use crate::events::check_event;
use crate::monitoring::{
    DeltaAnnouncement, DeltaHit, DeltaScreener, Merged, MonitoredCheck, PreparedDelta, merge,
    reregister,
};
use crate::resources::client::Client;
use crate::scope::{Mode, Scope};
use crate::screening_lists::DeltaEntity;
use crate::store::{Change, ListQuery, Resource, ResourceKind, Store};
use crate::time::format_timestamp;
use crate::typed;

/// Registrations screened per page of a run.
const PAGE: u32 = 5_000;
/// A client's earlier checks read for rejected matches.
const HISTORY: u64 = 200;

/// What one monitoring run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitoringRun {
    /// Monitored checks screened against the delta.
    pub screened: u64,
    /// Checks the delta touched (a hit or a removed entry they report).
    pub touched: u64,
    /// New or changed matches raised (`check.monitoring.attention`).
    pub alerts: u64,
    /// Matches whose entry left the list.
    pub removals: u64,
}

/// `(entity id, entity hash)` of every match rejected on the client's recent screening checks:
/// a rejected entry is not raised again for the client until its content changes.
///
/// # Errors
/// The store could not be read, or a stored check no longer reads as one.
pub async fn rejected_matches(
    store: &dyn Store,
    scope: &Scope,
    client_id: &str,
) -> Result<HashSet<(String, String)>> {
    let checks = store
        .list(&ListQuery {
            client_id: Some(client_id.into()),
            ..ListQuery::newest(scope.clone(), ResourceKind::Check, HISTORY)
        })
        .await?;
    let mut out = HashSet::new();
    for stored in &checks.items {
        let check: Check = typed::decode(stored)?;
        let Some(CheckResult {
            breakdown: Breakdown::Screening(b),
            ..
        }) = check.result
        else {
            continue;
        };
        for m in b.matches {
            let rejected = m.validation.is_some_and(|v| v.outcome == "rejected");
            if let (true, Some(id), Some(hash)) = (rejected, m.entity_id, m.entity_hash) {
                out.insert((id, hash));
            }
        }
    }
    Ok(out)
}

/// The registration change for a check as it is now: registered while monitored, removed
/// otherwise.
pub(super) fn registration(
    scope: &Scope,
    check_id: &str,
    check: &Check,
    client: Option<&Client>,
    now: i64,
) -> Change {
    match client.and_then(|c| MonitoredCheck::of(scope, check_id, check, c)) {
        Some(monitored) => Change::Put(monitored.resource(scope, &check.client_id, now)),
        None => Change::Discard {
            scope: scope.clone(),
            kind: ResourceKind::MonitoredCheck,
            id: MonitoredCheck::resource_id(check_id),
        },
    }
}

/// The checks of one page the delta touches, with their hits and the removed entries they report.
type Touched = Vec<(
    Scope,
    String,
    MonitoredCheck,
    Vec<DeltaHit>,
    Vec<DeltaEntity>,
)>;

/// A registration as a run screens it: its scope, its client and what it says.
pub type Registered = (Scope, String, MonitoredCheck);

/// Reads one page of registrations across accounts, decoded (on a blocking thread): the id to
/// read on from, and the page (empty at the end). A run reads them this way.
///
/// # Errors
/// The store could not be read.
pub async fn read_registrations(
    store: &dyn Store,
    after: Option<&str>,
) -> Result<(Option<String>, Vec<Registered>)> {
    let page = store
        .scan_kind(ResourceKind::MonitoredCheck, after, PAGE)
        .await?;
    let next = (page.len() == PAGE as usize)
        .then(|| page.last().map(|r| r.id.clone()))
        .flatten();
    let decoded = tokio::task::spawn_blocking(move || {
        page.into_iter()
            .filter_map(|stored| match typed::decode::<MonitoredCheck>(&stored) {
                Ok(m) => Some((stored.scope, stored.client_id.unwrap_or_default(), m)),
                Err(e) => {
                    tracing::error!(id = %stored.id, error = %e, "a monitored check's registration does not read; skipped");
                    None
                }
            })
            .collect()
    })
    .await
    .map_err(|e| CoreError::internal(format!("the decoding task failed: {e}")))?;
    Ok((next, decoded))
}

/// Screens one page of registrations against a prepared delta (CPU work).
fn screen_page(delta: &dyn PreparedDelta, page: Vec<Registered>) -> Touched {
    let mut out = Vec::new();
    for (scope, client_id, monitored) in page {
        let hits = delta.screen(&monitored);
        let removed: Vec<DeltaEntity> = monitored
            .entity_ids
            .iter()
            .filter_map(|id| delta.removed(id).cloned())
            .collect();
        if hits.is_empty() && removed.is_empty() {
            continue;
        }
        out.push((scope, client_id, monitored, hits, removed));
    }
    out
}

impl Services {
    /// Installs the reverse search monitoring runs use (none: runs do nothing).
    pub fn with_delta_screener(mut self, screener: Arc<dyn DeltaScreener>) -> Self {
        self.delta_screener = Some(screener);
        self
    }

    /// Screens every monitored check against delta `seq` of list `list` and folds what it
    /// finds into the checks (see [`crate::monitoring::merge`]).
    ///
    /// # Errors
    /// The store or the screener failed; the run may be repeated.
    pub async fn run_list_monitoring(&self, list: &str, seq: i64) -> Result<MonitoringRun> {
        let mut run = MonitoringRun::default();
        let Some(screener) = &self.delta_screener else {
            return Ok(run);
        };
        let kind = ResourceKind::MonitoredCheck;
        // Nothing is monitored: do not index the delta.
        if self.store.scan_kind(kind, None, 1).await?.is_empty() {
            return Ok(run);
        }
        let Some(delta) = screener
            .prepare(list, seq)
            .await
            .map_err(|e| CoreError::internal(format!("preparing the list's delta: {}", e.0)))?
        else {
            return Ok(run);
        };
        // Each page is screened on a blocking thread while the next one is read and decoded.
        let (mut after, mut page) = read_registrations(self.store.as_ref(), None).await?;
        while !page.is_empty() {
            run.screened += page.len() as u64;
            let screening = delta.clone();
            let screened =
                tokio::task::spawn_blocking(move || screen_page(screening.as_ref(), page));
            let next = async {
                match after.as_deref() {
                    Some(from) => read_registrations(self.store.as_ref(), Some(from)).await,
                    None => Ok((None, Vec::new())),
                }
            };
            let (touched, next) = tokio::join!(screened, next);
            let touched = touched
                .map_err(|e| CoreError::internal(format!("the screening task failed: {e}")))?;
            for (scope, client_id, monitored, hits, removed) in touched {
                run.touched += 1;
                let merged = self
                    .fold_into_check(
                        &scope,
                        &client_id,
                        &monitored,
                        &hits,
                        &removed,
                        delta.as_ref(),
                    )
                    .await?;
                if let Some(merged) = merged {
                    run.alerts += merged.alerts as u64;
                    run.removals += merged.removals as u64;
                }
            }
            (after, page) = next?;
        }
        tracing::info!(
            list,
            seq,
            screened = run.screened,
            touched = run.touched,
            alerts = run.alerts,
            removals = run.removals,
            "monitoring run finished"
        );
        Ok(run)
    }

    /// Folds one check's hits and removed entries into it, with `check.updated` and, for new
    /// matches, `check.monitoring.attention`, and its registration, in one transaction.
    async fn fold_into_check(
        &self,
        scope: &Scope,
        client_id: &str,
        monitored: &MonitoredCheck,
        hits: &[DeltaHit],
        removed: &[DeltaEntity],
        delta: &dyn PreparedDelta,
    ) -> Result<Option<Merged>> {
        let rejected = if hits.is_empty() {
            HashSet::new()
        } else {
            rejected_matches(self.store.as_ref(), scope, client_id).await?
        };
        let removed: Vec<&DeltaEntity> = removed.iter().collect();
        let at = format_timestamp(self.now_ms());
        let merged: Mutex<Option<Merged>> = Mutex::new(None);
        let result = self
            .update_with(
                scope,
                &Actor::default(),
                ResourceKind::Check,
                &monitored.check_id,
                |body| {
                    typed::change(ResourceKind::Check.label(), body, |mut check: Check| {
                        let done = merge(&mut check, hits, &removed, &rejected, delta.delta(), &at);
                        if let Ok(mut m) = merged.lock() {
                            *m = done;
                        }
                        Ok(check)
                    })
                },
                |_, after, now| {
                    let alerted = merged
                        .lock()
                        .ok()
                        .and_then(|m| m.clone())
                        .is_some_and(|m| m.alerts > 0);
                    let mut changes = vec![Change::Event(check_event(after, "check.updated", now))];
                    if alerted {
                        changes.push(Change::Event(check_event(
                            after,
                            "check.monitoring.attention",
                            now,
                        )));
                    }
                    if let Ok(check) = typed::decode::<Check>(after) {
                        let registered = reregister(monitored, &check);
                        changes.push(Change::Put(registered.resource(scope, client_id, now)));
                    }
                    changes
                },
            )
            .await;
        match result {
            Ok(_) => Ok(merged.into_inner().ok().flatten()),
            // The check (its client) was erased meanwhile.
            Err(CoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The registrations of a client's monitored checks, to follow a change of its details:
    /// the reverse search must screen the name the client has now.
    pub(super) async fn registrations_of(
        &self,
        scope: &Scope,
        client_id: &str,
    ) -> Result<Vec<Resource>> {
        if scope.mode != Mode::Live {
            return Ok(Vec::new());
        }
        let page = self
            .store
            .list(&ListQuery {
                client_id: Some(client_id.to_owned()),
                ..ListQuery::newest(scope.clone(), ResourceKind::MonitoredCheck, 1_000)
            })
            .await?;
        Ok(page.items)
    }
}

/// Runs the [`crate::monitoring::QUEUE`] jobs: one monitoring run per announced delta.
pub struct MonitoringRunner {
    services: Arc<Services>,
}

impl MonitoringRunner {
    pub fn new(services: Arc<Services>) -> Self {
        MonitoringRunner { services }
    }
}

#[async_trait]
impl Handler for MonitoringRunner {
    async fn handle(&self, job: &Job) -> std::result::Result<(), HandlerError> {
        let Ok(announced) = serde_json::from_value::<DeltaAnnouncement>(job.payload.clone()) else {
            return Err(HandlerError::Permanent("malformed monitoring job".into()));
        };
        self.services
            .run_list_monitoring(&announced.list, announced.seq)
            .await
            .map(|_| ())
            .map_err(|e| HandlerError::Retry(e.to_string()))
    }
}

/// The registrations of a client's monitored checks with the subject its details give now
/// (`client` the updated client's stored body).
pub(super) fn follow_client(
    registrations: &[Resource],
    client: &Resource,
    now: i64,
) -> Vec<Change> {
    let Ok(updated) = typed::decode::<Client>(client) else {
        return Vec::new();
    };
    let Some(subject) = crate::monitoring::ScreeningSubject::of(&updated) else {
        return Vec::new();
    };
    registrations
        .iter()
        .filter_map(|stored| {
            let monitored: MonitoredCheck = typed::decode(stored).ok()?;
            let moved = MonitoredCheck {
                subject: subject.clone(),
                ..monitored
            };
            Some(Change::Put(moved.resource(
                &stored.scope,
                stored.client_id.as_deref().unwrap_or_default(),
                now,
            )))
        })
        .collect()
}
