//! The job records a queue stores.

use serde_json::Value;

/// A job to put on a queue.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// Unique id; enqueuing an id twice is a conflict, which makes enqueues idempotent.
    pub id: String,
    /// Which handler runs it.
    pub queue: String,
    /// Handler input, small: ids to load, not the data itself.
    pub payload: Value,
    /// Not claimed before this time (epoch milliseconds).
    pub run_at_ms: i64,
    /// Attempts after which a failing job is buried instead of retried.
    pub max_attempts: u32,
    /// Whose work this is (an account, say): claims take turns between keys, so one key's
    /// backlog does not hold back another's next job (see [`crate::JobQueue::claim`]). Empty
    /// for work of nobody in particular.
    pub fair_key: String,
}

impl NewJob {
    /// A job to run as soon as possible, with the default number of attempts.
    pub fn now(
        id: impl Into<String>,
        queue: impl Into<String>,
        payload: Value,
        now_ms: i64,
    ) -> Self {
        NewJob {
            id: id.into(),
            queue: queue.into(),
            payload,
            run_at_ms: now_ms,
            max_attempts: 10,
            fair_key: String::new(),
        }
    }

    /// The same job, taking turns with the jobs of other keys.
    pub fn fair_to(mut self, key: impl Into<String>) -> Self {
        self.fair_key = key.into();
        self
    }
}

/// A claimed job, as a handler sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: String,
    pub queue: String,
    pub payload: Value,
    /// Including the current one, so the first run sees 1.
    pub attempts: u32,
    pub max_attempts: u32,
    pub created_at_ms: i64,
}
