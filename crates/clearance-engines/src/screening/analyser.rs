//! The live `standard_screening_check` / `extensive_screening_check` engine: screens the
//! check's client against the official lists and the account's custom lists, honours the
//! check's options, leaves out matches the integrator already rejected for this client (unless
//! the list entry changed since), and explains every match.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::catalogue::Catalogue;
use super::result::{self, Source};
use async_trait::async_trait;
use clearance_core::Scope;
use clearance_core::checks::analyser::{Analyser, Analysis, CheckContext, TransientError};
use clearance_core::checks::input::{CheckOptions, ListsScope};
use clearance_core::checks::kinds::CheckType;
use clearance_core::checks::result::{
    Breakdown, CLASSIFICATIONS as SUMMARY, CheckResult, Outcome, ScreenedList, ScreeningBreakdown,
    ScreeningMatch, ScreeningSummary, covered_by,
};
use clearance_core::monitoring::ScreeningSubject;
use clearance_core::resources::client::Client;
use clearance_core::resources::custom_list::{CustomList, CustomListRecord};
use clearance_core::service::{custom_list_records, custom_lists, rejected_matches};
use clearance_core::store::{Resource, Store};
use clearance_screening::custom::{CustomRecord, custom_entity};
use clearance_screening::{
    Classification, DEFAULT_THRESHOLD, Entity, Gender, IndexBuilder, Match, PartialDate, Query,
    ScreenOptions, ScreeningIndex, SearchMode,
};

/// Matches returned per check at most.
pub(super) const MAX_MATCHES: usize = 25;

const CLASSIFICATIONS: [Classification; 10] = [
    Classification::WatchlistSanctionsLists,
    Classification::WatchlistOtherOfficialLists,
    Classification::WatchlistWarCrimes,
    Classification::WatchlistTerror,
    Classification::WatchlistOtherExclusionLists,
    Classification::WatchlistSanctionsControlAndOwnership,
    Classification::PepLevel1,
    Classification::PepLevel2,
    Classification::PepLevel3,
    Classification::PepLevel4,
];

pub(super) fn classification(value: &str) -> Option<Classification> {
    CLASSIFICATIONS
        .into_iter()
        .find(|c| c.request_value() == value)
}

/// The screening engine behind the analyser port.
pub struct ScreeningEngine {
    store: Arc<dyn Store>,
    catalogue: Arc<Catalogue>,
}

impl ScreeningEngine {
    pub fn new(store: Arc<dyn Store>, catalogue: Arc<Catalogue>) -> Self {
        ScreeningEngine { store, catalogue }
    }
}

/// The account's custom lists as a small index, with the list each entity is on.
struct CustomIndex {
    index: ScreeningIndex,
    /// entity id → (list name, list classification)
    owners: HashMap<String, (String, Classification)>,
}

impl CustomIndex {
    fn list_of(&self, entity_id: &str) -> Option<&str> {
        self.owners.get(entity_id).map(|(name, _)| name.as_str())
    }

    /// (list name, classification) of every list with at least one record.
    fn lists(&self) -> HashSet<(&str, Classification)> {
        self.owners
            .values()
            .map(|(name, class)| (name.as_str(), *class))
            .collect()
    }
}

/// The query for a client: a person's full name, date of birth, nationality and gender, or a
/// company's name and country of incorporation.
fn query_of(client: &Client) -> Option<Query> {
    ScreeningSubject::of(client).map(|s| subject_query(&s))
}

/// The query a screening subject is screened with.
pub(super) fn subject_query(subject: &ScreeningSubject) -> Query {
    if subject.company {
        return Query {
            country: subject.country.clone(),
            ..Query::company(subject.name.clone())
        };
    }
    Query {
        dob: subject.dob.as_deref().and_then(PartialDate::parse_iso),
        country: subject.country.clone(),
        gender: subject.gender.as_deref().and_then(Gender::parse),
        ..Query::person(subject.name.clone())
    }
}

/// The check's options as the engine needs them.
pub(super) struct Settings {
    pub(super) mode: SearchMode,
    /// Classification values the client asked for (`None` = all).
    selected: Option<Vec<String>>,
    /// `screeningListsScope`.
    scope: Option<ListsScope>,
}

impl Settings {
    pub(super) fn of(options: &CheckOptions) -> Self {
        Settings {
            mode: if options.screening_name_search_mode.as_deref() == Some("precise") {
                SearchMode::Precise
            } else {
                SearchMode::Fuzzy
            },
            selected: options.classifications().map(<[String]>::to_vec),
            scope: options.screening_lists_scope.clone(),
        }
    }

    pub(super) fn list_allowed(&self, name: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| s.allows(name))
    }

    /// Whether the check screens a category: its type covers it and its options select it.
    pub(super) fn wants(&self, extensive: bool, class: &str) -> bool {
        covered_by(extensive, class)
            && self
                .selected
                .as_ref()
                .is_none_or(|s| s.iter().any(|x| x == class))
    }

    /// The lists the scope names, for messages.
    fn named_lists(&self) -> &[String] {
        self.scope.as_ref().map_or(&[], |s| s.lists.as_slice())
    }
}

impl ScreeningEngine {
    async fn custom_index(&self, scope: &Scope) -> Result<Option<CustomIndex>, TransientError> {
        let transient = |e: clearance_core::CoreError| TransientError(e.to_string());
        let lists = custom_lists(self.store.as_ref(), scope)
            .await
            .map_err(transient)?;
        if lists.is_empty() {
            return Ok(None);
        }
        let records = custom_list_records(self.store.as_ref(), scope, None)
            .await
            .map_err(transient)?;
        let mut entities = Vec::new();
        let mut owners = HashMap::new();
        for record in &records {
            if let Some((entity, name, class)) = custom_record_entity(&lists, record) {
                owners.insert(entity.id(), (name, class));
                entities.push(entity);
            }
        }
        if entities.is_empty() {
            return Ok(None);
        }
        let index = tokio::task::spawn_blocking(move || {
            let mut b = IndexBuilder::new();
            b.add_entities(entities);
            b.build()
        })
        .await
        .map_err(|e| TransientError(e.to_string()))?;
        Ok(Some(CustomIndex { index, owners }))
    }
}

/// The entity of one stored custom-list record, with its list's name and classification.
fn custom_record_entity(
    lists: &[Resource],
    record: &Resource,
) -> Option<(Entity, String, Classification)> {
    let skipped = |error: &dyn std::fmt::Display| {
        tracing::warn!(record = %record.id, error = %error, "a custom-list record was skipped");
    };
    let on_list: CustomListRecord = clearance_core::typed::decode(record)
        .map_err(|e| skipped(&e))
        .ok()?;
    let list_id = on_list.custom_list_id.as_str();
    let list: CustomList = clearance_core::typed::decode(lists.iter().find(|l| l.id == list_id)?)
        .map_err(|e| skipped(&e))
        .ok()?;
    let class = classification(list.classification.as_str())
        .unwrap_or(Classification::WatchlistOtherOfficialLists);
    let parsed: CustomRecord =
        clearance_core::typed::decode_body(record.kind.label(), &record.body)
            .map_err(|e| skipped(&e))
            .ok()?;
    match custom_entity(list_id, &record.id, &parsed, class) {
        Ok(e) => Some((e, list.name, class)),
        Err(e) => {
            skipped(&e);
            None
        }
    }
}

#[async_trait]
impl Analyser for ScreeningEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let loaded = self
            .catalogue
            .current(self.store.as_ref())
            .await
            .map_err(TransientError)?;
        let scope = &ctx.scope;
        let custom = self.custom_index(scope).await?;
        if loaded.lists.is_empty() && custom.is_none() {
            return Ok(Analysis::Failed {
                reason: "No screening lists are loaded on this server: an operator imports them \
                         with `clearance lists import` (or adds a custom list)"
                    .into(),
            });
        }
        let client: Client = clearance_core::typed::decode(&ctx.client)
            .map_err(|e| TransientError(e.to_string()))?;
        let Some(query) = query_of(&client) else {
            return Ok(Analysis::Failed {
                reason: "The client has no name to screen".into(),
            });
        };
        let settings = Settings::of(&ctx.check.options());
        let extensive = ctx.check_type == CheckType::ExtensiveScreening;
        let custom_lists = custom.as_ref().map(CustomIndex::lists).unwrap_or_default();

        // A category is processed when the check type covers it, the options select it and a
        // list in the check's scope (official or custom) carries it.
        let mut available: HashSet<Classification> = HashSet::new();
        let mut in_scope = 0;
        for (list, classes) in loaded.lists.iter().zip(&loaded.classifications) {
            if settings.list_allowed(&list.name) {
                in_scope += 1;
                available.extend(classes.iter().copied());
            }
        }
        for (name, class) in &custom_lists {
            if settings.list_allowed(name) {
                in_scope += 1;
                available.insert(*class);
            }
        }
        if in_scope == 0 {
            return Ok(Analysis::Failed {
                reason: format!(
                    "screeningListsScope leaves no list to screen against: the lists loaded here \
                     are those GET /v1/static/screeningLists names (and the account's custom \
                     lists); the check named {:?}",
                    settings.named_lists()
                ),
            });
        }
        let processed: HashSet<&str> = SUMMARY
            .into_iter()
            .filter(|class| {
                settings.wants(extensive, class)
                    && classification(class).is_some_and(|c| available.contains(&c))
            })
            .collect();
        let wanted: Vec<Classification> =
            processed.iter().filter_map(|c| classification(c)).collect();

        let rejected = rejected_matches(self.store.as_ref(), scope, &ctx.client.id)
            .await
            .map_err(|e| TransientError(e.to_string()))?;
        let options = ScreenOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: MAX_MATCHES * 2,
            mode: settings.mode,
            classifications: wanted.clone(),
            sources: Vec::new(),
        };
        let mut found: Vec<(Match, Entity, String, Option<String>)> = Vec::new();
        if !wanted.is_empty() {
            for m in loaded.index.screen(&query, &options) {
                let (Some(entity), Some(list)) = (
                    loaded.index.entity(&m.entity_id),
                    loaded.list_of(&m.entity_id),
                ) else {
                    continue;
                };
                found.push((
                    m,
                    entity.clone(),
                    list.name.clone(),
                    Some(list.version.clone()),
                ));
            }
            if let Some(c) = &custom {
                for m in c.index.screen(&query, &options) {
                    let (Some(entity), Some(list)) =
                        (c.index.entity(&m.entity_id), c.list_of(&m.entity_id))
                    else {
                        continue;
                    };
                    found.push((m, entity.clone(), list.to_string(), None));
                }
            }
        }
        found.retain(|(m, entity, list, _)| {
            settings.list_allowed(list)
                && !rejected.contains(&(m.entity_id.clone(), result::entity_hash(entity)))
        });
        found.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
        found.truncate(MAX_MATCHES);

        let mut flagged: HashSet<&str> = HashSet::new();
        let matches: Vec<ScreeningMatch> = found
            .iter()
            .map(|(m, entity, list, version)| {
                for c in &entity.classifications {
                    let v = c.request_value();
                    if processed.contains(v) {
                        flagged.insert(v);
                    }
                }
                let source = Source {
                    list,
                    version: version.as_deref(),
                };
                result::screening_match(&ctx.check_id, m, entity, &source, |c| {
                    processed.contains(c)
                })
            })
            .collect();
        let mut screened: Vec<ScreenedList> = loaded
            .lists
            .iter()
            .filter(|l| settings.list_allowed(&l.name))
            .map(|l| ScreenedList {
                name: l.name.clone(),
                version: Some(l.version.clone()),
                published: l.published.clone(),
                custom: None,
            })
            .collect();
        let mut names: Vec<&str> = custom_lists.iter().map(|(n, _)| *n).collect();
        names.sort();
        names.dedup();
        screened.extend(
            names
                .into_iter()
                .filter(|n| settings.list_allowed(n))
                .map(|n| ScreenedList {
                    name: n.to_string(),
                    version: None,
                    published: None,
                    custom: Some(true),
                }),
        );
        let outcome = if matches.is_empty() {
            Outcome::Clear
        } else {
            Outcome::Attention
        };
        let breakdown = ScreeningBreakdown {
            summary: ScreeningSummary::graded(|c| processed.contains(c), |c| flagged.contains(c)),
            matches,
            screened_lists: Some(screened),
            search_mode: Some(
                if settings.mode == SearchMode::Precise {
                    "precise"
                } else {
                    "fuzzy"
                }
                .into(),
            ),
            threshold: Some(f64::from(DEFAULT_THRESHOLD)),
        };
        Ok(Analysis::Complete(Box::new(CheckResult::new(
            outcome,
            Breakdown::Screening(breakdown),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn client(v: Value) -> Client {
        let mut v = v;
        v["email"] = json!("a@b.co");
        v["entityName"] = json!("x");
        serde_json::from_value(v).expect("a client")
    }

    fn settings(options: Value) -> Settings {
        Settings::of(&serde_json::from_value(options).expect("options"))
    }

    #[test]
    fn queries_come_from_the_client() {
        let q = query_of(&client(json!({"type": "person", "personDetails": {
            "firstName": "Jesus", "middleName": "Alfredo", "lastName": "Salazar Ramirez",
            "dob": "1974-03-24", "nationality": "MX", "gender": "male"}})))
        .expect("a query");
        assert_eq!(q.name, "Jesus Alfredo Salazar Ramirez");
        assert_eq!(q.dob, PartialDate::parse_iso("1974-03-24"));
        assert_eq!(q.country.as_deref(), Some("MX"));
        assert_eq!(q.gender, Some(Gender::Male));
        let c = query_of(&client(json!({"type": "company", "companyDetails": {
            "name": "Acme LLC", "incorporationCountry": "IR"}})))
        .expect("a query");
        assert_eq!(c.name, "Acme LLC");
        assert!(
            query_of(&client(
                json!({"type": "person", "personDetails": {"firstName": " ", "lastName": ""}})
            ))
            .is_none()
        );
    }

    #[test]
    fn list_scope_includes_or_excludes_by_name() {
        let s = settings(json!({"screeningListsScope":
            {"mode": "exclude", "lists": ["A"]}, "screeningNameSearchMode": "precise"}));
        assert!(!s.list_allowed("A"));
        assert!(s.list_allowed("B"));
        assert_eq!(s.mode, SearchMode::Precise);
        let s = settings(json!({"screeningListsScope": {"mode": "include", "lists": ["A"]}}));
        assert!(s.list_allowed("A"));
        assert!(!s.list_allowed("B"));
        let s = settings(json!({}));
        assert!(s.list_allowed("anything"));
        assert!(s.selected.is_none());
    }
}
