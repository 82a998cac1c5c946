//! Fetching one source: download its files (conditionally), import them through the same guard
//! as `clearance lists import` (parsed before the swap, empty or shrunken versions and failed
//! self-checks refused, a delta recorded), and record how it went.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clearance_core::screening_lists::{FetchState, FileValidators};
use clearance_core::store::Store;
use clearance_engines::screening::lists::{ImportSummary, default_list_name};
use clearance_engines::screening::{ImportOptions, import_list};

use super::download::{Downloader, Fetched};
use super::sources::Source;

/// How sources are fetched.
#[derive(Clone, Debug)]
pub struct FetchSettings {
    pub downloader: Downloader,
    /// Each source's URL when not the publisher's, by source code.
    pub urls: Vec<(String, String)>,
    /// See `ImportOptions::max_drop`; `None` accepts any version (`--force`), even one that
    /// fails its self-check.
    pub max_drop: Option<f64>,
    /// Where downloads are written before they are imported (a scratch folder per fetch).
    pub work_dir: PathBuf,
}

impl FetchSettings {
    /// Settings from the command line or environment.
    ///
    /// # Errors
    /// The HTTP client could not be set up.
    pub fn from_args(
        args: &crate::config::FetchArgs,
        max_drop: Option<f64>,
        work_dir: &Path,
    ) -> anyhow::Result<Self> {
        let downloader = Downloader::new(
            Duration::from_secs(args.lists_fetch_timeout_secs.max(1)),
            args.lists_max_bytes,
        )?;
        let urls = super::SOURCES
            .iter()
            .filter_map(|s| Some((s.code.to_owned(), args.url_override(s.code)?.to_owned())))
            .collect();
        Ok(Self {
            downloader,
            urls,
            max_drop,
            work_dir: work_dir.to_owned(),
        })
    }

    fn url_of(&self, source: &Source) -> String {
        self.urls
            .iter()
            .find(|(code, _)| code == source.code)
            .map_or_else(|| source.default_url.to_owned(), |(_, url)| url.clone())
    }
}

/// What one fetch did.
#[derive(Debug)]
pub enum Outcome {
    /// Every file answered 304: nothing was downloaded or imported.
    Unchanged,
    /// A new version was stored, replacing the old one.
    Imported(Box<ImportSummary>),
}

/// Fetches `source`, imports it when it changed, and stores the source's fetch state (last
/// attempt, success or error). Failures are logged; the stored list is then left as it was.
///
/// # Errors
/// Why the fetch failed, in words for the operator (no URL, no personal data).
pub async fn fetch_source(
    store: &dyn Store,
    settings: &FetchSettings,
    source: &Source,
    now_ms: i64,
) -> Result<Outcome, String> {
    let before = store
        .list_fetch_states()
        .await
        .map_err(|e| format!("reading the fetch state failed: {e}"))?
        .into_iter()
        .find(|s| s.source == source.code);
    let result = download_and_import(store, settings, source, before.as_ref(), now_ms).await;
    let failures = before.as_ref().map_or(0, |b| b.failures);
    let state = match &result {
        Ok((_, validators)) => FetchState {
            source: source.code.to_owned(),
            validators: validators.clone(),
            attempted_at: now_ms,
            succeeded_at: Some(now_ms),
            error: None,
            failures: 0,
        },
        Err(e) => FetchState {
            source: source.code.to_owned(),
            // The stored version's validators stay: the next request is conditional on it.
            validators: before
                .as_ref()
                .map(|b| b.validators.clone())
                .unwrap_or_default(),
            attempted_at: now_ms,
            succeeded_at: before.as_ref().and_then(|b| b.succeeded_at),
            error: Some(format!("{e:#}")),
            failures: failures + 1,
        },
    };
    match &result {
        Ok((Outcome::Unchanged, _)) => {
            tracing::info!(
                source = source.code,
                "screening list unchanged at its publisher"
            );
        }
        Ok((Outcome::Imported(summary), _)) => tracing::info!(
            source = source.code,
            list = %summary.list.name,
            version = %summary.list.version,
            entities = summary.list.entity_count,
            "fetched a new version of a screening list"
        ),
        Err(e) => tracing::warn!(
            source = source.code,
            failures = state.failures,
            error = format!("{e:#}"),
            "fetching a screening list failed; the stored version stays in use"
        ),
    }
    if let Err(e) = store.put_list_fetch_state(&state).await {
        tracing::warn!(source = source.code, error = %e, "storing the fetch state failed");
    }
    result
        .map(|(outcome, _)| outcome)
        .map_err(|e| format!("{e:#}"))
}

async fn download_and_import(
    store: &dyn Store,
    settings: &FetchSettings,
    source: &Source,
    before: Option<&FetchState>,
    now_ms: i64,
) -> anyhow::Result<(Outcome, Vec<FileValidators>)> {
    let name = default_list_name(source.list);
    // Ask "changed since?" only about a version that is still stored: after `lists remove`,
    // a 304 would leave the source without a list.
    let stored = store
        .screening_lists()
        .await
        .context("reading the stored lists")?
        .iter()
        .any(|l| l.name == name);
    let known: &[FileValidators] = match before {
        Some(state) if stored => &state.validators,
        _ => &[],
    };
    std::fs::create_dir_all(&settings.work_dir)
        .with_context(|| format!("creating {}", settings.work_dir.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix("lists-fetch")
        .tempdir_in(&settings.work_dir)
        .with_context(|| {
            format!(
                "creating a scratch folder in {}",
                settings.work_dir.display()
            )
        })?;
    let base = settings.url_of(source);
    let known_of = |remote: &str| known.iter().find(|k| k.file == remote);
    let mut fetched = Vec::with_capacity(source.files.len());
    for file in source.files {
        let dest = scratch.path().join(file.local);
        let got = settings
            .downloader
            .get(
                &source.file_url(&base, file),
                file.remote,
                file.optional,
                known_of(file.remote),
                &dest,
            )
            .await?;
        fetched.push(got);
    }
    // An optional file missing now as it was then is no change either.
    let unchanged = source
        .files
        .iter()
        .zip(&fetched)
        .all(|(file, got)| match got {
            Fetched::NotModified => true,
            Fetched::Missing => !known.is_empty() && known_of(file.remote).is_none(),
            Fetched::Saved(_) => false,
        });
    if unchanged {
        return Ok((Outcome::Unchanged, known.to_vec()));
    }
    // Some file changed: the importer reads the set whole, so fetch the unchanged ones too.
    let mut validators = Vec::with_capacity(source.files.len());
    for (file, got) in source.files.iter().zip(fetched) {
        let got = match got {
            Fetched::NotModified => {
                let dest = scratch.path().join(file.local);
                settings
                    .downloader
                    .get(
                        &source.file_url(&base, file),
                        file.remote,
                        file.optional,
                        None,
                        &dest,
                    )
                    .await?
            }
            other => other,
        };
        if let Fetched::Saved(v) = got {
            validators.push(v);
        }
    }
    // The publisher's date of a file that carries none: its Last-Modified day.
    let fallback = validators
        .first()
        .and_then(|v| v.last_modified.as_deref())
        .and_then(http_day);
    let options = ImportOptions {
        name: Some(name),
        published_fallback: fallback.as_deref(),
        max_drop: settings.max_drop,
        // `--force` (no drop guard) also stores a version that fails its self-check, flagged.
        accept_failed_self_check: settings.max_drop.is_none(),
        ..ImportOptions::default()
    };
    let summary = import_list(
        store,
        source.format,
        &source.entry(scratch.path()),
        options,
        now_ms,
    )
    .await
    .map_err(|e| anyhow::anyhow!(strip_path(&e, scratch.path())))?;
    Ok((Outcome::Imported(Box::new(summary)), validators))
}

/// `YYYY-MM-DD` of an HTTP date (`Tue, 01 Dec 2026 10:00:00 GMT`).
fn http_day(value: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.naive_utc().date().format("%Y-%m-%d").to_string())
}

/// An importer's message without the scratch folder, which is gone once the fetch ends.
fn strip_path(message: &str, scratch: &Path) -> String {
    let prefix = format!("{}/", scratch.display());
    message
        .replace(&prefix, "")
        .replace(&scratch.display().to_string(), "the download")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_give_their_day() {
        assert_eq!(
            http_day("Tue, 01 Dec 2026 10:00:00 GMT").as_deref(),
            Some("2026-12-01")
        );
        assert_eq!(http_day("yesterday"), None);
    }
}
