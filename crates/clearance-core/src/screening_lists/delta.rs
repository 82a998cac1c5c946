//! What an import changed in a list: the entities added, changed (their content hash differs)
//! and removed against the version it replaced. Monitoring re-screens against these; operators
//! read them with `clearance lists deltas` and `GET /v1/screeningLists/{name}/deltas`.

use super::StoredList;

/// Deltas kept per list; an import that records a new one drops the oldest beyond this.
pub const DELTAS_KEPT: i64 = 100;

/// How one entity differs between two versions of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityChange {
    /// In the new version only (every entity of a list's first import).
    Added,
    /// In both, with a different content hash.
    Changed,
    /// In the old version only.
    Removed,
}

impl EntityChange {
    /// Every kind, in the order they are listed.
    pub const ALL: [EntityChange; 3] = [Self::Added, Self::Changed, Self::Removed];

    /// The stored and wire name: `added`, `changed`, `removed`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Changed => "changed",
            Self::Removed => "removed",
        }
    }

    /// The kind named `code`.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// One entity of a delta: its id, what happened to it and enough to show what changed. The
/// entity's record itself stays in the list's chunks (not stored twice).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeltaEntity {
    /// `<source>:<native id>`, as matches report it.
    pub entity_id: String,
    pub change: EntityChange,
    /// The primary name in the new version (in the old one, for a removed entity).
    pub name: String,
    /// The primary name in the old version, when a changed entity's primary name changed.
    pub previous_name: Option<String>,
    /// The content hash in the old version (a match's `entityHash`); `None` when added.
    pub hash_before: Option<String>,
    /// The content hash in the new version; `None` when removed.
    pub hash_after: Option<String>,
    /// For a changed entity, the parts of its record that differ (`names`, `datesOfBirth`,
    /// `countries`, `gender`, `identifiers`, `programmes`, `classifications`, `kind`).
    pub fields: Vec<String>,
}

/// What one import changed in a list, against the version it replaced.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListDelta {
    pub list_name: String,
    /// 1 for the list's first recorded import, then one more for each import that changed it.
    pub seq: i64,
    /// The new version (as `StoredList::version`).
    pub version: String,
    pub content_hash: String,
    /// The version replaced; `None` for an initial import, whose entities are all `added`.
    pub previous_version: Option<String>,
    pub previous_hash: Option<String>,
    /// Epoch milliseconds.
    pub imported_at: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
}

impl ListDelta {
    /// The list's first import (nothing was stored under its name before): every entity is
    /// `added`.
    pub fn initial(&self) -> bool {
        self.previous_hash.is_none()
    }

    /// The summary of the delta between `previous` (the stored version, if any) and `list`,
    /// counted from `entities`; `seq` is given by the store.
    pub fn between(
        previous: Option<&StoredList>,
        list: &StoredList,
        entities: &[DeltaEntity],
    ) -> Self {
        let count = |kind| entities.iter().filter(|e| e.change == kind).count() as i64;
        ListDelta {
            list_name: list.name.clone(),
            seq: 0,
            version: list.version.clone(),
            content_hash: list.content_hash.clone(),
            previous_version: previous.map(|p| p.version.clone()),
            previous_hash: previous.map(|p| p.content_hash.clone()),
            imported_at: list.imported_at,
            added: count(EntityChange::Added),
            changed: count(EntityChange::Changed),
            removed: count(EntityChange::Removed),
        }
    }
}

/// A new version of a list as an import stores it.
#[derive(Clone, Copy, Debug)]
pub struct ListVersion<'a> {
    pub list: &'a StoredList,
    pub chunks: &'a [Vec<u8>],
    /// The content hash of the stored version this one was compared with; `None` when no list
    /// of that name was stored. The store refuses the write when that is no longer so.
    pub replaces: Option<&'a str>,
    /// What changed, with its entities (by entity id); `None` when the content is the same as
    /// the version replaced, which records no delta.
    pub delta: Option<(&'a ListDelta, &'a [DeltaEntity])>,
    /// The job queue the recorded delta is announced on, in the same transaction (a job
    /// `{list, seq}` with id `<queue>:<list>:<seq>`): monitoring runs after every import that
    /// changed a list, however the process that imported it ends.
    pub announce_on: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_kinds_read_back_by_code() {
        for kind in EntityChange::ALL {
            assert_eq!(EntityChange::parse(kind.code()), Some(kind));
        }
        assert_eq!(EntityChange::parse("gone"), None);
        assert_eq!(
            serde_json::to_string(&EntityChange::Changed).unwrap_or_default(),
            "\"changed\""
        );
    }
}
