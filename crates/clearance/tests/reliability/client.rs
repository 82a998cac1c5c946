//! The load's HTTP client: retries with the same `Idempotency-Key`, and a tally of what was
//! sent, accepted and refused.

use super::*;

pub(crate) fn enabled(scenario: &str) -> bool {
    if std::env::var("CLEARANCE_TEST_RELIABILITY").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "skipped {scenario}: set CLEARANCE_TEST_RELIABILITY=1 to run the reliability suite \
         (root, PostgreSQL server binaries, moto through tests/support/with-moto.sh)"
    );
    false
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Where a scenario's server log goes (kept after the run for a look).
pub(crate) fn log_path(scenario: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("reliability-{scenario}.log"));
    let _ = std::fs::remove_file(&path);
    path
}

/// Warnings and errors the server logged.
pub(crate) fn log_counts(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let count = |level: &str| text.lines().filter(|l| l.contains(level)).count();
    (count("WARN"), count("ERROR"))
}

// ---------------------------------------------------------------------------------------------
// The client side: requests retried with one idempotency key, and a tally of what happened.

#[derive(Default, Debug)]
pub(crate) struct Tally {
    pub(crate) sent: u64,
    pub(crate) accepted: u64,
    pub(crate) replayed: u64,
    pub(crate) retried: u64,
    pub(crate) server_errors: BTreeMap<u16, u64>,
    /// 409: the same key is still being processed (or its claim awaits takeover).
    pub(crate) in_progress: u64,
    pub(crate) transport_errors: u64,
    pub(crate) timeouts: u64,
    /// 5xx answers not in the `{type, message, param}` shape.
    pub(crate) misshapen: Vec<String>,
    /// One 5xx body, to show what a caller sees.
    pub(crate) sample_error: Option<String>,
    pub(crate) slowest: Duration,
}

impl Tally {
    pub(crate) fn failures(&self) -> u64 {
        self.server_errors.values().sum::<u64>()
            + self.in_progress
            + self.transport_errors
            + self.timeouts
    }
}

/// The wire error shape: an object with a `type` and a non-empty `message`, and nothing but
/// `type`, `message` and `param`.
pub(crate) fn wire_error(text: &str) -> Result<(), String> {
    let body: Value = serde_json::from_str(text).map_err(|_| format!("not JSON: {text}"))?;
    let obj = body.as_object().ok_or(format!("not an object: {text}"))?;
    let ok = obj["type"].as_str().is_some_and(|t| !t.is_empty())
        && obj
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty())
        && obj
            .keys()
            .all(|k| ["type", "message", "param"].contains(&k.as_str()));
    if ok {
        Ok(())
    } else {
        Err(format!("not the wire error shape: {text}"))
    }
}

#[derive(Clone)]
pub(crate) struct Api {
    /// The servers' addresses, taken in turn request by request (a load balancer's round
    /// robin); one for a single server.
    pub(crate) bases: Arc<Mutex<Vec<String>>>,
    pub(crate) turn: Arc<AtomicUsize>,
    pub(crate) http: reqwest::Client,
    pub(crate) tally: Arc<Mutex<Tally>>,
}

impl Api {
    pub(crate) fn new(server: &ServerProcess) -> Self {
        Self::over(&[server])
    }

    /// Requests spread over several servers in turn; a failed attempt is retried on the next.
    pub(crate) fn over(servers: &[&ServerProcess]) -> Self {
        Api {
            bases: Arc::new(Mutex::new(servers.iter().map(|s| s.base.clone()).collect())),
            turn: Arc::default(),
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .unwrap(),
            tally: Arc::default(),
        }
    }

    /// The next server's address.
    pub(crate) fn base(&self) -> String {
        let bases = self.bases.lock().unwrap();
        bases[self.turn.fetch_add(1, Ordering::Relaxed) % bases.len()].clone()
    }

    /// Server `i` restarted on another address.
    pub(crate) fn set_base(&self, i: usize, base: &str) {
        self.bases.lock().unwrap()[i] = base.to_string();
    }

    /// The tally, also after a journey panicked holding it.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn tally<T>(&self, read: impl FnOnce(&Tally) -> T) -> T {
        read(&self.lock())
    }

    /// POSTs `body` until it is accepted, with `idempotency_key` on every attempt; the body.
    pub(crate) async fn post(
        &self,
        key: &str,
        path: &str,
        body: &Value,
        idempotency_key: &str,
    ) -> Value {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let sent_at = Instant::now();
            let answer = match self
                .http
                .post(format!("{}{path}", self.base()))
                .header("Authorization", key)
                .header("Idempotency-Key", idempotency_key)
                .json(body)
                .send()
                .await
            {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let replayed = r.headers().contains_key("idempotent-replayed");
                    r.text().await.map(|text| (status, replayed, text))
                }
                Err(e) => Err(e),
            };
            let last = {
                let mut t = self.lock();
                t.sent += 1;
                t.slowest = t.slowest.max(sent_at.elapsed());
                match answer {
                    Ok((status, replayed, text)) if (200..300).contains(&status) => {
                        t.accepted += 1;
                        t.replayed += u64::from(replayed);
                        return serde_json::from_str(&text).unwrap();
                    }
                    Ok((status, _, text)) if status >= 500 => {
                        *t.server_errors.entry(status).or_default() += 1;
                        if let Err(e) = wire_error(&text) {
                            t.misshapen.push(format!("POST {path}: {status}: {e}"));
                        }
                        t.sample_error
                            .get_or_insert_with(|| format!("{status} {text}"));
                        format!("{status} {text}")
                    }
                    Ok((409, _, text)) => {
                        t.in_progress += 1;
                        format!("409 {text}")
                    }
                    Ok((status, _, text)) => {
                        drop(t);
                        panic!("POST {path} (key {idempotency_key}) answered {status}: {text}")
                    }
                    Err(e) => {
                        if e.is_timeout() {
                            t.timeouts += 1;
                        } else {
                            t.transport_errors += 1;
                        }
                        e.to_string()
                    }
                }
            };
            self.lock().retried += 1;
            attempt += 1;
            assert!(
                started.elapsed() < GIVE_UP_AFTER,
                "POST {path} (key {idempotency_key}) still failing after {attempt} attempts: {last}"
            );
            let backoff = (50u64 << attempt.min(5)).min(1000);
            tokio::time::sleep(Duration::from_millis(backoff)).await;
        }
    }

    /// A GET that must answer 200; the body.
    pub(crate) async fn get(&self, key: &str, path: &str) -> Value {
        let (status, text, _) = self.probe(key, path).await;
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A GET, whatever it answers: status (0 for no answer), body and time taken.
    pub(crate) async fn probe(&self, key: &str, path: &str) -> (u16, String, Duration) {
        let started = Instant::now();
        match self
            .http
            .get(format!("{}{path}", self.base()))
            .header("Authorization", key)
            .send()
            .await
        {
            Ok(r) => {
                let status = r.status().as_u16();
                (
                    status,
                    r.text().await.unwrap_or_default(),
                    started.elapsed(),
                )
            }
            Err(e) => (0, e.to_string(), started.elapsed()),
        }
    }

    /// Every item of a list endpoint, page by page.
    pub(crate) async fn list_all(&self, key: &str, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        for page in 1.. {
            let join = if path.contains('?') { '&' } else { '?' };
            let body = self
                .get(key, &format!("{path}{join}pageSize=1000&page={page}"))
                .await;
            let got = body["items"].as_array().cloned().unwrap_or_default();
            let done = got.len() < 1000;
            items.extend(got);
            if done {
                break;
            }
        }
        items
    }

    /// The sha-256 of a download's `data`, or why there is none.
    pub(crate) async fn download_sha(&self, key: &str, path: &str) -> Result<String, String> {
        let (status, text, _) = self.probe(key, path).await;
        if status != 200 {
            return Err(format!("GET {path}: {status} {text}"));
        }
        let body: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(body["data"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        Ok(sha256_hex(&data))
    }
}

// ---------------------------------------------------------------------------------------------
// The load: journeys of an integrator onboarding one person.

#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Mode {
    Test,
    Live,
}

pub(crate) struct Keys {
    pub(crate) test: String,
    pub(crate) live: String,
}

impl Keys {
    pub(crate) fn of(&self, mode: Mode) -> &str {
        match mode {
            Mode::Test => &self.test,
            Mode::Live => &self.live,
        }
    }

    pub(crate) fn create(cluster: &Cluster) -> Self {
        let key = |mode: &str| {
            let out = cluster
                .command()
                .args(["keys", "create", "--mode", mode])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        Keys {
            test: key("test"),
            live: key("live"),
        }
    }
}
