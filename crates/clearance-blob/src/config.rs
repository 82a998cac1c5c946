//! `BlobConfig` and `S3Settings`: what the server hands over to open a store.
//! Their `Debug` output redacts the master key and the S3 secret.

use std::fmt;
use std::path::PathBuf;

/// Where blobs live and how they are keyed. Filled by the server from its config and
/// environment; this crate reads no environment variables itself.
#[derive(Clone, Default)]
pub struct BlobConfig {
    /// None → local files under `data_dir/blobs`; Some("s3://bucket/optional/prefix") → S3-compatible.
    pub url: Option<String>,
    /// The server's data directory: local blobs and the generated master key live here.
    pub data_dir: PathBuf,
    /// 32-byte master key as 64 hex chars or standard base64 (`CLEARANCE_MASTER_KEY`).
    pub master_key: Option<String>,
    /// File holding the key in the same encodings (`CLEARANCE_MASTER_KEY_FILE`).
    pub master_key_file: Option<PathBuf>,
    /// S3 settings (`CLEARANCE_S3_ENDPOINT`, `CLEARANCE_S3_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `CLEARANCE_S3_ALLOW_HTTP`).
    pub s3: S3Settings,
}

/// Connection settings for an S3-compatible service; unused for local storage.
#[derive(Clone, Default)]
pub struct S3Settings {
    /// Endpoint URL for non-AWS services (MinIO, Garage, moto…); None → AWS.
    pub endpoint: Option<String>,
    /// Region; None → `us-east-1`.
    pub region: Option<String>,
    /// Access key id; None → the provider chain (instance metadata, web identity).
    pub access_key_id: Option<String>,
    /// Secret access key, paired with `access_key_id`.
    pub secret_access_key: Option<String>,
    /// Allow plain `http://` endpoints (local test servers).
    pub allow_http: bool,
}

/// Shows whether a secret is set, never its value.
fn redacted(value: Option<&String>) -> &'static str {
    if value.is_some() {
        "Some(<redacted>)"
    } else {
        "None"
    }
}

impl fmt::Debug for BlobConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobConfig")
            .field("url", &self.url)
            .field("data_dir", &self.data_dir)
            .field(
                "master_key",
                &format_args!("{}", redacted(self.master_key.as_ref())),
            )
            .field("master_key_file", &self.master_key_file)
            .field("s3", &self.s3)
            .finish()
    }
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &format_args!("{}", redacted(self.secret_access_key.as_ref())),
            )
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = BlobConfig {
            master_key: Some("00112233secretkey".into()),
            s3: S3Settings {
                secret_access_key: Some("topsecretvalue".into()),
                ..S3Settings::default()
            },
            ..BlobConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("secretkey"), "{shown}");
        assert!(!shown.contains("topsecretvalue"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
