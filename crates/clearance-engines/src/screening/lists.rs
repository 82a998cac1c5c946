//! Storing parsed lists: entities serialised as gzip-compressed JSON chunks, hashed, and written
//! with their summary row in one transaction.

use std::io::{Read, Write};
use std::path::Path;

use clearance_core::screening_lists::{ListStore, StoredList};
use clearance_screening::{Entity, Format, ParsedList, SourceList};
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
}

/// The share of a list's entities a new version may lose before the import is refused: a
/// truncated download or a wrong file must not quietly empty a sanctions list.
pub const DEFAULT_MAX_DROP: f64 = 0.2;

/// Parses the list at `path` and stores it (replacing a list of the same name, unless the new
/// version drops more entities than `options.max_drop` allows).
pub async fn import_list(
    store: &dyn ListStore,
    format: Format,
    path: &Path,
    options: ImportOptions<'_>,
    now_ms: i64,
) -> Result<ImportSummary, String> {
    let ImportOptions {
        name,
        published,
        published_fallback,
        max_drop,
    } = options;
    let owned = path.to_path_buf();
    let (parsed, chunks, hash) = tokio::task::spawn_blocking(move || {
        let parsed: ParsedList =
            clearance_screening::load(format, &owned).map_err(|e| e.to_string())?;
        let (chunks, hash) =
            encode(&parsed.entities).map_err(|e| format!("serialising the list: {e}"))?;
        Ok::<_, String>((parsed, chunks, hash))
    })
    .await
    .map_err(|e| format!("the import task failed: {e}"))??;
    let Some(first) = parsed.entities.first() else {
        return Err(format!(
            "{} holds no entities: nothing was imported",
            path.display()
        ));
    };
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(default_list_name(first.source))
        .to_string();
    if let Some(max_drop) = max_drop {
        let stored = store
            .screening_lists()
            .await
            .map_err(|e| format!("reading the stored lists failed: {e}"))?;
        if let Some(old) = stored.iter().find(|l| l.name == name) {
            let new = parsed.entities.len() as i64;
            let floor = (old.entity_count as f64 * (1.0 - max_drop)).ceil() as i64;
            if new < floor {
                return Err(format!(
                    "the new version of \"{name}\" holds {new} entities where the stored one holds {}: \
                     it drops more than {:.0} % of them, so nothing was imported (import with --force \
                     if the publisher really removed them)",
                    old.entity_count,
                    max_drop * 100.0
                ));
            }
        }
    }
    let list = StoredList {
        name,
        format: format.name().into(),
        source: first.source.code().into(),
        version: parsed.version.clone().unwrap_or_else(|| hash[..16].into()),
        content_hash: hash,
        entity_count: parsed.entities.len() as i64,
        name_count: parsed.name_count() as i64,
        error_count: parsed.errors.len() as i64,
        chunk_count: chunks.len() as i64,
        imported_at: now_ms,
        published: published
            .map(str::to_owned)
            .or_else(|| parsed.version.as_deref().and_then(date_prefix))
            .or_else(|| published_fallback.map(str::to_owned)),
    };
    store
        .put_screening_list(&list, &chunks)
        .await
        .map_err(|e| format!("storing the list failed: {e}"))?;
    let sample_errors = parsed
        .errors
        .iter()
        .take(10)
        .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
        .collect();
    Ok(ImportSummary {
        list,
        sample_errors,
    })
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
