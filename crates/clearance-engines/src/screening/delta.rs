//! Deltas between two versions of a list: which entities were added, changed (their content
//! hash, the `entityHash` of a match, differs) and removed, computed at import; and, for
//! monitoring, the records of the entities a recorded delta added or changed.

use std::collections::{HashMap, HashSet};

use clearance_core::screening_lists::{DeltaEntity, EntityChange, ListDelta, ListStore};
use clearance_screening::Entity;

use super::lists::load_stored_entities;
use super::result::entity_hash;

/// Delta entities read per page when a whole delta is wanted.
const PAGE: u32 = 5_000;

/// The entities added, changed and removed from `old` to `new`, by entity id. An id listed
/// twice in one version counts once, as its first record (as the index does).
pub fn diff(old: &[Entity], new: &[Entity]) -> Vec<DeltaEntity> {
    fn by_id(entities: &[Entity]) -> HashMap<String, &Entity> {
        let mut map: HashMap<String, &Entity> = HashMap::with_capacity(entities.len());
        for e in entities {
            map.entry(e.id()).or_insert(e);
        }
        map
    }
    let before = by_id(old);
    let after = by_id(new);
    let mut out = Vec::new();
    for (id, now) in &after {
        match before.get(id) {
            None => out.push(DeltaEntity {
                entity_id: id.clone(),
                change: EntityChange::Added,
                name: now.primary_name().to_owned(),
                previous_name: None,
                hash_before: None,
                hash_after: Some(entity_hash(now)),
                fields: Vec::new(),
            }),
            Some(was) => {
                let (hash_before, hash_after) = (entity_hash(was), entity_hash(now));
                if hash_before != hash_after {
                    out.push(DeltaEntity {
                        entity_id: id.clone(),
                        change: EntityChange::Changed,
                        name: now.primary_name().to_owned(),
                        previous_name: (was.primary_name() != now.primary_name())
                            .then(|| was.primary_name().to_owned()),
                        hash_before: Some(hash_before),
                        hash_after: Some(hash_after),
                        fields: changed_fields(was, now),
                    });
                }
            }
        }
    }
    for (id, was) in &before {
        if !after.contains_key(id) {
            out.push(DeltaEntity {
                entity_id: id.clone(),
                change: EntityChange::Removed,
                name: was.primary_name().to_owned(),
                previous_name: None,
                hash_before: Some(entity_hash(was)),
                hash_after: None,
                fields: Vec::new(),
            });
        }
    }
    out.sort_unstable_by(|a, b| a.entity_id.cmp(&b.entity_id));
    out
}

/// The parts of an entity's record that differ, by their wire names.
fn changed_fields(was: &Entity, now: &Entity) -> Vec<String> {
    let parts = [
        ("kind", was.kind != now.kind),
        ("names", was.names != now.names),
        ("datesOfBirth", was.dates_of_birth != now.dates_of_birth),
        ("countries", was.countries != now.countries),
        ("gender", was.gender != now.gender),
        ("identifiers", was.identifiers != now.identifiers),
        ("programmes", was.programmes != now.programmes),
        (
            "classifications",
            was.classifications != now.classifications,
        ),
    ];
    parts
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// One recorded delta with its entities and the records of those it added or changed: what
/// monitoring screens its clients against after an import.
#[derive(Debug, Clone)]
pub struct DeltaRecords {
    pub delta: ListDelta,
    /// Every entity of the delta, removed ones included, by id.
    pub entities: Vec<DeltaEntity>,
    /// The records of the added and changed entities, from the version of the list stored now.
    pub records: Vec<Entity>,
    /// The records are those of the delta's own version. False when a later import replaced
    /// it: the records are then the newer version's (the current truth), and the ids that
    /// version no longer holds have none.
    pub current: bool,
}

/// Delta `seq` of list `name` with its entities and the records of those it added or changed
/// (see [`DeltaRecords`]); `None` when no such delta is kept, and no records when the list is
/// no longer stored.
///
/// # Errors
/// The store could not be read, or a stored chunk is corrupt.
pub async fn delta_records(
    store: &dyn ListStore,
    name: &str,
    seq: i64,
) -> Result<Option<DeltaRecords>, String> {
    let Some(delta) = store
        .screening_list_delta(name, seq)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let entities = all_delta_entities(store, name, seq).await?;
    let wanted: HashSet<&str> = entities
        .iter()
        .filter(|e| e.change != EntityChange::Removed)
        .map(|e| e.entity_id.as_str())
        .collect();
    for _ in 0..3 {
        let lists = store.screening_lists().await.map_err(|e| e.to_string())?;
        let Some(list) = lists.into_iter().find(|l| l.name == name) else {
            return Ok(Some(DeltaRecords {
                delta,
                entities,
                records: Vec::new(),
                current: false,
            }));
        };
        // Replaced while it was read: read the summary again.
        let Some(stored) = load_stored_entities(store, &list).await? else {
            continue;
        };
        let mut seen = HashSet::new();
        let records = stored
            .into_iter()
            .filter(|e| {
                let id = e.id();
                wanted.contains(id.as_str()) && seen.insert(id)
            })
            .collect();
        let current = list.content_hash == delta.content_hash;
        return Ok(Some(DeltaRecords {
            delta,
            entities,
            records,
            current,
        }));
    }
    Err("the list kept changing while its delta was read".into())
}

/// Every entity of one delta, by id.
///
/// # Errors
/// The store could not be read.
pub async fn all_delta_entities(
    store: &dyn ListStore,
    name: &str,
    seq: i64,
) -> Result<Vec<DeltaEntity>, String> {
    let mut out: Vec<DeltaEntity> = Vec::new();
    loop {
        let after = out.last().map(|e| e.entity_id.clone());
        let page = store
            .screening_list_delta_entities(name, seq, &[], after.as_deref(), PAGE)
            .await
            .map_err(|e| e.to_string())?;
        let done = page.len() < PAGE as usize;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_screening::{EntityKind, NameQuality, PartialDate, SourceList};

    fn person(id: &str, name: &str) -> Entity {
        let mut e = Entity::new(SourceList::UsOfacSdn, id, EntityKind::Person);
        e.push_name(name, NameQuality::Primary);
        e
    }

    #[test]
    fn added_changed_and_removed_entities_are_found_by_id_and_hash() {
        let old = vec![
            person("1", "Ann ONE"),
            person("2", "Bob TWO"),
            person("3", "Cid THREE"),
        ];
        let mut renamed = person("2", "Robert TWO");
        renamed.push_dob(PartialDate::new(1970, Some(1), Some(2)));
        let new = vec![
            person("1", "Ann ONE"),
            renamed.clone(),
            person("4", "Dan FOUR"),
        ];
        let delta = diff(&old, &new);
        let summary: Vec<(&str, EntityChange, &str)> = delta
            .iter()
            .map(|e| (e.entity_id.as_str(), e.change, e.name.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("us_ofac_sdn:2", EntityChange::Changed, "Robert TWO"),
                ("us_ofac_sdn:3", EntityChange::Removed, "Cid THREE"),
                ("us_ofac_sdn:4", EntityChange::Added, "Dan FOUR"),
            ]
        );
        let changed = &delta[0];
        assert_eq!(changed.previous_name.as_deref(), Some("Bob TWO"));
        assert_eq!(changed.fields, ["names", "datesOfBirth"]);
        assert_eq!(changed.hash_before, Some(entity_hash(&old[1])));
        assert_eq!(changed.hash_after, Some(entity_hash(&renamed)));
        assert_eq!(delta[1].hash_after, None);
        assert_eq!(delta[2].hash_before, None);
    }

    #[test]
    fn a_first_import_adds_everything_and_an_unchanged_one_nothing() {
        let list = vec![person("1", "Ann ONE"), person("2", "Bob TWO")];
        let first = diff(&[], &list);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|e| e.change == EntityChange::Added));
        assert!(diff(&list, &list.clone()).is_empty());
        // A record read back from storage hashes as it did when parsed.
        let round_trip: Vec<Entity> =
            serde_json::from_str(&serde_json::to_string(&list).unwrap_or_default())
                .unwrap_or_default();
        assert!(diff(&list, &round_trip).is_empty());
    }
}
