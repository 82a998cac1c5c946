//! Accounts, API keys and the owner team member on PostgreSQL.

use clearance_core::Mode;
use clearance_core::Scope;
use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::store::{Resource, ResourceKind, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::backend;
use crate::resources::insert;

pub(crate) async fn create_account(
    pool: &PgPool,
    account: &Account,
    owner: &TeamMember,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&account.id)
        .bind(&account.name)
        .bind(account.created_at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let member = Resource {
        id: owner.id.clone(),
        scope: Scope::new(account.id.clone(), Mode::Test),
        kind: ResourceKind::TeamMember,
        client_id: None,
        created_at: owner.created_at,
        updated_at: owner.created_at,
        version: 1,
        body: owner.body(),
    };
    insert(&mut tx, &member).await?;
    tx.commit().await.map_err(backend)
}

fn account_from(row: &PgRow) -> Result<Account, StoreError> {
    Ok(Account {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
    })
}

pub(crate) async fn get_account(
    pool: &PgPool,
    column: &str,
    value: &str,
) -> Result<Option<Account>, StoreError> {
    let column = if column == "name" { "name" } else { "id" };
    let row = sqlx::query(&format!(
        "SELECT id, name, created_at FROM accounts WHERE {column} = $1"
    ))
    .bind(value)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(account_from).transpose()
}

pub(crate) async fn count_accounts(pool: &PgPool) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    Ok(n as u64)
}

fn key_from(row: &PgRow) -> Result<ApiKey, StoreError> {
    let mode: String = row.try_get("mode").map_err(backend)?;
    Ok(ApiKey {
        id: row.try_get("id").map_err(backend)?,
        account_id: row.try_get("account_id").map_err(backend)?,
        mode: Mode::parse(&mode)
            .ok_or_else(|| StoreError::Backend("corrupt api key mode".into()))?,
        hash: row.try_get("hash").map_err(backend)?,
        hint: row.try_get("hint").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        revoked_at: row.try_get("revoked_at").map_err(backend)?,
    })
}

const KEY_COLUMNS: &str = "id, account_id, mode, hash, hint, created_at, revoked_at";

pub(crate) async fn insert_api_key(pool: &PgPool, key: &ApiKey) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO api_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&key.id)
    .bind(&key.account_id)
    .bind(key.mode.as_str())
    .bind(&key.hash)
    .bind(&key.hint)
    .bind(key.created_at)
    .bind(key.revoked_at)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn find_api_key(pool: &PgPool, hash: &str) -> Result<Option<ApiKey>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = $1"
    ))
    .bind(hash)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(key_from).transpose()
}

pub(crate) async fn list_api_keys(pool: &PgPool) -> Result<Vec<ApiKey>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter().map(key_from).collect()
}

pub(crate) async fn revoke_api_key(
    pool: &PgPool,
    id: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at_ms)
            .bind(id)
            .execute(pool)
            .await
            .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}
