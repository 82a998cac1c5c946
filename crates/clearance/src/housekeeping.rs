//! The periodic housekeeping loop every `serve` process runs: it drops this process's idle
//! rate-limit buckets, and, on one process of the cluster at a time, removes what retention no
//! longer keeps (`Services::housekeep`).

use std::time::Duration;

use clearance_api::AppState;
use clearance_core::service::{Retention, Services};

/// The lease that lets one server of a cluster sweep the database per interval.
const LEASE: &str = "housekeeping";

/// Sweeps every `interval` until `shutdown`, the first time at once. The database part runs
/// under the `housekeeping` lease, taken until the next round and never released: another
/// server finds it held and skips, and takes it over once its deadline passes (the holder
/// stopped, or it is simply that server's turn). So the sweep runs about once per interval in
/// the whole cluster, like a scheduled job, without a job row to keep alive.
pub async fn run_housekeeping(
    services: Services,
    api: AppState,
    node_id: String,
    retention: Retention,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
    loop {
        let kept = api.sweep_idle_rate_limits();
        tracing::debug!(buckets = kept, "idle rate-limit buckets dropped");
        let now = services.now_ms();
        let turn = services
            .store()
            .take_lease(LEASE, &node_id, now, now.saturating_add(interval_ms))
            .await;
        match turn {
            Ok(true) => sweep_database(&services, &retention).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping could not take its turn"),
        }
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(interval) => {}
        }
        if shutdown.has_changed().is_err() || *shutdown.borrow() {
            return;
        }
    }
}

/// One round's database work. Failures are logged, not fatal: the next round tries again.
async fn sweep_database(services: &Services, retention: &Retention) {
    match services.housekeep(retention).await {
        Ok(swept) if swept.is_empty() => {}
        Ok(swept) => tracing::info!(
            events = swept.events,
            webhook_attempts = swept.webhook_attempts,
            dead_jobs = swept.dead_jobs,
            leases = swept.leases,
            token_uses = swept.token_uses,
            idempotency_keys = swept.idempotency_keys,
            "housekeeping removed records past their retention"
        ),
        Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
    }
    // Secrets a server of the previous version wrote in plain text during a rolling upgrade.
    seal_plaintext_secrets(services).await;
}

/// Seals the webhook secrets still stored in plain text (run once at start, then each round).
pub async fn seal_plaintext_secrets(services: &Services) {
    match services.seal_plaintext_secrets().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(secrets = n, "webhook secrets sealed under the master key"),
        Err(e) => tracing::warn!(error = %e, "sealing stored webhook secrets failed"),
    }
}
