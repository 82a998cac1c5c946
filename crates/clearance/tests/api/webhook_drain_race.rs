//! A drain job whose run failed before it could let go of its webhook's drain lease (the
//! database went away) comes back while another job of the same process is taking its turn.
//! Before the fix it stepped aside still holding the lease; the other job could not take it and
//! asked the holder to look again, and nobody drained (two reliability runs in CI stalled so).
//! Now a job that ran before and finds its hook busy comes back shortly.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use clearance::accounts::find_or_create_account;
use clearance_core::clock::SystemClock;
use clearance_core::resources::Rules;
use clearance_core::service::{DELIVERY_QUEUE, DeliveryRunner, Services, WebhookSender};
use clearance_core::{Mode, Scope};
use clearance_jobs::{Handler, HandlerError, Job};
use clearance_testkit::TestApp;
use serde_json::json;

use crate::person;

/// Records every request instead of sending it, and answers 200.
#[derive(Default)]
struct Recorder {
    posts: Mutex<Vec<String>>,
}

#[async_trait]
impl WebhookSender for Recorder {
    async fn post(
        &self,
        url: &str,
        _headers: &[(String, String)],
        _body: &[u8],
    ) -> Result<u16, String> {
        self.posts.lock().unwrap().push(url.to_string());
        Ok(200)
    }
}

fn drain_job(id: &str, scope: &Scope, hook: &str, attempts: u32) -> Job {
    Job {
        id: id.to_string(),
        queue: DELIVERY_QUEUE.to_string(),
        payload: json!({"accountId": scope.account_id, "mode": "test", "webhookId": hook}),
        attempts,
        max_attempts: 1_000_000,
        created_at_ms: 0,
    }
}

#[tokio::test]
async fn a_retried_lease_holder_that_finds_its_hook_busy_does_not_strand_the_queue() {
    // No workers: this test runs the delivery jobs itself, in a chosen order.
    let app = TestApp::spawn_paused().await;
    let hook = app
        .post(
            "/v1/webhooks",
            &json!({"url": "https://example.com/hook", "enabled": true, "events": ["client.created"]}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.text);
    let hook = hook.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.post("/v1/clients", &person("Ada", "L")).await.status,
        200
    );

    let services = Arc::new(Services::new(
        app.store.clone(),
        Arc::new(clearance::blobs::EncryptedBlobs(app.blobs.clone())),
        Arc::new(SystemClock),
        Rules::default(),
    ));
    services.dispatch_events(100).await.unwrap();
    let account = find_or_create_account(app.store.as_ref(), "test-account")
        .await
        .unwrap();
    let scope = Scope::new(account.id, Mode::Test);

    // What the failed run left: its lease, live for another minute.
    let lease = format!("webhook-drain:{hook}");
    let now = services.now_ms();
    assert!(
        app.store
            .take_lease(&lease, "holder", now, now + 60_000)
            .await
            .unwrap()
    );

    let sender = Arc::new(Recorder::default());
    let runner = DeliveryRunner::new(services.clone(), sender.clone());
    // A fresh job takes this process's turn first; the holder comes back (its second run)
    // while that job is at the database, and more fresh jobs arrive behind it.
    let mut jobs = vec![
        drain_job("fresh-0", &scope, &hook, 1),
        drain_job("holder", &scope, &hook, 2),
    ];
    jobs.extend((1..20).map(|i| drain_job(&format!("fresh-{i}"), &scope, &hook, 1)));

    // The queue's part: a job asking to run again does (at once: this test has no clock to wait
    // for), until every job is done.
    for round in 0..20 {
        let outcomes = futures_util::future::join_all(jobs.iter().map(|j| runner.handle(j))).await;
        jobs = jobs
            .into_iter()
            .zip(outcomes)
            .filter_map(|(job, outcome)| match outcome {
                Ok(()) => None,
                Err(HandlerError::Permanent(e)) => panic!("{}: {e}", job.id),
                Err(HandlerError::Retry(_) | HandlerError::RetryAfter(..)) => Some(Job {
                    attempts: job.attempts + 1,
                    ..job
                }),
            })
            .collect();
        if jobs.is_empty() {
            break;
        }
        assert!(round < 19, "jobs still asking to run: {}", jobs.len());
    }

    assert_eq!(
        sender.posts.lock().unwrap().as_slice(),
        ["https://example.com/hook"],
        "the client.created event was delivered, once"
    );
    assert!(
        app.store
            .take_lease(
                &lease,
                "someone-else",
                services.now_ms(),
                services.now_ms() + 1
            )
            .await
            .unwrap(),
        "the drain lease was let go"
    );
}
