//! The shared store conformance suite on PostgreSQL, each scenario in a fresh schema. Skipped
//! unless `CLEARANCE_TEST_DATABASE_URL` points at a PostgreSQL server (CI sets it).

use std::sync::Arc;

use clearance_store_tests::FreshStore;

async fn fresh_store() -> Option<FreshStore> {
    let Ok(url) = std::env::var("CLEARANCE_TEST_DATABASE_URL") else {
        eprintln!("skipped: CLEARANCE_TEST_DATABASE_URL is not set");
        return None;
    };
    let schema = clearance_store_postgres::scratch_schema(&url)
        .await
        .expect("scratch schema");
    let store = clearance_store_postgres::connect(&url, Some(&schema))
        .await
        .expect("connect");
    Some(FreshStore::new(Arc::new(store)))
}

clearance_store_tests::conformance_tests!(fresh_store);
