//! Storing parsed lists: entities serialised as gzip-compressed JSON chunks, hashed, and written
//! with their summary row and their delta against the version replaced in one transaction,
//! once the version has passed its guards (entities dropped, self-check).

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clearance_core::screening_lists::{DeltaEntity, ListDelta, ListStore, ListVersion, StoredList};
use clearance_core::store::StoreError;
use clearance_screening::{
    Entity, Format, IndexBuilder, ParsedList, RecordError, SELF_CHECK_SAMPLE, SELF_CHECK_SEED,
    ScreeningIndex, SelfCheck, SourceList, self_check,
};

use super::delta::diff;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// Entities per stored chunk: a few hundred kilobytes compressed.
const CHUNK_ENTITIES: usize = 5_000;
/// Largest decompressed chunk accepted when loading (a corrupt row must not exhaust memory).
const MAX_CHUNK_BYTES: u64 = 256 * 1024 * 1024;

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub list: StoredList,
    /// The first few skipped or partly read records, for the operator.
    pub sample_errors: Vec<String>,
    /// What the import changed against the version it replaced (everything `added` for a
    /// list's first import); `None` when the content is the same as the stored version's.
    pub delta: Option<ListDelta>,
    /// How the version's own names screened back against it.
    pub self_check: SelfCheck,
}

/// The name a list is shown under when the operator gives none.
pub fn default_list_name(source: SourceList) -> &'static str {
    match source {
        SourceList::UsOfacSdn => "OFAC Specially Designated Nationals (SDN) List",
        SourceList::UsOfacCons => "OFAC Consolidated (non-SDN) Sanctions List",
        SourceList::UnSc => "UN Security Council Consolidated List",
        SourceList::UkOfsi => "HM Treasury Consolidated List",
        SourceList::EuFsf => "EU Financial Sanctions Files (FSF)",
        SourceList::UsCsl => "US Consolidated Screening List (CSL)",
        SourceList::OpenSanctions => "OpenSanctions",
        SourceList::Senzing => "OpenSanctions (Senzing export)",
        SourceList::Custom => "Custom list",
    }
}

/// Serialises entities into compressed chunks and the SHA-256 of them all.
pub fn encode(entities: &[Entity]) -> std::io::Result<(Vec<Vec<u8>>, String)> {
    let mut hash = Sha256::new();
    let mut chunks = Vec::new();
    for part in entities.chunks(CHUNK_ENTITIES) {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        serde_json::to_writer(&mut gz, part)?;
        gz.flush()?;
        let bytes = gz.finish()?;
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
        chunks.push(bytes);
    }
    Ok((chunks, hex::encode(hash.finalize())))
}

/// Reads back one chunk written by [`encode`].
pub fn decode(chunk: &[u8]) -> std::io::Result<Vec<Entity>> {
    let mut json = Vec::new();
    GzDecoder::new(chunk)
        .take(MAX_CHUNK_BYTES)
        .read_to_end(&mut json)?;
    Ok(serde_json::from_slice(&json)?)
}

/// How an import is stored and guarded.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions<'a> {
    /// The list's display name (default: [`default_list_name`] of its source).
    pub name: Option<&'a str>,
    /// The publisher's date of this copy, when the file does not carry one.
    pub published: Option<&'a str>,
    /// The date to fall back on when neither `published` nor the file gives one (a download's
    /// `Last-Modified`, say).
    pub published_fallback: Option<&'a str>,
    /// Refuse a new version that has lost more than this share of the stored version's
    /// entities (0.2: a fifth); `None` imports whatever the file holds (`--force`).
    pub max_drop: Option<f64>,
    /// Store a version even when its self-check failed, more than one sampled name in twenty
    /// missing its own entity (`--force`): the failure is logged as an error and kept on the
    /// list's row, for `lists list` and `/metrics`. Without it such a version is refused and the
    /// stored one stays. (Fewer misses store the version, flagged the same way.)
    pub accept_failed_self_check: bool,
}

/// The share of a list's entities a new version may lose before the import is refused: a
/// truncated download or a wrong file must not quietly empty a sanctions list.
pub const DEFAULT_MAX_DROP: f64 = 0.2;

/// A parsed version, ready to store: its records indexed (for the self-check and the delta),
/// serialised into chunks and hashed.
struct Prepared {
    index: Arc<ScreeningIndex>,
    version: Option<String>,
    name_count: usize,
    errors: Vec<RecordError>,
    chunks: Vec<Vec<u8>>,
    hash: String,
    self_check: SelfCheck,
    self_check_ms: u64,
}

/// Parses, encodes and self-checks the list at `path` (blocking: seconds for large lists).
fn prepare(format: Format, path: &Path) -> Result<Prepared, String> {
    let parsed: ParsedList = clearance_screening::load(format, path).map_err(|e| e.to_string())?;
    let (chunks, hash) =
        encode(&parsed.entities).map_err(|e| format!("serialising the list: {e}"))?;
    let name_count = parsed.name_count();
    let started = Instant::now();
    let mut builder = IndexBuilder::new();
    builder.add_entities(parsed.entities);
    let index = builder.build();
    let self_check = self_check(&index, SELF_CHECK_SAMPLE, SELF_CHECK_SEED);
    Ok(Prepared {
        index: Arc::new(index),
        version: parsed.version,
        name_count,
        errors: parsed.errors,
        chunks,
        hash,
        self_check,
        self_check_ms: started.elapsed().as_millis() as u64,
    })
}

/// Parses the list at `path` and stores it, replacing a list of the same name, with its delta
/// against the version it replaces. Refused, leaving the stored version in use: a file that
/// does not parse or holds no entity, a version that drops more entities than
/// `options.max_drop` allows, and one whose self-check fails (a sample of its own primary
/// names screened back against it must find their entities; more than one in twenty missing
/// refuses it) unless `options.accept_failed_self_check`.
pub async fn import_list(
    store: &dyn ListStore,
    format: Format,
    path: &Path,
    options: ImportOptions<'_>,
    now_ms: i64,
) -> Result<ImportSummary, String> {
    let owned = path.to_path_buf();
    let prepared = tokio::task::spawn_blocking(move || prepare(format, &owned))
        .await
        .map_err(|e| format!("the import task failed: {e}"))??;
    let Some(first) = prepared.index.entities().first() else {
        return Err(format!(
            "{} holds no entities: nothing was imported",
            path.display()
        ));
    };
    let name = options
        .name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(default_list_name(first.source))
        .to_string();
    judge_self_check(&name, &prepared, options.accept_failed_self_check)?;
    let list = StoredList {
        name,
        format: format.name().into(),
        source: first.source.code().into(),
        version: prepared
            .version
            .clone()
            .unwrap_or_else(|| prepared.hash[..16].into()),
        content_hash: prepared.hash.clone(),
        entity_count: prepared.index.entities().len() as i64,
        name_count: prepared.name_count as i64,
        error_count: prepared.errors.len() as i64,
        chunk_count: prepared.chunks.len() as i64,
        imported_at: now_ms,
        published: options
            .published
            .map(str::to_owned)
            .or_else(|| prepared.version.as_deref().and_then(date_prefix))
            .or_else(|| options.published_fallback.map(str::to_owned)),
        self_check_sampled: prepared.self_check.sampled as i64,
        self_check_missed: prepared.self_check.missed as i64,
    };
    let delta = store_version(store, &list, &prepared, options.max_drop).await?;
    if let Some(delta) = &delta {
        tracing::info!(
            list = %list.name,
            version = %list.version,
            seq = delta.seq,
            initial = delta.initial(),
            added = delta.added,
            changed = delta.changed,
            removed = delta.removed,
            "recorded what the import changed in a screening list"
        );
    }
    let sample_errors = prepared
        .errors
        .iter()
        .take(10)
        .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
        .collect();
    Ok(ImportSummary {
        list,
        sample_errors,
        delta,
        self_check: prepared.self_check,
    })
}

/// Refuses a version whose self-check failed systemically (more than one sampled name in
/// twenty missed its entity) unless told to store it anyway; an isolated miss stores the
/// version, flagged. Every miss is logged at error level.
fn judge_self_check(name: &str, prepared: &Prepared, accept: bool) -> Result<(), String> {
    let check = &prepared.self_check;
    if check.passed() {
        tracing::debug!(
            list = %name,
            sampled = check.sampled,
            elapsed_ms = prepared.self_check_ms,
            "screening list self-check passed"
        );
        return Ok(());
    }
    let entities = check.missed_ids.join(", ");
    let what = format!(
        "{} of the {} names sampled from the new version of \"{name}\" did not find their own \
         entity when screened back against it ({entities})",
        check.missed, check.sampled,
    );
    if !check.systemic() {
        tracing::error!(
            list = %name,
            sampled = check.sampled,
            missed = check.missed,
            entities = %entities,
            "screening list self-check: names of the new version do not find their own entity; \
             the version is stored, flagged (lists list, /metrics)"
        );
        return Ok(());
    }
    if accept {
        tracing::error!(
            list = %name,
            sampled = check.sampled,
            missed = check.missed,
            entities = %entities,
            "screening list self-check FAILED; the version is stored anyway (--force)"
        );
        return Ok(());
    }
    tracing::error!(
        list = %name,
        sampled = check.sampled,
        missed = check.missed,
        entities = %entities,
        "screening list self-check failed; the version is refused and the stored one stays"
    );
    Err(format!(
        "self-check failed: {what}: the file or the parser is broken, so nothing was imported \
         (import with --force to store it anyway)"
    ))
}

/// Stores `list` over the version stored now, with the delta against it, after the drop
/// guard; computed again when another import replaced that version meanwhile.
async fn store_version(
    store: &dyn ListStore,
    list: &StoredList,
    prepared: &Prepared,
    max_drop: Option<f64>,
) -> Result<Option<ListDelta>, String> {
    for _ in 0..3 {
        let stored = store
            .screening_lists()
            .await
            .map_err(|e| format!("reading the stored lists failed: {e}"))?;
        let old = stored.into_iter().find(|l| l.name == list.name);
        if let (Some(max_drop), Some(old)) = (max_drop, &old) {
            let new = list.entity_count;
            let floor = (old.entity_count as f64 * (1.0 - max_drop)).ceil() as i64;
            if new < floor {
                return Err(format!(
                    "the new version of \"{}\" holds {new} entities where the stored one holds {}: \
                     it drops more than {:.0} % of them, so nothing was imported (import with --force \
                     if the publisher really removed them)",
                    list.name,
                    old.entity_count,
                    max_drop * 100.0
                ));
            }
        }
        let entities = match &old {
            Some(old) if old.content_hash == list.content_hash => None,
            Some(old) => match load_stored_entities(store, old).await? {
                Some(before) => Some(diff_blocking(before, &prepared.index).await?),
                None => continue, // replaced while it was read
            },
            None => Some(diff_blocking(Vec::new(), &prepared.index).await?),
        };
        let summary = entities
            .as_ref()
            .map(|e| ListDelta::between(old.as_ref(), list, e));
        let version = ListVersion {
            list,
            chunks: &prepared.chunks,
            replaces: old.as_ref().map(|o| o.content_hash.as_str()),
            delta: summary.as_ref().zip(entities.as_deref()),
            announce_on: Some(clearance_core::monitoring::QUEUE),
        };
        match store.put_screening_list(&version).await {
            Ok(seq) => return Ok(summary.zip(seq).map(|(d, seq)| ListDelta { seq, ..d })),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(format!("storing the list failed: {e}")),
        }
    }
    Err(format!(
        "\"{}\" kept changing while it was imported (other imports of it running?): try again",
        list.name
    ))
}

async fn diff_blocking(
    before: Vec<Entity>,
    index: &Arc<ScreeningIndex>,
) -> Result<Vec<DeltaEntity>, String> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || diff(&before, index.entities()))
        .await
        .map_err(|e| format!("comparing the versions failed: {e}"))
}

/// The `YYYY-MM-DD` a publisher's version starts with, when it is a date (the UN list's
/// `dateGenerated`, for one).
fn date_prefix(version: &str) -> Option<String> {
    let day = version.get(..10)?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .map(|_| day.to_owned())
}

/// The entities of one stored list version; `None` when that version was replaced while it was
/// being read (the caller reads the summary rows again).
pub async fn load_stored_entities(
    store: &dyn ListStore,
    list: &StoredList,
) -> Result<Option<Vec<Entity>>, String> {
    let chunks = store
        .screening_list_chunks(&list.name, &list.content_hash)
        .await
        .map_err(|e| e.to_string())?;
    if chunks.len() as i64 != list.chunk_count {
        return Ok(None);
    }
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for chunk in &chunks {
            out.extend(decode(chunk).map_err(|e| format!("a stored chunk is corrupt: {e}"))?);
        }
        Ok(Some(out))
    })
    .await
    .map_err(|e| format!("the load task failed: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_screening::{EntityKind, NameQuality};

    #[test]
    fn chunks_round_trip_and_hash_the_content() {
        let entities: Vec<Entity> = (0..12_001)
            .map(|i| {
                let mut e = Entity::new(SourceList::UnSc, format!("QDi.{i}"), EntityKind::Person);
                e.push_name(&format!("Person Number {i}"), NameQuality::Primary);
                e
            })
            .collect();
        let (chunks, hash) = encode(&entities).expect("encodes");
        assert_eq!(chunks.len(), 3);
        let back: Vec<Entity> = chunks
            .iter()
            .flat_map(|c| decode(c).expect("decodes"))
            .collect();
        assert_eq!(back, entities);
        let (_, again) = encode(&entities).expect("encodes");
        assert_eq!(hash, again, "the hash depends only on the content");
        let (_, other) = encode(&entities[1..]).expect("encodes");
        assert_ne!(hash, other);
        assert!(decode(b"not gzip").is_err());
    }
}
