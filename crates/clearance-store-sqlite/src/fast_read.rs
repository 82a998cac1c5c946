//! The hot read path (`get` by id) on plain rusqlite connections, run inline on the calling
//! task: no blocking pool, no worker thread. A primary-key read of a WAL database takes
//! microseconds, less than handing it to another thread would; sqlx's SQLite driver (a worker
//! thread and channels per query) costs several times more, and reading one resource by id is
//! what API clients do most. Writes and everything else stay on sqlx.

use std::path::PathBuf;
use std::sync::Mutex;

use clearance_core::store::{Resource, ResourceKind, StoreError, StoredJson};
use clearance_core::{Mode, Scope};
use clearance_store_sql::ReadById;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};

const GET_SQL: &str = "SELECT client_id, created_at, updated_at, version, body \
     FROM resources WHERE id = ?1 AND account_id = ?2 AND mode = ?3 AND kind = ?4";
const SCAN_SQL: &str = "SELECT id, account_id, mode, client_id, created_at, updated_at, version, \
     body FROM resources WHERE kind = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
const MAX_IDLE: usize = 8;

/// A small pool of read-only connections.
pub(crate) struct FastReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl FastReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        FastReader {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn connection(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = self.idle.lock().map_err(backend)?.pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(backend)?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
    }

    /// Runs [`GET_SQL`] on a pooled connection. The id, account, mode and kind are the ones
    /// asked for (the columns compare bytewise), so `columns` reads only the rest.
    fn query_one<T>(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
        columns: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        let conn = self.connection()?;
        let found = conn
            .prepare_cached(GET_SQL)
            .and_then(|mut stmt| {
                stmt.query_row(
                    (id, &scope.account_id, scope.mode.as_str(), kind.as_str()),
                    columns,
                )
                .optional()
            })
            .map_err(backend);
        self.give_back(conn);
        found
    }
}

impl ReadById for FastReader {
    fn get(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<Resource>, StoreError> {
        // The body is parsed straight from SQLite's buffer.
        let row = self.query_one(scope, kind, id, |row| {
            let body = match row.get_ref(4)? {
                ValueRef::Text(text) => serde_json::from_slice::<Map<String, Value>>(text).ok(),
                _ => None,
            };
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                body,
            ))
        })?;
        let Some((client_id, created_at, updated_at, version, body)) = row else {
            return Ok(None);
        };
        Ok(Some(Resource {
            id: id.to_string(),
            scope: scope.clone(),
            kind,
            client_id,
            created_at,
            updated_at,
            version,
            body: body.ok_or_else(corrupt_body)?,
        }))
    }

    /// The body is left as the stored JSON text.
    fn get_json(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<StoredJson>, StoreError> {
        let row = self.query_one(scope, kind, id, |row| {
            let body = match row.get_ref(4)? {
                ValueRef::Text(text) => std::str::from_utf8(text).ok().map(str::to_owned),
                _ => None,
            };
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?, body))
        })?;
        let Some((created_at, updated_at, body)) = row else {
            return Ok(None);
        };
        let stored = StoredJson {
            id: id.to_string(),
            kind,
            created_at,
            updated_at,
            body: body.ok_or_else(corrupt_body)?,
        };
        // Written by `serde_json` from a map, so an object; checked cheaply so that a damaged
        // row is an error rather than broken JSON on the wire.
        if stored.members().is_none() {
            return Err(corrupt_body());
        }
        Ok(Some(stored))
    }

    /// Every resource of a kind across scopes, by id: the bodies parsed straight from SQLite's
    /// buffer (sqlx's driver costs several microseconds more per row, which a monitoring run
    /// over a million registrations feels).
    fn scan_kind(
        &self,
        kind: ResourceKind,
        after_id: Option<&str>,
        limit: u32,
    ) -> Option<Result<Vec<Resource>, StoreError>> {
        Some(self.scan(kind, after_id.unwrap_or_default(), limit))
    }
}

impl FastReader {
    fn scan(
        &self,
        kind: ResourceKind,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Resource>, StoreError> {
        let conn = self.connection()?;
        let scanned = conn
            .prepare_cached(SCAN_SQL)
            .and_then(|mut stmt| {
                stmt.query_map((kind.as_str(), after, i64::from(limit)), |row| {
                    let body = match row.get_ref(7)? {
                        ValueRef::Text(text) => {
                            serde_json::from_slice::<Map<String, Value>>(text).ok()
                        }
                        _ => None,
                    };
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, i64>(4)?,
                        row.get::<_, i64>(5)?,
                        row.get::<_, i64>(6)?,
                        body,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(backend);
        self.give_back(conn);
        scanned?
            .into_iter()
            .map(
                |(id, account_id, mode, client_id, created_at, updated_at, version, body)| {
                    let mode = Mode::parse(&mode).ok_or_else(|| {
                        StoreError::Backend(format!("corrupt resource row: mode {mode}"))
                    })?;
                    Ok(Resource {
                        id,
                        scope: Scope::new(account_id, mode),
                        kind,
                        client_id,
                        created_at,
                        updated_at,
                        version,
                        body: body.ok_or_else(corrupt_body)?,
                    })
                },
            )
            .collect()
    }
}

fn corrupt_body() -> StoreError {
    StoreError::Backend("corrupt resource row: body".into())
}
