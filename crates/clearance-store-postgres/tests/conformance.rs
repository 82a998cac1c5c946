//! The shared store conformance suite on PostgreSQL, in a fresh schema. Skipped unless
//! `CLEARANCE_TEST_DATABASE_URL` points at a PostgreSQL server (CI sets it).

use std::sync::Arc;

use clearance_store_postgres::PgStore;

#[tokio::test]
async fn postgres_store_conforms() {
    let Ok(url) = std::env::var("CLEARANCE_TEST_DATABASE_URL") else {
        eprintln!("skipped: CLEARANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let schema = PgStore::scratch_schema(&url).await.expect("scratch schema");
    let store = PgStore::connect(&url, Some(&schema))
        .await
        .expect("connect");
    clearance_store_tests::run_all(Arc::new(store)).await;
}
