//! SQLite adapter of the store port: WAL journal, one writer connection and a pool of readers,
//! `synchronous=FULL` so an answered write survives a crash. The statements are
//! `clearance-store-sql`'s; this crate opens the file, brings the migrations, speaks SQLite's
//! JSON functions ([`SqliteDialect`]) and reads by id on plain rusqlite connections.

mod dialect;
mod fast_read;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use clearance_core::store::StoreError;
use clearance_store_sql::{Pools, SqlStore, store_error};
use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};

pub use dialect::SqliteDialect;

/// The SQLite store.
pub type SqliteStore = SqlStore<SqliteDialect>;

static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database file at `path`.
///
/// # Errors
/// [`StoreError::Backend`] when the file cannot be opened.
pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
    with_options(SqliteConnectOptions::new().filename(path)).await
}

/// Opens a `sqlite:` URL.
///
/// # Errors
/// [`StoreError::Backend`] for a bad URL, an in-memory database or a file that cannot be opened.
pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
    with_options(SqliteConnectOptions::from_str(url).map_err(store_error)?).await
}

async fn with_options(options: SqliteConnectOptions) -> Result<SqliteStore, StoreError> {
    // Every pool connection (and the fast read path) opens the file anew; an in-memory
    // database would be a different, empty database on each of them.
    let file = options.get_filename().to_string_lossy();
    if file.is_empty()
        || file.contains(":memory:")
        || file.contains("mode=memory")
        || file.contains("in-memory")
    {
        return Err(StoreError::Backend(
            "in-memory SQLite is not supported: give DATABASE_URL a file, e.g. sqlite:./clearance.db".into(),
        ));
    }
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    // SQLite serialises writes anyway; one writer connection avoids busy errors, and makes
    // the job claim's `UPDATE … WHERE id IN (SELECT …)` atomic.
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .after_release(|conn, _| Box::pin(outside_transaction(conn)))
        .connect_with(options.clone())
        .await
        .map_err(store_error)?;
    let reader = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options.clone().read_only(true))
        .await
        .map_err(store_error)?;
    let pools = Pools {
        writes: writer.clone(),
        reads: reader,
        queue: writer,
    };
    let fast = fast_read::FastReader::new(options.get_filename().to_path_buf());
    Ok(SqlStore::new(pools, &MIGRATIONS).reading_by_id_with(fast))
}

/// Whether a writer connection may go back to the pool: only when no transaction is open on it.
///
/// On a full disk (or an I/O error) SQLite may roll a transaction back on its own. sqlx's
/// `ROLLBACK` then fails, and sqlx still counts the transaction as open, so the connection's
/// next `begin()` would issue a `SAVEPOINT` and its commit a `RELEASE`; once one of those fails
/// in turn, a real transaction stays open underneath, and every later "commit" on the
/// connection only releases a savepoint inside it: answered as written, never written (the
/// reliability suite's full disk showed it). Such a connection is closed instead, which rolls
/// back whatever it still holds, and the pool opens a fresh one.
async fn outside_transaction(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    // Runs after any rollback a dropped transaction queued on the connection.
    conn.ping().await?;
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("closing a database connection left inside a failed transaction");
    }
    Ok(clean)
}
