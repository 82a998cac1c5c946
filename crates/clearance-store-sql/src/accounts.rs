//! Accounts, API keys and the owner team member.

use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::store::{Resource, ResourceKind, StoreError};
use clearance_core::{Mode, Scope};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments, Row};

use crate::{Column, Db, DbArguments, DbConnection, DbRow, Dialect, Param, SqlStore, store_error};

const KEY_COLUMNS: &str = "id, account_id, mode, hash, hint, created_at, revoked_at";

/// The column an account is found by.
#[derive(Clone, Copy)]
pub(crate) enum AccountKey {
    Id,
    Name,
}

impl<D: Dialect> SqlStore<D>
where
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    usize: ColumnIndex<DbRow<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
    Option<i64>: Column<Db<D>>,
    // The owner joins the account as a team member resource.
    Json<Map<String, Value>>: Column<Db<D>>,
    for<'q> Json<&'q Map<String, Value>>: Param<'q, Db<D>>,
    i32: Column<Db<D>>,
    for<'q> Json<&'q Value>: Param<'q, Db<D>>,
{
    /// Creates the account and its owner, a team member in the account's test scope, together.
    pub(crate) async fn insert_account(
        &self,
        account: &Account,
        owner: &TeamMember,
    ) -> Result<(), StoreError> {
        let mut tx = self.pools.writes.begin().await.map_err(store_error)?;
        sqlx::query("INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&account.id)
            .bind(&account.name)
            .bind(account.created_at)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
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
        Self::insert_resource(&mut tx, &member).await?;
        tx.commit().await.map_err(store_error)
    }

    pub(crate) async fn account_by(
        &self,
        by: AccountKey,
        value: &str,
    ) -> Result<Option<Account>, StoreError> {
        let sql = match by {
            AccountKey::Id => "SELECT id, name, created_at FROM accounts WHERE id = $1",
            AccountKey::Name => "SELECT id, name, created_at FROM accounts WHERE name = $1",
        };
        let row = sqlx::query(sql)
            .bind(value)
            .fetch_optional(&self.pools.reads)
            .await
            .map_err(store_error)?;
        row.map(|row| {
            Ok(Account {
                id: row.try_get("id").map_err(store_error)?,
                name: row.try_get("name").map_err(store_error)?,
                created_at: row.try_get("created_at").map_err(store_error)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn account_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pools.reads)
            .await
            .map_err(store_error)?;
        Ok(n as u64)
    }

    pub(crate) async fn insert_key(&self, key: &ApiKey) -> Result<(), StoreError> {
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
        .execute(&self.pools.writes)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    pub(crate) async fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = $1"
        ))
        .bind(hash)
        .fetch_optional(&self.pools.reads)
        .await
        .map_err(store_error)?;
        row.as_ref().map(Self::key_from).transpose()
    }

    pub(crate) async fn all_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pools.reads)
        .await
        .map_err(store_error)?;
        rows.iter().map(Self::key_from).collect()
    }

    pub(crate) async fn revoke_key(&self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at_ms)
                .bind(id)
                .execute(&self.pools.writes)
                .await
                .map_err(store_error)?;
        Ok(D::rows_affected(&done) == 1)
    }

    fn key_from(row: &DbRow<D>) -> Result<ApiKey, StoreError> {
        let mode: String = row.try_get("mode").map_err(store_error)?;
        Ok(ApiKey {
            id: row.try_get("id").map_err(store_error)?,
            account_id: row.try_get("account_id").map_err(store_error)?,
            mode: Mode::parse(&mode)
                .ok_or_else(|| StoreError::Backend("corrupt api key mode".into()))?,
            hash: row.try_get("hash").map_err(store_error)?,
            hint: row.try_get("hint").map_err(store_error)?,
            created_at: row.try_get("created_at").map_err(store_error)?,
            revoked_at: row.try_get("revoked_at").map_err(store_error)?,
        })
    }
}
