//! Housekeeping across every scope: deletions by age in bounded batches, and a walk over every
//! record of a kind. Deletions select their rows first and
//! delete by key (`… WHERE id IN (SELECT … LIMIT n)`), the one bounded `DELETE` both databases
//! accept (SQLite's `DELETE … LIMIT` is a compile-time option).

use async_trait::async_trait;
use clearance_core::store::{Maintenance, Resource, ResourceKind, StoreError};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments};

use crate::resources::COLUMNS;
use crate::{Column, Db, DbArguments, DbConnection, DbRow, Dialect, Param, SqlStore, store_error};

#[async_trait]
impl<D: Dialect> Maintenance for SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    usize: ColumnIndex<DbRow<D>>,
    i32: Column<Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
    Json<Map<String, Value>>: Column<Db<D>>,
    for<'q> Json<&'q Map<String, Value>>: Param<'q, Db<D>>,
    for<'q> Json<&'q Value>: Param<'q, Db<D>>,
{
    async fn delete_created_before(
        &self,
        kind: ResourceKind,
        before_ms: i64,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM resources WHERE id IN \
             (SELECT id FROM resources WHERE kind = $1 AND created_at < $2 LIMIT $3)",
        )
        .bind(kind.as_str())
        .bind(before_ms)
        .bind(i64::from(limit))
        .execute(&self.pools.writes)
        .await
        .map_err(store_error)?;
        Ok(D::rows_affected(&done))
    }

    async fn delete_events_before(
        &self,
        before_ms: i64,
        up_to_seq: i64,
        held_by: ResourceKind,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // The hold is looked up through `resources_by_scope` (scope, kind, time), one probe per
        // old event; the events themselves come from `events_by_age`.
        let done = sqlx::query(
            "DELETE FROM events WHERE seq IN \
             (SELECT e.seq FROM events e WHERE e.created_at < $1 AND e.seq <= $2 \
              AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.account_id = e.account_id \
                AND r.mode = e.mode AND r.kind = $3 AND r.created_at = e.created_at) \
              LIMIT $4)",
        )
        .bind(before_ms)
        .bind(up_to_seq)
        .bind(held_by.as_str())
        .bind(i64::from(limit))
        .execute(&self.pools.writes)
        .await
        .map_err(store_error)?;
        Ok(D::rows_affected(&done))
    }

    async fn scan_kind(
        &self,
        kind: ResourceKind,
        after_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Resource>, StoreError> {
        if let Some(reader) = &self.by_id {
            let reader = reader.clone();
            let after = after_id.map(str::to_owned);
            let scanned = tokio::task::spawn_blocking(move || {
                reader.scan_kind(kind, after.as_deref(), limit)
            })
            .await
            .map_err(|e| StoreError::Backend(format!("the scan task failed: {e}")))?;
            if let Some(scanned) = scanned {
                return scanned;
            }
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM resources WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(kind.as_str())
            .bind(after_id.unwrap_or_default())
            .bind(i64::from(limit))
            .fetch_all(&self.pools.reads)
            .await
            .map_err(store_error)?;
        rows.iter().map(Self::resource_from).collect()
    }
}
