//! The deltas of screening lists (see `clearance_core::screening_lists::delta`): a summary row
//! per import that changed a list and the entities it changed, written in the transaction that
//! stores the list, the oldest beyond `DELTAS_KEPT` dropped by the same transaction.

use clearance_core::screening_lists::delta::DELTAS_KEPT;
use clearance_core::screening_lists::{DeltaEntity, EntityChange, ListDelta};
use clearance_core::store::StoreError;
use sqlx::{ColumnIndex, Executor, IntoArguments, Pool, Row};

use crate::{
    Column, Db, DbArguments, DbConnection, DbRow, Dialect, DynamicQuery, Param, store_error,
};

/// Entities per `INSERT` (nine parameters each: well under both databases' limits).
const BATCH: usize = 500;

/// Writes `delta` and its entities as the list's next delta, inside the caller's transaction,
/// and drops the list's deltas beyond the newest [`DELTAS_KEPT`]; answers the new delta's seq.
pub(crate) async fn insert_delta<D: Dialect>(
    conn: &mut DbConnection<D>,
    delta: &ListDelta,
    entities: &[DeltaEntity],
) -> Result<i64, sqlx::Error>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
{
    let name = delta.list_name.as_str();
    let last: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) AS last FROM screening_list_deltas WHERE list_name = $1",
    )
    .bind(name)
    .fetch_one(&mut *conn)
    .await?
    .try_get("last")?;
    let seq = last + 1;
    sqlx::query(
        "INSERT INTO screening_list_deltas (list_name, seq, version, content_hash, \
         previous_version, previous_hash, imported_at, added, changed, removed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(name)
    .bind(seq)
    .bind(delta.version.as_str())
    .bind(delta.content_hash.as_str())
    .bind(delta.previous_version.clone())
    .bind(delta.previous_hash.clone())
    .bind(delta.imported_at)
    .bind(delta.added)
    .bind(delta.changed)
    .bind(delta.removed)
    .execute(&mut *conn)
    .await?;
    for batch in entities.chunks(BATCH) {
        let mut qb = DynamicQuery::<Db<D>>::new(
            "INSERT INTO screening_list_delta_entities (list_name, seq, entity_id, change_kind, \
             name, previous_name, hash_before, hash_after, fields) VALUES ",
        );
        for (i, e) in batch.iter().enumerate() {
            qb.push(if i == 0 { "(" } else { ", (" })
                .push_bind(name)
                .push(", ")
                .push_bind(seq)
                .push(", ")
                .push_bind(e.entity_id.as_str())
                .push(", ")
                .push_bind(e.change.code())
                .push(", ")
                .push_bind(e.name.as_str())
                .push(", ")
                .push_bind(e.previous_name.clone())
                .push(", ")
                .push_bind(e.hash_before.clone())
                .push(", ")
                .push_bind(e.hash_after.clone())
                .push(", ")
                .push_bind(e.fields.join(","))
                .push(")");
        }
        let (sql, arguments) = qb.into_parts()?;
        sqlx::query_with(&sql, arguments)
            .execute(&mut *conn)
            .await?;
    }
    for table in ["screening_list_delta_entities", "screening_list_deltas"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE list_name = $1 AND seq <= $2"
        ))
        .bind(name)
        .bind(seq - DELTAS_KEPT)
        .execute(&mut *conn)
        .await?;
    }
    Ok(seq)
}

/// The deltas of list `name`, newest first; only the one numbered `seq` when given.
pub(crate) async fn deltas<D: Dialect>(
    pool: &Pool<Db<D>>,
    name: &str,
    seq: Option<i64>,
) -> Result<Vec<ListDelta>, StoreError>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
{
    let mut qb =
        DynamicQuery::<Db<D>>::new("SELECT * FROM screening_list_deltas WHERE list_name = ");
    qb.push_bind(name);
    if let Some(seq) = seq {
        qb.push(" AND seq = ").push_bind(seq);
    }
    qb.push(" ORDER BY seq DESC");
    let (sql, arguments) = qb.into_parts().map_err(store_error)?;
    let rows = sqlx::query_with(&sql, arguments)
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    rows.iter()
        .map(|row| {
            Ok(ListDelta {
                list_name: row.try_get("list_name")?,
                seq: row.try_get("seq")?,
                version: row.try_get("version")?,
                content_hash: row.try_get("content_hash")?,
                previous_version: row.try_get("previous_version")?,
                previous_hash: row.try_get("previous_hash")?,
                imported_at: row.try_get("imported_at")?,
                added: row.try_get("added")?,
                changed: row.try_get("changed")?,
                removed: row.try_get("removed")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(store_error)
}

/// A page of one delta's entities by entity id (see `ListStore::screening_list_delta_entities`).
pub(crate) async fn delta_entities<D: Dialect>(
    pool: &Pool<Db<D>>,
    name: &str,
    seq: i64,
    changes: &[EntityChange],
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<DeltaEntity>, StoreError>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
{
    let mut qb = DynamicQuery::<Db<D>>::new(
        "SELECT * FROM screening_list_delta_entities WHERE list_name = ",
    );
    qb.push_bind(name).push(" AND seq = ").push_bind(seq);
    if let Some(after) = after {
        qb.push(" AND entity_id > ").push_bind(after);
    }
    if !changes.is_empty() {
        qb.push(" AND change_kind IN (")
            .push_binds(changes.iter().map(|c| c.code()))
            .push(")");
    }
    qb.push(" ORDER BY entity_id LIMIT ")
        .push_bind(i64::from(limit));
    let (sql, arguments) = qb.into_parts().map_err(store_error)?;
    let rows = sqlx::query_with(&sql, arguments)
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    rows.iter()
        .map(|row| {
            let change: String = row.try_get("change_kind").map_err(store_error)?;
            let fields: String = row.try_get("fields").map_err(store_error)?;
            Ok(DeltaEntity {
                entity_id: row.try_get("entity_id").map_err(store_error)?,
                change: EntityChange::parse(&change).ok_or_else(|| {
                    StoreError::Backend(format!("unknown change kind {change:?} in a list delta"))
                })?,
                name: row.try_get("name").map_err(store_error)?,
                previous_name: row.try_get("previous_name").map_err(store_error)?,
                hash_before: row.try_get("hash_before").map_err(store_error)?,
                hash_after: row.try_get("hash_after").map_err(store_error)?,
                fields: fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}
