//! `serve`'s refresh of the configured list sources. Every server runs the loop; a source is due
//! when its last attempt (stored, so shared by the cluster and kept across restarts) is an
//! interval old, and due sources are fetched under the `lists-fetch` lease, so one server of a
//! cluster fetches at a time.

use std::sync::Arc;
use std::time::Duration;

use clearance_core::clock::Clock;
use clearance_core::store::Store;

use super::refresh::{FetchSettings, fetch_source};
use super::sources::Source;

/// The lease that lets one server of a cluster fetch.
pub const LEASE: &str = "lists-fetch";

/// How often the loop looks for due sources, at most: a failed fetch is retried an interval
/// later, and a server that died holding the lease is taken over within this much of its end.
const TICK: Duration = Duration::from_secs(60);

/// Checks for due sources every minute (the first time at once) until `shutdown`.
pub async fn run_refresh(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: FetchSettings,
    sources: Vec<&'static Source>,
    node_id: String,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        refresh_due(
            store.as_ref(),
            clock.as_ref(),
            &settings,
            &sources,
            &node_id,
            interval,
        )
        .await;
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(TICK.min(interval)) => {}
        }
        if shutdown.has_changed().is_err() || *shutdown.borrow() {
            return;
        }
    }
}

/// Fetches the sources whose last attempt is `interval` old (or that were never fetched) when
/// this node gets the lease; answers how many it fetched. Errors are logged, not returned: the
/// next round tries again.
pub async fn refresh_due(
    store: &dyn Store,
    clock: &dyn Clock,
    settings: &FetchSettings,
    sources: &[&'static Source],
    node_id: &str,
    interval: Duration,
) -> usize {
    let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
    // Long enough for one source's every file to time out, renewed before each source.
    let hold_ms = i64::try_from(
        settings
            .downloader
            .timeout()
            .saturating_mul(5)
            .saturating_add(Duration::from_secs(300))
            .as_millis(),
    )
    .unwrap_or(i64::MAX);
    let due = |states: &[clearance_core::screening_lists::FetchState], now: i64| {
        sources
            .iter()
            .copied()
            .filter(|s| {
                states
                    .iter()
                    .find(|st| st.source == s.code)
                    .is_none_or(|st| now.saturating_sub(st.attempted_at) >= interval_ms)
            })
            .collect::<Vec<_>>()
    };
    let now = clock.now_ms();
    let states = match store.list_fetch_states().await {
        Ok(states) => states,
        Err(e) => {
            tracing::warn!(error = %e, "reading the list fetch state failed");
            return 0;
        }
    };
    if due(&states, now).is_empty() {
        return 0;
    }
    match store
        .take_lease(LEASE, node_id, now, now.saturating_add(hold_ms))
        .await
    {
        Ok(true) => {}
        Ok(false) => return 0,
        Err(e) => {
            tracing::warn!(error = %e, "the list fetch lease could not be taken");
            return 0;
        }
    }
    // Read again under the lease: another node may have fetched them a moment ago.
    let states = store.list_fetch_states().await.unwrap_or(states);
    let mut fetched = 0;
    for source in due(&states, now) {
        let now = clock.now_ms();
        match store
            .renew_lease(LEASE, node_id, now.saturating_add(hold_ms))
            .await
        {
            Ok(true) => {}
            // Taken over (this node stalled past the deadline): the new holder goes on.
            Ok(false) | Err(_) => return fetched,
        }
        // The outcome is logged and recorded by `fetch_source`.
        let _ = fetch_source(store, settings, source, now).await;
        fetched += 1;
    }
    if let Err(e) = store.release_lease(LEASE, node_id).await {
        tracing::debug!(error = %e, "releasing the list fetch lease failed; it lapses");
    }
    fetched
}
