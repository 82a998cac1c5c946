//! Choosing the store from the database URL and assembling the application.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use clearance_api::{ApiConfig, AppState};
use clearance_core::blobs::Blobs;
use clearance_core::clock::SystemClock;
use clearance_core::resources::Rules;
use clearance_core::service::Services;
use clearance_core::store::Store;
use clearance_store_postgres::PgStore;
use clearance_store_sqlite::SqliteStore;

/// Opens and migrates the store named by `database_url`, or the SQLite file in `data_dir`.
pub async fn open_store(
    database_url: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Arc::new(
                PgStore::connect(url, None)
                    .await
                    .context("connecting to PostgreSQL")?,
            )
        }
        Some(url) if url.starts_with("sqlite:") => {
            Arc::new(SqliteStore::connect(url).await.context("opening SQLite")?)
        }
        Some(other) => anyhow::bail!(
            "DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got a URL with scheme '{}')",
            other.split(':').next().unwrap_or_default()
        ),
        None => {
            create_private_dir(data_dir)?;
            Arc::new(
                SqliteStore::open(&data_dir.join("clearance.db"))
                    .await
                    .context("opening the SQLite database in the data folder")?,
            )
        }
    };
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    Ok(store)
}

/// Creates the data folder readable by its owner only.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating data folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting permissions of {}", dir.display()))?;
    }
    Ok(())
}

/// The HTTP application over a store.
pub fn build_app(
    store: Arc<dyn Store>,
    blobs: Arc<dyn Blobs>,
    config: ApiConfig,
    rules: Rules,
) -> Router {
    let services = Services::new(store, blobs, Arc::new(SystemClock), rules);
    clearance_api::router(AppState::new(services, config))
}
