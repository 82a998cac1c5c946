//! The shared store conformance suite, each scenario on a fresh SQLite file.

use std::sync::Arc;

use clearance_store_tests::FreshStore;

async fn fresh_store() -> Option<FreshStore> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = clearance_store_sqlite::open(&dir.path().join("clearance.db"))
        .await
        .expect("open");
    Some(FreshStore::keeping(Arc::new(store), dir))
}

clearance_store_tests::conformance_tests!(fresh_store);

#[tokio::test]
async fn in_memory_databases_are_refused_with_a_clear_error() {
    for url in ["sqlite::memory:", "sqlite://:memory:"] {
        let Err(e) = clearance_store_sqlite::connect(url).await else {
            panic!("{url} was accepted");
        };
        assert!(
            e.to_string().contains("in-memory SQLite is not supported"),
            "{url}: {e}"
        );
    }
}
