//! From the outbox to per-endpoint delivery queues. A dispatcher step reads events after a shared
//! cursor and, for each (event, subscribed webhook) pair, commits a pending delivery record (the
//! endpoint's queue, ordered by event creation) and a delivery job, with the advanced cursor, in
//! one transaction.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};

use super::Services;
use super::retry::{Tried, retry_on_conflict};
use super::webhook_queue::{drain_job, pending_delivery};
use crate::error::Result;
use crate::events::StoredEvent;
use crate::resources::webhook::Webhook;
use crate::scope::{Mode, Scope};
use crate::store::{Change, ListQuery, Resource, ResourceKind};
use crate::typed;

/// How old the event after a gap in the outbox's sequence must be before the dispatcher asks
/// the database whether the gap can still fill. On PostgreSQL a sequence number is taken before
/// its transaction commits, so a later event often becomes visible first; such gaps fill within
/// milliseconds, and only one that stays open is looked into.
const GAP_SETTLE_MS: i64 = 2_000;
const CURSOR_ID: &str = "webhook-dispatch";
/// When this process last warned of a gap waiting over a minute (one warning a minute).
static LAST_GAP_WARNING: AtomicI64 = AtomicI64::new(0);

/// How far the dispatcher has read the outbox (`ResourceKind::DispatchCursor`).
#[derive(Clone, Serialize, Deserialize)]
struct DispatchCursor {
    /// The last event dispatched.
    seq: i64,
    /// A gap right after `seq` that is waiting for the transactions that could still fill it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gap: Option<GapWait>,
}

/// The transactions a gap waits for: those running when `mark` was taken (see
/// [`crate::store::Store::transaction_mark`]). Once they have all ended, a number still missing
/// was rolled back and can never appear: the gap is skipped, never guessed at by age.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct GapWait {
    after: i64,
    mark: i64,
}

/// What one look at the outbox found.
enum Readable {
    /// Events to dispatch, in order, without a gap among them.
    Events(Vec<StoredEvent>),
    /// Nothing yet; record this wait on the cursor.
    Wait(GapWait),
    /// Nothing yet.
    Nothing,
}

fn system_scope() -> Scope {
    Scope::new("_system", Mode::Live)
}

/// The events after `after` up to the first gap in the sequence.
fn contiguous_run(after: i64, events: Vec<StoredEvent>) -> Vec<StoredEvent> {
    let mut last = after;
    events
        .into_iter()
        .take_while(|e| {
            let next = e.seq == last + 1;
            if next {
                last = e.seq;
            }
            next
        })
        .collect()
}

impl Services {
    /// The sequence number of the last event the dispatcher has queued (0 before the first).
    /// Redelivery stays at or below it: the dispatcher inserts the deliveries of later events
    /// unconditionally, and one already there would fail its batch again and again.
    pub(crate) async fn dispatched_up_to(&self) -> Result<i64> {
        let cursor = self
            .store
            .get(&system_scope(), ResourceKind::DispatchCursor, CURSOR_ID)
            .await?;
        Ok(match cursor {
            Some(c) => typed::decode::<DispatchCursor>(&c)?.seq,
            None => 0,
        })
    }

    /// Reads up to `batch` settled events after the shared cursor and queues their deliveries;
    /// returns how many events it consumed. Safe to run in every process: the cursor is
    /// versioned, so a range is dispatched by exactly one of them.
    pub async fn dispatch_events(&self, batch: u32) -> Result<usize> {
        let scope = &system_scope();
        let dispatched = retry_on_conflict(|| async move {
            let cursor = self
                .store
                .get(scope, ResourceKind::DispatchCursor, CURSOR_ID)
                .await?;
            let state = match &cursor {
                Some(c) => typed::decode::<DispatchCursor>(c)?,
                None => DispatchCursor { seq: 0, gap: None },
            };
            let events = match self.readable(&state, batch).await? {
                Readable::Events(events) => events,
                Readable::Nothing => return Ok(Tried::Done(0)),
                Readable::Wait(gap) => {
                    let waiting = DispatchCursor {
                        gap: Some(gap),
                        ..state
                    };
                    let commit = self
                        .store
                        .apply(vec![cursor_change(cursor, &waiting, self.now_ms())])
                        .await;
                    return Tried::committed(commit, || 0);
                }
            };
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(Tried::Done(0));
            };
            let mut hooks: HashMap<Scope, Vec<(Resource, Webhook)>> = HashMap::new();
            let mut changes = Vec::new();
            let now = self.now_ms();
            for e in &events {
                if !hooks.contains_key(&e.event.scope) {
                    let list = self.enabled_webhooks(&e.event.scope).await?;
                    hooks.insert(e.event.scope.clone(), list);
                }
                for (hook, webhook) in hooks.get(&e.event.scope).into_iter().flatten() {
                    // A webhook receives what happens after it exists, not the backlog before.
                    if !webhook.receives(&e.event.event_type)
                        || e.event.created_at < hook.created_at
                    {
                        continue;
                    }
                    changes.push(Change::Insert(pending_delivery(hook, e, now)));
                    changes.push(Change::Enqueue(drain_job(
                        &e.event.scope,
                        &hook.id,
                        format!("{}:{}", hook.id, e.event.id),
                        now,
                    )));
                }
            }
            let advanced = DispatchCursor {
                seq: last,
                gap: None,
            };
            changes.insert(0, cursor_change(cursor, &advanced, now));
            let deliveries = changes.len() - 1;
            let commit = self.store.apply(changes).await;
            if commit.is_ok() && deliveries > 0 {
                (self.on_enqueue)();
            }
            Tried::committed(commit, || events.len())
        })
        .await?;
        // Another process kept dispatching the same range: it has them.
        Ok(dispatched.unwrap_or(0))
    }

    /// The events after the cursor that can be dispatched now. A gap right after the cursor
    /// holds everything back until it fills, or until the database says every transaction that
    /// could still fill it has ended (then the number was rolled back and is skipped).
    async fn readable(&self, cursor: &DispatchCursor, batch: u32) -> Result<Readable> {
        let after = cursor.seq;
        let fetched = self.store.events_after(after, batch).await?;
        let Some(first) = fetched.first() else {
            return Ok(Readable::Nothing);
        };
        if first.seq == after + 1 {
            return Ok(Readable::Events(contiguous_run(after, fetched)));
        }
        if first.event.created_at > self.now_ms() - GAP_SETTLE_MS {
            return Ok(Readable::Nothing); // young: it usually fills in a moment
        }
        let skip_to = first.seq - 1;
        match cursor.gap {
            Some(gap) if gap.after == after => {
                if !self.store.transactions_ended(gap.mark).await? {
                    let now = self.now_ms();
                    let waited = now - first.event.created_at;
                    let last = LAST_GAP_WARNING.load(Ordering::Relaxed);
                    if waited > 60_000 && now - last >= 60_000 {
                        LAST_GAP_WARNING.store(now, Ordering::Relaxed);
                        tracing::warn!(
                            after,
                            waited_ms = waited,
                            "webhook dispatch waits for a database transaction still running since before the next event"
                        );
                    }
                    return Ok(Readable::Nothing);
                }
                // Read again: the gap's transaction may have committed since the first read.
                let fetched = self.store.events_after(after, batch).await?;
                if fetched.first().is_some_and(|e| e.seq == after + 1) {
                    return Ok(Readable::Events(contiguous_run(after, fetched)));
                }
                tracing::info!(
                    after,
                    skip_to,
                    "outbox gap skipped: its transactions rolled back"
                );
                let from = fetched.first().map_or(skip_to, |e| e.seq - 1);
                Ok(Readable::Events(contiguous_run(from, fetched)))
            }
            _ => match self.store.transaction_mark().await? {
                // A store whose writes show in sequence order has no gap that can still fill.
                None => Ok(Readable::Events(contiguous_run(skip_to, fetched))),
                Some(mark) => Ok(Readable::Wait(GapWait { after, mark })),
            },
        }
    }

    /// The scope's enabled webhooks. One whose stored body no longer reads is left out (and
    /// logged) rather than holding up every account's deliveries.
    async fn enabled_webhooks(&self, scope: &Scope) -> Result<Vec<(Resource, Webhook)>> {
        let page = self
            .store
            .list(&ListQuery {
                filters: vec![crate::store::AttrFilter {
                    path: vec!["enabled".into()],
                    value: "true".into(),
                }],
                ..ListQuery::newest(scope.clone(), ResourceKind::Webhook, 1000)
            })
            .await?;
        Ok(page
            .items
            .into_iter()
            .filter_map(|hook| match typed::decode(&hook) {
                Ok(webhook) => Some((hook, webhook)),
                Err(e) => {
                    tracing::error!(webhook = %hook.id, error = %e, "webhook left out of dispatch");
                    None
                }
            })
            .collect())
    }
}

/// The write that stores `state` as the shared cursor (created on first use).
fn cursor_change(stored: Option<Resource>, state: &DispatchCursor, now: i64) -> Change {
    let body = typed::encode(state);
    match stored {
        Some(c) => Change::Update(Resource {
            body,
            updated_at: now,
            version: c.version + 1,
            ..c
        }),
        None => Change::Insert(Resource {
            id: CURSOR_ID.into(),
            scope: system_scope(),
            kind: ResourceKind::DispatchCursor,
            client_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
            body,
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::events::Event;

    fn event(seq: i64, created_at: i64) -> StoredEvent {
        StoredEvent {
            seq,
            event: Event {
                id: format!("e{seq}"),
                scope: Scope::new("a", Mode::Test),
                event_type: "client.created".into(),
                resource_type: "client".into(),
                resource_id: "c".into(),
                payload: Map::new(),
                created_at,
            },
        }
    }

    fn seqs(events: &[StoredEvent]) -> Vec<i64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn a_run_stops_at_the_first_gap() {
        let got = contiguous_run(4, vec![event(5, 100), event(6, 100), event(7, 100)]);
        assert_eq!(seqs(&got), [5, 6, 7]);
        let got = contiguous_run(4, vec![event(5, 100), event(7, 100), event(8, 100)]);
        assert_eq!(seqs(&got), [5]);
        // A gap right after the cursor holds everything back, however old.
        assert!(contiguous_run(4, vec![event(6, 0)]).is_empty());
    }
}
