//! The blob port: where uploaded files live (encrypted at rest by the adapter). Keys are
//! `account/mode/client/resource/name`, so a client's files can be removed by prefix. The
//! adapter's master key also seals the few secrets the database keeps (webhook signing
//! secrets): one key to provision, back up and share between nodes.

use async_trait::async_trait;

use crate::scope::Scope;

/// A failure of the blob store; the text is for operators, never for API callers.
#[derive(Debug, thiserror::Error)]
#[error("blob store error: {0}")]
pub struct BlobFailure(pub String);

/// What the domain needs from object storage.
#[async_trait]
pub trait Blobs: Send + Sync {
    /// Stores (or replaces) an object.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobFailure>;
    /// Reads an object; `None` when it does not exist.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobFailure>;
    /// Removes an object; removing a missing one succeeds.
    async fn delete(&self, key: &str) -> Result<(), BlobFailure>;
    /// Removes every object under a prefix.
    async fn delete_prefix(&self, prefix: &str) -> Result<(), BlobFailure>;
    /// Encrypts a small secret for the database (a webhook secret, a face descriptor), bound to
    /// `context` (the record it belongs to), under the same master key as the files.
    fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, BlobFailure>;
    /// Decrypts what [`Blobs::seal`] sealed under `context`; a failure when the context, the
    /// master key or the bytes differ.
    fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, BlobFailure>;
}

/// The folder of all files of one client.
pub fn client_prefix(scope: &Scope, client_id: &str) -> String {
    format!("{}/{}/{client_id}/", scope.account_id, scope.mode)
}

/// The folder of all files of one resource of a client.
pub fn resource_prefix(scope: &Scope, client_id: &str, resource_id: &str) -> String {
    format!("{}{resource_id}/", client_prefix(scope, client_id))
}

/// The key of one file of a resource.
pub fn blob_key(scope: &Scope, client_id: &str, resource_id: &str, name: &str) -> String {
    format!("{}{name}", resource_prefix(scope, client_id, resource_id))
}

/// An in-memory [`Blobs`] for tools and tests that need no persistence. Like its files, the
/// secrets it "seals" are kept as they are (tagged with their context, so a mismatch still
/// fails): it has no key to protect them with.
#[derive(Default)]
pub struct MemoryBlobs(std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>);

#[async_trait]
impl Blobs for MemoryBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobFailure> {
        let mut map = self.0.lock().map_err(|_| BlobFailure("poisoned".into()))?;
        map.insert(key.to_string(), bytes);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobFailure> {
        let map = self.0.lock().map_err(|_| BlobFailure("poisoned".into()))?;
        Ok(map.get(key).cloned())
    }

    async fn delete(&self, key: &str) -> Result<(), BlobFailure> {
        let mut map = self.0.lock().map_err(|_| BlobFailure("poisoned".into()))?;
        map.remove(key);
        Ok(())
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), BlobFailure> {
        let mut map = self.0.lock().map_err(|_| BlobFailure("poisoned".into()))?;
        map.retain(|k, _| !k.starts_with(prefix));
        Ok(())
    }

    fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, BlobFailure> {
        let mut out = format!("{context}\n").into_bytes();
        out.extend_from_slice(plaintext);
        Ok(out)
    }

    fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, BlobFailure> {
        sealed
            .strip_prefix(format!("{context}\n").as_bytes())
            .map(<[u8]>::to_vec)
            .ok_or_else(|| BlobFailure("sealed under another context".into()))
    }
}
