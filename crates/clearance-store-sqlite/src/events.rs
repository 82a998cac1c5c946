//! The outbox on SQLite.

use clearance_core::events::{Event, EventQuery, StoredEvent};
use clearance_core::store::StoreError;
use clearance_core::{Mode, Scope};
use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use crate::backend;

pub(crate) async fn insert(tx: &mut Transaction<'_, Sqlite>, e: &Event) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (id, account_id, mode, type, resource_type, resource_id, payload, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&e.id)
    .bind(&e.scope.account_id)
    .bind(e.scope.mode.as_str())
    .bind(&e.event_type)
    .bind(&e.resource_type)
    .bind(&e.resource_id)
    .bind(Value::Object(e.payload.clone()).to_string())
    .bind(e.created_at)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn after(
    pool: &SqlitePool,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, id, account_id, mode, type, resource_type, resource_id, payload, created_at \
         FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredEvent, StoreError> {
    let corrupt = || StoreError::Backend("corrupt event row".into());
    let mode: String = row.try_get("mode").map_err(backend)?;
    let payload: String = row.try_get("payload").map_err(backend)?;
    Ok(StoredEvent {
        seq: row.try_get("seq").map_err(backend)?,
        event: Event {
            id: row.try_get("id").map_err(backend)?,
            scope: Scope::new(
                row.try_get::<String, _>("account_id").map_err(backend)?,
                Mode::parse(&mode).ok_or_else(corrupt)?,
            ),
            event_type: row.try_get("type").map_err(backend)?,
            resource_type: row.try_get("resource_type").map_err(backend)?,
            resource_id: row.try_get("resource_id").map_err(backend)?,
            payload: serde_json::from_str(&payload).map_err(|_| corrupt())?,
            created_at: row.try_get("created_at").map_err(backend)?,
        },
    })
}

pub(crate) async fn find(
    pool: &SqlitePool,
    q: &EventQuery,
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT seq, id, account_id, mode, type, resource_type, resource_id, payload, created_at \
         FROM events WHERE account_id = ",
    );
    qb.push_bind(q.scope.account_id.clone())
        .push(" AND mode = ")
        .push_bind(q.scope.mode.as_str());
    if let Some(id) = &q.id {
        qb.push(" AND id = ").push_bind(id.clone());
    }
    if let Some(after) = q.created_after {
        qb.push(" AND created_at > ").push_bind(after);
    }
    if let Some(before) = q.created_before {
        qb.push(" AND created_at < ").push_bind(before);
    }
    qb.push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(q.limit));
    let rows = qb.build().fetch_all(pool).await.map_err(backend)?;
    rows.iter().map(from_row).collect()
}
