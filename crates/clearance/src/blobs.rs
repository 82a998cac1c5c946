//! The blob port of the domain, implemented by the encrypted object store.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use clearance_blob::{BlobConfig, BlobError, BlobStore, S3Settings};
use clearance_core::blobs::{BlobFailure, Blobs};

use crate::config::BlobArgs;

/// [`Blobs`] over [`BlobStore`] (AES-256-GCM envelope encryption, local files or S3).
pub struct EncryptedBlobs(pub BlobStore);

fn failure(e: BlobError) -> BlobFailure {
    BlobFailure(e.to_string())
}

#[async_trait]
impl Blobs for EncryptedBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobFailure> {
        self.0.put(key, bytes.into()).await.map_err(failure)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobFailure> {
        match self.0.get(key).await {
            Ok(bytes) => Ok(Some(bytes.to_vec())),
            Err(BlobError::NotFound) => Ok(None),
            Err(e) => Err(failure(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobFailure> {
        self.0.delete(key).await.map_err(failure)
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), BlobFailure> {
        self.0
            .delete_prefix(prefix.trim_end_matches('/'))
            .await
            .map_err(failure)
    }

    fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, BlobFailure> {
        self.0.seal_secret(context, plaintext).map_err(failure)
    }

    fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, BlobFailure> {
        self.0.open_secret(context, sealed).map_err(failure)
    }
}

/// Opens the blob store the settings name.
pub async fn open_blobs(args: &BlobArgs, data_dir: &Path) -> anyhow::Result<Arc<dyn Blobs>> {
    let config = BlobConfig {
        url: args.blob_url.clone(),
        data_dir: data_dir.to_path_buf(),
        master_key: args.master_key.clone(),
        master_key_file: args.master_key_file.clone(),
        s3: S3Settings {
            endpoint: args.s3_endpoint.clone(),
            region: args.s3_region.clone(),
            access_key_id: args.s3_access_key_id.clone(),
            secret_access_key: args.s3_secret_access_key.clone(),
            allow_http: args.s3_allow_http,
        },
    };
    let store = BlobStore::open(&config)
        .await
        .context("opening the blob store")?;
    Ok(Arc::new(EncryptedBlobs(store)))
}
