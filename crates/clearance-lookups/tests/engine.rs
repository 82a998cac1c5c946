//! The per-node lookup engine over a store of datasets: a restart opens the index built before
//! (nothing is read from the store but the summary rows), and a changed dataset is rebuilt.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Long enough that searches never start a check of their own: `refresh` drives the test.
const NEVER: Duration = Duration::from_secs(3600);

use async_trait::async_trait;
use clearance_core::lookups::{
    Company, DatasetKind, Lookups, ReferenceStore, RegistryRecord, StoredDataset, company_id,
};
use clearance_core::store::StoreError;
use clearance_lookups::LookupEngine;
use clearance_lookups::dataset::ChunkWriter;

/// Datasets in memory, counting how often their chunks are read.
#[derive(Default)]
struct Memory {
    datasets: Mutex<Vec<(StoredDataset, Vec<Vec<u8>>)>>,
    chunk_reads: Mutex<usize>,
}

#[async_trait]
impl ReferenceStore for Memory {
    async fn put_reference_dataset(
        &self,
        dataset: &StoredDataset,
        chunks: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        let mut all = self.datasets.lock().unwrap();
        all.retain(|(d, _)| d.name != dataset.name);
        let mut stored = dataset.clone();
        stored.chunk_count = chunks.len() as i64;
        all.push((stored, chunks.to_vec()));
        Ok(())
    }
    async fn reference_datasets(&self) -> Result<Vec<StoredDataset>, StoreError> {
        Ok(self
            .datasets
            .lock()
            .unwrap()
            .iter()
            .map(|(d, _)| d.clone())
            .collect())
    }
    async fn reference_dataset_chunks(
        &self,
        name: &str,
        hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        *self.chunk_reads.lock().unwrap() += 1;
        Ok(self
            .datasets
            .lock()
            .unwrap()
            .iter()
            .find(|(d, _)| d.name == name && d.content_hash == hash)
            .map(|(_, c)| c.clone())
            .unwrap_or_default())
    }
    async fn remove_reference_dataset(&self, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
}

async fn put(store: &Memory, name: &str) {
    let mut writer = ChunkWriter::default();
    writer
        .push(&RegistryRecord::Company(Box::new(Company {
            id: company_id("GB", "00000001"),
            name: name.into(),
            registration_number: "00000001".into(),
            incorporation_country: "GB".into(),
            ..Company::default()
        })))
        .unwrap();
    let encoded = writer.finish().unwrap();
    let dataset = StoredDataset {
        name: "register".into(),
        kind: DatasetKind::Registry,
        format: "clearance-jsonl".into(),
        content_hash: encoded.content_hash,
        record_count: 1,
        chunk_count: encoded.chunks.len() as i64,
        imported_at: 1,
    };
    store
        .put_reference_dataset(&dataset, &encoded.chunks)
        .await
        .unwrap();
}

async fn first_name(engine: &LookupEngine, query: &str) -> Option<String> {
    engine
        .search_companies(query, "GB", 5)
        .await
        .unwrap()
        .first()
        .map(|c| c.name.clone())
}

#[tokio::test]
async fn a_restart_opens_the_index_built_before_and_a_change_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Memory::default());
    put(&store, "ACME WIDGETS LTD").await;
    let engine = LookupEngine::new(store.clone(), Some(dir.path().into()), NEVER);
    engine.refresh().await.unwrap();
    assert_eq!(
        first_name(&engine, "Acme Widgets").await.as_deref(),
        Some("ACME WIDGETS LTD")
    );
    let reads = *store.chunk_reads.lock().unwrap();
    assert!(reads > 0);
    drop(engine);

    // Another process on the same data folder: it opens the folder, reading no chunk.
    let restarted = LookupEngine::new(store.clone(), Some(dir.path().into()), NEVER);
    restarted.refresh().await.unwrap();
    assert_eq!(
        *store.chunk_reads.lock().unwrap(),
        reads,
        "the index was rebuilt"
    );
    assert_eq!(
        first_name(&restarted, "acme").await.as_deref(),
        Some("ACME WIDGETS LTD")
    );

    // A new version of the dataset is built, and the old folder removed.
    put(&store, "BETA GADGETS LTD").await;
    restarted.refresh().await.unwrap();
    assert_eq!(
        first_name(&restarted, "Beta Gadgets").await.as_deref(),
        Some("BETA GADGETS LTD")
    );
    assert_eq!(first_name(&restarted, "Acme Widgets").await, None);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
