//! The official lists as one in-memory index, rebuilt when the stored lists change. Every
//! screening reads the summary rows (one small query) and compares them with the loaded set, so
//! an import is used by every node from its next check on; one rebuild runs at a time and the
//! old index keeps serving until the new one is swapped in.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use clearance_core::screening_lists::{ListStore, StoredList};
use clearance_screening::{Classification, IndexBuilder, ScreeningIndex};

use super::lists::load_stored_entities;

/// One built index and what it was built from.
pub struct LoadedLists {
    pub index: Arc<ScreeningIndex>,
    /// The summary rows, by name.
    pub lists: Vec<StoredList>,
    /// Entity id → position in `lists` of the list it came from.
    list_of: HashMap<String, usize>,
    /// Per list (same order as `lists`): every classification its entities carry.
    pub classifications: Vec<HashSet<Classification>>,
}

impl LoadedLists {
    /// Builds the index over `lists` and their entities (blocking: seconds for large lists).
    /// An entity present in two lists is indexed once, under the first list.
    pub fn build(lists: Vec<StoredList>, entities: Vec<Vec<clearance_screening::Entity>>) -> Self {
        let mut builder = IndexBuilder::new();
        let mut list_of = HashMap::new();
        let mut classifications = Vec::with_capacity(lists.len());
        for (i, (list, members)) in lists.iter().zip(entities).enumerate() {
            if let Some(source) = members.first().map(|e| e.source) {
                builder.set_version(source, list.version.clone());
            }
            classifications.push(
                members
                    .iter()
                    .flat_map(|e| e.classifications.iter().copied())
                    .collect::<HashSet<_>>(),
            );
            let fresh: Vec<_> = members
                .into_iter()
                .filter(|e| list_of.insert(e.id(), i).is_none())
                .collect();
            builder.add_entities(fresh);
        }
        LoadedLists {
            index: Arc::new(builder.build()),
            lists,
            list_of,
            classifications,
        }
    }

    /// The stored list an entity came from.
    pub fn list_of(&self, entity_id: &str) -> Option<&StoredList> {
        self.list_of.get(entity_id).map(|&i| &self.lists[i])
    }

    fn fingerprint(&self) -> Vec<(&str, &str, Option<&str>)> {
        fingerprint(&self.lists)
    }
}

/// What makes two catalogues the same: the lists' contents, and the publication dates results
/// report (a date corrected on the same file is picked up too).
fn fingerprint(lists: &[StoredList]) -> Vec<(&str, &str, Option<&str>)> {
    lists
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                l.content_hash.as_str(),
                l.published.as_deref(),
            )
        })
        .collect()
}

/// The shared, swappable index of the official lists.
#[derive(Default)]
pub struct Catalogue {
    current: RwLock<Option<Arc<LoadedLists>>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl Catalogue {
    fn loaded(&self) -> Option<Arc<LoadedLists>> {
        self.current
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The index over the lists stored now, rebuilding it first when they changed. Errors are
    /// transient (the database could not be read); the caller retries later.
    pub async fn current(&self, store: &dyn ListStore) -> Result<Arc<LoadedLists>, String> {
        for _ in 0..3 {
            let rows = store.screening_lists().await.map_err(|e| e.to_string())?;
            if let Some(loaded) = self.loaded()
                && loaded.fingerprint() == fingerprint(&rows)
            {
                return Ok(loaded);
            }
            let _one_at_a_time = self.rebuilding.lock().await;
            if let Some(loaded) = self.loaded()
                && loaded.fingerprint() == fingerprint(&rows)
            {
                return Ok(loaded);
            }
            let mut entities = Vec::with_capacity(rows.len());
            let mut complete = true;
            for list in &rows {
                match load_stored_entities(store, list).await? {
                    Some(e) => entities.push(e),
                    None => {
                        complete = false; // replaced while reading: read the rows again
                        break;
                    }
                }
            }
            if !complete {
                continue;
            }
            let started = std::time::Instant::now();
            let built = tokio::task::spawn_blocking(move || LoadedLists::build(rows, entities))
                .await
                .map_err(|e| format!("building the screening index failed: {e}"))?;
            tracing::info!(
                lists = built.lists.len(),
                entities = built.index.entities().len(),
                names = built.index.name_count(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "screening index built"
            );
            let built = Arc::new(built);
            match self.current.write() {
                Ok(mut slot) => *slot = Some(built.clone()),
                Err(poisoned) => *poisoned.into_inner() = Some(built.clone()),
            }
            return Ok(built);
        }
        Err("the screening lists kept changing while they were loaded".into())
    }
}
