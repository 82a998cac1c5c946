//! The job queue. A claim is one `UPDATE … WHERE id IN (SELECT …) RETURNING`: atomic on SQLite,
//! whose single writer connection runs one claim at a time, and on PostgreSQL with the inner
//! `SELECT` locking its rows `FOR UPDATE SKIP LOCKED` ([`Dialect::CLAIM_LOCK`]), so several
//! servers claiming at once each get different jobs without waiting on each other.
//!
//! Claims, heartbeats, completions and releases run on the queue pool, one autocommitted
//! statement each (one round trip). PostgreSQL's queue pool does not wait for the WAL flush on
//! commit: losing one of these in a database crash is harmless (a lost claim or heartbeat
//! leaves the job claimable again, a lost completion or release makes an idempotent handler run
//! once more). The writes that matter (the job's insert, retries, burials) commit on the write
//! pool, and their flush carries any earlier relaxed commit with it.

use async_trait::async_trait;
use clearance_jobs::{Job, JobQueue, NewJob, QueueCounts, QueueError};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments, Row};

use crate::{
    Column, Db, DbArguments, DbConnection, DbRow, Dialect, DynamicQuery, Param, SqlStore,
    queue_error,
};

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: Param<'q, Db<D>>,
    i32: Column<Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    for<'q> Json<&'q Value>: Param<'q, Db<D>>,
{
    /// Puts `job` on the queue, inside the caller's transaction.
    pub(crate) async fn insert_job(
        conn: &mut DbConnection<D>,
        job: &NewJob,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            // The turn: one after the key's newest queued job, but never behind the queue's
            // head, so a key that had nothing queued goes next rather than first or last.
            "INSERT INTO jobs (id, queue, payload, max_attempts, run_at, created_at, fair_key, turn) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT MAX(t) FROM ( \
                SELECT MIN(turn) AS t FROM jobs WHERE status = 'queued' AND queue = $2 \
                UNION ALL SELECT MAX(turn) + 1 FROM jobs \
                    WHERE status = 'queued' AND queue = $2 AND fair_key = $7 \
                UNION ALL SELECT 0) AS turns))",
        )
        .bind(&job.id)
        .bind(&job.queue)
        .bind(Json(&job.payload))
        .bind(i32::try_from(job.max_attempts).unwrap_or(i32::MAX))
        .bind(job.run_at_ms)
        .bind(job.run_at_ms)
        .bind(&job.fair_key)
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl<D: Dialect> JobQueue for SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    i32: Column<Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    for<'q> Json<&'q Value>: Param<'q, Db<D>>,
    Json<Value>: Column<Db<D>>,
{
    async fn enqueue(&self, job: NewJob) -> Result<(), QueueError> {
        let mut tx = self.pools.writes.begin().await.map_err(queue_error)?;
        Self::insert_job(&mut tx, &job).await.map_err(queue_error)?;
        tx.commit().await.map_err(queue_error)
    }

    async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Job>, QueueError> {
        if queues.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        // By turn (see the insert): one index walk in the order claims want, for one queue.
        let mut qb = DynamicQuery::<Db<D>>::new("UPDATE jobs SET lease_owner = ");
        qb.push_bind(worker)
            .push(", lease_until = ")
            .push_bind(now_ms + lease_ms)
            .push(", attempts = attempts + 1 WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ")
            .push_bind(now_ms)
            .push(" AND lease_until <= ")
            .push_bind(now_ms)
            .push(" AND queue IN (")
            .push_binds(queues.iter().cloned())
            .push(") ORDER BY turn, run_at, id LIMIT ")
            .push_bind(i64::from(limit))
            .push(D::CLAIM_LOCK)
            .push(") RETURNING id, queue, payload, attempts, max_attempts, created_at");
        let (sql, arguments) = qb.into_parts().map_err(queue_error)?;
        let rows = sqlx::query_with(&sql, arguments)
            .fetch_all(&self.pools.queue)
            .await
            .map_err(queue_error)?;
        let mut jobs = rows
            .iter()
            .map(job_from::<D>)
            .collect::<Result<Vec<_>, _>>()?;
        jobs.sort_by_key(|j| j.created_at_ms);
        Ok(jobs)
    }

    async fn heartbeat(
        &self,
        id: &str,
        worker: &str,
        lease_until_ms: i64,
    ) -> Result<bool, QueueError> {
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'queued'",
        )
        .bind(lease_until_ms)
        .bind(id)
        .bind(worker)
        .execute(&self.pools.queue)
        .await
        .map_err(queue_error)?;
        Ok(D::rows_affected(&done) == 1)
    }

    async fn complete(&self, id: &str, worker: &str) -> Result<(), QueueError> {
        sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2")
            .bind(id)
            .bind(worker)
            .execute(&self.pools.queue)
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn retry(
        &self,
        id: &str,
        worker: &str,
        run_at_ms: i64,
        error: &str,
    ) -> Result<(), QueueError> {
        // A retried job goes to the back of its key's line (never behind the queue's head),
        // as if queued anew: a delivery that yields its runner after its time slice must not
        // be claimed again ahead of everyone on its old turn.
        sqlx::query(
            "UPDATE jobs SET run_at = $1, lease_owner = NULL, lease_until = 0, last_error = $2, \
             turn = (SELECT MAX(t) FROM ( \
                SELECT MIN(q.turn) AS t FROM jobs AS q WHERE q.status = 'queued' AND q.queue = jobs.queue \
                UNION ALL SELECT MAX(q.turn) + 1 FROM jobs AS q \
                    WHERE q.status = 'queued' AND q.queue = jobs.queue AND q.fair_key = jobs.fair_key \
                UNION ALL SELECT 0) AS turns) \
             WHERE id = $3 AND lease_owner = $4",
        )
        .bind(run_at_ms)
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(&self.pools.writes)
        .await
        .map_err(queue_error)?;
        Ok(())
    }

    async fn bury(&self, id: &str, worker: &str, error: &str) -> Result<(), QueueError> {
        sqlx::query(
            "UPDATE jobs SET status = 'dead', lease_owner = NULL, lease_until = 0, last_error = $1 \
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(&self.pools.writes)
        .await
        .map_err(queue_error)?;
        Ok(())
    }

    async fn release(&self, id: &str, worker: &str) -> Result<(), QueueError> {
        // Released at shutdown only, so the statement is put together here.
        let sql = format!(
            "UPDATE jobs SET lease_owner = NULL, lease_until = 0, attempts = {}(attempts - 1, 0) \
             WHERE id = $1 AND lease_owner = $2",
            D::GREATEST
        );
        sqlx::query(&sql)
            .bind(id)
            .bind(worker)
            .execute(&self.pools.queue)
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn counts(&self, now_ms: i64) -> Result<QueueCounts, QueueError> {
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN status = 'queued' AND lease_until <= $1 THEN 1 ELSE 0 END), 0) AS queued, \
               COALESCE(SUM(CASE WHEN status = 'queued' AND lease_until > $2 THEN 1 ELSE 0 END), 0) AS running, \
               COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead \
             FROM jobs",
        )
        .bind(now_ms)
        .bind(now_ms)
        .fetch_one(&self.pools.reads)
        .await
        .map_err(queue_error)?;
        Ok(QueueCounts {
            queued: row.try_get::<i64, _>("queued").map_err(queue_error)? as u64,
            running: row.try_get::<i64, _>("running").map_err(queue_error)? as u64,
            dead: row.try_get::<i64, _>("dead").map_err(queue_error)? as u64,
        })
    }

    async fn purge_dead(&self, before_ms: i64, limit: u32) -> Result<u64, QueueError> {
        // A dead job's `run_at` is when its last attempt was due: burial leaves it alone.
        let done = sqlx::query(
            "DELETE FROM jobs WHERE id IN \
             (SELECT id FROM jobs WHERE status = 'dead' AND run_at < $1 LIMIT $2)",
        )
        .bind(before_ms)
        .bind(i64::from(limit))
        .execute(&self.pools.queue)
        .await
        .map_err(queue_error)?;
        Ok(D::rows_affected(&done))
    }
}

/// A claimed job; a payload that is not JSON reads as `null` rather than failing the claim.
fn job_from<D: Dialect>(row: &DbRow<D>) -> Result<Job, QueueError>
where
    for<'q> &'q str: ColumnIndex<DbRow<D>>,
    i32: Column<Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Json<Value>: Column<Db<D>>,
{
    let payload = match row.try_get::<Json<Value>, _>("payload") {
        Ok(Json(payload)) => payload,
        Err(sqlx::Error::ColumnDecode { .. }) => Value::Null,
        Err(e) => return Err(queue_error(e)),
    };
    Ok(Job {
        id: row.try_get("id").map_err(queue_error)?,
        queue: row.try_get("queue").map_err(queue_error)?,
        payload,
        attempts: row.try_get::<i32, _>("attempts").map_err(queue_error)? as u32,
        max_attempts: row.try_get::<i32, _>("max_attempts").map_err(queue_error)? as u32,
        created_at_ms: row.try_get("created_at").map_err(queue_error)?,
    })
}
