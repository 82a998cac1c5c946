//! The lookup engine one node runs: it builds its indexes from the datasets in the store and
//! rebuilds them when the datasets change. Every node reads the same rows, so nodes that share a
//! PostgreSQL database answer alike; an import on any node (or from the command line) reaches
//! the others at their next check, at most `check_every` later. A node that already has an index
//! keeps answering from it while the new one builds; indexes are kept on disk under the node's
//! data folder, named by the datasets' content, so a restart opens them instead of rebuilding.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use clearance_core::lookups::{
    AddressPrecision, AddressQuery, AddressRecord, Company, DatasetKind, LookupAddress,
    LookupError, Lookups, Officer, Owner, ReferenceStore, RegistryRecord, StoredDataset,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, RwLock};

use crate::addresses::{AddressIndex, AddressIndexBuilder};
use crate::companies::{CompanyIndex, CompanyIndexBuilder};
use crate::dataset::read_chunk;

/// Changes whenever the index layout or the normalisation does, so that indexes a node built
/// with an older version are rebuilt rather than searched with different rules.
const INDEX_FORMAT: &str = "lookups-index-3";

/// What a built index covers; written last into its folder, so its presence says the folder
/// is complete.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Coverage {
    company_countries: BTreeSet<String>,
    address_countries: BTreeSet<String>,
    /// Countries whose postcodes were imported (ONSPD), which geocoding answers for.
    #[serde(default)]
    postcode_countries: BTreeSet<String>,
    datasets: usize,
}

struct Loaded {
    fingerprint: String,
    companies: CompanyIndex,
    addresses: AddressIndex,
    coverage: Coverage,
}

struct State {
    loaded: Option<Arc<Loaded>>,
    checked: Option<Instant>,
}

struct Inner {
    store: Arc<dyn ReferenceStore>,
    dir: Option<PathBuf>,
    check_every: Duration,
    state: RwLock<State>,
    building: Mutex<()>,
}

/// The lookups of one node.
#[derive(Clone)]
pub struct LookupEngine {
    inner: Arc<Inner>,
}

fn internal(e: impl std::fmt::Display) -> LookupError {
    LookupError::Internal(e.to_string())
}

impl LookupEngine {
    /// An engine over `store`'s datasets, keeping its indexes under `dir` (in memory when
    /// `None`), looking for changed datasets at most every `check_every`.
    pub fn new(
        store: Arc<dyn ReferenceStore>,
        dir: Option<PathBuf>,
        check_every: Duration,
    ) -> Self {
        LookupEngine {
            inner: Arc::new(Inner {
                store,
                dir,
                check_every,
                state: RwLock::new(State {
                    loaded: None,
                    checked: None,
                }),
                building: Mutex::new(()),
            }),
        }
    }

    /// Builds the index for the datasets stored now, unless it is the one loaded.
    pub async fn refresh(&self) -> Result<(), LookupError> {
        let inner = &self.inner;
        let _building = inner.building.lock().await;
        let datasets = inner.store.reference_datasets().await.map_err(internal)?;
        let fingerprint = fingerprint(&datasets);
        let current = inner.state.read().await.loaded.clone();
        if current
            .as_ref()
            .is_some_and(|l| l.fingerprint == fingerprint)
        {
            inner.state.write().await.checked = Some(Instant::now());
            return Ok(());
        }
        let store = inner.store.clone();
        let dir = inner.dir.clone();
        let handle = tokio::runtime::Handle::current();
        let started = Instant::now();
        let loaded = tokio::task::spawn_blocking(move || {
            build(
                &handle,
                store.as_ref(),
                dir.as_deref(),
                &datasets,
                fingerprint,
            )
        })
        .await
        .map_err(internal)??;
        tracing::info!(
            companies = loaded.companies.len(),
            addresses = loaded.addresses.len(),
            datasets = loaded.coverage.datasets,
            ms = started.elapsed().as_millis() as u64,
            "lookup index ready"
        );
        let keep = loaded.fingerprint.clone();
        let mut state = inner.state.write().await;
        state.loaded = Some(Arc::new(loaded));
        state.checked = Some(Instant::now());
        drop(state);
        if let Some(dir) = &inner.dir {
            remove_other_indexes(dir, &keep);
        }
        Ok(())
    }

    /// The index to answer from: the loaded one, after a check for new datasets when one is
    /// due. A node with data keeps answering while it rebuilds; one without waits for the build.
    async fn current(&self) -> Result<Arc<Loaded>, LookupError> {
        let (loaded, due) = {
            let state = self.inner.state.read().await;
            let due = state
                .checked
                .is_none_or(|at| at.elapsed() >= self.inner.check_every);
            (state.loaded.clone(), due)
        };
        match loaded {
            Some(loaded) if !due => Ok(loaded),
            Some(loaded) if loaded.coverage.datasets > 0 => {
                // The check is marked done before it runs: searches arriving meanwhile answer
                // from the loaded index instead of each starting a check of their own.
                let claimed = {
                    let mut state = self.inner.state.write().await;
                    let still_due = state
                        .checked
                        .is_none_or(|at| at.elapsed() >= self.inner.check_every);
                    if still_due {
                        state.checked = Some(Instant::now());
                    }
                    still_due
                };
                if claimed {
                    let engine = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = engine.refresh().await {
                            tracing::warn!(error = %e, "the lookup index could not be rebuilt");
                        }
                    });
                }
                Ok(loaded)
            }
            _ => {
                self.refresh().await?;
                self.inner
                    .state
                    .read()
                    .await
                    .loaded
                    .clone()
                    .ok_or_else(|| LookupError::NotReady("The lookup index is not built".into()))
            }
        }
    }
}

fn fingerprint(datasets: &[StoredDataset]) -> String {
    let mut hash = Sha256::new();
    hash.update(INDEX_FORMAT);
    for d in datasets {
        hash.update(format!(
            "\n{}\t{}\t{}",
            d.name,
            d.kind.as_str(),
            d.content_hash
        ));
    }
    hex::encode(hash.finalize())[..24].to_owned()
}

/// Removes the indexes of earlier dataset versions from `dir`.
fn remove_other_indexes(dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy() != keep
            && let Err(e) = std::fs::remove_dir_all(entry.path())
        {
            tracing::warn!(error = %e, path = %entry.path().display(), "an old lookup index stays on disk");
        }
    }
}

fn build(
    handle: &tokio::runtime::Handle,
    store: &dyn ReferenceStore,
    dir: Option<&Path>,
    datasets: &[StoredDataset],
    fingerprint: String,
) -> Result<Loaded, LookupError> {
    let folder = dir.map(|d| d.join(&fingerprint));
    if let Some(folder) = &folder
        && let Ok(meta) = std::fs::read(folder.join("coverage.json"))
        && let Ok(coverage) = serde_json::from_slice::<Coverage>(&meta)
    {
        return Ok(Loaded {
            companies: CompanyIndex::open(&folder.join("companies")).map_err(internal)?,
            addresses: AddressIndex::open(&folder.join("addresses")).map_err(internal)?,
            fingerprint,
            coverage,
        });
    }
    if let Some(folder) = &folder {
        // A folder without its coverage file is a build that did not finish.
        let _ = std::fs::remove_dir_all(folder);
    }
    let chunks_of = |d: &StoredDataset| -> Result<Vec<Vec<u8>>, LookupError> {
        let chunks = handle
            .block_on(store.reference_dataset_chunks(&d.name, &d.content_hash))
            .map_err(internal)?;
        if chunks.len() as i64 != d.chunk_count {
            return Err(LookupError::Internal(format!(
                "the dataset '{}' changed while the index was built",
                d.name
            )));
        }
        Ok(chunks)
    };
    let mut coverage = Coverage {
        datasets: datasets.len(),
        ..Coverage::default()
    };
    let registries: Vec<&StoredDataset> = datasets
        .iter()
        .filter(|d| d.kind == DatasetKind::Registry)
        .collect();
    // Owners and officers first: registers publish them apart from the companies.
    let mut people: HashMap<String, (Vec<Owner>, Vec<Officer>)> = HashMap::new();
    let mut parents: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for d in &registries {
        for chunk in chunks_of(d)? {
            read_chunk(&chunk, |r: RegistryRecord| match r {
                RegistryRecord::Owner { company_id, owner } => {
                    people.entry(company_id).or_default().0.push(owner);
                }
                RegistryRecord::Officer {
                    company_id,
                    officer,
                } => people.entry(company_id).or_default().1.push(officer),
                RegistryRecord::LeiParent {
                    child_lei,
                    parent_lei,
                    relationship,
                } => parents
                    .entry(child_lei)
                    .or_default()
                    .push((parent_lei, relationship)),
                RegistryRecord::Company(_) => {}
            })
            .map_err(internal)?;
        }
    }
    // Parents are named by LEI: their names come from the companies that carry those LEIs.
    let mut lei_names: HashMap<String, (String, String)> = HashMap::new();
    if !parents.is_empty() {
        let wanted: std::collections::HashSet<&String> =
            parents.values().flatten().map(|(lei, _)| lei).collect();
        for d in &registries {
            for chunk in chunks_of(d)? {
                read_chunk(&chunk, |r: RegistryRecord| {
                    if let RegistryRecord::Company(c) = r
                        && let Some(lei) = &c.lei
                        && wanted.contains(lei)
                    {
                        lei_names.insert(lei.clone(), (c.name.clone(), c.incorporation_country));
                    }
                })
                .map_err(internal)?;
            }
        }
    }
    let mut companies =
        CompanyIndexBuilder::new(folder.as_ref().map(|f| f.join("companies")).as_deref())
            .map_err(internal)?;
    let mut seen = std::collections::HashSet::new();
    let mut failure = None;
    for d in &registries {
        for chunk in chunks_of(d)? {
            read_chunk(&chunk, |r: RegistryRecord| {
                let RegistryRecord::Company(mut company) = r else {
                    return;
                };
                // The first dataset (by name) that has a company describes it.
                if failure.is_some() || !seen.insert(company.id.clone()) {
                    return;
                }
                if let Some((owners, officers)) = people.remove(&company.id) {
                    company.owners.extend(owners);
                    company.officers.extend(officers);
                }
                if let Some(of_company) = company.lei.as_ref().and_then(|l| parents.get(l)) {
                    company.owners.extend(
                        of_company
                            .iter()
                            .map(|(lei, kind)| parent_owner(lei, kind, &lei_names)),
                    );
                }
                coverage
                    .company_countries
                    .insert(company.incorporation_country.clone());
                if let Err(e) = companies.add(&company) {
                    failure = Some(e);
                }
            })
            .map_err(internal)?;
        }
    }
    if let Some(e) = failure {
        return Err(internal(e));
    }
    let companies = companies.finish().map_err(internal)?;
    let mut addresses =
        AddressIndexBuilder::new(folder.as_ref().map(|f| f.join("addresses")).as_deref())
            .map_err(internal)?;
    let mut failure = None;
    for d in datasets.iter().filter(|d| d.kind == DatasetKind::Addresses) {
        for chunk in chunks_of(d)? {
            read_chunk(&chunk, |r: AddressRecord| {
                let country = r.address.country.clone().unwrap_or_default();
                if r.precision == AddressPrecision::Postcode {
                    coverage.postcode_countries.insert(country.clone());
                }
                coverage.address_countries.insert(country);
                if failure.is_none()
                    && let Err(e) = addresses.add(&r)
                {
                    failure = Some(e);
                }
            })
            .map_err(internal)?;
        }
    }
    if let Some(e) = failure {
        return Err(internal(e));
    }
    let addresses = addresses.finish().map_err(internal)?;
    if let Some(folder) = &folder {
        let meta = serde_json::to_vec(&coverage).map_err(internal)?;
        std::fs::write(folder.join("coverage.json"), meta).map_err(internal)?;
    }
    Ok(Loaded {
        fingerprint,
        companies,
        addresses,
        coverage,
    })
}

/// A consolidation parent as an owner: the parent's name when its LEI record was imported,
/// else its LEI.
fn parent_owner(lei: &str, relationship: &str, names: &HashMap<String, (String, String)>) -> Owner {
    let ultimate = relationship.contains("ULTIMATELY");
    let (name, country) = names.get(lei).map_or((lei.to_owned(), None), |(n, c)| {
        (n.clone(), Some(c.clone()))
    });
    Owner {
        kind: "parent_company".into(),
        role: if ultimate {
            "Ultimate parent"
        } else {
            "Direct parent"
        }
        .into(),
        entity_type: "company".into(),
        entity_name: name,
        ownership_type: Some("accounting_consolidation".into()),
        country_of_residence: country,
        ownership_structure: Some(if ultimate { "indirect" } else { "direct" }.into()),
        ..Owner::default()
    }
}

fn unsupported(
    what: &str,
    country: &str,
    covered: &BTreeSet<String>,
    command: &str,
) -> LookupError {
    if covered.is_empty() {
        return LookupError::UnsupportedCountry(format!(
            "No {what} data is imported on this server: an operator adds it with `clearance {command} import`"
        ));
    }
    let list: Vec<&str> = covered.iter().map(String::as_str).collect();
    LookupError::UnsupportedCountry(format!(
        "No {what} data is imported for '{country}'; this server has data for {}",
        list.join(", ")
    ))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> tantivy::Result<T> + Send + 'static,
) -> Result<T, LookupError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(internal)?
        .map_err(internal)
}

#[async_trait]
impl Lookups for LookupEngine {
    async fn search_companies(
        &self,
        name: &str,
        country: &str,
        limit: usize,
    ) -> Result<Vec<Company>, LookupError> {
        let loaded = self.current().await?;
        let country = country.to_ascii_uppercase();
        if !loaded.coverage.company_countries.contains(&country) {
            return Err(unsupported(
                "company register",
                &country,
                &loaded.coverage.company_countries,
                "registries",
            ));
        }
        let name = name.to_owned();
        blocking(move || loaded.companies.search(&name, &country, limit)).await
    }

    async fn company(&self, id: &str) -> Result<Option<Company>, LookupError> {
        let loaded = self.current().await?;
        let id = id.to_owned();
        blocking(move || loaded.companies.get(&id)).await
    }

    async fn search_addresses(
        &self,
        query: &AddressQuery,
        limit: usize,
    ) -> Result<Vec<LookupAddress>, LookupError> {
        let loaded = self.current().await?;
        let country = query.country.to_ascii_uppercase();
        if !loaded.coverage.address_countries.contains(&country) {
            return Err(unsupported(
                "address",
                &country,
                &loaded.coverage.address_countries,
                "addresses",
            ));
        }
        let query = query.clone();
        blocking(move || loaded.addresses.search(&query, limit)).await
    }

    async fn geocode(
        &self,
        postal_code: &str,
        country: &str,
    ) -> Result<Option<Option<(f64, f64)>>, LookupError> {
        let loaded = self.current().await?;
        let country = country.to_ascii_uppercase();
        if !loaded.coverage.postcode_countries.contains(&country) {
            return Err(unsupported(
                "postcode",
                &country,
                &loaded.coverage.postcode_countries,
                "addresses",
            ));
        }
        let postal_code = postal_code.to_owned();
        blocking(move || loaded.addresses.postcode(&postal_code, &country)).await
    }
}
