//! Named leases (`leases` table), one row per held name. Taking one is a single upsert whose
//! update applies only when the row's holder is the caller or its deadline has passed, so two
//! servers taking the same name at once cannot both succeed: PostgreSQL serialises the upserts
//! on the row, SQLite's single writer runs one at a time.
//!
//! Like the job queue's bookkeeping, these run on the queue pool: losing one in a database
//! crash only lets a lease lapse early or late, never hands it to two live holders at once.

use async_trait::async_trait;
use clearance_jobs::{Leases, QueueError};
use sqlx::{ColumnIndex, Executor, IntoArguments};

use crate::{Column, Db, DbArguments, DbConnection, DbRow, Dialect, Param, SqlStore, queue_error};

#[async_trait]
impl<D: Dialect> Leases for SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, QueueError> {
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at, asked) VALUES ($1, $2, $3, FALSE) \
             ON CONFLICT (name) DO UPDATE \
             SET holder = excluded.holder, expires_at = excluded.expires_at, asked = FALSE \
             WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder",
        )
        .bind(name)
        .bind(holder)
        .bind(until_ms)
        .bind(now_ms)
        .execute(&self.pools.queue)
        .await
        .map_err(queue_error)?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn renew_lease(
        &self,
        name: &str,
        holder: &str,
        until_ms: i64,
    ) -> Result<bool, QueueError> {
        let done = sqlx::query("UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3")
            .bind(until_ms)
            .bind(name)
            .bind(holder)
            .execute(&self.pools.queue)
            .await
            .map_err(queue_error)?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn ask_lease_holder(&self, name: &str, now_ms: i64) -> Result<bool, QueueError> {
        let done =
            sqlx::query("UPDATE leases SET asked = TRUE WHERE name = $1 AND expires_at > $2")
                .bind(name)
                .bind(now_ms)
                .execute(&self.pools.queue)
                .await
                .map_err(queue_error)?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn release_lease_unless_asked(
        &self,
        name: &str,
        holder: &str,
    ) -> Result<bool, QueueError> {
        let released =
            sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2 AND asked = FALSE")
                .bind(name)
                .bind(holder)
                .execute(&self.pools.queue)
                .await
                .map_err(queue_error)?;
        if D::rows_affected(&released) == 1 {
            return Ok(false);
        }
        // Either someone asked (the flag is ours to clear) or the lease went to another holder.
        let asked = sqlx::query(
            "UPDATE leases SET asked = FALSE WHERE name = $1 AND holder = $2 AND asked = TRUE",
        )
        .bind(name)
        .bind(holder)
        .execute(&self.pools.queue)
        .await
        .map_err(queue_error)?;
        Ok(D::rows_affected(&asked) == 1)
    }

    async fn count_live_leases(&self, prefix: &str, now_ms: i64) -> Result<u64, QueueError> {
        let pattern = format!("{prefix}%");
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM leases WHERE name LIKE $1 AND expires_at > $2",
        )
        .bind(pattern.as_str())
        .bind(now_ms)
        .fetch_one(&self.pools.reads)
        .await
        .map_err(queue_error)?;
        Ok(live.max(0) as u64)
    }

    async fn purge_expired_leases(&self, before_ms: i64, limit: u32) -> Result<u64, QueueError> {
        let done = sqlx::query(
            "DELETE FROM leases WHERE name IN \
             (SELECT name FROM leases WHERE expires_at < $1 LIMIT $2)",
        )
        .bind(before_ms)
        .bind(i64::from(limit))
        .execute(&self.pools.queue)
        .await
        .map_err(queue_error)?;
        Ok(D::rows_affected(&done))
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), QueueError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pools.queue)
            .await
            .map_err(queue_error)?;
        Ok(())
    }
}
