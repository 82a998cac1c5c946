//! What really differs between the SQL of the databases a [`crate::SqlStore`] runs on.

use clearance_core::store::AttrFilter;
use sqlx::Database;

use crate::DynamicQuery;

/// One database's answers to the few questions its SQL answers differently.
pub trait Dialect: 'static {
    /// The sqlx database.
    type Db: Database;

    /// The two-argument maximum: SQLite's scalar `MAX`, PostgreSQL's `GREATEST`.
    const GREATEST: &'static str;

    /// Ends the job claim's inner `SELECT … ORDER BY … LIMIT n`: PostgreSQL locks the chosen rows
    /// `FOR UPDATE SKIP LOCKED`, so servers claiming at once pass over each other's rows without
    /// waiting; SQLite needs nothing, its single writer connection already runs one claim at a
    /// time. Starts with a space when not empty.
    const CLAIM_LOCK: &'static str;

    /// A query answering one `BIGINT`: a mark of the transactions running now (every one of
    /// them has an id below it). `None` where writes become visible in the order they took
    /// their sequence numbers (SQLite's one writer).
    const TRANSACTION_MARK: Option<&'static str>;

    /// A query answering one `BIGINT`, 1 when every transaction running when the mark `$1` was
    /// taken has ended, else 0.
    const TRANSACTIONS_ENDED: &'static str;

    /// Appends ` AND (…)`: the body's attribute at `filter.path` equals `filter.value`, scalars
    /// compared by their text form (booleans as `true`/`false`), an array when one of its
    /// elements does. The path's segments were checked by the core.
    fn push_attr_filter(query: &mut DynamicQuery<'_, Self::Db>, filter: &AttrFilter);

    /// How many rows a statement changed (sqlx has no trait for it).
    fn rows_affected(done: &<Self::Db as Database>::QueryResult) -> u64;
}
