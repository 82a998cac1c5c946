//! `clearance bureau import`: reference records for multi-bureau checks, from CSV (a header row
//! naming `firstName`, `middleName`, `lastName`, `dob`, `propertyNumber`, `line`, `city`,
//! `postalCode`, `country`) or JSON lines with the same keys. A source's import replaces its
//! earlier records in that account and mode.

use std::path::Path;

use anyhow::Context;
use clearance_core::bureau::{self, BureauRecord};
use clearance_core::ids::new_resource_id;
use clearance_core::scope::Scope;
use clearance_core::store::{AttrFilter, Change, ListQuery, Resource, ResourceKind, Store};
use clearance_core::typed;
use serde_json::{Map, Value};

/// Records written per transaction.
const BATCH: usize = 500;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BureauImport {
    pub imported: usize,
    pub replaced: usize,
    /// Rows refused, with the first few reasons (`line N: …`).
    pub refused: usize,
    pub reasons: Vec<String>,
}

/// The file's records, each an object or why it is not one.
fn rows(path: &Path) -> anyhow::Result<Vec<Result<Map<String, Value>, String>>> {
    let jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"));
    if jsonl {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| match serde_json::from_str::<Value>(l) {
                Ok(Value::Object(m)) => Ok(Ok(m)),
                _ => Ok(Err(format!("line {} is not a JSON object", n + 1))),
            })
            .collect();
    }
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record?;
        out.push(Ok(headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.trim().to_string(), Value::from(v.trim())))
            .collect()));
    }
    Ok(out)
}

/// Imports `path` as the records of `source` in `scope`, replacing that source's earlier ones.
pub async fn import_records(
    store: &dyn Store,
    scope: &Scope,
    source: &str,
    path: &Path,
    now_ms: i64,
) -> anyhow::Result<BureauImport> {
    let source = source.trim();
    anyhow::ensure!(!source.is_empty(), "the source needs a name");
    let mut summary = BureauImport::default();
    let mut records: Vec<BureauRecord> = Vec::new();
    for (n, row) in rows(path)?.into_iter().enumerate() {
        match row.and_then(|row| bureau::validate_record(source, &row).map_err(|e| e.to_string())) {
            Ok(r) => records.push(r),
            Err(e) => {
                summary.refused += 1;
                if summary.reasons.len() < 10 {
                    summary.reasons.push(format!("record {}: {e}", n + 1));
                }
            }
        }
    }
    // The source's earlier records go first, in batches.
    loop {
        let old = store
            .list(&ListQuery {
                filters: vec![AttrFilter {
                    path: vec!["source".into()],
                    value: source.to_string(),
                }],
                ..ListQuery::newest(scope.clone(), ResourceKind::BureauRecord, BATCH as u64)
            })
            .await?;
        if old.items.is_empty() {
            break;
        }
        summary.replaced += old.items.len();
        let deletes = old
            .items
            .into_iter()
            .map(|r| Change::Delete {
                scope: scope.clone(),
                kind: ResourceKind::BureauRecord,
                id: r.id,
            })
            .collect();
        store.apply(deletes).await?;
    }
    // The source's summary row: its name, size and import time (the engine asks whether any
    // source exists without counting records).
    let summary_id = clearance_core::keys::hash_key(&format!(
        "bureau-source\n{}\n{}\n{source}",
        scope.account_id,
        scope.mode.as_str()
    ));
    let body: Map<String, Value> = serde_json::json!({
        "source": source,
        "records": records.len(),
        "importedAt": clearance_core::time::format_timestamp(now_ms),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    let previous = store
        .get(scope, ResourceKind::BureauSource, &summary_id)
        .await?;
    let row = Resource {
        id: summary_id,
        scope: scope.clone(),
        kind: ResourceKind::BureauSource,
        client_id: None,
        created_at: now_ms,
        updated_at: now_ms,
        version: previous.as_ref().map_or(1, |p| p.version + 1),
        body,
    };
    store
        .apply(vec![if previous.is_some() {
            Change::Update(row)
        } else {
            Change::Insert(row)
        }])
        .await?;
    for chunk in records.chunks(BATCH) {
        let inserts = chunk
            .iter()
            .map(|r| {
                Change::Insert(Resource {
                    id: new_resource_id(now_ms),
                    scope: scope.clone(),
                    kind: ResourceKind::BureauRecord,
                    client_id: Some(bureau::filing_key(&r.last_key)),
                    created_at: now_ms,
                    updated_at: now_ms,
                    version: 1,
                    body: typed::encode(r),
                })
            })
            .collect();
        store.apply(inserts).await?;
        summary.imported += chunk.len();
    }
    Ok(summary)
}
