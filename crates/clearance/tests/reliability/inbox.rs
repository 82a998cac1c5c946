//! The webhook receiver and the waits for checks to settle and events to arrive.

use super::*;

#[derive(Default)]
pub(crate) struct Inbox {
    /// (event id, event type, resource id) of every delivery, repeats included.
    pub(crate) deliveries: Vec<(String, String, String)>,
}

pub(crate) async fn receive(
    State((inbox, delay)): State<(Arc<Mutex<Inbox>>, Duration)>,
    body: Bytes,
) -> StatusCode {
    tokio::time::sleep(delay).await;
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let field = |v: &Value| v.as_str().unwrap_or_default().to_string();
    inbox.lock().unwrap().deliveries.push((
        field(&v["id"]),
        field(&v["type"]),
        field(&v["payload"]["id"]),
    ));
    StatusCode::OK
}

/// A receiver on 127.0.0.1, subscribed to `check.completed` for both keys.
pub(crate) async fn webhook_receiver(api: &Api, keys: &Keys, tag: &str) -> Arc<Mutex<Inbox>> {
    webhook_receiver_answering_after(api, keys, tag, Duration::ZERO).await
}

/// A receiver that takes `delay` over each answer (a slow endpoint).
pub(crate) async fn webhook_receiver_answering_after(
    api: &Api,
    keys: &Keys,
    tag: &str,
    delay: Duration,
) -> Arc<Mutex<Inbox>> {
    let inbox: Arc<Mutex<Inbox>> = Arc::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state((inbox.clone(), delay));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    for mode in [Mode::Test, Mode::Live] {
        api.post(
            keys.of(mode),
            "/v1/webhooks",
            &json!({"url": url, "enabled": true, "events": ["check.completed"]}),
            &format!("{tag}-webhook-{mode:?}"),
        )
        .await;
    }
    inbox
}

// ---------------------------------------------------------------------------------------------
// Waiting and counting.

/// Waits until no check of either key is pending.
pub(crate) async fn wait_until_settled(api: &Api, keys: &Keys, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let mut pending = 0;
        for mode in [Mode::Test, Mode::Live] {
            let page = api
                .get(keys.of(mode), "/v1/checks?status=pending&pageSize=1")
                .await;
            pending += page["totalItems"].as_u64().unwrap();
        }
        if pending == 0 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{pending} checks still pending after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until every check's completion has reached the receiver.
pub(crate) async fn wait_for_deliveries(
    inbox: &Arc<Mutex<Inbox>>,
    checks: &[String],
    within: Duration,
) {
    let started = Instant::now();
    loop {
        let got: HashSet<String> = inbox
            .lock()
            .unwrap()
            .deliveries
            .iter()
            .map(|(_, _, r)| r.clone())
            .collect();
        let missing = checks.iter().filter(|c| !got.contains(*c)).count();
        if missing == 0 {
            return;
        }
        if started.elapsed() > within {
            // Left for the verification to report, with the rest.
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
