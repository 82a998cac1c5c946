//! Statements put together at run time (filters, `IN` lists), for any sqlx database.
//!
//! sqlx's `QueryBuilder` lends its statement out by reference, with arguments typed by the
//! lifetime of what they borrow. Where that type is generic (`DB::Arguments<'args>`) it cannot
//! be shortened to the lend, so the builder stays borrowed until it is dropped and the borrow
//! checker refuses the query. This builder hands over its text and its arguments instead.

use sqlx::{Arguments, Database, Encode, Type};

/// SQL text with its arguments, bound in the order their placeholders appear.
pub struct DynamicQuery<'q, DB: Database> {
    sql: String,
    arguments: DB::Arguments<'q>,
    /// The first value that failed to encode, reported by [`DynamicQuery::into_parts`].
    failed: Option<sqlx::Error>,
}

impl<'q, DB: Database> DynamicQuery<'q, DB> {
    /// A statement starting with `sql`.
    pub fn new(sql: impl Into<String>) -> Self {
        DynamicQuery {
            sql: sql.into(),
            arguments: Default::default(),
            failed: None,
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`, in the database's own form.
    pub fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        if let Err(e) = self.arguments.add(value) {
            self.failed.get_or_insert(sqlx::Error::Encode(e));
        }
        if let Err(e) = self.arguments.format_placeholder(&mut self.sql) {
            self.failed.get_or_insert(sqlx::Error::Encode(e.into()));
        }
        self
    }

    /// Appends placeholders for `values`, separated by commas.
    pub fn push_binds<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// The statement and its arguments, for `sqlx::query_with(&sql, arguments)`.
    ///
    /// # Errors
    /// The first value that could not be encoded.
    pub fn into_parts(self) -> Result<(String, DB::Arguments<'q>), sqlx::Error> {
        match self.failed {
            Some(e) => Err(e),
            None => Ok((self.sql, self.arguments)),
        }
    }
}
