//! A timer for hyper's header deadline that costs a few atomic operations per request instead
//! of an entry in tokio's timer wheel (#19: the per-request header timer was the one measured
//! cost the read path gained).
//!
//! hyper arms the header deadline on every keep-alive request and drops it as soon as the
//! headers are in: almost no deadline ever fires. A clock that a ticker task advances (instead of
//! a system call per request) and a small registry of waiting connections, which the ticker scans
//! for expired deadlines, keep that cheap; deadlines fire up to one tick late, which a deadline
//! measured in seconds does not notice.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// A hyper timer with a clock advanced every `tick`. Cheap to clone.
#[derive(Clone)]
pub struct CoarseTimer {
    shared: Arc<Shared>,
}

struct Shared {
    base: Instant,
    /// Milliseconds since `base`, as of the last tick. Written under the `waiting` lock, so a
    /// sleeper that reads it under the lock and finds itself not yet expired is sure to be seen
    /// by the next scan.
    now_ms: AtomicU64,
    waiting: Mutex<Registry>,
}

/// The sleepers that were polled before their deadline: a slab, so registering and leaving are
/// O(1) and allocation-free once it has grown to the number of open connections.
#[derive(Default)]
struct Registry {
    slots: Vec<Option<Waiting>>,
    free: Vec<usize>,
}

struct Waiting {
    deadline_ms: u64,
    waker: Waker,
}

impl CoarseTimer {
    /// Starts the ticker on the current tokio runtime; it stops when the last clone is dropped.
    pub fn start(tick: Duration) -> Self {
        let shared = Arc::new(Shared {
            base: Instant::now(),
            now_ms: AtomicU64::new(0),
            waiting: Mutex::new(Registry::default()),
        });
        tokio::spawn(tick_until_dropped(Arc::downgrade(&shared), tick));
        Self { shared }
    }
}

async fn tick_until_dropped(shared: Weak<Shared>, tick: Duration) {
    let mut ticks = tokio::time::interval(tick.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        shared.advance();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock leaves the registry consistent (every write is a
        // single assignment), so a poisoned lock is still usable.
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::Acquire)
    }

    fn ms_since_base(&self, at: Instant) -> u64 {
        // Rounded up, so a deadline never fires before its instant as the ticker sees it.
        let since = at.saturating_duration_since(self.base);
        u64::try_from(since.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    /// Moves the clock to the present and wakes every sleeper whose deadline has passed.
    fn advance(&self) {
        let now = self.ms_since_base(Instant::now());
        let mut registry = self.lock();
        self.now_ms.store(now, Ordering::Release);
        for waiting in registry.slots.iter_mut().flatten() {
            if waiting.deadline_ms <= now {
                // Left registered: the sleeper leaves when it is polled or dropped, and a
                // second wake-up at the next tick does no harm.
                waiting.waker.wake_by_ref();
            }
        }
    }
}

impl Registry {
    fn insert(&mut self, waiting: Waiting) -> usize {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(waiting);
                slot
            }
            None => {
                self.slots.push(Some(waiting));
                self.slots.len() - 1
            }
        }
    }

    fn remove(&mut self, slot: usize) {
        if let Some(entry) = self.slots.get_mut(slot)
            && entry.take().is_some()
        {
            self.free.push(slot);
        }
    }
}

impl Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoarseSleep {
            shared: self.shared.clone(),
            deadline_ms: self.shared.ms_since_base(deadline),
            slot: None,
        })
    }

    fn now(&self) -> Instant {
        self.shared.base + Duration::from_millis(self.shared.now_ms())
    }
}

/// One deadline. Registers with the ticker only when polled before it expires.
struct CoarseSleep {
    shared: Arc<Shared>,
    deadline_ms: u64,
    slot: Option<usize>,
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.shared.now_ms() >= this.deadline_ms {
            this.leave();
            return Poll::Ready(());
        }
        let mut registry = this.shared.lock();
        // Re-read under the lock: a tick between the read above and here would otherwise have
        // scanned the registry before this sleeper joined it.
        if this.shared.now_ms() >= this.deadline_ms {
            if let Some(slot) = this.slot.take() {
                registry.remove(slot);
            }
            return Poll::Ready(());
        }
        match this.slot.and_then(|slot| registry.slots.get_mut(slot)) {
            Some(Some(waiting)) => {
                if !waiting.waker.will_wake(cx.waker()) {
                    waiting.waker = cx.waker().clone();
                }
            }
            _ => {
                this.slot = Some(registry.insert(Waiting {
                    deadline_ms: this.deadline_ms,
                    waker: cx.waker().clone(),
                }));
            }
        }
        Poll::Pending
    }
}

impl CoarseSleep {
    fn leave(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.shared.lock().remove(slot);
        }
    }
}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        self.leave();
    }
}

impl Sleep for CoarseSleep {}

#[cfg(test)]
mod tests {
    use super::*;

    const TICK: Duration = Duration::from_millis(10);

    #[tokio::test]
    async fn a_sleep_ends_after_its_deadline_and_not_long_before() {
        let timer = CoarseTimer::start(TICK);
        let started = Instant::now();
        timer.sleep(Duration::from_millis(120)).await;
        let slept = started.elapsed();
        // The clock may lag the real one by a tick when the deadline is computed.
        assert!(
            slept >= Duration::from_millis(120) - TICK,
            "slept {slept:?}"
        );
        assert!(slept < Duration::from_secs(2), "slept {slept:?}");
    }

    #[tokio::test]
    async fn dropped_sleeps_leave_the_registry_and_their_slots_are_reused() {
        let timer = CoarseTimer::start(TICK);
        for _ in 0..100 {
            let mut sleep = timer.sleep(Duration::from_secs(60));
            // Polled once, so it registers, then dropped as hyper drops a header deadline.
            assert!(
                tokio::time::timeout(Duration::from_millis(1), &mut sleep)
                    .await
                    .is_err()
            );
        }
        let registry = timer.shared.lock();
        assert_eq!(registry.slots.iter().flatten().count(), 0);
        assert_eq!(registry.slots.len(), 1, "one slot, reused");
    }

    #[tokio::test]
    async fn many_waiting_sleeps_all_end() {
        let timer = CoarseTimer::start(TICK);
        let sleeps: Vec<_> = (0..50)
            .map(|i| timer.sleep(Duration::from_millis(20 + i)))
            .collect();
        tokio::time::timeout(
            Duration::from_secs(5),
            futures_util::future::join_all(sleeps),
        )
        .await
        .expect("every sleep ends");
        assert_eq!(timer.shared.lock().slots.iter().flatten().count(), 0);
    }
}
