//! Small secrets sealed under the master key: they round-trip, show nothing of themselves, and
//! open only under the context and master key they were sealed with.

use std::path::Path;

use clearance_blob::{BlobConfig, BlobError, BlobStore};

const KEY_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const KEY_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

async fn open(dir: &Path, key: &str) -> BlobStore {
    BlobStore::open(&BlobConfig {
        data_dir: dir.to_path_buf(),
        master_key: Some(key.into()),
        ..BlobConfig::default()
    })
    .await
    .expect("open")
}

#[tokio::test]
async fn a_sealed_secret_opens_only_where_it_was_sealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), KEY_A).await;
    let secret = b"whsec_0123456789abcdefghij";
    let sealed = store.seal_secret("hook-1", secret).expect("seal");
    assert!(
        !sealed.windows(secret.len()).any(|w| w == secret),
        "the sealed bytes do not contain the secret"
    );
    assert_ne!(sealed, store.seal_secret("hook-1", secret).expect("seal"));
    assert_eq!(store.open_secret("hook-1", &sealed).expect("open"), secret);
    assert!(matches!(
        store.open_secret("hook-2", &sealed),
        Err(BlobError::Corrupt)
    ));
    let other = open(dir.path(), KEY_B).await;
    assert!(matches!(
        other.open_secret("hook-1", &sealed),
        Err(BlobError::Corrupt)
    ));
}

#[tokio::test]
async fn a_sealed_secret_is_not_a_file_and_a_file_is_not_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), KEY_A).await;
    store
        .put("a/b", bytes::Bytes::from_static(b"file"))
        .await
        .expect("put");
    let file = std::fs::read(dir.path().join("blobs").join("a/b")).expect("raw file");
    assert!(matches!(
        store.open_secret("a/b", &file),
        Err(BlobError::Corrupt)
    ));
}
