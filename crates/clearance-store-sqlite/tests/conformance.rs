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
