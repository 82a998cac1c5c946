//! Imported screening lists (see `clearance_core::screening_lists`): one summary row per list and
//! its content as ordered chunks, replaced together in one transaction.

use async_trait::async_trait;
use clearance_core::screening_lists::{
    DeltaEntity, EntityChange, FetchState, FileValidators, ListDelta, ListStore, ListVersion,
    StoredList,
};
use clearance_core::store::StoreError;
use clearance_jobs::NewJob;
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments, Row};

use crate::screening_list_deltas::{delta_entities, deltas, insert_delta};
use crate::{Column, Db, DbArguments, DbConnection, DbRow, Dialect, Param, SqlStore, store_error};

#[async_trait]
impl<D: Dialect> ListStore for SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    for<'q> &'q [u8]: Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
    Option<i64>: Column<Db<D>>,
    Vec<u8>: Column<Db<D>>,
    i32: Column<Db<D>>,
    for<'q> Json<&'q serde_json::Value>: Param<'q, Db<D>>,
{
    async fn put_screening_list(
        &self,
        version: &ListVersion<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let list = version.list;
        let mut tx = self.pools.writes.begin().await.map_err(store_error)?;
        // The list's row first: replacing it takes the row's lock (PostgreSQL) and finds out
        // whether it still holds the version compared with; a first import must insert it.
        let columns = "format = $2, source = $3, version = $4, content_hash = $5, \
             entity_count = $6, name_count = $7, error_count = $8, chunk_count = $9, \
             imported_at = $10, published = $11, self_check_sampled = $12, self_check_missed = $13";
        let statement = match version.replaces {
            Some(_) => format!(
                "UPDATE screening_lists SET {columns} WHERE name = $1 AND content_hash = $14"
            ),
            None => "INSERT INTO screening_lists (name, format, source, version, content_hash, \
                 entity_count, name_count, error_count, chunk_count, imported_at, published, \
                 self_check_sampled, self_check_missed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                .to_owned(),
        };
        let mut query = sqlx::query(&statement)
            .bind(&list.name)
            .bind(&list.format)
            .bind(&list.source)
            .bind(&list.version)
            .bind(&list.content_hash)
            .bind(list.entity_count)
            .bind(list.name_count)
            .bind(list.error_count)
            .bind(version.chunks.len() as i64)
            .bind(list.imported_at)
            .bind(list.published.clone())
            .bind(list.self_check_sampled)
            .bind(list.self_check_missed);
        if let Some(replaces) = version.replaces {
            query = query.bind(replaces);
        }
        let done = query.execute(&mut *tx).await.map_err(store_error)?;
        if D::rows_affected(&done) == 0 {
            return Err(StoreError::Conflict(format!(
                "the stored version of \"{}\" changed during the import",
                list.name
            )));
        }
        sqlx::query("DELETE FROM screening_list_chunks WHERE list_name = $1")
            .bind(&list.name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        for (seq, data) in version.chunks.iter().enumerate() {
            sqlx::query(
                "INSERT INTO screening_list_chunks (list_name, content_hash, seq, data) VALUES ($1, $2, $3, $4)",
            )
            .bind(&list.name)
            .bind(&list.content_hash)
            .bind(seq as i64)
            .bind(data.as_slice())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        let seq = match version.delta {
            Some((delta, entities)) => Some(
                insert_delta::<D>(&mut *tx, delta, entities)
                    .await
                    .map_err(store_error)?,
            ),
            None => None,
        };
        if let (Some(seq), Some(queue)) = (seq, version.announce_on) {
            let job = NewJob::now(
                format!("{queue}:{}:{seq}", list.name),
                queue,
                serde_json::json!({"list": list.name, "seq": seq}),
                list.imported_at,
            );
            Self::insert_job(&mut tx, &job).await.map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(seq)
    }

    async fn screening_lists(&self) -> Result<Vec<StoredList>, StoreError> {
        let rows = sqlx::query("SELECT * FROM screening_lists ORDER BY name")
            .fetch_all(&self.pools.reads)
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok(StoredList {
                    name: row.try_get("name")?,
                    format: row.try_get("format")?,
                    source: row.try_get("source")?,
                    version: row.try_get("version")?,
                    content_hash: row.try_get("content_hash")?,
                    entity_count: row.try_get("entity_count")?,
                    name_count: row.try_get("name_count")?,
                    error_count: row.try_get("error_count")?,
                    chunk_count: row.try_get("chunk_count")?,
                    imported_at: row.try_get("imported_at")?,
                    published: row.try_get("published")?,
                    self_check_sampled: row.try_get("self_check_sampled")?,
                    self_check_missed: row.try_get("self_check_missed")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(store_error)
    }

    async fn screening_list_chunks(
        &self,
        name: &str,
        content_hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows = sqlx::query(
            "SELECT data FROM screening_list_chunks WHERE list_name = $1 AND content_hash = $2 ORDER BY seq",
        )
        .bind(name)
        .bind(content_hash)
        .fetch_all(&self.pools.reads)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|r| r.try_get::<Vec<u8>, _>("data"))
            .collect::<Result<_, _>>()
            .map_err(store_error)
    }

    async fn remove_screening_list(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.pools.writes.begin().await.map_err(store_error)?;
        sqlx::query("DELETE FROM screening_list_chunks WHERE list_name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        let done = sqlx::query("DELETE FROM screening_lists WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(D::rows_affected(&done) > 0)
    }

    async fn screening_list_deltas(&self, name: &str) -> Result<Vec<ListDelta>, StoreError> {
        deltas::<D>(&self.pools.reads, name, None).await
    }

    async fn screening_list_delta(
        &self,
        name: &str,
        seq: i64,
    ) -> Result<Option<ListDelta>, StoreError> {
        Ok(deltas::<D>(&self.pools.reads, name, Some(seq))
            .await?
            .into_iter()
            .next())
    }

    async fn screening_list_delta_entities(
        &self,
        name: &str,
        seq: i64,
        changes: &[EntityChange],
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeltaEntity>, StoreError> {
        delta_entities::<D>(&self.pools.reads, name, seq, changes, after, limit).await
    }

    async fn list_fetch_states(&self) -> Result<Vec<FetchState>, StoreError> {
        let rows = sqlx::query("SELECT * FROM screening_list_fetches ORDER BY source")
            .fetch_all(&self.pools.reads)
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let validators: String = row.try_get("validators").map_err(store_error)?;
                Ok(FetchState {
                    source: row.try_get("source").map_err(store_error)?,
                    // A row this version cannot read only costs one unconditional download.
                    validators: serde_json::from_str::<Vec<FileValidators>>(&validators)
                        .unwrap_or_default(),
                    attempted_at: row.try_get("attempted_at").map_err(store_error)?,
                    succeeded_at: row.try_get("succeeded_at").map_err(store_error)?,
                    error: row.try_get("error").map_err(store_error)?,
                    failures: row.try_get("failures").map_err(store_error)?,
                })
            })
            .collect()
    }

    async fn put_list_fetch_state(&self, state: &FetchState) -> Result<(), StoreError> {
        let validators = serde_json::to_string(&state.validators)
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        sqlx::query(
            "INSERT INTO screening_list_fetches \
             (source, validators, attempted_at, succeeded_at, error, failures) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (source) DO UPDATE SET validators = excluded.validators, \
             attempted_at = excluded.attempted_at, succeeded_at = excluded.succeeded_at, \
             error = excluded.error, failures = excluded.failures",
        )
        .bind(state.source.as_str())
        .bind(validators.as_str())
        .bind(state.attempted_at)
        .bind(state.succeeded_at)
        .bind(state.error.clone())
        .bind(state.failures)
        .execute(&self.pools.writes)
        .await
        .map_err(store_error)?;
        Ok(())
    }
}
