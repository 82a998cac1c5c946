//! The master key that wraps every data key: decoding it (hex or base64), reading it
//! from a file, and generating `data_dir/master.key` (mode 0600) on first start.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::KeyInit;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::envelope::fill_random;
use crate::error::{BlobError, Result};

/// Name of the generated key file inside the data directory.
pub(crate) const KEY_FILE_NAME: &str = "master.key";
const KEY_LEN: usize = 32;

/// The master key, held only as an AES-256-GCM cipher whose key schedule is zeroized
/// on drop. Its `Debug` output never shows it.
pub(crate) struct MasterKey {
    cipher: Aes256Gcm,
}

impl MasterKey {
    /// Builds the cipher from raw key bytes.
    pub(crate) fn from_bytes(bytes: &[u8; KEY_LEN]) -> Self {
        Self {
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }

    /// The key-wrapping cipher.
    pub(crate) fn cipher(&self) -> &Aes256Gcm {
        &self.cipher
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

/// Picks the master key: the inline value, else the named file, else the generated
/// `data_dir/master.key` (created on first use, reused afterwards).
pub(crate) fn load(
    inline: Option<&str>,
    file: Option<&Path>,
    data_dir: &Path,
) -> Result<MasterKey> {
    if let Some(text) = inline {
        return decode(text, "CLEARANCE_MASTER_KEY");
    }
    if let Some(path) = file {
        return read_key_file(path, "CLEARANCE_MASTER_KEY_FILE");
    }
    load_or_generate(data_dir)
}

/// Decodes 64 hex characters or standard base64 of exactly 32 bytes. `source` names
/// where the key came from; the message never includes the key itself.
pub(crate) fn decode(text: &str, source: &str) -> Result<MasterKey> {
    let text = Zeroizing::new(text.trim().to_owned());
    let bytes = if text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text.as_bytes()).ok()
    } else {
        STANDARD.decode(text.as_bytes()).ok()
    };
    let bytes = Zeroizing::new(bytes.ok_or_else(|| {
        BlobError::Config(format!(
            "{source}: master key must be 64 hex characters or standard base64"
        ))
    })?);
    let array: &[u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
        BlobError::Config(format!(
            "{source}: master key must decode to 32 bytes, got {}",
            bytes.len()
        ))
    })?;
    Ok(MasterKey::from_bytes(array))
}

fn read_key_file(path: &Path, source: &str) -> Result<MasterKey> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| {
        BlobError::Config(format!("{source}: cannot read {}: {e}", path.display()))
    })?);
    decode(&text, source)
}

/// Reuses `data_dir/master.key`, or creates it without ever replacing an existing one:
/// the key goes into a private temporary file that is then hard-linked into place,
/// which fails if another process got there first (its key is then used).
fn load_or_generate(data_dir: &Path) -> Result<MasterKey> {
    let path = data_dir.join(KEY_FILE_NAME);
    let source = "generated master key file";
    if path.exists() {
        return read_key_file(&path, source);
    }
    create_private_dir(data_dir)?;

    let mut raw = Zeroizing::new([0_u8; KEY_LEN]);
    fill_random(raw.as_mut_slice())?;
    let mut text = Zeroizing::new(hex::encode(raw.as_slice()));
    text.push('\n');

    let mut suffix = [0_u8; 8];
    fill_random(&mut suffix)?;
    let tmp = data_dir.join(format!(".{KEY_FILE_NAME}.{}.tmp", hex::encode(suffix)));
    let written = write_private(&tmp, text.as_bytes()).and_then(|()| fs::hard_link(&tmp, &path));
    // The temporary name is removed whatever happened; the linked name keeps the data.
    let _ = fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(MasterKey::from_bytes(&raw)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_key_file(&path, source),
        Err(e) => Err(BlobError::Config(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Creates `dir` and missing parents with mode 0700 (existing ones are left as they are).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| BlobError::Config(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_hex_and_base64() {
        let hex_key = "00".repeat(32);
        assert!(decode(&hex_key, "test").is_ok());
        assert!(decode(&format!("  {}\n", "aB".repeat(32)), "test").is_ok());
        assert!(decode(&STANDARD.encode([9_u8; 32]), "test").is_ok());
    }

    #[test]
    fn rejects_bad_keys_without_echoing_them() {
        for bad in [
            "",
            "zz",
            &"0".repeat(62),
            &STANDARD.encode([1_u8; 16]),
            &STANDARD.encode([1_u8; 33]),
            "not base64 at all!",
        ] {
            let err = decode(bad, "SOURCE").expect_err(bad);
            let BlobError::Config(message) = &err else {
                panic!("{err:?}")
            };
            assert!(message.starts_with("SOURCE"), "{message}");
            if bad.len() > 4 {
                assert!(!message.contains(bad), "{message}");
            }
        }
    }

    #[test]
    fn debug_is_redacted() {
        let key = MasterKey::from_bytes(&[0xAB; 32]);
        assert_eq!(format!("{key:?}"), "MasterKey(redacted)");
    }
}
