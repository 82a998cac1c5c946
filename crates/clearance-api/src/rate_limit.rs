//! Per-caller token buckets: an API key (or an SDK token) may send `rate` requests per second,
//! with a burst of one second's worth. Buckets are per process. By default each node of a cluster
//! allows the whole rate; told how many nodes there are ([`RateLimiter::share_among`]), each
//! allows its share, so the cluster as a whole allows about `rate` behind an even balancer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue};
use clearance_core::Mode;

/// How many buckets are kept before idle ones are dropped. SDK tokens are short-lived and many,
/// so without this the map would grow with every token ever used.
const PRUNE_AT: usize = 10_000;

/// The buckets by caller, and the size at which idle ones are next dropped: twice what a
/// pruning kept, so that many busy callers do not make every new one scan the whole map.
struct Buckets {
    by_caller: HashMap<String, Bucket>,
    prune_at: usize,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The outcome of one check, with what the `RateLimit-*` headers report.
#[derive(Clone, Copy, Debug)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until a request would be allowed again (at least 1 when refused).
    pub reset_secs: u64,
}

impl Decision {
    /// The `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers.
    pub(crate) fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert("ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(self.reset_secs));
    }
}

/// Keyed token buckets for test and live callers.
pub struct RateLimiter {
    test: u32,
    live: u32,
    /// How many nodes share each caller's rate (1: this node allows all of it).
    nodes: AtomicU32,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    /// Limits in requests per second; 0 disables limiting for that mode.
    pub fn new(test: u32, live: u32) -> Self {
        RateLimiter {
            test,
            live,
            nodes: AtomicU32::new(1),
            buckets: Mutex::new(Buckets {
                by_caller: HashMap::new(),
                prune_at: PRUNE_AT,
            }),
        }
    }

    /// From now on this node allows `1/nodes` of each rate (but at least one request per
    /// second, so a caller is never locked out by a large cluster).
    pub fn share_among(&self, nodes: u32) {
        self.nodes.store(nodes.max(1), Ordering::Relaxed);
    }

    /// Drops every bucket idle for a second or more and starts the size-triggered pruning
    /// over; answers how many buckets are kept. Pruning on size alone keeps up to `PRUNE_AT`
    /// idle buckets (and, after a busy spell, twice the peak) for as long as no new caller
    /// arrives: mostly SDK tokens used for one capture and never again. Run periodically.
    pub fn sweep_idle(&self) -> usize {
        self.sweep_idle_at(Instant::now())
    }

    fn sweep_idle_at(&self, now: Instant) -> usize {
        let Ok(mut guard) = self.buckets.lock() else {
            return 0;
        };
        let state = &mut *guard;
        state.by_caller.retain(|_, b| !Self::refilled(b, now));
        state.by_caller.shrink_to_fit();
        state.prune_at = PRUNE_AT.max(state.by_caller.len() * 2);
        state.by_caller.len()
    }

    /// A bucket untouched for a second has refilled (the burst is one second's worth):
    /// dropping it changes nothing for its caller.
    fn refilled(bucket: &Bucket, now: Instant) -> bool {
        now.saturating_duration_since(bucket.last).as_secs_f64() >= 1.0
    }

    /// Takes one token for `key_id`; `None` when limiting is off for the mode.
    pub fn check(&self, key_id: &str, mode: Mode) -> Option<Decision> {
        self.check_at(key_id, mode, Instant::now())
    }

    fn check_at(&self, key_id: &str, mode: Mode, now: Instant) -> Option<Decision> {
        let rate = match mode {
            Mode::Test => self.test,
            Mode::Live => self.live,
        };
        if rate == 0 {
            return None;
        }
        let share = self.nodes.load(Ordering::Relaxed).max(1);
        let capacity = (f64::from(rate) / f64::from(share)).max(1.0);
        let mut guard = self.buckets.lock().ok()?;
        let state = &mut *guard;
        let buckets = &mut state.by_caller;
        // Look up by `&str` first: the key id is copied only the first time a key is seen.
        if !buckets.contains_key(key_id) {
            if buckets.len() >= state.prune_at {
                buckets.retain(|_, b| !Self::refilled(b, now));
                state.prune_at = PRUNE_AT.max(buckets.len() * 2);
            }
            buckets.insert(
                key_id.to_string(),
                Bucket {
                    tokens: capacity,
                    last: now,
                },
            );
        }
        let bucket = buckets.get_mut(key_id)?;
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * capacity).min(capacity);
        bucket.last = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let missing = (capacity - bucket.tokens).max(0.0);
        let reset = if allowed {
            (missing / capacity).ceil()
        } else {
            ((1.0 - bucket.tokens) / capacity).ceil().max(1.0)
        };
        Some(Decision {
            allowed,
            limit: rate,
            remaining: bucket.tokens.floor() as u32,
            reset_secs: reset as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_shared_rate_allows_this_nodes_part() {
        let limiter = RateLimiter::new(6, 10);
        limiter.share_among(3);
        let t0 = Instant::now();
        let allowed = (0..6)
            .filter(|_| limiter.check_at("k", Mode::Test, t0).unwrap().allowed)
            .count();
        assert_eq!(allowed, 2, "a third of 6 per second");
        let later = t0 + Duration::from_millis(500);
        assert!(limiter.check_at("k", Mode::Test, later).unwrap().allowed);
        assert!(!limiter.check_at("k", Mode::Test, later).unwrap().allowed);
        let decision = limiter.check_at("other", Mode::Test, later).unwrap();
        assert_eq!(decision.limit, 6, "headers state the key's rate");
        limiter.share_among(100);
        let small = (0..3)
            .filter(|_| limiter.check_at("new", Mode::Test, later).unwrap().allowed)
            .count();
        assert_eq!(small, 1, "never less than one per second");
    }

    #[test]
    fn a_burst_of_one_second_then_refills() {
        let limiter = RateLimiter::new(5, 10);
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(
                limiter.check_at("k", Mode::Test, t0).unwrap().allowed,
                "request {i}"
            );
        }
        let refused = limiter.check_at("k", Mode::Test, t0).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 1);
        assert!(
            limiter.check_at("other", Mode::Test, t0).unwrap().allowed,
            "keys are separate"
        );
        assert!(
            limiter
                .check_at("k", Mode::Test, t0 + Duration::from_millis(200))
                .unwrap()
                .allowed
        );
    }

    #[test]
    fn idle_buckets_are_dropped_once_there_are_many() {
        let limiter = RateLimiter::new(2, 2);
        let t0 = Instant::now();
        for i in 0..PRUNE_AT {
            limiter.check_at(&format!("token-{i}"), Mode::Live, t0);
        }
        limiter.check_at("busy", Mode::Live, t0 + Duration::from_millis(1500));
        limiter.check_at("busy", Mode::Live, t0 + Duration::from_millis(1500));
        limiter.check_at("new", Mode::Live, t0 + Duration::from_millis(1600));
        let buckets = limiter.buckets.lock().unwrap();
        assert_eq!(
            buckets.by_caller.len(),
            2,
            "only the recently used buckets are kept"
        );
        drop(buckets);
        assert!(
            !limiter
                .check_at("busy", Mode::Live, t0 + Duration::from_millis(1600))
                .unwrap()
                .allowed,
            "a kept bucket keeps its count"
        );
    }

    #[test]
    fn many_busy_callers_move_the_next_pruning_further() {
        let limiter = RateLimiter::new(2, 2);
        let t0 = Instant::now();
        for i in 0..=PRUNE_AT {
            limiter.check_at(&format!("token-{i}"), Mode::Live, t0);
        }
        // All were busy: the pruning kept them and set the next one at twice their number.
        let buckets = limiter.buckets.lock().unwrap();
        assert_eq!(buckets.by_caller.len(), PRUNE_AT + 1);
        assert_eq!(buckets.prune_at, PRUNE_AT * 2);
    }

    #[test]
    fn a_sweep_drops_idle_buckets_however_few() {
        let limiter = RateLimiter::new(2, 2);
        let t0 = Instant::now();
        for i in 0..100 {
            limiter.check_at(&format!("sdk:token-{i}"), Mode::Live, t0);
        }
        for _ in 0..2 {
            limiter.check_at("busy", Mode::Live, t0 + Duration::from_millis(1500));
        }
        // Far fewer than PRUNE_AT: pruning on size alone would keep them all for good.
        assert_eq!(
            limiter.sweep_idle_at(t0 + Duration::from_millis(1600)),
            1,
            "only the busy bucket is kept"
        );
        assert!(
            !limiter
                .check_at("busy", Mode::Live, t0 + Duration::from_millis(1600))
                .unwrap()
                .allowed,
            "a kept bucket keeps its count"
        );
    }

    #[test]
    fn a_sweep_after_a_busy_spell_brings_the_pruning_point_back() {
        let limiter = RateLimiter::new(2, 2);
        let t0 = Instant::now();
        for i in 0..=PRUNE_AT {
            limiter.check_at(&format!("token-{i}"), Mode::Live, t0);
        }
        assert_eq!(limiter.buckets.lock().unwrap().prune_at, PRUNE_AT * 2);
        assert_eq!(limiter.sweep_idle_at(t0 + Duration::from_secs(2)), 0);
        assert_eq!(limiter.buckets.lock().unwrap().prune_at, PRUNE_AT);
    }

    #[test]
    fn zero_disables() {
        assert!(RateLimiter::new(0, 0).check("k", Mode::Live).is_none());
    }
}
