//! The hot read path (`get` by id) on plain rusqlite connections driven from the blocking pool:
//! sqlx's SQLite driver costs several times more per query, and reading one resource by id is
//! what API clients do most. Writes and everything else stay on sqlx.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clearance_core::store::{Resource, ResourceKind, StoreError};
use clearance_core::{Mode, Scope};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

const GET_SQL: &str = "SELECT id, account_id, mode, kind, client_id, created_at, updated_at, version, body \
     FROM resources WHERE id = ?1 AND account_id = ?2 AND mode = ?3 AND kind = ?4";
const MAX_IDLE: usize = 8;

/// A small pool of read-only connections.
#[derive(Clone)]
pub(crate) struct FastReader {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl FastReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        FastReader {
            path: Arc::new(path),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn connection(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = self.idle.lock().map_err(backend)?.pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            self.path.as_ref(),
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

    pub(crate) async fn get(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<Option<Resource>, StoreError> {
        let conn = self.connection()?;
        let found = read(&conn, scope, kind, id);
        self.give_back(conn);
        found
    }
}

fn read(
    conn: &Connection,
    scope: &Scope,
    kind: ResourceKind,
    id: &str,
) -> Result<Option<Resource>, StoreError> {
    let mut stmt = conn.prepare_cached(GET_SQL).map_err(backend)?;
    let row = stmt
        .query_row(
            (id, &scope.account_id, scope.mode.as_str(), kind.as_str()),
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, i64>(6)?,
                    row.get::<_, i64>(7)?,
                    row.get::<_, String>(8)?,
                ))
            },
        )
        .optional()
        .map_err(backend)?;
    let Some((id, account_id, mode, client_id, created_at, updated_at, version, body)) = row else {
        return Ok(None);
    };
    let corrupt = |what: &str| StoreError::Backend(format!("corrupt resource row: {what}"));
    Ok(Some(Resource {
        id,
        scope: Scope::new(
            account_id,
            Mode::parse(&mode).ok_or_else(|| corrupt("mode"))?,
        ),
        kind,
        client_id,
        created_at,
        updated_at,
        version,
        body: serde_json::from_str(&body).map_err(|_| corrupt("body"))?,
    }))
}
