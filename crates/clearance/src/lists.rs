//! `clearance lists …` and `clearance screen`: the operator's side of the screening engine.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use clearance_core::audit::Actor;
use clearance_core::clock::{Clock, SystemClock};
use clearance_core::screening_lists::StoredList;
use clearance_core::service::Services;
use clearance_core::store::Store;
use clearance_core::time::format_timestamp;
use clearance_core::{CoreError, Mode, Scope};
use clearance_engines::screening::lists::DEFAULT_MAX_DROP;
use clearance_engines::screening::{
    Catalogue, ImportOptions, ImportSummary, LoadedLists, import_list,
};
use clearance_screening::batch::BatchSummary;
use clearance_screening::{
    DEFAULT_THRESHOLD, Format, Gender, IndexBuilder, PartialDate, Query, ScreenOptions,
    ScreeningIndex,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::accounts::DEFAULT_ACCOUNT;
use crate::config::FetchArgs;
use crate::fetch::{FetchSettings, Outcome, fetch_source, sources_named};
use crate::list_deltas::{DeltasArgs, deltas};

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
        /// The publisher's date of this copy (YYYY-MM-DD), shown in every screening result and
        /// as an age on /metrics (default: the date the file itself carries, when it has one).
        #[arg(long, value_parser = parse_day)]
        published: Option<String>,
        /// Import even when the new version lost more than --max-drop of the stored one's
        /// entities, or failed its self-check (some of its own names do not find their entity;
        /// the failure stays shown in `lists list` and on /metrics).
        #[arg(long)]
        force: bool,
        /// The share of entities a new version may lose before the import is refused.
        #[arg(long, default_value_t = DEFAULT_MAX_DROP)]
        max_drop: f64,
    },
    /// Download lists from their publishers (or the mirrors configured) and store each new
    /// version, as the refresh schedule of `serve` does; an unchanged list is not downloaded
    /// again.
    Fetch {
        /// ofac-sdn, ofac-cons, un-sc, uk-ofsi, eu-fsf (default: CLEARANCE_LISTS_SOURCES).
        #[arg(value_name = "SOURCE")]
        sources: Vec<String>,
        /// Store a version even when it lost more than --max-drop of the stored one's
        /// entities, or failed its self-check.
        #[arg(long)]
        force: bool,
        /// The share of entities a new version may lose before it is refused.
        #[arg(long, default_value_t = DEFAULT_MAX_DROP)]
        max_drop: f64,
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Show the stored lists with their versions and counts, and how their last fetches went.
    List,
    /// Show what each import changed in the stored lists: per import, the entities added,
    /// changed (content hash) and removed against the version it replaced.
    Deltas(DeltasArgs),
    /// Remove a stored list by name.
    Remove { name: String },
    /// Manage an account's custom lists (the same as `/v1/customLists`).
    #[command(subcommand)]
    Custom(CustomCommand),
}

/// Which account and mode a custom-list command works in.
#[derive(Args)]
pub struct CustomScope {
    #[arg(long, default_value = DEFAULT_ACCOUNT)]
    account: String,
    /// `test` or `live`.
    #[arg(long, default_value = "live")]
    mode: String,
}

#[derive(Subcommand)]
pub enum CustomCommand {
    /// Create a custom list and print its id.
    Create {
        #[command(flatten)]
        scope: CustomScope,
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
        /// The screeningClassification its matches count as (default watchlistOtherOfficialLists).
        #[arg(long)]
        classification: Option<String>,
    },
    /// Show the custom lists with their counts.
    List {
        #[command(flatten)]
        scope: CustomScope,
    },
    /// Delete a custom list and its records.
    Delete {
        #[command(flatten)]
        scope: CustomScope,
        id: String,
    },
    /// Add records from a file (or `-` for stdin) of JSON lines, each a
    /// `POST /v1/customLists/:id/records` body; prints each new record id.
    AddRecords {
        #[command(flatten)]
        scope: CustomScope,
        id: String,
        file: PathBuf,
    },
    /// Remove one record from a custom list.
    RemoveRecord {
        #[command(flatten)]
        scope: CustomScope,
        id: String,
        record_id: String,
    },
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
    /// A customer file to screen (CSV with a header: `name`, or `first_name` and `last_name`;
    /// optional `reference`/`id`, `type` person|company, `dob`, `country`/`nationality`,
    /// `gender`) instead of JSON lines on stdin: a progress bar, then a summary (alert rate,
    /// alerts by category and list, the top alerts explained).
    #[arg(long, value_name = "FILE.csv")]
    input: Option<PathBuf>,
    /// With `--input`: write every alert to this CSV file.
    #[arg(long, value_name = "FILE.csv", requires = "input")]
    alerts: Option<PathBuf>,
    /// With `--input`: how many of the best alerts the summary shows.
    #[arg(long, default_value_t = 20)]
    top: usize,
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

pub async fn lists(
    services: &Services,
    command: ListsCommand,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let store = services.store().as_ref();
    match command {
        ListsCommand::Fetch {
            sources,
            force,
            max_drop,
            fetch,
        } => {
            if !(0.0..=1.0).contains(&max_drop) {
                bail!("--max-drop is a share between 0 and 1 (0.2: a fifth of the entities)");
            }
            let codes = if sources.is_empty() {
                &fetch.lists_sources
            } else {
                &sources
            };
            let sources = sources_named(codes).map_err(anyhow::Error::msg)?;
            let settings =
                FetchSettings::from_args(&fetch, (!force).then_some(max_drop), data_dir)?;
            let mut failed = 0;
            for source in sources {
                let bar = spinner(format!("fetching {}", source.code));
                let result = fetch_source(store, &settings, source, SystemClock.now_ms()).await;
                bar.finish_and_clear();
                match result {
                    Ok(Outcome::Unchanged) => eprintln!("{}: unchanged", source.code),
                    Ok(Outcome::Imported(summary)) => {
                        let l = &summary.list;
                        eprintln!(
                            "{}: imported \"{}\" (version {}): {} entities, {} names, {} records skipped or partly read",
                            source.code,
                            l.name,
                            l.version,
                            l.entity_count,
                            l.name_count,
                            l.error_count
                        );
                        eprintln!("  {}", changes(&summary));
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("{}: failed: {e}", source.code);
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} source(s) could not be fetched; the stored versions stay in use");
            }
        }
        ListsCommand::Custom(command) => custom(services, command).await?,
        ListsCommand::Import {
            format,
            path,
            name,
            published,
            force,
            max_drop,
        } => {
            let format: Format = format.parse()?;
            let bar = spinner(format!("reading {} as {format}", path.display()));
            let started = Instant::now();
            if !(0.0..=1.0).contains(&max_drop) {
                bail!("--max-drop is a share between 0 and 1 (0.2: a fifth of the entities)");
            }
            let options = ImportOptions {
                name: name.as_deref(),
                published: published.as_deref(),
                max_drop: (!force).then_some(max_drop),
                accept_failed_self_check: force,
                ..ImportOptions::default()
            };
            let result = import_list(store, format, &path, options, SystemClock.now_ms()).await;
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
            eprintln!("  {}", changes(&summary));
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
        ListsCommand::Deltas(args) => deltas(store, args).await?,
        ListsCommand::List => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            writeln!(
                out,
                "{:<52}{:<14}{:<26}{:<12}{:>9}{:>9}{:>8}  {:<26}self-check",
                "name", "format", "version", "published", "entities", "names", "errors", "imported"
            )?;
            for l in store.screening_lists().await? {
                writeln!(
                    out,
                    "{:<52}{:<14}{:<26}{:<12}{:>9}{:>9}{:>8}  {:<26}{}",
                    l.name,
                    l.format,
                    l.version,
                    l.published.as_deref().unwrap_or("unknown"),
                    l.entity_count,
                    l.name_count,
                    l.error_count,
                    format_timestamp(l.imported_at),
                    self_check_of(&l)
                )?;
            }
            let fetches = store.list_fetch_states().await?;
            if !fetches.is_empty() {
                writeln!(out)?;
                writeln!(
                    out,
                    "{:<12}{:<26}{:<26}{:>9}  last error",
                    "fetched", "last attempt", "last success", "failures"
                )?;
                for f in fetches {
                    writeln!(
                        out,
                        "{:<12}{:<26}{:<26}{:>9}  {}",
                        f.source,
                        format_timestamp(f.attempted_at),
                        f.succeeded_at
                            .map_or_else(|| "never".into(), format_timestamp),
                        f.failures,
                        f.error.as_deref().unwrap_or("-")
                    )?;
                }
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

async fn scope_of(services: &Services, scope: &CustomScope) -> anyhow::Result<Scope> {
    let mode = match scope.mode.as_str() {
        "test" => Mode::Test,
        "live" => Mode::Live,
        other => bail!("--mode is test or live, not {other:?}"),
    };
    let account = services
        .store()
        .find_account_by_name(&scope.account)
        .await?
        .with_context(|| format!("no account is named {:?}", scope.account))?;
    Ok(Scope::new(account.id, mode))
}

/// Domain errors as the API would word them.
fn domain(e: CoreError) -> anyhow::Error {
    match e {
        CoreError::Invalid {
            param: Some(p),
            message,
        } => anyhow::anyhow!("{message} ({p})"),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn custom(services: &Services, command: CustomCommand) -> anyhow::Result<()> {
    let actor = Actor::default();
    match command {
        CustomCommand::Create {
            scope,
            name,
            description,
            classification,
        } => {
            let scope = scope_of(services, &scope).await?;
            let body = serde_json::json!({
                "name": name, "description": description, "classification": classification
            });
            let list = services
                .create_custom_list(&scope, &actor, &body)
                .await
                .map_err(domain)?;
            println!("{}", list.id);
        }
        CustomCommand::List { scope } => {
            let scope = scope_of(services, &scope).await?;
            println!("{:<26}{:>8}{:>10}  name", "id", "persons", "companies");
            for list in services.custom_lists(&scope).await.map_err(domain)? {
                let list = services
                    .with_custom_list_stats(list)
                    .await
                    .map_err(domain)?;
                let count = |k: &str| list.body["stats"][k].as_u64().unwrap_or(0);
                println!(
                    "{:<26}{:>8}{:>10}  {}",
                    list.id,
                    count("personCount"),
                    count("companyCount"),
                    list.body["name"].as_str().unwrap_or_default()
                );
            }
        }
        CustomCommand::Delete { scope, id } => {
            let scope = scope_of(services, &scope).await?;
            services
                .delete_custom_list(&scope, &actor, &id)
                .await
                .map_err(domain)?;
            eprintln!("deleted custom list {id}");
        }
        CustomCommand::AddRecords { scope, id, file } => {
            let scope = scope_of(services, &scope).await?;
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let body: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("line {}: not JSON", n + 1))?;
                let record = services
                    .add_custom_list_record(&scope, &actor, &id, &body)
                    .await
                    .map_err(|e| domain(e).context(format!("line {}", n + 1)))?;
                println!("{}", record.id);
            }
        }
        CustomCommand::RemoveRecord {
            scope,
            id,
            record_id,
        } => {
            let scope = scope_of(services, &scope).await?;
            services
                .delete_custom_list_record(&scope, &actor, &id, &record_id)
                .await
                .map_err(domain)?;
            eprintln!("removed record {record_id}");
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
    if let Some(input) = &args.input {
        return screen_file(index, input, args.alerts.as_deref(), args.top, &options);
    }
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

/// The column of a customer file named one of `names` (case and spaces ignored).
fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = h.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        names.contains(&h.as_str())
    })
}

/// The query of one customer row.
struct Columns {
    reference: Option<usize>,
    name: Option<usize>,
    first: Option<usize>,
    last: Option<usize>,
    kind: Option<usize>,
    dob: Option<usize>,
    country: Option<usize>,
    gender: Option<usize>,
}

impl Columns {
    fn of(headers: &csv::StringRecord) -> anyhow::Result<Self> {
        let columns = Columns {
            reference: column(
                headers,
                &["reference", "ref", "id", "customer_id", "client_id"],
            ),
            name: column(
                headers,
                &["name", "full_name", "company_name", "entity_name"],
            ),
            first: column(headers, &["first_name", "firstname", "given_name"]),
            last: column(
                headers,
                &["last_name", "lastname", "surname", "family_name"],
            ),
            kind: column(headers, &["type", "kind", "entity_type"]),
            dob: column(headers, &["dob", "date_of_birth", "birth_date"]),
            country: column(
                headers,
                &["country", "nationality", "incorporation_country"],
            ),
            gender: column(headers, &["gender", "sex"]),
        };
        if columns.name.is_none() && columns.last.is_none() {
            bail!("the file has no `name` (or `first_name` and `last_name`) column");
        }
        Ok(columns)
    }

    fn query(&self, row: &csv::StringRecord, line: usize) -> (String, Option<Query>) {
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let reference = get(self.reference).map_or_else(|| format!("line {line}"), str::to_owned);
        let name = get(self.name).map(str::to_owned).or_else(|| {
            let parts: Vec<&str> = [get(self.first), get(self.last)]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let Some(name) = name else {
            return (reference, None);
        };
        let company = get(self.kind).is_some_and(|k| {
            matches!(
                k.to_ascii_lowercase().as_str(),
                "company" | "organisation" | "organization" | "entity"
            )
        });
        let query = if company {
            Query {
                country: get(self.country).map(str::to_owned),
                ..Query::company(name)
            }
        } else {
            Query {
                dob: get(self.dob).and_then(PartialDate::parse_iso),
                country: get(self.country).map(str::to_owned),
                gender: get(self.gender).and_then(Gender::parse),
                ..Query::person(name)
            }
        };
        (reference, Some(query))
    }
}

/// `clearance screen --input customers.csv`: screens a customer file with a progress bar and
/// prints the batch's summary; `alerts` receives every alert as CSV.
fn screen_file(
    index: &ScreeningIndex,
    input: &Path,
    alerts: Option<&Path>,
    top: usize,
    options: &ScreenOptions,
) -> anyhow::Result<()> {
    let rows = {
        let mut reader = csv::Reader::from_path(input)
            .with_context(|| format!("reading {}", input.display()))?;
        reader.records().count() as u64
    };
    let mut reader =
        csv::Reader::from_path(input).with_context(|| format!("reading {}", input.display()))?;
    let columns = Columns::of(reader.headers()?)?;
    let mut writer = match alerts {
        Some(path) => {
            let mut w = csv::Writer::from_path(path)
                .with_context(|| format!("writing {}", path.display()))?;
            w.write_record([
                "reference",
                "query",
                "score",
                "entity_id",
                "listed_name",
                "classifications",
                "why",
            ])?;
            Some(w)
        }
        None => None,
    };
    let bar = ProgressBar::new(rows);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} customers ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let mut summary = BatchSummary::new(top);
    let mut skipped = 0u64;
    for (i, row) in reader.records().enumerate() {
        bar.inc(1);
        let row = row.with_context(|| format!("{}: line {}", input.display(), i + 2))?;
        let (reference, Some(query)) = columns.query(&row, i + 2) else {
            skipped += 1;
            continue;
        };
        let found = summary.screen(index, &reference, &query, options);
        if let Some(w) = writer.as_mut() {
            for a in &found {
                w.write_record([
                    a.reference.as_str(),
                    a.query.as_str(),
                    &format!("{:.1}", a.score),
                    a.entity_id.as_str(),
                    a.listed_name.as_str(),
                    &a.classifications.join(" "),
                    a.why.as_str(),
                ])?;
            }
        }
    }
    bar.finish_and_clear();
    if let Some(mut w) = writer {
        w.flush()?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    print!("{}", summary.render());
    println!(
        "{} customers/s on one thread against {} entities; {skipped} rows without a name skipped",
        (summary.screened as f64 / elapsed.max(1e-9)).round(),
        index.entities().len()
    );
    Ok(())
}

/// What an import changed and how its self-check went, in one line.
fn changes(summary: &ImportSummary) -> String {
    let check = &summary.self_check;
    let checked = if check.passed() {
        format!(
            "self-check: {} sampled names found their entity",
            check.sampled
        )
    } else {
        format!(
            "SELF-CHECK {}: {} of {} sampled names did not find their entity ({})",
            if check.systemic() {
                "FAILED (stored with --force)"
            } else {
                "FLAGGED (stored)"
            },
            check.missed,
            check.sampled,
            check.missed_ids.join(", ")
        )
    };
    match &summary.delta {
        None => format!("unchanged from the stored version; {checked}"),
        Some(d) if d.initial() => format!(
            "first import (delta {}): {} entities added; {checked}",
            d.seq, d.added
        ),
        Some(d) => format!(
            "delta {} against version {}: {} added, {} changed, {} removed; {checked}",
            d.seq,
            d.previous_version.as_deref().unwrap_or("?"),
            d.added,
            d.changed,
            d.removed
        ),
    }
}

/// The self-check column of `lists list`.
fn self_check_of(list: &StoredList) -> String {
    match (list.self_check_sampled, list.self_check_missed) {
        (0, _) => "not run".into(),
        (sampled, 0) => format!("passed ({sampled})"),
        (sampled, missed) if missed * 20 > sampled => {
            format!("FAILED: {missed} of {sampled} missed (forced)")
        }
        (sampled, missed) => format!("FLAGGED: {missed} of {sampled} missed"),
    }
}

/// A `--published` date: `YYYY-MM-DD`.
fn parse_day(value: &str) -> Result<String, String> {
    clearance_core::time::parse_date(value)
        .map(|_| value.to_owned())
        .ok_or_else(|| format!("'{value}' is not a date (YYYY-MM-DD)"))
}
