//! Reference datasets for lookups: stored whole, replaced atomically, removed with their chunks.

use std::sync::Arc;

use clearance_core::lookups::{DatasetKind, StoredDataset};
use clearance_core::store::Store;

fn dataset(name: &str, kind: DatasetKind, hash: &str, records: i64) -> StoredDataset {
    StoredDataset {
        name: name.into(),
        kind,
        format: "companies-house-csv".into(),
        content_hash: hash.into(),
        record_count: records,
        chunk_count: 0,
        imported_at: 1_700_000_000_000,
    }
}

pub async fn reference_datasets_are_replaced_whole(store: &Arc<dyn Store>) {
    assert!(store.reference_datasets().await.unwrap().is_empty());
    let first = dataset("companies-house", DatasetKind::Registry, "h1", 3);
    let chunks = vec![b"one".to_vec(), b"two".to_vec()];
    store.put_reference_dataset(&first, &chunks).await.unwrap();
    let other = dataset("onspd", DatasetKind::Addresses, "h9", 1);
    store
        .put_reference_dataset(&other, &[b"pc".to_vec()])
        .await
        .unwrap();
    let stored = store.reference_datasets().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].name, "companies-house");
    assert_eq!(stored[0].chunk_count, 2, "the count is the chunks stored");
    assert_eq!(stored[1].kind, DatasetKind::Addresses);
    assert_eq!(
        store
            .reference_dataset_chunks("companies-house", "h1")
            .await
            .unwrap(),
        chunks
    );
    // A new version replaces row and chunks; the old version's chunks are gone.
    let second = dataset("companies-house", DatasetKind::Registry, "h2", 1);
    store
        .put_reference_dataset(&second, &[b"three".to_vec()])
        .await
        .unwrap();
    let stored = store.reference_datasets().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].content_hash, "h2");
    assert!(
        store
            .reference_dataset_chunks("companies-house", "h1")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .reference_dataset_chunks("companies-house", "h2")
            .await
            .unwrap(),
        vec![b"three".to_vec()]
    );
    assert!(
        store
            .remove_reference_dataset("companies-house")
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_reference_dataset("companies-house")
            .await
            .unwrap()
    );
    assert!(
        store
            .reference_dataset_chunks("companies-house", "h2")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.reference_datasets().await.unwrap().len(), 1);
}
