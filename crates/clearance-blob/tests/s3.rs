//! The same store behaviour against a real S3-compatible server (moto in CI, through
//! `tests/s3.sh`). Runs only when `CLEARANCE_TEST_S3_ENDPOINT` is set.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use clearance_blob::{BlobConfig, BlobError, BlobStore, S3Settings};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

const MASTER: &str = "3333333333333333333333333333333333333333333333333333333333333333";
const OTHER_MASTER: &str = "4444444444444444444444444444444444444444444444444444444444444444";
const ACCESS_KEY: &str = "clearance-test";
const SECRET_KEY: &str = "clearance-test-secret";

fn settings(endpoint: &str) -> S3Settings {
    S3Settings {
        endpoint: Some(endpoint.to_owned()),
        region: Some("us-east-1".into()),
        access_key_id: Some(ACCESS_KEY.into()),
        secret_access_key: Some(SECRET_KEY.into()),
        allow_http: true,
    }
}

/// Creates a fresh bucket with a plain `PUT /<bucket>` (moto needs no signature).
async fn create_bucket(endpoint: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let bucket = format!("clearance-test-{}-{nanos}", std::process::id());
    let response = reqwest::Client::new()
        .put(format!("{}/{bucket}", endpoint.trim_end_matches('/')))
        .send()
        .await
        .expect("create bucket request");
    assert!(
        response.status().is_success(),
        "create bucket: {}",
        response.status()
    );
    bucket
}

/// A raw client on the bucket, to look at and move stored objects behind the store.
fn raw_client(endpoint: &str, bucket: &str) -> impl ObjectStore {
    AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region("us-east-1")
        .with_endpoint(endpoint)
        .with_access_key_id(ACCESS_KEY)
        .with_secret_access_key(SECRET_KEY)
        .with_allow_http(true)
        .build()
        .expect("raw client")
}

#[tokio::test]
async fn s3_store_behaves_like_local() {
    let Ok(endpoint) = std::env::var("CLEARANCE_TEST_S3_ENDPOINT") else {
        println!("skipped: CLEARANCE_TEST_S3_ENDPOINT not set");
        return;
    };
    let bucket = create_bucket(&endpoint).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = BlobConfig {
        url: Some(format!("s3://{bucket}/tenant/blobs")),
        data_dir: dir.path().to_path_buf(),
        master_key: Some(MASTER.into()),
        master_key_file: None,
        s3: settings(&endpoint),
    };
    let store = BlobStore::open(&config).await.expect("open");
    let raw = raw_client(&endpoint, &bucket);

    // Round trip, overwrite, not found.
    let marker = b"S3-PLAINTEXT-MARKER-0d1e2f";
    store
        .put("acct/c1/doc/front", Bytes::from_static(marker))
        .await
        .expect("put");
    assert_eq!(
        store.get("acct/c1/doc/front").await.expect("get"),
        &marker[..]
    );
    store
        .put("acct/c1/doc/front", Bytes::from_static(b"second"))
        .await
        .expect("overwrite");
    assert_eq!(store.get("acct/c1/doc/front").await.expect("get"), "second");
    assert!(matches!(
        store.get("acct/none").await,
        Err(BlobError::NotFound)
    ));

    // Stored bytes live under the URL prefix and are encrypted.
    store
        .put("acct/c1/selfie", Bytes::from_static(marker))
        .await
        .expect("put");
    let stored = raw
        .get(&Path::from("tenant/blobs/acct/c1/selfie"))
        .await
        .expect("raw get")
        .bytes()
        .await
        .expect("raw bytes");
    assert!(stored.starts_with(b"CLBL\x01"));
    assert!(!stored.windows(marker.len()).any(|w| w == marker));

    // A blob moved to another key, or read with another master key, is corrupt.
    raw.put(
        &Path::from("tenant/blobs/acct/c2/selfie"),
        PutPayload::from(stored.clone()),
    )
    .await
    .expect("raw copy");
    assert!(matches!(
        store.get("acct/c2/selfie").await,
        Err(BlobError::Corrupt)
    ));
    let other = BlobStore::open(&BlobConfig {
        master_key: Some(OTHER_MASTER.into()),
        ..config.clone()
    })
    .await
    .expect("open other");
    assert!(matches!(
        other.get("acct/c1/selfie").await,
        Err(BlobError::Corrupt)
    ));

    // Listing strips the URL prefix and ignores objects outside it.
    raw.put(&Path::from("outside/x"), PutPayload::from_static(b"x"))
        .await
        .expect("raw put outside");
    store
        .put("acct/c10/doc", Bytes::from_static(b"x"))
        .await
        .expect("put");
    assert_eq!(
        store.list("").await.expect("list"),
        [
            "acct/c1/doc/front",
            "acct/c1/selfie",
            "acct/c10/doc",
            "acct/c2/selfie"
        ]
    );
    assert_eq!(store.list("acct/c1").await.expect("list c1").len(), 2);

    // Deletion: idempotent, by prefix, whole segments only.
    store.delete("acct/c2/selfie").await.expect("delete");
    store.delete("acct/c2/selfie").await.expect("delete again");
    store.delete_prefix("acct/c1").await.expect("delete_prefix");
    assert_eq!(store.list("").await.expect("list"), ["acct/c10/doc"]);
    store
        .delete_prefix("acct/c1")
        .await
        .expect("delete_prefix again");
    assert!(raw.head(&Path::from("outside/x")).await.is_ok());
}
