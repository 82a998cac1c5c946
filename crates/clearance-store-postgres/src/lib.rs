//! PostgreSQL adapter of the store port, for several `clearance serve` processes sharing one
//! database. Bodies are `jsonb`; filters use `#>>` paths.

mod accounts;
mod events;
mod jobs;
mod resources;
mod screening_lists;

use std::str::FromStr;

use async_trait::async_trait;
use clearance_core::Scope;
use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::events::{EventQuery, StoredEvent};
use clearance_core::screening_lists::{ListStore, StoredList};
use clearance_core::store::{Change, ListQuery, Page, Resource, ResourceKind, Store, StoreError};
use clearance_jobs::{Job, JobQueue, NewJob, QueueCounts, QueueError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Connections whose commits do not wait for their WAL flush, for the job queue's
    /// bookkeeping only (see `jobs::relaxed`).
    queue_pool: PgPool,
}

pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

impl PgStore {
    /// A new, empty schema name for one test run, `t_<unix seconds>_<random>`, after dropping
    /// the scratch schemas that runs over an hour old left behind (a test process cannot drop
    /// its own schema when it ends; an hour is far longer than any suite runs). Pass it to
    /// [`PgStore::connect`].
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the server cannot be reached.
    pub async fn scratch_schema(url: &str) -> Result<String, StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(backend)?;
        let names: Vec<String> =
            sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
                .fetch_all(&admin)
                .await
                .map_err(backend)?;
        for name in names.iter().filter(|n| is_stale_scratch(n, now)) {
            // Best effort: tests starting side by side may drop the same schema at once, and
            // the loser's error means only that it is gone.
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

    /// Connects to a `postgres://` URL; `schema`, when given, is created and used as the search
    /// path (tests use one schema each so they can run side by side).
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let mut options = PgConnectOptions::from_str(url).map_err(backend)?;
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
                .map_err(backend)?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&admin)
                .await
                .map_err(backend)?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let queue_pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_lazy_with(options.clone().options([("synchronous_commit", "off")]));
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(PgStore { pool, queue_pool })
    }
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
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
        resources::get(&self.pool, scope, kind, id).await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Resource>, StoreError> {
        resources::list(&self.pool, query).await
    }

    async fn apply(&self, changes: Vec<Change>) -> Result<(), StoreError> {
        resources::apply(&self.pool, changes).await
    }

    async fn events_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        events::after(&self.pool, after_seq, limit).await
    }

    async fn find_events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        events::find(&self.pool, query).await
    }

    async fn create_account(
        &self,
        account: &Account,
        owner: &TeamMember,
    ) -> Result<(), StoreError> {
        accounts::create_account(&self.pool, account, owner).await
    }

    async fn get_account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        accounts::get_account(&self.pool, "id", id).await
    }

    async fn find_account_by_name(&self, name: &str) -> Result<Option<Account>, StoreError> {
        accounts::get_account(&self.pool, "name", name).await
    }

    async fn count_accounts(&self) -> Result<u64, StoreError> {
        accounts::count_accounts(&self.pool).await
    }

    async fn insert_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        accounts::insert_api_key(&self.pool, key).await
    }

    async fn find_api_key(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        accounts::find_api_key(&self.pool, hash).await
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        accounts::list_api_keys(&self.pool).await
    }

    async fn revoke_api_key(&self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        accounts::revoke_api_key(&self.pool, id, at_ms).await
    }
}

#[async_trait]
impl ListStore for PgStore {
    async fn put_screening_list(
        &self,
        list: &StoredList,
        chunks: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        screening_lists::put(&self.pool, list, chunks).await
    }

    async fn screening_lists(&self) -> Result<Vec<StoredList>, StoreError> {
        screening_lists::all(&self.pool).await
    }

    async fn screening_list_chunks(
        &self,
        name: &str,
        content_hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        screening_lists::chunks(&self.pool, name, content_hash).await
    }

    async fn remove_screening_list(&self, name: &str) -> Result<bool, StoreError> {
        screening_lists::remove(&self.pool, name).await
    }
}

#[async_trait]
impl JobQueue for PgStore {
    async fn enqueue(&self, job: NewJob) -> Result<(), QueueError> {
        jobs::enqueue(&self.pool, &job).await
    }

    async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Job>, QueueError> {
        jobs::claim(&self.queue_pool, queues, worker, now_ms, lease_ms, limit).await
    }

    async fn heartbeat(
        &self,
        id: &str,
        worker: &str,
        lease_until_ms: i64,
    ) -> Result<bool, QueueError> {
        jobs::heartbeat(&self.queue_pool, id, worker, lease_until_ms).await
    }

    async fn complete(&self, id: &str, worker: &str) -> Result<(), QueueError> {
        jobs::complete(&self.queue_pool, id, worker).await
    }

    async fn retry(
        &self,
        id: &str,
        worker: &str,
        run_at_ms: i64,
        error: &str,
    ) -> Result<(), QueueError> {
        jobs::retry(&self.pool, id, worker, run_at_ms, error).await
    }

    async fn bury(&self, id: &str, worker: &str, error: &str) -> Result<(), QueueError> {
        jobs::bury(&self.pool, id, worker, error).await
    }

    async fn release(&self, id: &str, worker: &str) -> Result<(), QueueError> {
        jobs::release(&self.queue_pool, id, worker).await
    }

    async fn counts(&self, now_ms: i64) -> Result<QueueCounts, QueueError> {
        jobs::counts(&self.pool, now_ms).await
    }
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
