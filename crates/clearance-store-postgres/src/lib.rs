//! PostgreSQL adapter of the store port, for several `clearance serve` processes sharing one
//! database. The statements are `clearance-store-sql`'s; this crate connects, brings the
//! migrations and speaks PostgreSQL's `jsonb` paths and row locks ([`PgDialect`]).

mod dialect;

use std::str::FromStr;

use clearance_core::store::StoreError;
use clearance_store_sql::{Pools, SqlStore, store_error};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use dialect::PgDialect;

/// The PostgreSQL store.
pub type PgStore = SqlStore<PgDialect>;

static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// A new, empty schema name for one test run, `t_<unix seconds>_<random>`, after dropping the
/// scratch schemas that runs over an hour old left behind (a test process cannot drop its own
/// schema when it ends; an hour is far longer than any suite runs). Pass it to [`connect`].
///
/// # Errors
/// [`StoreError::Backend`] when the server cannot be reached.
pub async fn scratch_schema(url: &str) -> Result<String, StoreError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let options = PgConnectOptions::from_str(url).map_err(store_error)?;
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(store_error)?;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
            .fetch_all(&admin)
            .await
            .map_err(store_error)?;
    for name in names.iter().filter(|n| is_stale_scratch(n, now)) {
        // Best effort: tests starting side by side may drop the same schema at once, and the
        // loser's error means only that it is gone.
        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
            .execute(&admin)
            .await;
    }
    admin.close().await;
    Ok(format!(
        "t_{now}_{}",
        clearance_core::ids::random_alphanumeric(8).to_lowercase()
    ))
}

/// Connects to a `postgres://` URL; `schema`, when given, is created and used as the search path
/// (tests use one schema each so they can run side by side).
///
/// # Errors
/// [`StoreError::Backend`] for a bad URL or schema name, or a server that cannot be reached.
pub async fn connect(url: &str, schema: Option<&str>) -> Result<PgStore, StoreError> {
    let mut options = PgConnectOptions::from_str(url).map_err(store_error)?;
    if let Some(schema) = schema {
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::Backend(
                "schema names are letters, digits and _".into(),
            ));
        }
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(store_error)?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .execute(&admin)
            .await
            .map_err(store_error)?;
        admin.close().await;
        options = options.options([("search_path", schema)]);
    }
    // The server's transactions last milliseconds. One left open by a frozen process would
    // hold back the webhook dispatcher, which waits for any transaction that may still add an
    // event before an earlier outbox position: the database ends such a one after a minute.
    let options = options.options([("idle_in_transaction_session_timeout", "60s")]);
    // The job queue's bookkeeping commits without waiting for the WAL flush: losing a claim,
    // heartbeat, completion or release in a crash only makes a job run again.
    let queue = PgPoolOptions::new()
        .max_connections(8)
        .connect_lazy_with(options.clone().options([("synchronous_commit", "off")]));
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await
        .map_err(store_error)?;
    let pools = Pools {
        writes: pool.clone(),
        reads: pool,
        queue,
    };
    Ok(SqlStore::new(pools, &MIGRATIONS))
}

/// A scratch schema made by [`PgStore::scratch_schema`] over an hour before `now` (unix
/// seconds), or by the test kit before it stamped them (`t_` and 12 letters or digits).
fn is_stale_scratch(name: &str, now: u64) -> bool {
    let Some(rest) = name.strip_prefix("t_") else {
        return false;
    };
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    match rest.split_once('_') {
        Some((secs, random)) => plain(random) && secs.parse::<u64>().is_ok_and(|t| t + 3_600 < now),
        None => rest.len() == 12 && plain(rest),
    }
}

#[cfg(test)]
mod scratch_tests {
    use super::is_stale_scratch;

    #[test]
    fn only_old_scratch_schemas_are_stale() {
        let now = 1_800_000_000;
        assert!(is_stale_scratch("t_1799990000_ab12cd34", now));
        assert!(!is_stale_scratch("t_1799999000_ab12cd34", now));
        assert!(is_stale_scratch("t_abcdefgh1234", now));
        assert!(!is_stale_scratch("t_abc", now));
        assert!(!is_stale_scratch("public", now));
        assert!(!is_stale_scratch("t_records", now));
        assert!(!is_stale_scratch("t_1799990000_Prod", now));
    }
}
