//! The shared store conformance suite on a fresh SQLite file.

use std::sync::Arc;

use clearance_store_sqlite::SqliteStore;

#[tokio::test]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("clearance.db"))
        .await
        .expect("open");
    clearance_store_tests::run_all(Arc::new(store)).await;
}

#[tokio::test]
async fn in_memory_databases_are_refused_with_a_clear_error() {
    for url in ["sqlite::memory:", "sqlite://:memory:"] {
        let Err(e) = SqliteStore::connect(url).await else {
            panic!("{url} was accepted");
        };
        assert!(
            e.to_string().contains("in-memory SQLite is not supported"),
            "{url}: {e}"
        );
    }
}
