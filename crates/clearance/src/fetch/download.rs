//! One file's download: conditional on the validators of the stored version, bounded in time
//! and size, written to disk, and refused whole when it is cut short.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use clearance_core::screening_lists::FileValidators;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_LENGTH, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use tokio::io::AsyncWriteExt;

/// What a download found.
#[derive(Debug)]
pub enum Fetched {
    /// The publisher answered 304: the stored version is current.
    NotModified,
    /// The file was written whole; its validators ask "changed since?" next time.
    Saved(FileValidators),
    /// An optional file the publisher does not have (404).
    Missing,
}

/// Downloads list files over HTTP(S).
#[derive(Clone, Debug)]
pub struct Downloader {
    client: reqwest::Client,
    timeout: Duration,
    max_bytes: u64,
}

impl Downloader {
    /// A downloader whose every file must arrive whole within `timeout` and hold at most
    /// `max_bytes`.
    ///
    /// # Errors
    /// The TLS set-up failed.
    pub fn new(timeout: Duration, max_bytes: u64) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("clearance/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(30)))
            .timeout(timeout)
            .build()
            .context("setting up the HTTP client")?;
        Ok(Self {
            client,
            timeout,
            max_bytes,
        })
    }

    /// How long one file may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Fetches `url` into `dest`, sending `known`'s validators so an unchanged file costs a
    /// 304. `file` names it in the validators (and in errors: URLs stay out of them, as a
    /// mirror's may hold a password or token).
    ///
    /// # Errors
    /// Any answer but 200 or 304 (or 404 for an optional file), a file over the size limit,
    /// an empty file, a timeout, or a body shorter than its `Content-Length`.
    pub async fn get(
        &self,
        url: &str,
        file: &str,
        optional: bool,
        known: Option<&FileValidators>,
        dest: &Path,
    ) -> anyhow::Result<Fetched> {
        let mut request = self.client.get(url);
        let conditional = known.is_some_and(|k| k.etag.is_some() || k.last_modified.is_some());
        if let Some(known) = known {
            if let Some(etag) = &known.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &known.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{file}: {}", describe(e)))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && conditional {
            return Ok(Fetched::NotModified);
        }
        if status == StatusCode::NOT_FOUND && optional {
            return Ok(Fetched::Missing);
        }
        if status != StatusCode::OK {
            bail!("{file}: the server answered HTTP {status}");
        }
        let headers = response.headers().clone();
        let expected = content_length(&headers);
        if let Some(length) = expected
            && length > self.max_bytes
        {
            bail!(
                "{file}: {length} bytes is over the limit of {} (CLEARANCE_LISTS_MAX_BYTES)",
                self.max_bytes
            );
        }
        let mut out = tokio::fs::File::create(dest)
            .await
            .with_context(|| format!("creating {}", dest.display()))?;
        let mut written: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| anyhow::anyhow!("{file}: {}", describe(e)))?
        {
            written += chunk.len() as u64;
            if written > self.max_bytes {
                bail!(
                    "{file}: over the limit of {} bytes (CLEARANCE_LISTS_MAX_BYTES)",
                    self.max_bytes
                );
            }
            out.write_all(&chunk)
                .await
                .with_context(|| format!("writing {}", dest.display()))?;
        }
        out.flush().await?;
        // A connection closed early ends the body without an error on some servers: the
        // announced length is what proves the file whole.
        if let Some(length) = expected
            && written != length
        {
            bail!("{file}: the download was cut short ({written} of {length} bytes)");
        }
        if written == 0 {
            bail!("{file}: the server sent an empty file");
        }
        Ok(Fetched::Saved(FileValidators {
            file: file.to_owned(),
            etag: header_text(&headers, ETAG),
            last_modified: header_text(&headers, LAST_MODIFIED),
        }))
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A transport error in words, without the URL.
fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out (CLEARANCE_LISTS_FETCH_TIMEOUT_SECS)"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the download broke off"
    } else {
        "the request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}
