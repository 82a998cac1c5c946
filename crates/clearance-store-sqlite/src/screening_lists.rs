//! Imported screening lists on SQLite (see `clearance_core::screening_lists`).

use clearance_core::screening_lists::StoredList;
use clearance_core::store::StoreError;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::backend;

pub(crate) async fn put(
    pool: &SqlitePool,
    list: &StoredList,
    chunks: &[Vec<u8>],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("DELETE FROM screening_list_chunks WHERE list_name = ?")
        .bind(&list.name)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    for (seq, data) in chunks.iter().enumerate() {
        sqlx::query(
            "INSERT INTO screening_list_chunks (list_name, content_hash, seq, data) VALUES (?, ?, ?, ?)",
        )
        .bind(&list.name)
        .bind(&list.content_hash)
        .bind(seq as i64)
        .bind(data.as_slice())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    sqlx::query(
        "INSERT INTO screening_lists (name, format, source, version, content_hash, entity_count, \
         name_count, error_count, chunk_count, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET format = excluded.format, source = excluded.source, \
         version = excluded.version, content_hash = excluded.content_hash, \
         entity_count = excluded.entity_count, name_count = excluded.name_count, \
         error_count = excluded.error_count, chunk_count = excluded.chunk_count, \
         imported_at = excluded.imported_at",
    )
    .bind(&list.name)
    .bind(&list.format)
    .bind(&list.source)
    .bind(&list.version)
    .bind(&list.content_hash)
    .bind(list.entity_count)
    .bind(list.name_count)
    .bind(list.error_count)
    .bind(chunks.len() as i64)
    .bind(list.imported_at)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)
}

fn from_row(row: &SqliteRow) -> Result<StoredList, sqlx::Error> {
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
    })
}

pub(crate) async fn all(pool: &SqlitePool) -> Result<Vec<StoredList>, StoreError> {
    let rows = sqlx::query("SELECT * FROM screening_lists ORDER BY name")
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(from_row)
        .collect::<Result<_, _>>()
        .map_err(backend)
}

pub(crate) async fn chunks(
    pool: &SqlitePool,
    name: &str,
    content_hash: &str,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let rows = sqlx::query(
        "SELECT data FROM screening_list_chunks WHERE list_name = ? AND content_hash = ? ORDER BY seq",
    )
    .bind(name)
    .bind(content_hash)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| r.try_get::<Vec<u8>, _>("data"))
        .collect::<Result<_, _>>()
        .map_err(backend)
}

pub(crate) async fn remove(pool: &SqlitePool, name: &str) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("DELETE FROM screening_list_chunks WHERE list_name = ?")
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let removed = sqlx::query("DELETE FROM screening_lists WHERE name = ?")
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(backend)?
        .rows_affected();
    tx.commit().await.map_err(backend)?;
    Ok(removed > 0)
}
