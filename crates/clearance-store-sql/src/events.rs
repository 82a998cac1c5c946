//! The outbox: events written with the change they describe, read in `seq` order.

use clearance_core::events::{Event, EventQuery, StoredEvent};
use clearance_core::store::StoreError;
use clearance_core::{Mode, Scope};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments, Row};

use crate::{
    Column, Db, DbArguments, DbConnection, DbRow, Dialect, DynamicQuery, Param, SqlStore,
    store_error,
};

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Json<Map<String, Value>>: Column<Db<D>>,
    for<'q> Json<&'q Map<String, Value>>: Param<'q, Db<D>>,
{
    pub(crate) async fn insert_event(
        conn: &mut DbConnection<D>,
        e: &Event,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO events (id, account_id, mode, type, resource_type, resource_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&e.id)
        .bind(&e.scope.account_id)
        .bind(e.scope.mode.as_str())
        .bind(&e.event_type)
        .bind(&e.resource_type)
        .bind(&e.resource_id)
        .bind(Json(&e.payload))
        .bind(e.created_at)
        .execute(conn)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    pub(crate) async fn events_after_seq(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, id, account_id, mode, type, resource_type, resource_id, payload, created_at \
             FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pools.reads)
        .await
        .map_err(store_error)?;
        rows.iter().map(Self::event_from).collect()
    }

    pub(crate) async fn events_matching(
        &self,
        q: &EventQuery,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut qb = DynamicQuery::<Db<D>>::new(
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
        let (sql, arguments) = qb.into_parts().map_err(store_error)?;
        let rows = sqlx::query_with(&sql, arguments)
            .fetch_all(&self.pools.reads)
            .await
            .map_err(store_error)?;
        rows.iter().map(Self::event_from).collect()
    }

    fn event_from(row: &DbRow<D>) -> Result<StoredEvent, StoreError> {
        let corrupt = || StoreError::Backend("corrupt event row".into());
        let mode: String = row.try_get("mode").map_err(store_error)?;
        let payload = match row.try_get::<Json<Map<String, Value>>, _>("payload") {
            Ok(Json(payload)) => payload,
            Err(sqlx::Error::ColumnDecode { .. }) => return Err(corrupt()),
            Err(e) => return Err(store_error(e)),
        };
        Ok(StoredEvent {
            seq: row.try_get("seq").map_err(store_error)?,
            event: Event {
                id: row.try_get("id").map_err(store_error)?,
                scope: Scope::new(
                    row.try_get::<String, _>("account_id")
                        .map_err(store_error)?,
                    Mode::parse(&mode).ok_or_else(corrupt)?,
                ),
                event_type: row.try_get("type").map_err(store_error)?,
                resource_type: row.try_get("resource_type").map_err(store_error)?,
                resource_id: row.try_get("resource_id").map_err(store_error)?,
                payload,
                created_at: row.try_get("created_at").map_err(store_error)?,
            },
        })
    }
}
