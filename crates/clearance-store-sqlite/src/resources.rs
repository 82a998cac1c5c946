//! Resource documents on SQLite: reads by id, filtered pages, atomic change sets.

use clearance_core::store::{Change, ListQuery, Page, Resource, ResourceKind, StoreError};
use clearance_core::{Mode, Scope};
use serde_json::{Map, Value};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use crate::backend;

const COLUMNS: &str =
    "id, account_id, mode, kind, client_id, created_at, updated_at, version, body";

fn from_row(row: &SqliteRow) -> Result<Resource, StoreError> {
    let corrupt = |what: &str| StoreError::Backend(format!("corrupt resource row: {what}"));
    let body: String = row.try_get("body").map_err(backend)?;
    let body: Map<String, Value> = serde_json::from_str(&body).map_err(|_| corrupt("body"))?;
    let mode: String = row.try_get("mode").map_err(backend)?;
    let kind: String = row.try_get("kind").map_err(backend)?;
    Ok(Resource {
        id: row.try_get("id").map_err(backend)?,
        scope: Scope::new(
            row.try_get::<String, _>("account_id").map_err(backend)?,
            Mode::parse(&mode).ok_or_else(|| corrupt("mode"))?,
        ),
        kind: ResourceKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        client_id: row.try_get("client_id").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
        version: row.try_get("version").map_err(backend)?,
        body,
    })
}

/// A JSON path such as `$."personDetails"."firstName"`; segments were checked by the core.
fn json_path(segments: &[String]) -> String {
    let mut path = String::from("$");
    for s in segments {
        path.push_str(&format!(".\"{}\"", s.replace('"', "")));
    }
    path
}

fn push_conditions(qb: &mut QueryBuilder<'_, Sqlite>, q: &ListQuery) {
    qb.push(" WHERE account_id = ")
        .push_bind(q.scope.account_id.clone())
        .push(" AND mode = ")
        .push_bind(q.scope.mode.as_str())
        .push(" AND kind = ")
        .push_bind(q.kind.as_str());
    if let Some(client) = &q.client_id {
        qb.push(" AND client_id = ").push_bind(client.clone());
    }
    for (column, op, value) in [
        ("created_at", ">", q.created_after),
        ("created_at", "<", q.created_before),
        ("updated_at", ">", q.updated_after),
        ("updated_at", "<", q.updated_before),
    ] {
        if let Some(v) = value {
            qb.push(format!(" AND {column} {op} ")).push_bind(v);
        }
    }
    for f in &q.filters {
        let path = json_path(&f.path);
        // Scalars compare by their text form (booleans as true/false); arrays match an element.
        qb.push(" AND ((CASE json_type(body, ")
            .push_bind(path.clone())
            .push(
                ") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(body, ",
            )
            .push_bind(path.clone())
            .push(") AS TEXT) END) = ")
            .push_bind(f.value.clone())
            .push(" OR (json_type(body, ")
            .push_bind(path.clone())
            .push(") = 'array' AND EXISTS (SELECT 1 FROM json_each(body, ")
            .push_bind(path)
            .push(") WHERE CAST(value AS TEXT) = ")
            .push_bind(f.value.clone())
            .push(")))");
    }
}

pub(crate) async fn list(pool: &SqlitePool, q: &ListQuery) -> Result<Page<Resource>, StoreError> {
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM resources");
    push_conditions(&mut count, q);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    if total == 0 || q.offset >= total as u64 {
        return Ok(Page {
            items: Vec::new(),
            total: total as u64,
        });
    }
    let mut select = QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS} FROM resources"));
    push_conditions(&mut select, q);
    select
        .push(if q.oldest_first {
            " ORDER BY created_at ASC, id ASC LIMIT "
        } else {
            " ORDER BY created_at DESC, id DESC LIMIT "
        })
        .push_bind(q.limit as i64)
        .push(" OFFSET ")
        .push_bind(q.offset as i64);
    let rows = select.build().fetch_all(pool).await.map_err(backend)?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total: total as u64,
    })
}

pub(crate) async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    r: &Resource,
) -> Result<(), StoreError> {
    let body = Value::Object(r.body.clone()).to_string();
    sqlx::query(&format!(
        "INSERT INTO resources ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(&r.id)
    .bind(&r.scope.account_id)
    .bind(r.scope.mode.as_str())
    .bind(r.kind.as_str())
    .bind(&r.client_id)
    .bind(r.created_at)
    .bind(r.updated_at)
    .bind(r.version)
    .bind(body)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

async fn update(tx: &mut Transaction<'_, Sqlite>, r: &Resource) -> Result<(), StoreError> {
    let body = Value::Object(r.body.clone()).to_string();
    let done = sqlx::query(
        "UPDATE resources SET body = ?, updated_at = ?, version = ?, client_id = ? \
         WHERE id = ? AND account_id = ? AND mode = ? AND kind = ? AND version = ?",
    )
    .bind(body)
    .bind(r.updated_at)
    .bind(r.version)
    .bind(&r.client_id)
    .bind(&r.id)
    .bind(&r.scope.account_id)
    .bind(r.scope.mode.as_str())
    .bind(r.kind.as_str())
    .bind(r.version - 1)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM resources WHERE id = ? AND account_id = ? AND mode = ?",
    )
    .bind(&r.id)
    .bind(&r.scope.account_id)
    .bind(r.scope.mode.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    Err(match exists {
        Some(_) => StoreError::Conflict(format!("resource {} changed concurrently", r.id)),
        None => StoreError::NotFound,
    })
}

pub(crate) async fn apply(pool: &SqlitePool, changes: Vec<Change>) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    for change in &changes {
        match change {
            Change::Insert(r) => insert(&mut tx, r).await?,
            Change::Update(r) => update(&mut tx, r).await?,
            Change::Delete { scope, kind, id } => {
                let done = sqlx::query("DELETE FROM resources WHERE id = ? AND account_id = ? AND mode = ? AND kind = ?")
                    .bind(id)
                    .bind(&scope.account_id)
                    .bind(scope.mode.as_str())
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            Change::DeleteOwnedBy { scope, client_id } => {
                sqlx::query("DELETE FROM resources WHERE account_id = ? AND mode = ? AND client_id = ? AND kind <> ?")
                    .bind(&scope.account_id)
                    .bind(scope.mode.as_str())
                    .bind(client_id)
                    .bind(ResourceKind::AuditLog.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            Change::Enqueue(job) => crate::jobs::insert(&mut tx, job).await.map_err(backend)?,
            Change::Event(event) => crate::events::insert(&mut tx, event).await?,
        }
    }
    tx.commit().await.map_err(backend)
}
