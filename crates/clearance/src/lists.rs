//! `clearance lists …` and `clearance screen`: the operator's side of the screening engine.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use clearance_core::clock::{Clock, SystemClock};
use clearance_core::store::Store;
use clearance_core::time::format_timestamp;
use clearance_engines::screening::{Catalogue, LoadedLists, import_list};
use clearance_screening::{DEFAULT_THRESHOLD, Format, IndexBuilder, ScreenOptions, ScreeningIndex};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Parse a list file (or, for ofac-csv, a folder) and store it, replacing the list of the
    /// same name; running servers use it from their next screening.
    Import {
        /// ofac-csv, un-xml, uk-ofsi-csv, eu-fsf-xml, eu-fsf-csv, us-csl-csv, ftm-json,
        /// senzing-json
        format: String,
        path: PathBuf,
        /// The name checks and `GET /v1/static/screeningLists` show (default: the publisher's
        /// list name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Show the stored lists with their versions and counts.
    List,
    /// Remove a stored list by name.
    Remove { name: String },
}

#[derive(Args)]
pub struct ScreenArgs {
    /// Lists to screen against as FORMAT:PATH (repeatable); without it, the imported lists.
    #[arg(long = "lists", value_name = "FORMAT:PATH")]
    lists: Vec<String>,
    /// Minimum score 0–100 for a match.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f32,
    /// Matches per query at most.
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

pub async fn lists(store: &dyn Store, command: ListsCommand) -> anyhow::Result<()> {
    match command {
        ListsCommand::Import { format, path, name } => {
            let format: Format = format.parse()?;
            let bar = spinner(format!("reading {} as {format}", path.display()));
            let started = Instant::now();
            let result =
                import_list(store, format, &path, name.as_deref(), SystemClock.now_ms()).await;
            bar.finish_and_clear();
            let summary = result.map_err(anyhow::Error::msg)?;
            let l = &summary.list;
            eprintln!(
                "imported \"{}\" (version {}): {} entities, {} names, {} records skipped or partly read, in {:.1} s",
                l.name,
                l.version,
                l.entity_count,
                l.name_count,
                l.error_count,
                started.elapsed().as_secs_f64()
            );
            for e in &summary.sample_errors {
                eprintln!("  {e}");
            }
            if l.error_count > summary.sample_errors.len() as i64 {
                eprintln!(
                    "  … and {} more",
                    l.error_count - summary.sample_errors.len() as i64
                );
            }
        }
        ListsCommand::List => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            writeln!(
                out,
                "{:<52}{:<14}{:<26}{:>9}{:>9}{:>8}  imported",
                "name", "format", "version", "entities", "names", "errors"
            )?;
            for l in store.screening_lists().await? {
                writeln!(
                    out,
                    "{:<52}{:<14}{:<26}{:>9}{:>9}{:>8}  {}",
                    l.name,
                    l.format,
                    l.version,
                    l.entity_count,
                    l.name_count,
                    l.error_count,
                    format_timestamp(l.imported_at)
                )?;
            }
        }
        ListsCommand::Remove { name } => {
            if !store.remove_screening_list(&name).await? {
                bail!("no stored list is named \"{name}\" (see `clearance lists list`)");
            }
            eprintln!("removed \"{name}\"");
        }
    }
    Ok(())
}

/// Builds an index from `FORMAT:PATH` arguments.
fn index_from_files(specs: &[String]) -> anyhow::Result<ScreeningIndex> {
    let mut builder = IndexBuilder::new();
    for spec in specs {
        let (format, path) = spec
            .split_once(':')
            .with_context(|| format!("--lists takes FORMAT:PATH, got {spec:?}"))?;
        let format: Format = format.parse()?;
        let list = clearance_screening::load(format, path.as_ref())
            .with_context(|| format!("reading {path}"))?;
        builder.add_list(list);
    }
    Ok(builder.build())
}

pub async fn screen(store: Arc<dyn Store>, args: ScreenArgs) -> anyhow::Result<()> {
    let bar = spinner("building the screening index".into());
    let loaded: Arc<LoadedLists>;
    let from_files: ScreeningIndex;
    let index: &ScreeningIndex = if args.lists.is_empty() {
        loaded = Catalogue::default()
            .current(store.as_ref())
            .await
            .map_err(anyhow::Error::msg)?;
        if loaded.lists.is_empty() {
            bar.finish_and_clear();
            bail!("no lists are imported: use --lists FORMAT:PATH or `clearance lists import`");
        }
        &loaded.index
    } else {
        let specs = args.lists.clone();
        from_files = tokio::task::spawn_blocking(move || index_from_files(&specs)).await??;
        &from_files
    };
    bar.finish_and_clear();
    let options = ScreenOptions {
        threshold: args.threshold,
        limit: args.limit,
        ..ScreenOptions::default()
    };
    let answered = clearance_screening::screen_jsonl(
        index,
        std::io::stdin().lock(),
        BufWriter::new(std::io::stdout().lock()),
        &options,
    )?;
    eprintln!(
        "{answered} queries screened against {} entities",
        index.entities().len()
    );
    Ok(())
}
