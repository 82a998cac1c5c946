//! The local publisher: serves list files with validators, and the faults a download meets.

use super::*;

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../clearance-screening/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How the fake publisher answers one path.
#[derive(Clone)]
pub(crate) enum Answer {
    /// 200 with the body, or 304 when the request's validators match.
    File {
        body: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    Status(u16),
    /// Announces the whole body but sends only its first half, then closes.
    Truncated(Vec<u8>),
    /// Accepts the connection and never answers.
    Hang,
}

pub(crate) fn file(body: Vec<u8>, etag: &str) -> Answer {
    Answer::File {
        body,
        etag: Some(format!("\"{etag}\"")),
        last_modified: None,
    }
}

/// One request as the publisher saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) path: String,
    pub(crate) if_none_match: Option<String>,
    pub(crate) if_modified_since: Option<String>,
}

#[derive(Default)]
pub(crate) struct Publisher {
    pub(crate) answers: Mutex<HashMap<String, Answer>>,
    pub(crate) seen: Mutex<Vec<Seen>>,
    /// Added before every answer, so concurrent fetchers overlap.
    pub(crate) delay: Mutex<Duration>,
}

impl Publisher {
    pub(crate) fn set(&self, path: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(path.into(), answer);
    }
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub(crate) fn forget(&self) {
        self.seen.lock().unwrap().clear();
    }
}

/// Starts the fake publisher; answers its base URL (`http://127.0.0.1:port`).
pub(crate) async fn publisher() -> (Arc<Publisher>, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Publisher::default());
    let shared = state.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, shared.clone()));
        }
    });
    (state, base)
}

pub(crate) async fn answer(mut stream: TcpStream, publisher: Arc<Publisher>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).to_string();
    let path = text.split(' ').nth(1).unwrap_or("/").to_string();
    let header = |name: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let seen = Seen {
        path: path.clone(),
        if_none_match: header("if-none-match"),
        if_modified_since: header("if-modified-since"),
    };
    publisher.seen.lock().unwrap().push(seen.clone());
    let delay = *publisher.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    let found = publisher.answers.lock().unwrap().get(&path).cloned();
    let (head, body): (String, Vec<u8>) = match found {
        None => (
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n".into(),
            vec![],
        ),
        Some(Answer::Status(code)) => (
            format!("HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\n"),
            vec![],
        ),
        Some(Answer::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        Some(Answer::Truncated(body)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body[..body.len() / 2]).await;
            let _ = stream.shutdown().await;
            return;
        }
        Some(Answer::File {
            body,
            etag,
            last_modified,
        }) => {
            let fresh = match (&etag, &seen.if_none_match) {
                (Some(etag), Some(asked)) => etag == asked,
                _ => last_modified.is_some() && last_modified == seen.if_modified_since,
            };
            let mut head = if fresh {
                "HTTP/1.1 304 Not Modified\r\n".to_string()
            } else {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", body.len())
            };
            if let Some(etag) = etag {
                head.push_str(&format!("ETag: {etag}\r\n"));
            }
            if let Some(date) = last_modified {
                head.push_str(&format!("Last-Modified: {date}\r\n"));
            }
            (head, if fresh { vec![] } else { body })
        }
    };
    let _ = stream
        .write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())
        .await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}
