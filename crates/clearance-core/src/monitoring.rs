//! Ongoing monitoring of screening checks (`enableMonitoring`). A completed live screening check
//! with monitoring on is registered as a [`MonitoredCheck`]: what its client is screened as,
//! and the list entries it reports. Each list import that changes a list announces its delta
//! on [`QUEUE`]; the run screens the registered checks against the delta's changed entities
//! (a reverse search, through the [`DeltaScreener`] port) and [`merge`] folds what it finds into
//! the check: a new or changed entry is a new match with its "why now", a removed one is
//! recorded on its match, and a match the customer rejected stays rejected unless the entry's
//! content changed.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::checks::analyser::TransientError;
use crate::checks::input::CheckOptions;
use crate::checks::result::{Breakdown, MatchMonitoring, ScreeningMatch};
use crate::checks::review::screening_outcome;
use crate::checks::{Check, CheckStatus, CheckType};
use crate::resources::client::Client;
use crate::scope::{Mode, Scope};
use crate::screening_lists::{DeltaEntity, EntityChange, ListDelta};
use crate::store::{Resource, ResourceKind};

/// The job queue list imports announce their deltas on (`{list, seq}`).
pub const QUEUE: &str = "list-monitoring";

/// The payload of a [`QUEUE`] job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaAnnouncement {
    pub list: String,
    pub seq: i64,
}

/// What a client is screened as: a person's full name with date of birth, nationality and
/// gender, or a company's name and country of incorporation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningSubject {
    pub company: bool,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
}

/// A non-blank value.
fn text(value: Option<&String>) -> Option<String> {
    value
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ScreeningSubject {
    /// The subject of a client; `None` when it has no name to screen.
    pub fn of(client: &Client) -> Option<Self> {
        if let Some(company) = client.company() {
            return Some(ScreeningSubject {
                company: true,
                name: text(Some(&company.name))?,
                country: text(company.incorporation_country.as_ref()),
                ..ScreeningSubject::default()
            });
        }
        let person = client.person()?;
        let name = [
            text(Some(&person.first_name)),
            text(person.middle_name.as_ref()),
            text(Some(&person.last_name)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        if name.is_empty() {
            return None;
        }
        Some(ScreeningSubject {
            company: false,
            name,
            dob: text(person.dob.as_ref()),
            country: text(person.nationality.as_ref()).or(text(person.birth_country.as_ref())),
            gender: person.gender.map(|g| g.as_str().to_owned()),
        })
    }
}

/// A screening check under monitoring, as the reverse search reads it (stored as a
/// `monitoredCheck` resource owned by the client, so erasing the client removes it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitoredCheck {
    pub check_id: String,
    pub check_type: CheckType,
    pub subject: ScreeningSubject,
    #[serde(default)]
    pub options: CheckOptions,
    /// The list entries the check reports (`<source>:<native id>`), so a removal finds it.
    #[serde(default)]
    pub entity_ids: Vec<String>,
}

impl MonitoredCheck {
    /// The registration of a check, when it is monitored: a completed live screening check with
    /// `enableMonitoring` whose client has a name. Test-mode checks are sandbox simulations
    /// and are never re-screened against the lists.
    pub fn of(scope: &Scope, check_id: &str, check: &Check, client: &Client) -> Option<Self> {
        let monitored = scope.mode == Mode::Live
            && check.check_type.is_screening()
            && check.enable_monitoring
            && check.status == CheckStatus::Complete;
        if !monitored {
            return None;
        }
        Some(MonitoredCheck {
            check_id: check_id.to_owned(),
            check_type: check.check_type,
            subject: ScreeningSubject::of(client)?,
            options: check.options(),
            entity_ids: reported_entities(check),
        })
    }

    /// The id of a check's registration (one per check).
    pub fn resource_id(check_id: &str) -> String {
        format!("monitor-{check_id}")
    }

    /// The registration as a stored resource of `client_id` in `scope`.
    pub fn resource(&self, scope: &Scope, client_id: &str, now: i64) -> Resource {
        Resource {
            id: Self::resource_id(&self.check_id),
            scope: scope.clone(),
            kind: ResourceKind::MonitoredCheck,
            client_id: Some(client_id.to_owned()),
            created_at: now,
            updated_at: now,
            version: 1,
            body: crate::typed::encode(self),
        }
    }
}

/// The list entries a screening check reports.
fn reported_entities(check: &Check) -> Vec<String> {
    match check.result.as_ref().map(|r| &r.breakdown) {
        Some(Breakdown::Screening(b)) => b
            .matches
            .iter()
            .filter_map(|m| m.entity_id.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// An entry of a delta a monitored check matched: the match as a screening would report it
/// (`entityHash` the entry's content now) and what the import did to the entry.
#[derive(Clone, Debug, PartialEq)]
pub struct DeltaHit {
    pub found: ScreeningMatch,
    pub change: DeltaEntity,
}

/// One recorded delta, ready to screen monitored checks against.
pub trait PreparedDelta: Send + Sync {
    /// The delta's summary (list, versions, counts).
    fn delta(&self) -> &ListDelta;
    /// The delta's removed entry with this id, if it removed it.
    fn removed(&self, entity_id: &str) -> Option<&DeltaEntity>;
    /// The delta's added and changed entries `monitored` matches, honouring its check's type
    /// and options as a screening would.
    fn screen(&self, monitored: &MonitoredCheck) -> Vec<DeltaHit>;
}

/// Prepares the reverse search of list deltas (the screening engine implements it).
#[async_trait]
pub trait DeltaScreener: Send + Sync {
    /// Delta `seq` of list `list`, indexed for screening; `None` when the delta is no longer
    /// kept or its list is no longer loaded.
    async fn prepare(
        &self,
        list: &str,
        seq: i64,
    ) -> Result<Option<Arc<dyn PreparedDelta>>, TransientError>;
}

/// What [`merge`] changed on a check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// New matches, and matches whose entry's content changed: each one an alert.
    pub alerts: usize,
    /// Matches whose entry the list removed.
    pub removals: usize,
}

/// Folds a delta's hits and removals into a monitored check's result, at `at` (wire time).
/// A hit is skipped when the check already reports the entry with the same content (an alert
/// is raised once, however often a run is repeated) or a match with that content was rejected
/// on any of the client's checks (`rejected`: `(entity id, entity hash)`). An entry whose
/// content changed replaces its match, without the earlier decision. Answers `None` when
/// nothing changed or the check is no longer monitored.
pub fn merge(
    check: &mut Check,
    hits: &[DeltaHit],
    removed: &[&DeltaEntity],
    rejected: &HashSet<(String, String)>,
    delta: &ListDelta,
    at: &str,
) -> Option<Merged> {
    if !check.enable_monitoring || check.status != CheckStatus::Complete {
        return None;
    }
    let result = check.result.as_mut()?;
    let Breakdown::Screening(breakdown) = &mut result.breakdown else {
        return None;
    };
    let mut merged = Merged::default();
    for hit in hits {
        let (Some(entity_id), Some(hash)) = (&hit.found.entity_id, &hit.found.entity_hash) else {
            continue;
        };
        let existing = breakdown
            .matches
            .iter()
            .position(|m| m.entity_id.as_ref() == Some(entity_id));
        if let Some(i) = existing
            && breakdown.matches[i].entity_hash.as_ref() == Some(hash)
        {
            continue;
        }
        if rejected.contains(&(entity_id.clone(), hash.clone())) {
            continue;
        }
        let mut found = hit.found.clone();
        found.monitoring = Some(MatchMonitoring::of(&hit.change, delta, at));
        for class in found.classifications.iter().flatten() {
            breakdown.summary.flag(class);
        }
        match existing {
            Some(i) => breakdown.matches[i] = found,
            None => breakdown.matches.push(found),
        }
        merged.alerts += 1;
    }
    for gone in removed {
        let Some(m) = breakdown
            .matches
            .iter_mut()
            .find(|m| m.entity_id.as_deref() == Some(gone.entity_id.as_str()))
        else {
            continue;
        };
        if m.monitoring
            .as_ref()
            .is_some_and(|w| w.change == EntityChange::Removed)
        {
            continue;
        }
        m.monitoring = Some(MatchMonitoring::of(gone, delta, at));
        merged.removals += 1;
    }
    if merged.alerts > 0 {
        result.outcome = screening_outcome(&breakdown.matches);
    }
    (merged != Merged::default()).then_some(merged)
}

/// The registration of a check after a merge: the entries it now reports.
pub fn reregister(monitored: &MonitoredCheck, check: &Check) -> MonitoredCheck {
    MonitoredCheck {
        entity_ids: reported_entities(check),
        ..monitored.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::result::{CheckResult, Outcome, ScreeningBreakdown, Validation};

    fn delta() -> ListDelta {
        ListDelta {
            list_name: "L".into(),
            seq: 2,
            version: "v2".into(),
            content_hash: "h2".into(),
            previous_version: Some("v1".into()),
            previous_hash: Some("h1".into()),
            imported_at: 0,
            added: 1,
            changed: 0,
            removed: 1,
        }
    }

    fn found(entity: &str, hash: &str) -> ScreeningMatch {
        ScreeningMatch {
            id: format!("m-{entity}"),
            entity_id: Some(entity.into()),
            entity_hash: Some(hash.into()),
            classifications: Some(vec!["watchlistSanctionsLists".into()]),
            ..ScreeningMatch::default()
        }
    }

    fn entity(id: &str, change: EntityChange) -> DeltaEntity {
        DeltaEntity {
            entity_id: id.into(),
            change,
            name: "N".into(),
            previous_name: None,
            hash_before: None,
            hash_after: None,
            fields: Vec::new(),
        }
    }

    fn hit(entity_id: &str, hash: &str) -> DeltaHit {
        DeltaHit {
            found: found(entity_id, hash),
            change: entity(entity_id, EntityChange::Added),
        }
    }

    fn check(matches: Vec<ScreeningMatch>) -> Check {
        let summary = crate::checks::result::ScreeningSummary::graded(|_| true, |_| false);
        let result = CheckResult::new(
            Outcome::Clear,
            Breakdown::Screening(ScreeningBreakdown {
                summary,
                matches,
                ..ScreeningBreakdown::default()
            }),
        );
        serde_json::from_value::<Check>(serde_json::json!({
            "clientId": "c", "type": "standard_screening_check", "enableMonitoring": true,
            "status": "complete"
        }))
        .map(|c| Check {
            result: Some(result),
            ..c
        })
        .expect("a check")
    }

    fn matches(check: &Check) -> &[ScreeningMatch] {
        match &check.result.as_ref().expect("result").breakdown {
            Breakdown::Screening(b) => &b.matches,
            _ => &[],
        }
    }

    #[test]
    fn an_alert_is_raised_once_however_often_the_run_repeats() {
        let mut c = check(Vec::new());
        let none = HashSet::new();
        let hits = [hit("x:1", "a")];
        let merged = merge(&mut c, &hits, &[], &none, &delta(), "t");
        assert_eq!(
            merged,
            Some(Merged {
                alerts: 1,
                removals: 0
            })
        );
        let result = c.result.as_ref().expect("result");
        assert_eq!(result.outcome, Outcome::Attention);
        let Breakdown::Screening(b) = &result.breakdown else {
            panic!("a screening")
        };
        assert_eq!(
            b.summary.watchlist.sanctions_lists,
            crate::checks::result::Verdict::Attention
        );
        let why = b.matches[0].monitoring.as_ref().expect("why now");
        assert_eq!(
            (why.change, why.delta_seq, why.list_version.as_str()),
            (EntityChange::Added, 2, "v2")
        );
        assert_eq!(merge(&mut c, &hits, &[], &none, &delta(), "t2"), None);
        assert_eq!(matches(&c).len(), 1);
    }

    #[test]
    fn a_rejected_entry_stays_rejected_until_its_content_changes() {
        let mut rejected_here = found("x:1", "a");
        rejected_here.validation = Some(Validation {
            outcome: "rejected".into(),
            comment: None,
            validated_at: "t".into(),
            rejection_reasons: None,
            user_supplied_data: None,
        });
        let mut c = check(vec![rejected_here]);
        let none = HashSet::new();
        assert_eq!(
            merge(&mut c, &[hit("x:1", "a")], &[], &none, &delta(), "t"),
            None
        );
        // Rejected on another check of the client.
        let elsewhere: HashSet<_> = [("x:2".to_owned(), "b".to_owned())].into();
        assert_eq!(
            merge(&mut c, &[hit("x:2", "b")], &[], &elsewhere, &delta(), "t"),
            None
        );
        // Changed content: raised again, without the old decision.
        let merged = merge(&mut c, &[hit("x:1", "a2")], &[], &none, &delta(), "t");
        assert_eq!(
            merged,
            Some(Merged {
                alerts: 1,
                removals: 0
            })
        );
        assert_eq!(matches(&c).len(), 1);
        assert!(matches(&c)[0].validation.is_none());
        assert_eq!(
            c.result.as_ref().map(|r| r.outcome),
            Some(Outcome::Attention)
        );
    }

    #[test]
    fn removals_are_recorded_once_and_unmonitored_checks_are_left_alone() {
        let mut c = check(vec![found("x:1", "a")]);
        let none = HashSet::new();
        let gone = entity("x:1", EntityChange::Removed);
        let merged = merge(&mut c, &[], &[&gone], &none, &delta(), "t");
        assert_eq!(
            merged,
            Some(Merged {
                alerts: 0,
                removals: 1
            })
        );
        assert_eq!(c.result.as_ref().map(|r| r.outcome), Some(Outcome::Clear));
        assert_eq!(merge(&mut c, &[], &[&gone], &none, &delta(), "t"), None);
        let mut off = Check {
            enable_monitoring: false,
            ..check(Vec::new())
        };
        assert_eq!(
            merge(&mut off, &[hit("x:9", "z")], &[], &none, &delta(), "t"),
            None
        );
    }
}
