//! Real `clearance serve` processes, for tests that kill, restart or run several servers on one
//! database (the durability suites). The binary is the caller's:
//! `env!("CARGO_BIN_EXE_clearance")` exists only in the `clearance` crate's own tests.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// What every process of one test shares: the binary, the data folder, the database and any
/// settings given with [`Cluster::env`].
pub struct Cluster {
    bin: PathBuf,
    data_dir: PathBuf,
    database_url: Option<String>,
    env: Vec<(String, String)>,
    log: Option<PathBuf>,
}

impl Cluster {
    /// Processes of `bin` on `data_dir`, over SQLite there or over `database_url`.
    pub fn new(
        bin: impl Into<PathBuf>,
        data_dir: impl Into<PathBuf>,
        database_url: Option<String>,
    ) -> Self {
        Cluster {
            bin: bin.into(),
            data_dir: data_dir.into(),
            database_url,
            env: Vec::new(),
            log: None,
        }
    }

    /// Appends the servers' logs (stderr) to `path` instead of the test's output.
    #[must_use]
    pub fn log_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.log = Some(path.into());
        self
    }

    /// Sets an environment variable of every process.
    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// A command of the binary with the shared settings: no rate limit, warnings only, 2 s
    /// leases so a killed server's checks are claimed again quickly.
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.env("CLEARANCE_DATA_DIR", &self.data_dir)
            .env("CLEARANCE_RATE_LIMIT_TEST", "0")
            .env("CLEARANCE_LOG", "warn")
            .env("CLEARANCE_JOB_LEASE_SECS", "2")
            // Tests never download the publishers' lists (tests that do, set a local mirror).
            .env("CLEARANCE_LISTS_REFRESH", "off")
            .env_remove("DATABASE_URL");
        for (key, value) in &self.env {
            c.env(key, value);
        }
        if let Some(url) = &self.database_url {
            c.env("DATABASE_URL", url);
        }
        c
    }

    /// A new test-mode API key (`clearance keys create`).
    pub fn test_key(&self) -> String {
        let out = self
            .command()
            .args(["keys", "create", "--mode", "test"])
            .output()
            .expect("keys create runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Starts `clearance serve` on a free port with `env` on top of the shared settings, and
    /// waits until it is ready.
    pub async fn serve(&self, env: &[(&str, String)]) -> ServerProcess {
        let port = free_port();
        let mut command = self.command();
        command
            .arg("serve")
            .env("CLEARANCE_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        if let Some(path) = &self.log {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .expect("the server log opens");
            command.stderr(file);
        }
        let server = ServerProcess {
            child: command.spawn().expect("clearance serve starts"),
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server
            .http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One running `clearance serve`; killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub http: reqwest::Client,
}

impl ServerProcess {
    /// A GET (or a POST of `body`) with `key`; `None` when the server did not answer (it may be
    /// the one being killed).
    pub async fn try_call(
        &self,
        key: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Option<(u16, Value)> {
        let url = format!("{}{path}", self.base);
        let request = match body {
            Some(b) => self.http.post(url).json(b),
            None => self.http.get(url),
        };
        let response = request.header("Authorization", key).send().await.ok()?;
        let status = response.status().as_u16();
        let body = response.json().await.ok()?;
        Some((status, body))
    }

    /// [`ServerProcess::try_call`] on a server that must answer.
    pub async fn call(&self, key: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.try_call(key, path, body)
            .await
            .expect("the server answered with JSON")
    }

    /// The value of the first `/metrics` line starting with `line_prefix` (0 when absent).
    pub async fn metric(&self, line_prefix: &str) -> u64 {
        let text = match self.http.get(format!("{}/metrics", self.base)).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        text.lines()
            .find_map(|l| l.strip_prefix(line_prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    /// SIGTERM: a graceful shutdown begins; see [`ServerProcess::wait_exit`].
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM was delivered");
    }

    /// Waits up to `within` for the process to exit on its own; its exit status, or `None`
    /// when it is still running.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, no chance to release leases.
    pub fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the server is reaped");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
