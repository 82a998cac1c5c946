//! Imported reference datasets for lookups (see `clearance_core::lookups`): one summary row per
//! dataset and its content as ordered chunks, replaced together in one transaction.

use async_trait::async_trait;
use clearance_core::lookups::{DatasetKind, ReferenceStore, StoredDataset};
use clearance_core::store::StoreError;
use sqlx::{ColumnIndex, Executor, IntoArguments, Row};

use crate::{Column, Db, DbArguments, DbConnection, DbRow, Dialect, Param, SqlStore, store_error};

#[async_trait]
impl<D: Dialect> ReferenceStore for SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    for<'q> &'q [u8]: Param<'q, Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Vec<u8>: Column<Db<D>>,
{
    async fn put_reference_dataset(
        &self,
        dataset: &StoredDataset,
        chunks: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        let mut tx = self.pools.writes.begin().await.map_err(store_error)?;
        // Deleting the row first takes its lock (PostgreSQL), so two imports of one dataset
        // queue rather than interleave their chunks.
        sqlx::query("DELETE FROM reference_datasets WHERE name = $1")
            .bind(&dataset.name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        sqlx::query("DELETE FROM reference_dataset_chunks WHERE dataset_name = $1")
            .bind(&dataset.name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        sqlx::query(
            "INSERT INTO reference_datasets (name, kind, format, content_hash, record_count, \
             chunk_count, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&dataset.name)
        .bind(dataset.kind.as_str())
        .bind(&dataset.format)
        .bind(&dataset.content_hash)
        .bind(dataset.record_count)
        .bind(chunks.len() as i64)
        .bind(dataset.imported_at)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        for (seq, data) in chunks.iter().enumerate() {
            sqlx::query(
                "INSERT INTO reference_dataset_chunks (dataset_name, content_hash, seq, data) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&dataset.name)
            .bind(&dataset.content_hash)
            .bind(seq as i64)
            .bind(data.as_slice())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(())
    }

    async fn reference_datasets(&self) -> Result<Vec<StoredDataset>, StoreError> {
        let rows = sqlx::query("SELECT * FROM reference_datasets ORDER BY name")
            .fetch_all(&self.pools.reads)
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind").map_err(store_error)?;
                Ok(StoredDataset {
                    name: row.try_get("name").map_err(store_error)?,
                    kind: DatasetKind::parse(&kind).ok_or_else(|| {
                        StoreError::Backend(format!("unknown reference dataset kind '{kind}'"))
                    })?,
                    format: row.try_get("format").map_err(store_error)?,
                    content_hash: row.try_get("content_hash").map_err(store_error)?,
                    record_count: row.try_get("record_count").map_err(store_error)?,
                    chunk_count: row.try_get("chunk_count").map_err(store_error)?,
                    imported_at: row.try_get("imported_at").map_err(store_error)?,
                })
            })
            .collect()
    }

    async fn reference_dataset_chunks(
        &self,
        name: &str,
        content_hash: &str,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows = sqlx::query(
            "SELECT data FROM reference_dataset_chunks WHERE dataset_name = $1 \
             AND content_hash = $2 ORDER BY seq",
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

    async fn remove_reference_dataset(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.pools.writes.begin().await.map_err(store_error)?;
        sqlx::query("DELETE FROM reference_dataset_chunks WHERE dataset_name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        let done = sqlx::query("DELETE FROM reference_datasets WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(D::rows_affected(&done) > 0)
    }
}
