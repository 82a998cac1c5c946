//! The job queue on PostgreSQL. Claims lock candidate rows with `FOR UPDATE SKIP LOCKED`, so
//! several servers claiming at once each get different jobs without waiting on each other.

use clearance_jobs::{Job, NewJob, QueueCounts, QueueError};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Transaction};

fn backend(e: sqlx::Error) -> QueueError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            QueueError::Duplicate(db.message().to_string())
        }
        _ => QueueError::Backend(e.to_string()),
    }
}

pub(crate) async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    job: &NewJob,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO jobs (id, queue, payload, max_attempts, run_at, created_at) \
         VALUES ($1, $2, $3::jsonb, $4, $5, $6)",
    )
    .bind(&job.id)
    .bind(&job.queue)
    .bind(job.payload.to_string())
    .bind(job.max_attempts as i32)
    .bind(job.run_at_ms)
    .bind(job.run_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn enqueue(pool: &PgPool, job: &NewJob) -> Result<(), QueueError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    insert(&mut tx, job).await.map_err(backend)?;
    tx.commit().await.map_err(backend)
}

// Claims, heartbeats, completions and releases run on the store's relaxed pool, whose sessions
// have `synchronous_commit = off`: their commits do not wait for a WAL flush. Losing one in a
// database crash is harmless: a lost claim or heartbeat leaves the job claimable again, a lost
// completion or release makes an idempotent handler run once more. The writes that matter (the
// job's insert, the handler's results) commit normally on the main pool, and their flush carries
// any earlier relaxed commit with it. Each is one statement, so one round trip, with no
// explicit transaction around it.

fn job_from_row(row: &PgRow) -> Result<Job, QueueError> {
    let payload: String = row.try_get("payload").map_err(backend)?;
    Ok(Job {
        id: row.try_get("id").map_err(backend)?,
        queue: row.try_get("queue").map_err(backend)?,
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        attempts: row.try_get::<i32, _>("attempts").map_err(backend)? as u32,
        max_attempts: row.try_get::<i32, _>("max_attempts").map_err(backend)? as u32,
        created_at_ms: row.try_get("created_at").map_err(backend)?,
    })
}

pub(crate) async fn claim(
    pool: &PgPool,
    queues: &[String],
    worker: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: u32,
) -> Result<Vec<Job>, QueueError> {
    if queues.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Postgres>::new("UPDATE jobs SET lease_owner = ");
    qb.push_bind(worker)
        .push(", lease_until = ")
        .push_bind(now_ms + lease_ms)
        .push(", attempts = attempts + 1 WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ")
        .push_bind(now_ms)
        .push(" AND lease_until <= ")
        .push_bind(now_ms)
        .push(" AND queue IN (");
    let mut names = qb.separated(", ");
    for q in queues {
        names.push_bind(q.clone());
    }
    qb.push(") ORDER BY run_at, id LIMIT ")
        .push_bind(i64::from(limit))
        .push(" FOR UPDATE SKIP LOCKED) RETURNING id, queue, payload::text AS payload, attempts, max_attempts, created_at");
    let rows = qb.build().fetch_all(pool).await.map_err(backend)?;
    let mut jobs = rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|j| j.created_at_ms);
    Ok(jobs)
}

pub(crate) async fn heartbeat(
    pool: &PgPool,
    id: &str,
    worker: &str,
    until: i64,
) -> Result<bool, QueueError> {
    let done = sqlx::query(
        "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'queued'",
    )
    .bind(until)
    .bind(id)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn complete(pool: &PgPool, id: &str, worker: &str) -> Result<(), QueueError> {
    sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2")
        .bind(id)
        .bind(worker)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn retry(
    pool: &PgPool,
    id: &str,
    worker: &str,
    run_at: i64,
    error: &str,
) -> Result<(), QueueError> {
    sqlx::query(
        "UPDATE jobs SET run_at = $1, lease_owner = NULL, lease_until = 0, last_error = $2 \
         WHERE id = $3 AND lease_owner = $4",
    )
    .bind(run_at)
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn bury(
    pool: &PgPool,
    id: &str,
    worker: &str,
    error: &str,
) -> Result<(), QueueError> {
    sqlx::query(
        "UPDATE jobs SET status = 'dead', lease_owner = NULL, lease_until = 0, last_error = $1 \
         WHERE id = $2 AND lease_owner = $3",
    )
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn release(pool: &PgPool, id: &str, worker: &str) -> Result<(), QueueError> {
    sqlx::query(
        "UPDATE jobs SET lease_owner = NULL, lease_until = 0, attempts = GREATEST(attempts - 1, 0) \
         WHERE id = $1 AND lease_owner = $2",
    )
    .bind(id)
    .bind(worker)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn counts(pool: &PgPool, now_ms: i64) -> Result<QueueCounts, QueueError> {
    let row = sqlx::query(
        "SELECT \
           COALESCE(SUM(CASE WHEN status = 'queued' AND lease_until <= $1 THEN 1 ELSE 0 END), 0) AS queued, \
           COALESCE(SUM(CASE WHEN status = 'queued' AND lease_until > $2 THEN 1 ELSE 0 END), 0) AS running, \
           COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead \
         FROM jobs",
    )
    .bind(now_ms)
    .bind(now_ms)
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    Ok(QueueCounts {
        queued: row.try_get::<i64, _>("queued").map_err(backend)? as u64,
        running: row.try_get::<i64, _>("running").map_err(backend)? as u64,
        dead: row.try_get::<i64, _>("dead").map_err(backend)? as u64,
    })
}
