//! SQLite's answers to the SQL questions the shared statements leave open.

use clearance_core::store::AttrFilter;
use clearance_store_sql::{Dialect, DynamicQuery};
use sqlx::Sqlite;
use sqlx::sqlite::SqliteQueryResult;

/// SQLite's SQL: JSON paths through `json_extract`, `json_type` and `json_each`.
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    type Db = Sqlite;

    const GREATEST: &'static str = "MAX";

    // The single writer connection runs one claim at a time.
    const CLAIM_LOCK: &'static str = "";

    // One writer: an event becomes visible before the next one takes its number, so a gap in
    // the outbox's sequence is never a transaction still running.
    const TRANSACTION_MARK: Option<&'static str> = None;

    const TRANSACTIONS_ENDED: &'static str = "SELECT 1 + 0 * $1";

    fn push_attr_filter(query: &mut DynamicQuery<'_, Sqlite>, filter: &AttrFilter) {
        let path = json_path(&filter.path);
        // Scalars compare by their text form (booleans as true/false); arrays match an element.
        query
            .push(" AND ((CASE json_type(body, ")
            .push_bind(path.clone())
            .push(
                ") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(body, ",
            )
            .push_bind(path.clone())
            .push(") AS TEXT) END) = ")
            .push_bind(filter.value.clone())
            .push(" OR (json_type(body, ")
            .push_bind(path.clone())
            .push(") = 'array' AND EXISTS (SELECT 1 FROM json_each(body, ")
            .push_bind(path)
            .push(") WHERE CAST(value AS TEXT) = ")
            .push_bind(filter.value.clone())
            .push(")))");
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }
}

/// A JSON path such as `$."personDetails"."firstName"`; segments were checked by the core.
fn json_path(segments: &[String]) -> String {
    let mut path = String::from("$");
    for s in segments {
        path.push_str(&format!(".\"{}\"", s.replace('"', "")));
    }
    path
}
