//! Envelope encryption of one blob: a fresh AES-256-GCM data key per object, wrapped
//! with the master key, and the versioned byte layout both are stored in.
//!
//! Layout (version 1), all lengths in bytes:
//! `magic "CLBL" (4) | version 0x01 (1) | wrap nonce (12) | wrapped data key (48) |
//! payload nonce (12) | ciphertext + tag (n + 16)`.
//! The wrap is authenticated with `magic | version | object key` as associated data,
//! the payload with `header (77 bytes) | object key`.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use zeroize::Zeroizing;

use crate::error::{BlobError, Result};
use crate::master_key::MasterKey;

/// First bytes of every stored object.
pub(crate) const MAGIC: &[u8; 4] = b"CLBL";
/// The only layout version written and read today.
pub(crate) const VERSION: u8 = 1;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;
const PREFIX_LEN: usize = MAGIC.len() + 1;
const WRAP_NONCE_AT: usize = PREFIX_LEN;
const WRAPPED_KEY_AT: usize = WRAP_NONCE_AT + NONCE_LEN;
const PAYLOAD_NONCE_AT: usize = WRAPPED_KEY_AT + KEY_LEN + TAG_LEN;
/// Length of the header that precedes the ciphertext.
pub(crate) const HEADER_LEN: usize = PAYLOAD_NONCE_AT + NONCE_LEN;

/// Encrypts `plaintext` for storage under `object_key`.
pub(crate) fn seal(master: &MasterKey, object_key: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut data_key = Zeroizing::new([0_u8; KEY_LEN]);
    fill_random(data_key.as_mut_slice())?;
    let mut nonces = [0_u8; 2 * NONCE_LEN];
    fill_random(&mut nonces)?;
    let (wrap_nonce, payload_nonce) = nonces.split_at(NONCE_LEN);

    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(wrap_nonce);

    // Wrap the data key in place inside the output buffer.
    out.extend_from_slice(data_key.as_slice());
    let wrap_aad = associated_data(&out[..PREFIX_LEN], object_key);
    let wrap_tag = master
        .cipher()
        .encrypt_in_place_detached(
            Nonce::from_slice(wrap_nonce),
            &wrap_aad,
            &mut out[WRAPPED_KEY_AT..],
        )
        .map_err(|_| BlobError::Backend("key wrapping failed".into()))?;
    out.extend_from_slice(&wrap_tag);
    out.extend_from_slice(payload_nonce);
    debug_assert_eq!(out.len(), HEADER_LEN);

    let payload_aad = associated_data(&out, object_key);
    out.extend_from_slice(plaintext);
    let data_cipher = Aes256Gcm::new(data_key.as_slice().into());
    let tag = data_cipher
        .encrypt_in_place_detached(
            Nonce::from_slice(payload_nonce),
            &payload_aad,
            &mut out[HEADER_LEN..],
        )
        .map_err(|_| BlobError::Backend("payload encryption failed".into()))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Decrypts an object read from under `object_key`; any mismatch is [`BlobError::Corrupt`].
pub(crate) fn open(master: &MasterKey, object_key: &str, stored: &[u8]) -> Result<Vec<u8>> {
    if stored.len() < HEADER_LEN + TAG_LEN
        || &stored[..MAGIC.len()] != MAGIC
        || stored[MAGIC.len()] != VERSION
    {
        return Err(BlobError::Corrupt);
    }
    let header = &stored[..HEADER_LEN];

    let mut data_key = Zeroizing::new([0_u8; KEY_LEN]);
    data_key.copy_from_slice(&header[WRAPPED_KEY_AT..WRAPPED_KEY_AT + KEY_LEN]);
    let wrap_tag = Tag::from_slice(&header[WRAPPED_KEY_AT + KEY_LEN..PAYLOAD_NONCE_AT]);
    master
        .cipher()
        .decrypt_in_place_detached(
            Nonce::from_slice(&header[WRAP_NONCE_AT..WRAPPED_KEY_AT]),
            &associated_data(&header[..PREFIX_LEN], object_key),
            data_key.as_mut_slice(),
            wrap_tag,
        )
        .map_err(|_| BlobError::Corrupt)?;

    let body = &stored[HEADER_LEN..];
    let (ciphertext, tag) = body.split_at(body.len() - TAG_LEN);
    let mut plaintext = ciphertext.to_vec();
    let data_cipher = Aes256Gcm::new(data_key.as_slice().into());
    data_cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&header[PAYLOAD_NONCE_AT..]),
            &associated_data(header, object_key),
            &mut plaintext,
            Tag::from_slice(tag),
        )
        .map_err(|_| BlobError::Corrupt)?;
    Ok(plaintext)
}

/// `bound | object key`: ties the ciphertext to the key it was stored under.
fn associated_data(bound: &[u8], object_key: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(bound.len() + object_key.len());
    aad.extend_from_slice(bound);
    aad.extend_from_slice(object_key.as_bytes());
    aad
}

/// Fills `buf` from the operating system's random source.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| BlobError::Backend("system random source failed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master(byte: u8) -> MasterKey {
        MasterKey::from_bytes(&[byte; KEY_LEN])
    }

    #[test]
    fn round_trip_and_layout() {
        let key = master(7);
        let sealed = seal(&key, "a/b", b"hello").expect("seal");
        assert_eq!(sealed.len(), HEADER_LEN + 5 + TAG_LEN);
        assert_eq!(&sealed[..4], MAGIC);
        assert_eq!(sealed[4], VERSION);
        assert_eq!(open(&key, "a/b", &sealed).expect("open"), b"hello");
        let empty = seal(&key, "a/b", b"").expect("seal empty");
        assert!(open(&key, "a/b", &empty).expect("open empty").is_empty());
    }

    #[test]
    fn fresh_keys_and_nonces_each_time() {
        let key = master(7);
        let one = seal(&key, "k", b"same").expect("seal");
        let two = seal(&key, "k", b"same").expect("seal");
        assert_ne!(one[..HEADER_LEN], two[..HEADER_LEN]);
        assert_ne!(one[HEADER_LEN..], two[HEADER_LEN..]);
    }

    #[test]
    fn every_mismatch_is_corrupt() {
        let key = master(7);
        let sealed = seal(&key, "a/b", b"payload").expect("seal");
        assert!(matches!(
            open(&key, "a/c", &sealed),
            Err(BlobError::Corrupt)
        ));
        assert!(matches!(
            open(&master(8), "a/b", &sealed),
            Err(BlobError::Corrupt)
        ));
        assert!(matches!(
            open(&key, "a/b", &sealed[..HEADER_LEN + TAG_LEN - 1]),
            Err(BlobError::Corrupt)
        ));
        for at in [
            0,
            4,
            WRAP_NONCE_AT,
            WRAPPED_KEY_AT + 3,
            PAYLOAD_NONCE_AT,
            HEADER_LEN,
            sealed.len() - 1,
        ] {
            let mut bad = sealed.clone();
            bad[at] ^= 0x01;
            assert!(
                matches!(open(&key, "a/b", &bad), Err(BlobError::Corrupt)),
                "byte {at}"
            );
        }
    }
}
