//! Object storage for Clearance: blobs (document images, selfies, reports) on local
//! disk or an S3-compatible service, envelope-encrypted at rest under one master key.
//!
//! See the crate README for the stored byte layout and how the S3 test runs.

mod backend;
mod config;
mod envelope;
mod error;
mod key;
mod master_key;

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

pub use config::{BlobConfig, S3Settings};
pub use error::{BlobError, Result};

use master_key::MasterKey;

/// A handle on the blob store; cheap to clone and share between tasks.
///
/// Keys are `/`-separated ASCII such as `acct/test/client/document/image`: segments of
/// `A-Z a-z 0-9 _ . -`, never empty, `.` or `..`. Anything else is [`BlobError::Config`].
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// Backend path prefix every key is stored under (from the S3 URL; empty locally).
    prefix: Arc<str>,
    master: Arc<MasterKey>,
}

impl fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobStore")
            .field("backend", &format_args!("{}", self.store))
            .field("prefix", &self.prefix)
            .field("master_key", &format_args!("<redacted>"))
            .finish()
    }
}

impl BlobStore {
    /// Loads (or on first start generates) the master key and connects the backend.
    /// Nothing is read from or written to S3 here; a wrong bucket shows on first use.
    pub async fn open(config: &BlobConfig) -> Result<BlobStore> {
        let master = master_key::load(
            config.master_key.as_deref(),
            config.master_key_file.as_deref(),
            &config.data_dir,
        )?;
        let backend = backend::build(config)?;
        Ok(BlobStore {
            store: backend.store,
            prefix: backend.prefix.into(),
            master: Arc::new(master),
        })
    }

    /// Encrypts and stores; overwrites an existing key.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        key::validate_key(key)?;
        let sealed = envelope::seal(&self.master, key, &bytes)?;
        self.store
            .put(&key::to_path(&self.prefix, key), PutPayload::from(sealed))
            .await?;
        Ok(())
    }

    /// Reads and decrypts; [`BlobError::NotFound`] when absent; [`BlobError::Corrupt`]
    /// when authentication fails.
    pub async fn get(&self, key: &str) -> Result<Bytes> {
        key::validate_key(key)?;
        let stored = self
            .store
            .get(&key::to_path(&self.prefix, key))
            .await?
            .bytes()
            .await?;
        envelope::open(&self.master, key, &stored).map(Bytes::from)
    }

    /// Encrypts a small secret the database keeps (a webhook's signing secret) under the same
    /// master key, in the same envelope as a file, bound to `context` (the record it belongs
    /// to): opened under any other context it is [`BlobError::Corrupt`], so a sealed value
    /// copied to another record does not open. Contexts live apart from file keys: they are
    /// bound as `secret:<context>`, and no file key holds a `:`.
    pub fn seal_secret(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
        envelope::seal(&self.master, &secret_binding(context), plaintext)
    }

    /// Decrypts what [`BlobStore::seal_secret`] sealed under `context`; [`BlobError::Corrupt`]
    /// when it was sealed under another context or another master key, or was altered.
    pub fn open_secret(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        envelope::open(&self.master, &secret_binding(context), sealed)
    }

    /// Idempotent: deleting a missing key is Ok.
    pub async fn delete(&self, key: &str) -> Result<()> {
        key::validate_key(key)?;
        match self.store.delete(&key::to_path(&self.prefix, key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes every object under a key prefix (e.g. all blobs of one client).
    /// The prefix matches whole segments: `acct/a` covers `acct/a/x`, not `acct/ab/x`.
    /// An empty prefix is refused rather than wiping the store.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<()> {
        let prefix = key::validate_prefix(prefix, false)?;
        let base = key::to_path(&self.prefix, prefix);
        let locations = self
            .store
            .list(Some(&base))
            .map_ok(|meta| meta.location)
            .boxed();
        let mut results = self.store.delete_stream(locations);
        while let Some(result) = results.next().await {
            match result {
                // NotFound: someone else deleted it between the listing and the delete.
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Lists keys under a prefix (for tests, operators and garbage collection), sorted.
    /// The prefix matches whole segments; an empty prefix lists every key.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let prefix = key::validate_prefix(prefix, true)?;
        let base = if prefix.is_empty() && self.prefix.is_empty() {
            None
        } else if prefix.is_empty() {
            Some(object_store::path::Path::from(&*self.prefix))
        } else {
            Some(key::to_path(&self.prefix, prefix))
        };
        let metas: Vec<_> = self.store.list(base.as_ref()).try_collect().await?;
        let mut keys: Vec<String> = metas
            .iter()
            .filter_map(|meta| key::from_path(&self.prefix, &meta.location))
            .map(str::to_owned)
            .collect();
        keys.sort_unstable();
        Ok(keys)
    }
}

/// What a sealed secret is bound to: never a valid file key (those have no `:`).
fn secret_binding(context: &str) -> String {
    format!("secret:{context}")
}
