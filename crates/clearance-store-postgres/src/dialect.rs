//! PostgreSQL's answers to the SQL questions the shared statements leave open.

use clearance_core::store::AttrFilter;
use clearance_store_sql::{Dialect, DynamicQuery};
use sqlx::Postgres;
use sqlx::postgres::PgQueryResult;

/// PostgreSQL's SQL: `jsonb` paths through `#>>` and `#>`, row locks that skip locked rows.
pub struct PgDialect;

impl Dialect for PgDialect {
    type Db = Postgres;

    const GREATEST: &'static str = "GREATEST";

    const CLAIM_LOCK: &'static str = " FOR UPDATE SKIP LOCKED";

    // The next transaction id to be handed out, and the oldest one still running: once that
    // has passed the mark, every transaction that was running when it was taken has ended.
    const TRANSACTION_MARK: Option<&'static str> =
        Some("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");

    const TRANSACTIONS_ENDED: &'static str =
        "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint >= $1)::int::bigint";

    fn push_attr_filter(query: &mut DynamicQuery<'_, Postgres>, filter: &AttrFilter) {
        // Scalars compare by their text form (booleans as true/false); arrays match an element.
        query
            .push(" AND (body #>> ")
            .push_bind(filter.path.clone())
            .push(" = ")
            .push_bind(filter.value.clone())
            .push(" OR (jsonb_typeof(body #> ")
            .push_bind(filter.path.clone())
            .push(") = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(body #> ")
            .push_bind(filter.path.clone())
            .push(") AS e(v) WHERE e.v = ")
            .push_bind(filter.value.clone())
            .push(")))");
    }

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }
}
