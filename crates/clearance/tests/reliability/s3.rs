//! S3 stopped and started under load, through a fault proxy in front of moto.

use super::*;

/// A TCP proxy that can be stopped (its port refuses connections and every open connection is
/// cut, as when the service behind it dies) and started again on the same port.
pub(crate) struct FaultProxy {
    pub(crate) port: u16,
    pub(crate) target: SocketAddr,
    pub(crate) accept: Mutex<Option<JoinHandle<()>>>,
    pub(crate) connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl FaultProxy {
    pub(crate) async fn start(target: SocketAddr) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Arc::new(FaultProxy {
            port: listener.local_addr().unwrap().port(),
            target,
            accept: Mutex::new(None),
            connections: Arc::default(),
        });
        proxy.serve(listener);
        proxy
    }

    pub(crate) fn serve(&self, listener: TcpListener) {
        let (target, connections) = (self.target, self.connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut open = connections.lock().unwrap();
                open.retain(|c| !c.is_finished());
                open.push(pipe.abort_handle());
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// Stops: the listener closes and open connections are cut; how many were cut.
    pub(crate) fn stop(&self) -> usize {
        if let Some(task) = self.accept.lock().unwrap().take() {
            task.abort();
        }
        let open: Vec<AbortHandle> = std::mem::take(&mut *self.connections.lock().unwrap());
        let cut = open.iter().filter(|c| !c.is_finished()).count();
        for c in open {
            c.abort();
        }
        cut
    }

    /// Starts again on the same port.
    pub(crate) async fn resume(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => return self.serve(listener),
                Err(e) => {
                    assert!(Instant::now() < deadline, "port {} taken: {e}", self.port);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// Objects under `prefix/` in a bucket of the S3-compatible server (moto).
pub(crate) async fn s3_objects(endpoint: &str, bucket: &str, prefix: &str) -> usize {
    let mut count = 0;
    let mut token: Option<String> = None;
    loop {
        let mut url = format!("{endpoint}/{bucket}?list-type=2&prefix={prefix}/");
        if let Some(t) = &token {
            url.push_str(&format!("&continuation-token={t}"));
        }
        let text = reqwest::get(url).await.unwrap().text().await.unwrap();
        count += text.matches("<Key>").count();
        let next = text
            .split_once("<NextContinuationToken>")
            .and_then(|(_, rest)| rest.split_once("</NextContinuationToken>"))
            .map(|(t, _)| t.to_string());
        match next {
            Some(t) if text.contains("<IsTruncated>true</IsTruncated>") => token = Some(t),
            _ => return count,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
pub(crate) async fn s3_stopped_and_started_under_load() {
    if !enabled("s3_stopped_and_started_under_load") {
        return;
    }
    let endpoint = std::env::var("CLEARANCE_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
        .expect("CLEARANCE_TEST_S3_ENDPOINT: run the suite through tests/support/with-moto.sh");
    let started = Instant::now();
    let moto: SocketAddr = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let bucket = "clearance-reliability";
    let _ = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    let prefix = format!("run-{}-{}", std::process::id(), free_port());
    let proxy = FaultProxy::start(moto).await;

    let dir = tempfile::tempdir().unwrap();
    let log = log_path("s3");
    let cluster = cluster(&dir.path().join("data"), None, &log)
        .env("CLEARANCE_BLOB_URL", &format!("s3://{bucket}/{prefix}"))
        .env(
            "CLEARANCE_S3_ENDPOINT",
            &format!("http://127.0.0.1:{}", proxy.port),
        )
        .env("CLEARANCE_S3_ALLOW_HTTP", "true")
        .env("CLEARANCE_S3_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing");
    let keys = Arc::new(Keys::create(&cluster));
    let server = cluster.serve(&server_env(30)).await;
    let api = Api::new(&server);
    let inbox = webhook_receiver(&api, &keys, "s3").await;

    // Live journeys whose document checks are created while the files cannot be read: their
    // analyses fail to read the file and must run again once S3 is back.
    let mut live = Vec::new();
    for n in 2000..2004 {
        live.push(onboard(&api, &keys, "s3", n, Mode::Live).await);
    }
    // A client and document of their own to probe uploads with during the outage (outside
    // the count: the upload may fail).
    let probe_client = api
        .post(
            keys.of(Mode::Test),
            "/v1/clients",
            &json!({"type": "person", "email": "s3-probe@example.org",
                "personDetails": {"firstName": "Ada", "lastName": "Lovelace"}}),
            "s3-probe-client",
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let probe_document = api
        .post(
            keys.of(Mode::Test),
            "/v1/documents",
            &json!({"clientId": probe_client, "type": "passport",
                "classification": "proof_of_identity", "issuingCountry": "GB"}),
            "s3-probe-document",
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A live document check before the outage, so the document engine is loaded by then.
    let warm = journey(&api, &keys, "s3", 2100, Mode::Live).await;

    let load = Load {
        first: 0,
        journeys: 60,
        live_every: 0,
        per_second: 12,
        concurrency: 12,
    };
    let outage = Duration::from_secs(6);
    let faults = async {
        let mut faults = Vec::new();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let before = api.tally(|t| t.accepted);
        let cut = proxy.stop();
        let stopped = Instant::now();
        // Checks whose analysis needs a file nobody can read now (their creation needs only
        // the database), then what a caller sees: a download, and an upload to a document of
        // its own (not counted: it may fail).
        let mut created = Vec::new();
        for (i, j) in live.iter().enumerate() {
            created.push(live_document_check(&api, &keys, j, "s3", 2000 + i).await);
        }
        let download_path = format!("/v1/documents/{}/download/front", live[0].document);
        let download = api.probe(keys.of(Mode::Live), &download_path);
        let upload = async {
            let started = Instant::now();
            match api
                .http
                .post(format!(
                    "{}/v1/documents/{}/upload/front",
                    api.base(),
                    probe_document
                ))
                .header("Authorization", keys.of(Mode::Test))
                .json(&json!({"fileName": "probe.jpg", "data": b64(&image(3000, 0))}))
                .send()
                .await
            {
                Ok(r) => format!(
                    "{} in {:.1} s",
                    r.status().as_u16(),
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => format!("no answer: {e}"),
            }
        };
        let ((status, text, took), upload_probe, ()) = tokio::join!(
            download,
            upload,
            tokio::time::sleep(outage.saturating_sub(stopped.elapsed()))
        );
        proxy.resume().await;
        faults.push(format!(
            "S3 stopped after {before} accepted requests ({cut} open connections cut), \
             started again {:.1} s later",
            stopped.elapsed().as_secs_f64()
        ));
        faults.push(format!(
            "during the outage: a download answered {status} in {:.1} s ({text}); an upload \
             answered {upload_probe}; {} live document checks were created, to run on files \
             they cannot read yet",
            took.as_secs_f64(),
            created.len()
        ));
        // A clear error, or (when the blob client's retries outlasted the outage) the file.
        if status == 200 {
            let sha = api.download_sha(keys.of(Mode::Live), &download_path).await;
            assert_eq!(
                sha,
                Ok(live[0].front_sha.clone()),
                "a download across the outage"
            );
        } else {
            assert!(
                status >= 500,
                "a download during the outage: {status} {text}"
            );
            wire_error(&text).unwrap();
        }
        (faults, created)
    };
    let (mut journeys, (mut faults, created)) = tokio::join!(
        run_load(api.clone(), keys.clone(), "s3".into(), load),
        faults
    );
    assert!(
        api.tally(|t| t.server_errors.values().sum::<u64>()) > 0,
        "the outage should have failed some uploads"
    );
    for (mut j, check) in live.into_iter().zip(created) {
        j.checks.push(check);
        journeys.push(j);
    }
    journeys.push(warm);
    let settled = wait_until_settled(&api, &keys, Duration::from_secs(120)).await;
    let checks: Vec<String> = journeys.iter().flat_map(|j| j.checks.clone()).collect();
    wait_for_deliveries(&inbox, &checks, Duration::from_secs(60)).await;
    let store = clearance_store_sqlite::open(&dir.path().join("data").join("clearance.db"))
        .await
        .unwrap();
    let events = all_events(&store).await;
    // The probe's upload is an accepted file too when it got through.
    let probed = api
        .get(
            keys.of(Mode::Test),
            &format!("/v1/documents/{probe_document}"),
        )
        .await["images"]
        .as_array()
        .map_or(0, Vec::len);
    let objects = s3_objects(&endpoint, bucket, &prefix).await - probed;
    let deliveries = inbox.lock().unwrap().deliveries.clone();
    let verified = verify(
        &api,
        &keys,
        &journeys,
        &events,
        &Inbox { deliveries },
        objects,
    )
    .await;
    faults.push(format!(
        "every check settled {:.1} s after the load; jobs retried {}, buried {}",
        settled.as_secs_f64(),
        metric(&server, "clearance_jobs_total{outcome=\"retried\"}").await,
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await
    ));
    report(
        "S3 stopped and started under load",
        &api,
        &verified,
        &faults,
        started.elapsed(),
        &log,
    );
    assert_eq!(
        metric(&server, "clearance_jobs_total{outcome=\"buried\"}").await,
        0,
        "no job gave up"
    );
}

// ---------------------------------------------------------------------------------------------
// Scenario 3: the data directory's disk full.
