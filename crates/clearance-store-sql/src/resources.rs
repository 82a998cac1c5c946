//! Resource documents: reads by id, filtered pages, atomic change sets.

use clearance_core::store::{Change, ListQuery, Page, Resource, ResourceKind, StoreError};
use clearance_core::{Mode, Scope};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments, Row};

use crate::{
    Column, Db, DbArguments, DbConnection, DbRow, Dialect, DynamicQuery, Param, SqlStore,
    store_error,
};

pub(crate) const COLUMNS: &str =
    "id, account_id, mode, kind, client_id, created_at, updated_at, version, body";

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    usize: ColumnIndex<DbRow<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
    Json<Map<String, Value>>: Column<Db<D>>,
    for<'q> Json<&'q Map<String, Value>>: Param<'q, Db<D>>,
    // Change sets write jobs and events too.
    i32: Column<Db<D>>,
    for<'q> Json<&'q Value>: Param<'q, Db<D>>,
{
    /// One resource by id, through the shared `SELECT`.
    pub(crate) async fn get_resource(
        &self,
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
            .fetch_optional(&self.pools.reads)
            .await
            .map_err(store_error)?;
        row.as_ref().map(Self::resource_from).transpose()
    }

    pub(crate) async fn list_resources(&self, q: &ListQuery) -> Result<Page<Resource>, StoreError> {
        let mut count = DynamicQuery::<Db<D>>::new("SELECT COUNT(*) FROM resources");
        push_conditions::<D>(&mut count, q);
        let (sql, arguments) = count.into_parts().map_err(store_error)?;
        let total: i64 = sqlx::query_scalar_with(&sql, arguments)
            .fetch_one(&self.pools.reads)
            .await
            .map_err(store_error)?;
        if total == 0 || q.offset >= total as u64 {
            return Ok(Page {
                items: Vec::new(),
                total: total as u64,
            });
        }
        let mut select = DynamicQuery::<Db<D>>::new(format!("SELECT {COLUMNS} FROM resources"));
        push_conditions::<D>(&mut select, q);
        select
            .push(if q.oldest_first {
                " ORDER BY created_at ASC, id ASC LIMIT "
            } else {
                " ORDER BY created_at DESC, id DESC LIMIT "
            })
            .push_bind(q.limit as i64)
            .push(" OFFSET ")
            .push_bind(q.offset as i64);
        let (sql, arguments) = select.into_parts().map_err(store_error)?;
        let rows = sqlx::query_with(&sql, arguments)
            .fetch_all(&self.pools.reads)
            .await
            .map_err(store_error)?;
        Ok(Page {
            items: rows
                .iter()
                .map(Self::resource_from)
                .collect::<Result<_, _>>()?,
            total: total as u64,
        })
    }

    /// Applies `changes` in one transaction on the write pool.
    pub(crate) async fn apply_changes(&self, changes: Vec<Change>) -> Result<(), StoreError> {
        let mut tx = self.pools.writes.begin().await.map_err(store_error)?;
        for change in &changes {
            match change {
                Change::Insert(r) => Self::insert_resource(&mut tx, r).await?,
                Change::Update(r) => Self::update_resource(&mut tx, r).await?,
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
                    .map_err(store_error)?;
                    if D::rows_affected(&done) == 0 {
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
                    .map_err(store_error)?;
                }
                Change::Enqueue(job) => {
                    Self::insert_job(&mut tx, job).await.map_err(store_error)?
                }
                Change::Event(event) => Self::insert_event(&mut tx, event).await?,
                Change::Put(r) => Self::put_resource(&mut tx, r).await?,
                Change::Discard { scope, kind, id } => {
                    sqlx::query(
                        "DELETE FROM resources WHERE id = $1 AND account_id = $2 AND mode = $3 AND kind = $4",
                    )
                    .bind(id)
                    .bind(&scope.account_id)
                    .bind(scope.mode.as_str())
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(store_error)?;
                }
            }
        }
        tx.commit().await.map_err(store_error)
    }

    pub(crate) async fn insert_resource(
        conn: &mut DbConnection<D>,
        r: &Resource,
    ) -> Result<(), StoreError> {
        Self::write_resource(conn, r, "").await
    }

    /// Inserts `r`, with `on_conflict` after the values.
    async fn write_resource(
        conn: &mut DbConnection<D>,
        r: &Resource,
        on_conflict: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO resources ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9){on_conflict}"
        ))
        .bind(&r.id)
        .bind(&r.scope.account_id)
        .bind(r.scope.mode.as_str())
        .bind(r.kind.as_str())
        .bind(&r.client_id)
        .bind(r.created_at)
        .bind(r.updated_at)
        .bind(r.version)
        .bind(Json(&r.body))
        .execute(conn)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    /// Inserts `r`, or replaces the resource with its id in the same scope and kind whatever
    /// its version (its version then grows by one).
    async fn put_resource(conn: &mut DbConnection<D>, r: &Resource) -> Result<(), StoreError> {
        Self::write_resource(
            conn,
            r,
            " ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
             updated_at = excluded.updated_at, client_id = excluded.client_id, \
             version = resources.version + 1 WHERE resources.account_id = excluded.account_id \
             AND resources.mode = excluded.mode AND resources.kind = excluded.kind",
        )
        .await
    }

    /// Replaces the resource whose stored version is `r.version - 1`; a conflict when another
    /// write got there first, not found when there is no such resource.
    async fn update_resource(conn: &mut DbConnection<D>, r: &Resource) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE resources SET body = $1, updated_at = $2, version = $3, client_id = $4 \
             WHERE id = $5 AND account_id = $6 AND mode = $7 AND kind = $8 AND version = $9",
        )
        .bind(Json(&r.body))
        .bind(r.updated_at)
        .bind(r.version)
        .bind(&r.client_id)
        .bind(&r.id)
        .bind(&r.scope.account_id)
        .bind(r.scope.mode.as_str())
        .bind(r.kind.as_str())
        .bind(r.version - 1)
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
        if D::rows_affected(&done) == 1 {
            return Ok(());
        }
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM resources WHERE id = $1 AND account_id = $2 AND mode = $3",
        )
        .bind(&r.id)
        .bind(&r.scope.account_id)
        .bind(r.scope.mode.as_str())
        .fetch_optional(conn)
        .await
        .map_err(store_error)?;
        Err(match exists {
            Some(_) => StoreError::Conflict(format!("resource {} changed concurrently", r.id)),
            None => StoreError::NotFound,
        })
    }

    pub(crate) fn resource_from(row: &DbRow<D>) -> Result<Resource, StoreError> {
        let corrupt = |what: &str| StoreError::Backend(format!("corrupt resource row: {what}"));
        let body = match row.try_get::<Json<Map<String, Value>>, _>("body") {
            Ok(Json(body)) => body,
            Err(sqlx::Error::ColumnDecode { .. }) => return Err(corrupt("body")),
            Err(e) => return Err(store_error(e)),
        };
        let mode: String = row.try_get("mode").map_err(store_error)?;
        let kind: String = row.try_get("kind").map_err(store_error)?;
        Ok(Resource {
            id: row.try_get("id").map_err(store_error)?,
            scope: Scope::new(
                row.try_get::<String, _>("account_id")
                    .map_err(store_error)?,
                Mode::parse(&mode).ok_or_else(|| corrupt("mode"))?,
            ),
            kind: ResourceKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            client_id: row.try_get("client_id").map_err(store_error)?,
            created_at: row.try_get("created_at").map_err(store_error)?,
            updated_at: row.try_get("updated_at").map_err(store_error)?,
            version: row.try_get("version").map_err(store_error)?,
            body,
        })
    }
}

/// The `WHERE` clause of a page request, for its count and its rows alike.
fn push_conditions<D: Dialect>(qb: &mut DynamicQuery<'_, Db<D>>, q: &ListQuery)
where
    for<'q> &'q str: Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
{
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
            qb.push(&format!(" AND {column} {op} ")).push_bind(v);
        }
    }
    for f in &q.filters {
        D::push_attr_filter(qb, f);
    }
}
