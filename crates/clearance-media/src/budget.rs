//! One budget of decoded pixels for the whole process: each decode reserves what its pixels
//! will take before it allocates them, and gives the reservation back only when the decode has
//! really ended, even if whoever waited for it gave up. Thirty small PNG bombs at once then wait
//! for each other instead of taking thirty times the memory (#21, finding 4).

use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The budget's unit: one mebibyte of decoded pixels.
const MIB: u64 = 1024 * 1024;

/// What decodes may hold at once in the process.
pub const DEFAULT_BUDGET_MIB: u32 = 1024;

/// A shared budget of decoded-pixel memory.
#[derive(Clone)]
pub struct DecodeBudget {
    units: Arc<Semaphore>,
    total: u32,
    in_use: Arc<AtomicU32>,
    peak: Arc<AtomicU32>,
}

/// A reservation, given back when dropped.
pub struct Reservation {
    _permit: OwnedSemaphorePermit,
    units: u32,
    in_use: Arc<AtomicU32>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.in_use.fetch_sub(self.units, Ordering::Relaxed);
    }
}

impl DecodeBudget {
    /// A budget of `mib` mebibytes of decoded pixels.
    pub fn new(mib: u32) -> Self {
        let total = mib.max(1);
        DecodeBudget {
            units: Arc::new(Semaphore::new(total as usize)),
            total,
            in_use: Arc::default(),
            peak: Arc::default(),
        }
    }

    /// The process's budget.
    pub fn global() -> &'static DecodeBudget {
        static GLOBAL: LazyLock<DecodeBudget> =
            LazyLock::new(|| DecodeBudget::new(DEFAULT_BUDGET_MIB));
        &GLOBAL
    }

    /// Waits until `bytes` of decoded pixels fit, and reserves them (a decode larger than the
    /// whole budget waits for all of it). `None` only if the budget was closed, which nothing
    /// does.
    pub async fn reserve(&self, bytes: u64) -> Option<Reservation> {
        let units = u32::try_from(bytes.div_ceil(MIB))
            .unwrap_or(u32::MAX)
            .clamp(1, self.total);
        let permit = self.units.clone().acquire_many_owned(units).await.ok()?;
        let now = self.in_use.fetch_add(units, Ordering::Relaxed) + units;
        self.peak.fetch_max(now, Ordering::Relaxed);
        Some(Reservation {
            _permit: permit,
            units,
            in_use: self.in_use.clone(),
        })
    }

    /// The most mebibytes ever reserved at once (for tests and metrics).
    pub fn peak_mib(&self) -> u32 {
        self.peak.load(Ordering::Relaxed)
    }
}
