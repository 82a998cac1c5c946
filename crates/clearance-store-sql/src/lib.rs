//! The SQL of Clearance's stores, written once for SQLite and PostgreSQL.
//!
//! [`SqlStore`] implements the core's `Store` and `ListStore` ports and the job queue's
//! `JobQueue` and `Leases` with one set of statements, generic over the sqlx database. An
//! adapter opens the [`Pools`], brings its migrations, implements [`Dialect`] for the little SQL
//! that really differs and may read one resource by id faster than sqlx does ([`ReadById`]).
//!
//! Two things that look as if they differ do not:
//! - Parameters are numbered `$1`, `$2`, … everywhere. That is PostgreSQL's form and one of
//!   SQLite's (`$NNN`), and sqlx's SQLite driver binds `$N` to the N-th argument.
//! - JSON documents are bound and read as sqlx's `Json`, which is `TEXT` on SQLite and `jsonb`
//!   (binary, no `::jsonb` or `::text` casts needed) on PostgreSQL.

mod accounts;
mod dialect;
mod dynamic_query;
mod events;
mod jobs;
mod leases;
mod maintenance;
mod reference_data;
mod resources;
mod screening_list_deltas;
mod screening_lists;
mod store;

use std::marker::PhantomData;
use std::sync::Arc;

use clearance_core::Scope;
use clearance_core::store::{Resource, ResourceKind, StoreError, StoredJson};
use clearance_jobs::QueueError;
use sqlx::migrate::Migrator;
use sqlx::{Database, Decode, Encode, Pool, Type};

pub use dialect::Dialect;
pub use dynamic_query::DynamicQuery;

/// The pools a store runs its statements on; an adapter may pass one pool for several roles.
pub struct Pools<DB: Database> {
    /// Change sets and every other write that must survive a crash once answered.
    pub writes: Pool<DB>,
    /// Reads.
    pub reads: Pool<DB>,
    /// The job queue's bookkeeping: claims, heartbeats, completions and releases. Losing one of
    /// these in a crash only makes a job run again, so this pool may commit without waiting for
    /// the disk.
    pub queue: Pool<DB>,
}

impl<DB: Database> Clone for Pools<DB> {
    fn clone(&self) -> Self {
        Pools {
            writes: self.writes.clone(),
            reads: self.reads.clone(),
            queue: self.queue.clone(),
        }
    }
}

/// A faster way to read one resource by id than the shared `SELECT` through sqlx. It answers
/// synchronously, on the calling task, so it must be cheap (SQLite's primary-key read is).
pub trait ReadById: Send + Sync {
    /// As `Store::get`.
    fn get(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<Resource>, StoreError>;

    /// As `Store::get_json`.
    fn get_json(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<StoredJson>, StoreError>;

    /// As `Maintenance::scan_kind` (run on a blocking thread: a page is thousands of rows);
    /// `None` when this reader leaves scans to the shared `SELECT`.
    fn scan_kind(
        &self,
        _kind: ResourceKind,
        _after_id: Option<&str>,
        _limit: u32,
    ) -> Option<Result<Vec<Resource>, StoreError>> {
        None
    }
}

/// A store on one SQL database, speaking dialect `D`.
pub struct SqlStore<D: Dialect> {
    pools: Pools<D::Db>,
    migrations: &'static Migrator,
    by_id: Option<Arc<dyn ReadById>>,
    dialect: PhantomData<fn() -> D>,
}

impl<D: Dialect> Clone for SqlStore<D> {
    fn clone(&self) -> Self {
        SqlStore {
            pools: self.pools.clone(),
            migrations: self.migrations,
            by_id: self.by_id.clone(),
            dialect: PhantomData,
        }
    }
}

impl<D: Dialect> SqlStore<D> {
    /// A store on `pools`, whose schema `migrations` bring up to date.
    pub fn new(pools: Pools<D::Db>, migrations: &'static Migrator) -> Self {
        SqlStore {
            pools,
            migrations,
            by_id: None,
            dialect: PhantomData,
        }
    }

    /// Reads by id go through `reader` instead of the shared `SELECT`.
    #[must_use]
    pub fn reading_by_id_with(mut self, reader: impl ReadById + 'static) -> Self {
        self.by_id = Some(Arc::new(reader));
        self
    }
}

/// A Rust type the statements read from a column of `DB` (and may bind as a parameter).
pub trait Column<DB: Database>: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> {}

impl<DB: Database, T> Column<DB> for T where
    T: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>
{
}

/// A borrowed value the statements bind as a parameter of `DB`.
pub trait Param<'q, DB: Database>: Type<DB> + Encode<'q, DB> {}

impl<'q, DB: Database, T> Param<'q, DB> for T where T: Type<DB> + Encode<'q, DB> {}

// Shorthands for the bounds of the generic statements.
type Db<D> = <D as Dialect>::Db;
type DbConnection<D> = <Db<D> as Database>::Connection;
type DbArguments<'q, D> = <Db<D> as Database>::Arguments<'q>;
type DbRow<D> = <Db<D> as Database>::Row;

/// A database error as the store port reports it: a unique violation is a conflict.
pub fn store_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// A database error as the job queue reports it: a unique violation is a duplicate job id.
fn queue_error(e: sqlx::Error) -> QueueError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            QueueError::Duplicate(db.message().to_string())
        }
        _ => QueueError::Backend(e.to_string()),
    }
}
