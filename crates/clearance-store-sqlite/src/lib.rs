//! SQLite adapter of the store port: WAL journal, one writer connection and a pool of readers,
//! `synchronous=FULL` so an answered write survives a crash.

mod accounts;
mod events;
mod fast_read;
mod jobs;
mod resources;
mod screening_lists;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use clearance_core::Scope;
use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::events::{EventQuery, StoredEvent};
use clearance_core::screening_lists::{ListStore, StoredList};
use clearance_core::store::{
    Change, ListQuery, Page, Resource, ResourceKind, Store, StoreError, StoredJson,
};
use clearance_jobs::{Job, JobQueue, NewJob, QueueCounts, QueueError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    fast: fast_read::FastReader,
}

pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new().filename(path);
        Self::with_options(options).await
    }

    /// Opens a `sqlite:` URL.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url).map_err(backend)?;
        Self::with_options(options).await
    }

    async fn with_options(options: SqliteConnectOptions) -> Result<Self, StoreError> {
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
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(backend)?;
        let fast = fast_read::FastReader::new(options.get_filename().to_path_buf());
        Ok(SqliteStore {
            writer,
            reader,
            fast,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.writer)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn get(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<Resource>, StoreError> {
        self.fast.get(scope, kind, id).await
    }

    async fn get_json(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<StoredJson>, StoreError> {
        self.fast.get_json(scope, kind, id).await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Resource>, StoreError> {
        resources::list(&self.reader, query).await
    }

    async fn apply(&self, changes: Vec<Change>) -> Result<(), StoreError> {
        resources::apply(&self.writer, changes).await
    }

    async fn events_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        events::after(&self.reader, after_seq, limit).await
    }

    async fn find_events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        events::find(&self.reader, query).await
    }

    async fn create_account(
        &self,
        account: &Account,
        owner: &TeamMember,
    ) -> Result<(), StoreError> {
        accounts::create_account(&self.writer, account, owner).await
    }

    async fn get_account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        accounts::get_account(&self.reader, "id", id).await
    }

    async fn find_account_by_name(&self, name: &str) -> Result<Option<Account>, StoreError> {
        accounts::get_account(&self.reader, "name", name).await
    }

    async fn count_accounts(&self) -> Result<u64, StoreError> {
        accounts::count_accounts(&self.reader).await
    }

    async fn insert_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        accounts::insert_api_key(&self.writer, key).await
    }

    async fn find_api_key(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        accounts::find_api_key(&self.reader, hash).await
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        accounts::list_api_keys(&self.reader).await
    }

    async fn revoke_api_key(&self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        accounts::revoke_api_key(&self.writer, id, at_ms).await
    }
}

#[async_trait]
impl ListStore for SqliteStore {
    async fn put_screening_list(
        &self,
        list: &StoredList,
        chunks: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        screening_lists::put(&self.writer, list, chunks).await
    }

    async fn screening_lists(&self) -> Result<Vec<StoredList>, StoreError> {
        screening_lists::all(&self.reader).await
    }

    async fn screening_list_chunks(
        &self,
        name: &str,
        content_hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        screening_lists::chunks(&self.reader, name, content_hash).await
    }

    async fn remove_screening_list(&self, name: &str) -> Result<bool, StoreError> {
        screening_lists::remove(&self.writer, name).await
    }
}

#[async_trait]
impl JobQueue for SqliteStore {
    async fn enqueue(&self, job: NewJob) -> Result<(), QueueError> {
        jobs::enqueue(&self.writer, &job).await
    }

    async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Job>, QueueError> {
        jobs::claim(&self.writer, queues, worker, now_ms, lease_ms, limit).await
    }

    async fn heartbeat(
        &self,
        id: &str,
        worker: &str,
        lease_until_ms: i64,
    ) -> Result<bool, QueueError> {
        jobs::heartbeat(&self.writer, id, worker, lease_until_ms).await
    }

    async fn complete(&self, id: &str, worker: &str) -> Result<(), QueueError> {
        jobs::complete(&self.writer, id, worker).await
    }

    async fn retry(
        &self,
        id: &str,
        worker: &str,
        run_at_ms: i64,
        error: &str,
    ) -> Result<(), QueueError> {
        jobs::retry(&self.writer, id, worker, run_at_ms, error).await
    }

    async fn bury(&self, id: &str, worker: &str, error: &str) -> Result<(), QueueError> {
        jobs::bury(&self.writer, id, worker, error).await
    }

    async fn release(&self, id: &str, worker: &str) -> Result<(), QueueError> {
        jobs::release(&self.writer, id, worker).await
    }

    async fn counts(&self, now_ms: i64) -> Result<QueueCounts, QueueError> {
        jobs::counts(&self.reader, now_ms).await
    }
}
