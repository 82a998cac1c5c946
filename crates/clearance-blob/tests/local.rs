//! Behaviour of the local-file store: round trips, deletion, listing, and that what
//! lands on disk is encrypted and bound to its key and master key.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use clearance_blob::{BlobConfig, BlobError, BlobStore};

const KEY_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const KEY_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn config(dir: &Path) -> BlobConfig {
    BlobConfig {
        data_dir: dir.to_path_buf(),
        master_key: Some(KEY_A.into()),
        ..BlobConfig::default()
    }
}

async fn open(dir: &Path) -> BlobStore {
    BlobStore::open(&config(dir)).await.expect("open")
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[tokio::test]
async fn round_trip_and_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    let key = "acct/test/client/document/image";
    store
        .put(key, Bytes::from_static(b"first"))
        .await
        .expect("put");
    assert_eq!(store.get(key).await.expect("get"), "first");
    store
        .put(key, Bytes::from_static(b"second"))
        .await
        .expect("overwrite");
    assert_eq!(store.get(key).await.expect("get"), "second");
    store.put("empty", Bytes::new()).await.expect("put empty");
    assert!(store.get("empty").await.expect("get empty").is_empty());
    let big = Bytes::from(
        (0..3_000_000_u32)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>(),
    );
    store.put("big", big.clone()).await.expect("put big");
    assert_eq!(store.get("big").await.expect("get big"), big);
    assert_eq!(mode(&dir.path().join("blobs")), 0o700);
}

#[tokio::test]
async fn missing_key_is_not_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    assert!(matches!(
        store.get("nope/here").await,
        Err(BlobError::NotFound)
    ));
}

#[tokio::test]
async fn delete_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    store
        .put("a/b", Bytes::from_static(b"x"))
        .await
        .expect("put");
    store.delete("a/b").await.expect("delete");
    store.delete("a/b").await.expect("delete again");
    store.delete("never/was").await.expect("delete missing");
    assert!(matches!(store.get("a/b").await, Err(BlobError::NotFound)));
}

#[tokio::test]
async fn list_and_delete_prefix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    for key in [
        "acct/c1/doc/1",
        "acct/c1/doc/2",
        "acct/c1/selfie",
        "acct/c10/doc/1",
        "other",
    ] {
        store.put(key, Bytes::from_static(b"x")).await.expect("put");
    }
    assert_eq!(
        store.list("acct/c1").await.expect("list"),
        ["acct/c1/doc/1", "acct/c1/doc/2", "acct/c1/selfie"]
    );
    assert_eq!(store.list("acct/c1/").await.expect("list /").len(), 3);
    assert_eq!(store.list("").await.expect("list all").len(), 5);
    assert!(
        store
            .list("missing/prefix")
            .await
            .expect("list missing")
            .is_empty()
    );

    store.delete_prefix("acct/c1").await.expect("delete_prefix");
    assert_eq!(
        store.list("").await.expect("list all"),
        ["acct/c10/doc/1", "other"]
    );
    store
        .delete_prefix("acct/c1")
        .await
        .expect("delete_prefix again");
    assert!(matches!(
        store.delete_prefix("").await,
        Err(BlobError::Config(_))
    ));
    assert!(matches!(
        store.delete_prefix("/").await,
        Err(BlobError::Config(_))
    ));
}

#[tokio::test]
async fn bad_keys_are_config_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    for key in [
        "",
        "../etc/passwd",
        "a//b",
        "a/./b",
        "/abs",
        "a b",
        "ü",
        "a/b/",
    ] {
        let put = store.put(key, Bytes::from_static(b"x")).await;
        assert!(matches!(put, Err(BlobError::Config(_))), "put {key:?}");
        assert!(
            matches!(store.get(key).await, Err(BlobError::Config(_))),
            "get {key:?}"
        );
        assert!(
            matches!(store.delete(key).await, Err(BlobError::Config(_))),
            "delete {key:?}"
        );
    }
    assert!(matches!(
        store.list("../x").await,
        Err(BlobError::Config(_))
    ));
}

#[tokio::test]
async fn plaintext_never_reaches_disk_and_delete_removes_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    let marker = b"PLAINTEXT-MARKER-7f3a9c-JOHN-DOE-1970-01-01";
    let payload = [marker.as_slice(), b" and more ", marker.as_slice()].concat();
    store
        .put("acct/test/c1/doc/front", Bytes::from(payload))
        .await
        .expect("put");

    let blobs = dir.path().join("blobs");
    let files = files_under(&blobs);
    assert_eq!(files.len(), 1, "{files:?}");
    for file in &files {
        let raw = fs::read(file).expect("read raw");
        assert!(raw.starts_with(b"CLBL\x01"), "header");
        assert!(
            !raw.windows(marker.len()).any(|w| w == marker),
            "marker found in {}",
            file.display()
        );
    }

    store
        .delete("acct/test/c1/doc/front")
        .await
        .expect("delete");
    assert!(files_under(&blobs).is_empty(), "{:?}", files_under(&blobs));
}

#[tokio::test]
async fn tampered_ciphertext_is_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    store
        .put("t/x", Bytes::from_static(b"some payload"))
        .await
        .expect("put");
    let file = dir.path().join("blobs/t/x");
    let mut raw = fs::read(&file).expect("read");
    let last = raw.len() - 1;
    raw[last] ^= 0x80;
    fs::write(&file, &raw).expect("write");
    assert!(matches!(store.get("t/x").await, Err(BlobError::Corrupt)));

    fs::write(&file, b"not a blob").expect("write");
    assert!(matches!(store.get("t/x").await, Err(BlobError::Corrupt)));
}

#[tokio::test]
async fn blob_moved_to_another_key_is_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path()).await;
    store
        .put("c1/doc", Bytes::from_static(b"client one"))
        .await
        .expect("put");
    store
        .put("c2/doc", Bytes::from_static(b"client two"))
        .await
        .expect("put");
    let blobs = dir.path().join("blobs");
    fs::copy(blobs.join("c1/doc"), blobs.join("c2/doc")).expect("copy");
    assert!(matches!(store.get("c2/doc").await, Err(BlobError::Corrupt)));
    assert_eq!(
        store.get("c1/doc").await.expect("get original"),
        "client one"
    );
}

#[tokio::test]
async fn wrong_master_key_is_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    open(dir.path())
        .await
        .put("k", Bytes::from_static(b"secret"))
        .await
        .expect("put");
    let other = BlobStore::open(&BlobConfig {
        master_key: Some(KEY_B.into()),
        ..config(dir.path())
    })
    .await
    .expect("open with other key");
    assert!(matches!(other.get("k").await, Err(BlobError::Corrupt)));
}

#[tokio::test]
async fn generated_master_key_is_private_and_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    let config = BlobConfig {
        data_dir: data_dir.clone(),
        ..BlobConfig::default()
    };
    let first = BlobStore::open(&config).await.expect("first open");
    let key_file = data_dir.join("master.key");
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(mode(&data_dir), 0o700);
    let text = fs::read_to_string(&key_file).expect("read key");
    assert_eq!(text.trim().len(), 64);
    first
        .put("k", Bytes::from_static(b"kept"))
        .await
        .expect("put");
    drop(first);

    let second = BlobStore::open(&config).await.expect("second open");
    assert_eq!(fs::read_to_string(&key_file).expect("reread"), text);
    assert_eq!(second.get("k").await.expect("get"), "kept");
    let leftovers: Vec<_> = fs::read_dir(&data_dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let shown = format!("{second:?}");
    assert!(!shown.contains(text.trim()), "{shown}");
}

#[tokio::test]
async fn master_key_file_and_base64_are_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("key.txt");
    fs::write(&key_file, format!("{KEY_A}\n")).expect("write key");
    let from_file = BlobStore::open(&BlobConfig {
        data_dir: dir.path().to_path_buf(),
        master_key_file: Some(key_file),
        ..BlobConfig::default()
    })
    .await
    .expect("open from file");
    from_file
        .put("k", Bytes::from_static(b"v"))
        .await
        .expect("put");
    // Same 32 bytes in base64: 0x11 repeated.
    let b64 = BlobStore::open(&BlobConfig {
        master_key: Some("ERERERERERERERERERERERERERERERERERERERERERE=".into()),
        ..config(dir.path())
    })
    .await
    .expect("open base64");
    assert_eq!(b64.get("k").await.expect("get"), "v");
    assert!(!dir.path().join("master.key").exists());
}

#[tokio::test]
async fn bad_master_keys_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    for bad in [
        "",
        "abcd",
        &KEY_A[..62],
        &format!("{KEY_A}00"),
        "zz!!",
        "AAAA",
    ] {
        let result = BlobStore::open(&BlobConfig {
            master_key: Some(bad.to_owned()),
            ..config(dir.path())
        })
        .await;
        let Err(BlobError::Config(message)) = result else {
            panic!("{bad:?} accepted or wrong error");
        };
        if bad.len() > 4 {
            assert!(!message.contains(bad), "{message}");
        }
    }
    let missing = BlobStore::open(&BlobConfig {
        data_dir: dir.path().to_path_buf(),
        master_key_file: Some(dir.path().join("absent.key")),
        ..BlobConfig::default()
    })
    .await;
    assert!(matches!(missing, Err(BlobError::Config(_))));
    let bad_url = BlobStore::open(&BlobConfig {
        url: Some("ftp://bucket".into()),
        ..config(dir.path())
    })
    .await;
    assert!(matches!(bad_url, Err(BlobError::Config(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_opens_agree_on_one_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = BlobConfig {
        data_dir: dir.path().join("fresh"),
        ..BlobConfig::default()
    };
    let opens = (0..8).map(|_| {
        let config = config.clone();
        tokio::spawn(async move { BlobStore::open(&config).await })
    });
    let mut stores = Vec::new();
    for open in opens {
        stores.push(open.await.expect("join").expect("open"));
    }
    stores[0]
        .put("k", Bytes::from_static(b"shared"))
        .await
        .expect("put");
    for store in &stores {
        assert_eq!(
            store.get("k").await.expect("every opener has the same key"),
            "shared"
        );
    }
}
