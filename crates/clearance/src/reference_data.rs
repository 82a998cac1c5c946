//! `clearance registries …` and `clearance addresses …`: the register and address data company
//! and address lookups search. Each import reads files in a publisher's format into one dataset
//! (replacing the dataset of the same name, atomically); every server sees it at its next check.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use clearance_core::lookups::{AddressRecord, DatasetKind, RegistryRecord, StoredDataset};
use clearance_core::store::Store;
use clearance_core::time::format_timestamp;
use clearance_lookups::dataset::ChunkWriter;
use clearance_lookups::import::{
    ParseError, ParseReport, companies_house, gleif, officers, onspd, openaddresses, os_open_names,
    psc,
};

#[derive(Subcommand)]
pub enum RegistriesCommand {
    /// Import company register files into one dataset, replacing the dataset of that name.
    /// Formats: companies-house-csv (BasicCompanyData), psc-jsonl (persons with significant
    /// control snapshot), officers-dat (Companies House officer appointments), gleif-xml (LEI-CDF
    /// golden copy), gleif-rr-xml (GLEIF relationship records: consolidation parents),
    /// clearance-jsonl (this server's own record lines, for any other register).
    Import(ImportArgs),
    /// List the imported datasets, registers and address data both.
    List,
    /// Remove a dataset by name.
    Remove { name: String },
}

#[derive(Subcommand)]
pub enum AddressesCommand {
    /// Import address files into one dataset, replacing the dataset of that name. Formats:
    /// openaddresses-csv (needs --country), os-open-names (OS Open Names CSV), onspd (ONS
    /// Postcode Directory CSV; place names from --code-names), clearance-jsonl.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    pub format: String,
    /// One or more files of that format (a register published in parts is one dataset).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The dataset's name (default: the format's).
    #[arg(long)]
    pub name: Option<String>,
    /// The date of the data, `YYYY-MM-DD` (default: a date in the first file's name, else
    /// today): the companies' `updatedAt`.
    #[arg(long)]
    pub date: Option<String>,
    /// The country of an OpenAddresses file (its files are per source, without a country
    /// column).
    #[arg(long)]
    pub country: Option<String>,
    /// ONSPD: the folder of code-name lists (`districts.json`, `wards.json`, `counties.json`;
    /// default: `code_names` next to the file).
    #[arg(long)]
    pub code_names: Option<PathBuf>,
}

/// What an import stored.
#[derive(Debug)]
pub struct Imported {
    pub name: String,
    pub records: usize,
    pub report: ParseReport,
}

pub async fn registries(
    store: &dyn Store,
    command: RegistriesCommand,
    now_ms: i64,
) -> anyhow::Result<()> {
    match command {
        RegistriesCommand::Import(args) => {
            let done = import(store, DatasetKind::Registry, &args, now_ms).await?;
            print_imported(&done);
        }
        RegistriesCommand::List => {
            for d in store.reference_datasets().await? {
                println!(
                    "{}\t{}\t{}\t{} records\timported {}",
                    d.name,
                    d.kind.as_str(),
                    d.format,
                    d.record_count,
                    format_timestamp(d.imported_at)
                );
            }
        }
        RegistriesCommand::Remove { name } => {
            if !store.remove_reference_dataset(&name).await? {
                bail!("no dataset is named {name:?}");
            }
            println!("removed {name:?}");
        }
    }
    Ok(())
}

pub async fn addresses(
    store: &dyn Store,
    command: AddressesCommand,
    now_ms: i64,
) -> anyhow::Result<()> {
    let AddressesCommand::Import(args) = command;
    let done = import(store, DatasetKind::Addresses, &args, now_ms).await?;
    print_imported(&done);
    Ok(())
}

fn print_imported(done: &Imported) {
    println!(
        "imported {} records into {:?}; {} rows refused",
        done.records, done.name, done.report.refused
    );
    for reason in &done.report.reasons {
        println!("  {reason}");
    }
}

/// Reads `args.paths` in `args.format` and stores them as one dataset.
pub async fn import(
    store: &dyn Store,
    kind: DatasetKind,
    args: &ImportArgs,
    now_ms: i64,
) -> anyhow::Result<Imported> {
    let format = args.format.as_str();
    let name = match (&args.name, default_name(format, args.country.as_deref())) {
        (Some(name), _) => name.clone(),
        (None, Some(name)) => name,
        (None, None) => bail!("a {format} import needs --name"),
    };
    anyhow::ensure!(!name.trim().is_empty(), "the dataset needs a name");
    let date = match &args.date {
        Some(d) => clearance_core::time::parse_date(d)
            .map(|_| d.clone())
            .with_context(|| format!("--date {d:?} is not a YYYY-MM-DD date"))?,
        None => args
            .paths
            .first()
            .and_then(|p| date_in_name(p))
            .unwrap_or_else(|| format_timestamp(now_ms)[..10].to_string()),
    };
    let mut writer = ChunkWriter::default();
    let mut report = ParseReport::default();
    let mut failed: Option<std::io::Error> = None;
    for path in &args.paths {
        let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
        let reader = BufReader::with_capacity(1 << 20, file);
        let mut push_registry = |r: RegistryRecord| {
            if failed.is_none()
                && let Err(e) = writer.push(&r)
            {
                failed = Some(e);
            }
        };
        let part = match (kind, format) {
            (DatasetKind::Registry, "companies-house-csv") => {
                companies_house::read(reader, &date, &mut push_registry)
            }
            (DatasetKind::Registry, "psc-jsonl") => psc::read(reader, &mut push_registry),
            (DatasetKind::Registry, "officers-dat") => {
                officers::read(reader, &date, &mut push_registry)
            }
            (DatasetKind::Registry, "gleif-xml") => gleif::read(reader, &date, &mut push_registry),
            (DatasetKind::Registry, "gleif-rr-xml") => gleif::read_relationships(reader, &mut |r| {
                push_registry(RegistryRecord::LeiParent {
                    child_lei: r.child_lei,
                    parent_lei: r.parent_lei,
                    relationship: r.relationship_type,
                })
            }),
            (DatasetKind::Registry, "clearance-jsonl") => {
                json_lines::<RegistryRecord>(reader, &mut push_registry)
            }
            (DatasetKind::Addresses, _) => {
                let mut push_address = |r: AddressRecord| {
                    if failed.is_none()
                        && let Err(e) = writer.push(&r)
                    {
                        failed = Some(e);
                    }
                };
                match format {
                    "openaddresses-csv" => {
                        let Some(country) = &args.country else {
                            bail!("an OpenAddresses file has no country column: give --country");
                        };
                        anyhow::ensure!(
                            clearance_core::country::is_alpha2(&country.to_ascii_uppercase()),
                            "--country {country:?} is not an ISO 3166-1 alpha-2 code"
                        );
                        openaddresses::read(reader, country, &mut push_address)
                    }
                    "os-open-names" => os_open_names::read(reader, &mut push_address),
                    "onspd" => {
                        let dir = args.code_names.clone().unwrap_or_else(|| {
                            path.parent()
                                .unwrap_or(Path::new("."))
                                .join("code_names")
                        });
                        let names = onspd::CodeNames::load(&dir)?;
                        onspd::read(reader, &names, &mut push_address)
                    }
                    "clearance-jsonl" => json_lines::<AddressRecord>(reader, &mut push_address),
                    other => bail!(
                        "unknown address format {other:?}: openaddresses-csv, os-open-names, onspd or clearance-jsonl"
                    ),
                }
            }
            (DatasetKind::Registry, other) => bail!(
                "unknown register format {other:?}: companies-house-csv, psc-jsonl, officers-dat, gleif-xml, gleif-rr-xml or clearance-jsonl"
            ),
        }
        .with_context(|| format!("reading {}", path.display()))?;
        report.emitted += part.emitted;
        report.refused += part.refused;
        for reason in part.reasons {
            if report.reasons.len() < 10 {
                report.reasons.push(format!("{}: {reason}", path.display()));
            }
        }
    }
    if let Some(e) = failed {
        return Err(e).context("encoding the dataset");
    }
    let encoded = writer.finish()?;
    anyhow::ensure!(
        encoded.records > 0,
        "no record could be read ({} rows refused); the stored dataset {name:?} is unchanged",
        report.refused
    );
    let dataset = StoredDataset {
        name: name.clone(),
        kind,
        format: format.to_string(),
        content_hash: encoded.content_hash,
        record_count: encoded.records as i64,
        chunk_count: encoded.chunks.len() as i64,
        imported_at: now_ms,
    };
    store
        .put_reference_dataset(&dataset, &encoded.chunks)
        .await?;
    Ok(Imported {
        name,
        records: encoded.records,
        report,
    })
}

/// The dataset a format's import replaces unless named: one per publisher (and per country
/// for OpenAddresses, whose files are per source).
fn default_name(format: &str, country: Option<&str>) -> Option<String> {
    Some(match format {
        "companies-house-csv" => "companies-house".into(),
        "psc-jsonl" => "companies-house-psc".into(),
        "officers-dat" => "companies-house-officers".into(),
        "gleif-xml" => "gleif".into(),
        "gleif-rr-xml" => "gleif-relationships".into(),
        "onspd" => "onspd".into(),
        "os-open-names" => "os-open-names".into(),
        "openaddresses-csv" => format!("openaddresses-{}", country?.to_ascii_lowercase()),
        _ => return None,
    })
}

/// This server's own record lines: one JSON object per line.
fn json_lines<T: serde::de::DeserializeOwned>(
    reader: impl BufRead,
    emit: &mut dyn FnMut(T),
) -> Result<ParseReport, ParseError> {
    let mut report = ParseReport::default();
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(&line) {
            Ok(record) => {
                emit(record);
                report.emitted += 1;
            }
            Err(e) => report.refuse(format!("line {}: {e}", n + 1)),
        }
    }
    Ok(report)
}

/// A `YYYY-MM-DD` (or `YYYY-MM`, read as the 1st) date in a file's name, as publishers name
/// their snapshots.
fn date_in_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let bytes = name.as_bytes();
    let digits = |from: usize, n: usize| {
        bytes
            .get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    for at in 0..bytes.len() {
        if digits(at, 4) && bytes.get(at + 4) == Some(&b'-') && digits(at + 5, 2) {
            let day = if bytes.get(at + 7) == Some(&b'-') && digits(at + 8, 2) {
                &name[at + 8..at + 10]
            } else {
                "01"
            };
            let date = format!("{}-{day}", &name[at..at + 7]);
            if clearance_core::time::parse_date(&date).is_some() {
                return Some(date);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_from_publishers_file_names() {
        let date = |n: &str| date_in_name(Path::new(n));
        assert_eq!(
            date("basic_company_data_2020-05-01_random_sample.csv").as_deref(),
            Some("2020-05-01")
        );
        assert_eq!(
            date("basic_company_data_2021-01_head31.csv").as_deref(),
            Some("2021-01-01")
        );
        assert_eq!(date("HY20.csv"), None);
    }
}
