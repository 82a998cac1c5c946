//! The core's `Store` port: which statements and pools answer each call.

use async_trait::async_trait;
use clearance_core::Scope;
use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::events::{EventQuery, StoredEvent};
use clearance_core::store::{
    Change, ListQuery, Page, Resource, ResourceKind, Store, StoreError, StoredJson,
};
use serde_json::{Map, Value};
use sqlx::migrate::Migrate;
use sqlx::types::Json;
use sqlx::{ColumnIndex, Executor, IntoArguments};

use crate::accounts::AccountKey;
use crate::{Column, Db, DbArguments, DbConnection, DbRow, Dialect, Param, SqlStore, store_error};

#[async_trait]
impl<D: Dialect> Store for SqlStore<D>
where
    DbConnection<D>: Migrate,
    for<'c> &'c mut DbConnection<D>: Executor<'c, Database = Db<D>>,
    for<'q> DbArguments<'q, D>: IntoArguments<'q, Db<D>>,
    for<'q> &'q str: ColumnIndex<DbRow<D>> + Param<'q, Db<D>>,
    usize: ColumnIndex<DbRow<D>>,
    for<'q> &'q [u8]: Param<'q, Db<D>>,
    for<'q> Json<&'q Map<String, Value>>: Param<'q, Db<D>>,
    for<'q> Json<&'q Value>: Param<'q, Db<D>>,
    i32: Column<Db<D>>,
    i64: Column<Db<D>>,
    String: Column<Db<D>>,
    Option<String>: Column<Db<D>>,
    Option<i64>: Column<Db<D>>,
    Vec<u8>: Column<Db<D>>,
    Json<Map<String, Value>>: Column<Db<D>>,
    Json<Value>: Column<Db<D>>,
{
    async fn migrate(&self) -> Result<(), StoreError> {
        self.migrations
            .run(&self.pools.writes)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pools.reads)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<Resource>, StoreError> {
        match &self.by_id {
            Some(reader) => reader.get(scope, kind, id),
            None => self.get_resource(scope, kind, id).await,
        }
    }

    async fn get_json(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<StoredJson>, StoreError> {
        match &self.by_id {
            Some(reader) => reader.get_json(scope, kind, id),
            None => Ok(self
                .get_resource(scope, kind, id)
                .await?
                .map(StoredJson::from)),
        }
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Resource>, StoreError> {
        self.list_resources(query).await
    }

    async fn apply(&self, changes: Vec<Change>) -> Result<(), StoreError> {
        self.apply_changes(changes).await
    }

    async fn events_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.events_after_seq(after_seq, limit).await
    }

    async fn transaction_mark(&self) -> Result<Option<i64>, StoreError> {
        let Some(sql) = D::TRANSACTION_MARK else {
            return Ok(None);
        };
        let mark: i64 = sqlx::query_scalar(sql)
            .fetch_one(&self.pools.writes)
            .await
            .map_err(store_error)?;
        Ok(Some(mark))
    }

    async fn transactions_ended(&self, mark: i64) -> Result<bool, StoreError> {
        let ended: i64 = sqlx::query_scalar(D::TRANSACTIONS_ENDED)
            .bind(mark)
            .fetch_one(&self.pools.writes)
            .await
            .map_err(store_error)?;
        Ok(ended == 1)
    }

    async fn find_events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        self.events_matching(query).await
    }

    async fn create_account(
        &self,
        account: &Account,
        owner: &TeamMember,
    ) -> Result<(), StoreError> {
        self.insert_account(account, owner).await
    }

    async fn get_account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        self.account_by(AccountKey::Id, id).await
    }

    async fn find_account_by_name(&self, name: &str) -> Result<Option<Account>, StoreError> {
        self.account_by(AccountKey::Name, name).await
    }

    async fn count_accounts(&self) -> Result<u64, StoreError> {
        self.account_count().await
    }

    async fn insert_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        self.insert_key(key).await
    }

    async fn find_api_key(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.key_by_hash(hash).await
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.all_keys().await
    }

    async fn revoke_api_key(&self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        self.revoke_key(id, at_ms).await
    }
}
