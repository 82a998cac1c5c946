//! Choosing and building the `object_store` backend from a `BlobConfig`: local files
//! under `data_dir/blobs` or an `s3://bucket/prefix` URL.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;

use crate::config::{BlobConfig, S3Settings};
use crate::error::{BlobError, Result};
use crate::key::validate_prefix;
use crate::master_key::create_private_dir;

/// Folder under the data directory that holds local blobs.
pub(crate) const LOCAL_DIR: &str = "blobs";

/// A built backend and the key prefix every object goes under (empty for local files).
pub(crate) struct Backend {
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) prefix: String,
}

pub(crate) fn build(config: &BlobConfig) -> Result<Backend> {
    match config.url.as_deref().map(str::trim) {
        None | Some("") => local(config),
        Some(url) => s3(url, &config.s3),
    }
}

fn local(config: &BlobConfig) -> Result<Backend> {
    let dir = config.data_dir.join(LOCAL_DIR);
    create_private_dir(&dir)?;
    // The folder may predate us with looser rights; blobs are encrypted but their
    // names and sizes are still nobody else's business.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| BlobError::Config(format!("cannot restrict {}: {e}", dir.display())))?;
    let store = LocalFileSystem::new_with_prefix(&dir)
        .map_err(|e| BlobError::Config(format!("local blob folder: {e}")))?
        .with_automatic_cleanup(true);
    Ok(Backend {
        store: Arc::new(store),
        prefix: String::new(),
    })
}

fn s3(url: &str, settings: &S3Settings) -> Result<Backend> {
    let (bucket, prefix) = parse_s3_url(url)?;
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(settings.region.as_deref().unwrap_or("us-east-1"))
        .with_allow_http(settings.allow_http);
    if let Some(endpoint) = &settings.endpoint {
        builder = builder.with_endpoint(endpoint);
    }
    match (&settings.access_key_id, &settings.secret_access_key) {
        (Some(id), Some(secret)) => {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        (None, None) => {}
        _ => {
            return Err(BlobError::Config(
                "S3 access key id and secret access key must be set together".into(),
            ));
        }
    }
    let store = builder
        .build()
        .map_err(|e| BlobError::Config(format!("S3: {e}")))?;
    Ok(Backend {
        store: Arc::new(store),
        prefix: prefix.to_owned(),
    })
}

/// Splits `s3://bucket/optional/prefix` into the bucket and the (validated) prefix.
fn parse_s3_url(url: &str) -> Result<(&str, &str)> {
    let rest = url.strip_prefix("s3://").ok_or_else(|| {
        BlobError::Config(
            "blob storage URL must start with s3:// (or be unset for local files)".into(),
        )
    })?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = !bucket.is_empty()
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'));
    if !bucket_ok {
        return Err(BlobError::Config(
            "S3 bucket name must be lowercase letters, digits, `.` and `-`".into(),
        ));
    }
    let prefix = validate_prefix(prefix, true)
        .map_err(|e| BlobError::Config(format!("S3 URL prefix: {e}")))?;
    Ok((bucket, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_s3_urls() {
        assert_eq!(parse_s3_url("s3://bucket").ok(), Some(("bucket", "")));
        assert_eq!(parse_s3_url("s3://bucket/").ok(), Some(("bucket", "")));
        assert_eq!(
            parse_s3_url("s3://my-bucket/clearance/prod/").ok(),
            Some(("my-bucket", "clearance/prod"))
        );
        for bad in [
            "bucket",
            "file:///tmp",
            "s3://",
            "s3:///x",
            "s3://Bucket",
            "s3://b/../x",
            "s3://b//x",
        ] {
            assert!(
                matches!(parse_s3_url(bad), Err(BlobError::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn half_set_credentials_are_rejected() {
        let settings = S3Settings {
            access_key_id: Some("id".into()),
            ..S3Settings::default()
        };
        assert!(matches!(
            s3("s3://bucket", &settings),
            Err(BlobError::Config(_))
        ));
    }
}
