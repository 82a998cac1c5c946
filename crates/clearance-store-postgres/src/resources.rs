//! Resource documents on PostgreSQL: reads by id, filtered pages, atomic change sets.

use clearance_core::store::{Change, ListQuery, Page, Resource, ResourceKind, StoreError};
use clearance_core::{Mode, Scope};
use serde_json::{Map, Value};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Transaction};

use crate::backend;

const COLUMNS: &str =
    "id, account_id, mode, kind, client_id, created_at, updated_at, version, body::text AS body";
const INSERT_COLUMNS: &str =
    "id, account_id, mode, kind, client_id, created_at, updated_at, version, body";

fn from_row(row: &PgRow) -> Result<Resource, StoreError> {
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

pub(crate) async fn get(
    pool: &PgPool,
    scope: &Scope,
    kind: ResourceKind,
    id: &str,
) -> Result<Option<Resource>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resources WHERE id = $1 AND account_id = $2 AND mode = $3 AND kind = $4"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(&scope.account_id)
        .bind(scope.mode.as_str())
        .bind(kind.as_str())
        .fetch_optional(pool)
        .await
        .map_err(backend)?;
    row.as_ref().map(from_row).transpose()
}

fn push_conditions(qb: &mut QueryBuilder<'_, Postgres>, q: &ListQuery) {
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
        // Scalars compare by their text form (booleans as true/false); arrays match an element.
        qb.push(" AND (body #>> ")
            .push_bind(f.path.clone())
            .push(" = ")
            .push_bind(f.value.clone())
            .push(" OR (jsonb_typeof(body #> ")
            .push_bind(f.path.clone())
            .push(") = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(body #> ")
            .push_bind(f.path.clone())
            .push(") AS e(v) WHERE e.v = ")
            .push_bind(f.value.clone())
            .push(")))");
    }
}

pub(crate) async fn list(pool: &PgPool, q: &ListQuery) -> Result<Page<Resource>, StoreError> {
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM resources");
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
    let mut select = QueryBuilder::<Postgres>::new(format!("SELECT {COLUMNS} FROM resources"));
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
    tx: &mut Transaction<'_, Postgres>,
    r: &Resource,
) -> Result<(), StoreError> {
    let body = Value::Object(r.body.clone()).to_string();
    sqlx::query(&format!(
        "INSERT INTO resources ({INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)"
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

async fn update(tx: &mut Transaction<'_, Postgres>, r: &Resource) -> Result<(), StoreError> {
    let body = Value::Object(r.body.clone()).to_string();
    let done = sqlx::query(
        "UPDATE resources SET body = $1::jsonb, updated_at = $2, version = $3, client_id = $4 \
         WHERE id = $5 AND account_id = $6 AND mode = $7 AND kind = $8 AND version = $9",
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
        "SELECT version FROM resources WHERE id = $1 AND account_id = $2 AND mode = $3",
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

pub(crate) async fn apply(pool: &PgPool, changes: Vec<Change>) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    for change in &changes {
        match change {
            Change::Insert(r) => insert(&mut tx, r).await?,
            Change::Update(r) => update(&mut tx, r).await?,
            Change::Delete { scope, kind, id } => {
                let done = sqlx::query(
                    "DELETE FROM resources WHERE id = $1 AND account_id = $2 AND mode = $3 AND kind = $4",
                )
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
                sqlx::query(
                    "DELETE FROM resources WHERE account_id = $1 AND mode = $2 AND client_id = $3 AND kind <> $4",
                )
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
