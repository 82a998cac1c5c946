//! From the outbox to per-endpoint delivery queues. A dispatcher step reads events after a shared
//! cursor and, for each (event, subscribed webhook) pair, commits a pending delivery record (the
//! endpoint's queue, ordered by event creation) and a delivery job, with the advanced cursor, in
//! one transaction.

use std::collections::HashMap;

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

/// How long a gap in the outbox's sequence may still fill in. On PostgreSQL a sequence number
/// is taken before its transaction commits, so a later event can become visible first; the
/// dispatcher stops before a gap until it is this old, and then takes it for a rolled-back
/// write (rare: events are written after the checks that can roll a change back).
const GAP_SETTLE_MS: i64 = 10_000;
const CURSOR_ID: &str = "webhook-dispatch";

/// How far the dispatcher has read the outbox (`ResourceKind::DispatchCursor`).
#[derive(Serialize, Deserialize)]
struct DispatchCursor {
    /// The last event dispatched.
    seq: i64,
}

fn system_scope() -> Scope {
    Scope::new("_system", Mode::Live)
}

/// The events after `after` that can be dispatched now: the run without gaps in the sequence,
/// continued past a gap only when the event after it was written before `gap_deadline`.
fn settled_prefix(after: i64, events: Vec<StoredEvent>, gap_deadline: i64) -> Vec<StoredEvent> {
    let mut last = after;
    events
        .into_iter()
        .take_while(|e| {
            let ready = e.seq == last + 1 || e.event.created_at <= gap_deadline;
            if ready {
                last = e.seq;
            }
            ready
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
            let after = match &cursor {
                Some(c) => typed::decode::<DispatchCursor>(c)?.seq,
                None => 0,
            };
            let fetched = self.store.events_after(after, batch).await?;
            let events = settled_prefix(after, fetched, self.now_ms() - GAP_SETTLE_MS);
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
            let cursor_body = typed::encode(&DispatchCursor { seq: last });
            changes.insert(
                0,
                match cursor {
                    Some(c) => Change::Update(Resource {
                        body: cursor_body,
                        updated_at: now,
                        version: c.version + 1,
                        ..c
                    }),
                    None => Change::Insert(Resource {
                        id: CURSOR_ID.into(),
                        scope: scope.clone(),
                        kind: ResourceKind::DispatchCursor,
                        client_id: None,
                        created_at: now,
                        updated_at: now,
                        version: 1,
                        body: cursor_body,
                    }),
                },
            );
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
    fn a_run_without_gaps_is_taken_at_once() {
        let got = settled_prefix(4, vec![event(5, 100), event(6, 100), event(7, 100)], 0);
        assert_eq!(seqs(&got), [5, 6, 7]);
    }

    #[test]
    fn a_young_gap_stops_the_run_until_it_fills_or_ages() {
        let fetched = || vec![event(5, 100), event(7, 100), event(8, 100)];
        assert_eq!(seqs(&settled_prefix(4, fetched(), 50)), [5]);
        // A gap right after the cursor holds everything back.
        assert!(settled_prefix(4, vec![event(6, 100)], 50).is_empty());
        // Once the event after the gap is older than the deadline, the gap is a rollback.
        assert_eq!(seqs(&settled_prefix(4, fetched(), 100)), [5, 7, 8]);
    }
}
