//! The reverse search behind monitoring: the entities a list import added or changed, indexed
//! within the loaded lists' index (so they score exactly as a full screening scores them), and
//! every monitored check's subject screened against that small index.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use clearance_core::checks::analyser::TransientError;
use clearance_core::checks::input::CheckOptions;
use clearance_core::checks::kinds::CheckType;
use clearance_core::monitoring::{DeltaHit, DeltaScreener, MonitoredCheck, PreparedDelta};
use clearance_core::screening_lists::{DeltaEntity, EntityChange, ListDelta, ListStore};
use clearance_core::store::Store;
use clearance_screening::{DEFAULT_THRESHOLD, Entity, IndexBuilder, ScreenOptions, ScreeningIndex};

use super::analyser::{MAX_MATCHES, Settings, classification, subject_query};
use super::catalogue::Catalogue;
use super::delta::{DeltaRecords, delta_records};
use super::result::{self, Source};

/// Prepares list deltas for monitoring runs from the stored deltas and the shared catalogue.
pub struct DeltaSearch {
    store: Arc<dyn Store>,
    catalogue: Arc<Catalogue>,
}

impl DeltaSearch {
    pub fn new(store: Arc<dyn Store>, catalogue: Arc<Catalogue>) -> Self {
        DeltaSearch { store, catalogue }
    }
}

/// One delta indexed for the reverse search.
pub struct IndexedDelta {
    delta: ListDelta,
    /// The list's version the records come from (the delta's own, or a later one).
    list_version: String,
    /// The added and changed entities, as the loaded list holds them now.
    index: ScreeningIndex,
    /// Every entity of the delta by id.
    entities: HashMap<String, DeltaEntity>,
    /// The plans of checks without options: standard, extensive.
    defaults: [Plan; 2],
}

impl IndexedDelta {
    /// Indexes the `records` of `delta`'s added and changed `entities` (as the list holds them
    /// now), scoring within `whole` (the loaded lists' index). Blocking: a delta of a large list
    /// takes a moment.
    pub fn build(
        delta: ListDelta,
        list_version: String,
        entities: Vec<DeltaEntity>,
        records: Vec<Entity>,
        whole: Arc<ScreeningIndex>,
    ) -> Self {
        let mut builder = IndexBuilder::new();
        builder.add_entities(records);
        IndexedDelta {
            delta,
            list_version,
            index: builder.build_within(whole),
            entities: entities
                .into_iter()
                .map(|e| (e.entity_id.clone(), e))
                .collect(),
            defaults: [
                Plan::of(&CheckOptions::default(), false),
                Plan::of(&CheckOptions::default(), true),
            ],
        }
    }

    /// Entities indexed (the added and changed ones still listed).
    pub fn indexed(&self) -> usize {
        self.index.entities().len()
    }
}

impl PreparedDelta for IndexedDelta {
    fn delta(&self) -> &ListDelta {
        &self.delta
    }

    fn removed(&self, entity_id: &str) -> Option<&DeltaEntity> {
        self.entities
            .get(entity_id)
            .filter(|e| e.change == EntityChange::Removed)
    }

    fn screen(&self, monitored: &MonitoredCheck) -> Vec<DeltaHit> {
        if self.index.entities().is_empty() {
            return Vec::new();
        }
        let extensive = monitored.check_type == CheckType::ExtensiveScreening;
        // Most checks have no options: their plan is made once per delta.
        let made;
        let plan = if monitored.options == CheckOptions::default() {
            &self.defaults[usize::from(extensive)]
        } else {
            made = Plan::of(&monitored.options, extensive);
            &made
        };
        let list = &self.delta.list_name;
        if !plan.settings.list_allowed(list) || plan.options.classifications.is_empty() {
            return Vec::new();
        }
        let query = subject_query(&monitored.subject);
        let source = Source {
            list,
            version: Some(&self.list_version),
        };
        self.index
            .screen(&query, &plan.options)
            .into_iter()
            .filter_map(|m| {
                let entity = self.index.entity(&m.entity_id)?;
                let change = self.entities.get(&m.entity_id)?.clone();
                let found =
                    result::screening_match(&monitored.check_id, &m, entity, &source, |c| {
                        plan.settings.wants(extensive, c)
                    });
                Some(DeltaHit { found, change })
            })
            .collect()
    }
}

/// How a check is screened: its settings and the screening options they give.
struct Plan {
    settings: Settings,
    options: ScreenOptions,
}

impl Plan {
    fn of(check_options: &CheckOptions, extensive: bool) -> Self {
        let settings = Settings::of(check_options);
        let classifications = clearance_core::checks::result::CLASSIFICATIONS
            .into_iter()
            .filter(|c| settings.wants(extensive, c))
            .filter_map(classification)
            .collect();
        let options = ScreenOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: MAX_MATCHES,
            mode: settings.mode,
            classifications,
            sources: Vec::new(),
        };
        Plan { settings, options }
    }
}

#[async_trait]
impl DeltaScreener for DeltaSearch {
    async fn prepare(
        &self,
        list: &str,
        seq: i64,
    ) -> Result<Option<Arc<dyn PreparedDelta>>, TransientError> {
        let store: &dyn ListStore = self.store.as_ref();
        // The records come from the delta's own list (an entry listed on two lists is indexed
        // once in the catalogue, perhaps as the other list's record).
        let Some(records) = delta_records(store, list, seq)
            .await
            .map_err(TransientError)?
        else {
            return Ok(None);
        };
        // Read after the records: the loaded lists hold their version or a later one.
        let loaded = self
            .catalogue
            .current(store)
            .await
            .map_err(TransientError)?;
        let Some(stored) = loaded.lists.iter().find(|l| l.name == list) else {
            return Ok(None); // the list was removed since
        };
        let version = stored.version.clone();
        let whole = loaded.index.clone();
        let indexed = tokio::task::spawn_blocking(move || {
            let DeltaRecords {
                delta,
                entities,
                records,
                ..
            } = records;
            IndexedDelta::build(delta, version, entities, records, whole)
        })
        .await
        .map_err(|e| TransientError(format!("indexing the delta failed: {e}")))?;
        Ok(Some(Arc::new(indexed)))
    }
}
