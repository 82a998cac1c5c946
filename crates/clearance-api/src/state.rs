//! What every handler shares: the domain services, key cache, rate limiter, metrics and config.

use std::sync::Arc;

use clearance_core::service::Services;
use clearance_jobs::WorkerStats;

use crate::auth::KeyCache;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Requests per second per test key; 0 turns limiting off.
    pub rate_limit_test: u32,
    /// Requests per second per live key; 0 turns limiting off.
    pub rate_limit_live: u32,
    /// Requests per second per hosted-flow link (its unauthenticated endpoints); 0 turns
    /// limiting off.
    pub rate_limit_flow: u32,
    /// Requests per second from one client address (an IPv6 /64) to the hosted flow's
    /// endpoints, whatever the link, checked before the link is looked up; 0 turns it off.
    pub rate_limit_flow_address: u32,
    /// The header a trusted reverse proxy puts the client's address in (its last value is
    /// used), e.g. `x-forwarded-for`; without it, the connection's peer address.
    pub client_ip_header: Option<String>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// The external base URL (scheme, host, optional port and path prefix, no trailing slash)
    /// for links the server hands out, such as a flow session's `redirectUrl`.
    pub public_url: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            rate_limit_test: 5,
            rate_limit_live: 10,
            rate_limit_flow: 10,
            rate_limit_flow_address: 50,
            client_ip_header: None,
            max_body_bytes: 6 * 1024 * 1024,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// What every handler shares, behind one `Arc` in [`AppState`].
#[derive(Clone)]
pub struct Shared {
    pub(crate) services: Services,
    pub(crate) config: Arc<ApiConfig>,
    pub(crate) keys: Arc<KeyCache>,
    pub(crate) limiter: Arc<RateLimiter>,
    /// Per-link buckets for the hosted flow's unauthenticated endpoints.
    pub(crate) flow_limiter: Arc<RateLimiter>,
    /// Per-address buckets for the same endpoints, across links.
    pub(crate) flow_address_limiter: Arc<RateLimiter>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) job_stats: Option<Arc<WorkerStats>>,
    /// Set when the process starts shutting down: `/readyz` answers 503 from then on, so load
    /// balancers stop sending before the listener closes.
    pub(crate) draining: Arc<std::sync::atomic::AtomicBool>,
}

/// The state behind every handler. One `Arc`: the middleware and extractors clone it several
/// times per request, and a single reference count is the cheapest thing to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Builds the state from the services and settings.
    pub fn new(services: Services, config: ApiConfig) -> Self {
        AppState(Arc::new(Shared {
            services,
            limiter: Arc::new(RateLimiter::new(
                config.rate_limit_test,
                config.rate_limit_live,
            )),
            flow_limiter: Arc::new(RateLimiter::new(
                config.rate_limit_flow,
                config.rate_limit_flow,
            )),
            flow_address_limiter: Arc::new(RateLimiter::new(
                config.rate_limit_flow_address,
                config.rate_limit_flow_address,
            )),
            config: Arc::new(config),
            keys: Arc::new(KeyCache::default()),
            metrics: Arc::new(Metrics::default()),
            job_stats: None,
            draining: Arc::default(),
        }))
    }

    /// Shares each key's rate among `nodes` servers (see the cluster rate-limit scope).
    pub fn share_rate_limits(&self, nodes: u32) {
        self.limiter.share_among(nodes);
    }

    /// Drops the rate-limit buckets of callers idle for a second or more; answers how many
    /// are kept (run periodically by housekeeping).
    pub fn sweep_idle_rate_limits(&self) -> usize {
        self.limiter.sweep_idle()
            + self.flow_limiter.sweep_idle()
            + self.flow_address_limiter.sweep_idle()
    }

    /// Marks the process as shutting down: readiness fails from now on.
    pub fn start_draining(&self) {
        self.draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Exposes this process's job counters on `/metrics`.
    pub fn with_job_stats(mut self, stats: Arc<WorkerStats>) -> Self {
        Arc::make_mut(&mut self.0).job_stats = Some(stats);
        self
    }
}
