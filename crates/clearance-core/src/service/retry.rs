//! Optimistic concurrency in one place. A write reads what it changes, decides, and commits with
//! the versions it read; when another writer got there first the store refuses with a conflict
//! and the whole write runs again, from the read.

use crate::error::{CoreError, Result};
use crate::store::StoreError;

/// How often a write runs before its conflict is given up on.
const WRITE_ATTEMPTS: usize = 5;

/// What one run of a write came to.
pub(super) enum Tried<T> {
    /// It committed (or found nothing to do) and answers this.
    Done(T),
    /// A version it read changed before it committed: run it again.
    Conflict,
}

impl<T> Tried<T> {
    /// How a commit ended: `Done(value)` when it committed, `Conflict` when a version it read
    /// had changed; any other store failure is the write's error.
    pub(super) fn committed(
        commit: std::result::Result<(), StoreError>,
        value: impl FnOnce() -> T,
    ) -> Result<Tried<T>> {
        match commit {
            Ok(()) => Ok(Tried::Done(value())),
            Err(StoreError::Conflict(_)) => Ok(Tried::Conflict),
            Err(e) => Err(e.into()),
        }
    }
}

/// Runs `write` until it is done, at most [`WRITE_ATTEMPTS`] times; `None` when every run met a
/// conflict (the caller decides whether that is an error or nothing to do). `write` is a plain
/// closure returning a future (`|| async move { … }` over references), which keeps the future
/// `Send` where an async closure's would not be provably so.
pub(super) async fn retry_on_conflict<T, Fut>(mut write: impl FnMut() -> Fut) -> Result<Option<T>>
where
    Fut: std::future::Future<Output = Result<Tried<T>>>,
{
    for _ in 0..WRITE_ATTEMPTS {
        if let Tried::Done(value) = write().await? {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// The error of a write that kept meeting conflicts (HTTP 409: the caller may retry).
pub(super) fn kept_changing(what: &str) -> CoreError {
    CoreError::Store(StoreError::Conflict(format!(
        "{what} kept changing; try again"
    )))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(f)
    }

    #[test]
    fn a_write_runs_again_after_a_conflict_and_gives_up_after_the_last() {
        let runs = Cell::new(0);
        let done = block_on(retry_on_conflict(|| async {
            runs.set(runs.get() + 1);
            let commit = if runs.get() < 3 {
                Err(StoreError::Conflict("changed".into()))
            } else {
                Ok(())
            };
            Tried::committed(commit, || runs.get())
        }));
        assert_eq!(done.expect("no error"), Some(3));

        runs.set(0);
        let never = block_on(retry_on_conflict(|| async {
            runs.set(runs.get() + 1);
            Tried::<()>::committed(Err(StoreError::Conflict("changed".into())), || ())
        }));
        assert_eq!(never.expect("no error"), None);
        assert_eq!(runs.get(), WRITE_ATTEMPTS);

        let failed = block_on(retry_on_conflict(|| async {
            Tried::<()>::committed(Err(StoreError::NotFound), || ())
        }));
        assert!(matches!(
            failed,
            Err(CoreError::Store(StoreError::NotFound))
        ));
    }
}
