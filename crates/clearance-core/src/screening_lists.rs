//! The storage port for imported screening lists. A list is stored as opaque chunks (the
//! screening engine's serialised entities) under a content hash, with a summary row; replacing
//! a list swaps the row and its chunks in one transaction, so every node that reads the same row
//! builds the same index. Each import that changes a list also records its delta against the
//! version it replaced (`delta`), written in the same transaction.

pub mod delta;

use async_trait::async_trait;

pub use delta::{DeltaEntity, EntityChange, ListDelta, ListVersion};

use crate::store::StoreError;

/// The summary row of one imported list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredList {
    /// The list's display name (what `GET /v1/static/screeningLists` shows); unique.
    pub name: String,
    /// The import format (`ofac-csv`, `un-xml`, …).
    pub format: String,
    /// The engine's source code (`us_ofac_sdn`, `un_sc`, …).
    pub source: String,
    /// The publisher's version (publication date) or a hash of the file.
    pub version: String,
    /// SHA-256 of the stored chunks; changes whenever the content does.
    pub content_hash: String,
    pub entity_count: i64,
    pub name_count: i64,
    /// Records skipped or partly read during the import.
    pub error_count: i64,
    pub chunk_count: i64,
    /// Epoch milliseconds.
    pub imported_at: i64,
    /// The publisher's date of this version (`YYYY-MM-DD`), when known.
    pub published: Option<String>,
    /// How many of the version's own primary names the import's self-check screened back
    /// against it (0: not checked, a list stored before the self-check existed).
    pub self_check_sampled: i64,
    /// How many of those did not find their own entity: above 0 only for a version stored with
    /// `--force` after it failed its self-check.
    pub self_check_missed: i64,
}

impl StoredList {
    /// Seconds from the publication date (midnight UTC) to `now_ms`, when the date is known.
    pub fn age_seconds(&self, now_ms: i64) -> Option<i64> {
        let date =
            chrono::NaiveDate::parse_from_str(self.published.as_deref()?, "%Y-%m-%d").ok()?;
        let published_ms = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
        Some((now_ms - published_ms).max(0) / 1000)
    }
}

/// A publisher's validators for one downloaded file, sent back to ask "changed since?"
/// (`If-None-Match`, `If-Modified-Since`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileValidators {
    /// The file's name within its source (`SDN.CSV`, `consolidated.xml`, …).
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// How the last downloads of one list source went (`clearance lists fetch`, the refresh
/// schedule): kept so a request can be conditional and a failure is visible.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchState {
    /// The source's code (`ofac-sdn`, `un-sc`, …).
    pub source: String,
    /// The validators of the files of the version last stored (or found unchanged).
    pub validators: Vec<FileValidators>,
    /// Epoch milliseconds of the last attempt, successful or not.
    pub attempted_at: i64,
    /// Epoch milliseconds of the last attempt that ended with a good list stored.
    pub succeeded_at: Option<i64>,
    /// Why the last attempt failed; `None` when it succeeded.
    pub error: Option<String>,
    /// Attempts that failed since the last success.
    pub failures: i64,
}

/// What the screening engine needs from the database.
#[async_trait]
pub trait ListStore: Send + Sync {
    /// Stores a new version of a list with its chunks and its delta, replacing the list of the
    /// same name, atomically; answers the delta's `seq` when one was written. Fails with
    /// [`StoreError::Conflict`], writing nothing, when the stored version is no longer the one
    /// `version.replaces` names (another import got in first and the delta would be wrong).
    async fn put_screening_list(
        &self,
        version: &ListVersion<'_>,
    ) -> Result<Option<i64>, StoreError>;
    /// Every stored list, by name.
    async fn screening_lists(&self) -> Result<Vec<StoredList>, StoreError>;
    /// The chunks of one version of a list, in order; fewer than its `chunk_count` when that
    /// version was replaced meanwhile.
    async fn screening_list_chunks(
        &self,
        name: &str,
        content_hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Removes a list and its chunks; false when there was none. Its deltas stay (its history;
    /// a later import under the same name is an initial one and continues their numbering).
    async fn remove_screening_list(&self, name: &str) -> Result<bool, StoreError>;
    /// The deltas recorded for a list, newest first (at most [`delta::DELTAS_KEPT`]).
    async fn screening_list_deltas(&self, name: &str) -> Result<Vec<ListDelta>, StoreError>;
    /// One delta of a list by its `seq`.
    async fn screening_list_delta(
        &self,
        name: &str,
        seq: i64,
    ) -> Result<Option<ListDelta>, StoreError>;
    /// The entities of one delta, by entity id: those after `after`, at most `limit`, of the
    /// kinds of change in `changes` (all kinds when empty).
    async fn screening_list_delta_entities(
        &self,
        name: &str,
        seq: i64,
        changes: &[EntityChange],
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeltaEntity>, StoreError>;
    /// The fetch state of every list source fetched at least once, by source.
    async fn list_fetch_states(&self) -> Result<Vec<FetchState>, StoreError>;
    /// Stores the fetch state of `state.source`, replacing the previous one.
    async fn put_list_fetch_state(&self, state: &FetchState) -> Result<(), StoreError>;
}
