//! API keys: `test_…` / `live_…` followed by 40 random alphanumerics (about 238 bits). Only a
//! SHA-256 hash is stored; a fast hash is enough because the keys are random, not passwords.

use sha2::{Digest, Sha256};

use crate::ids::random_alphanumeric;
use crate::scope::Mode;

/// Makes a new key for a mode. The caller shows it once and stores only [`hash_key`].
pub fn generate_key(mode: Mode) -> String {
    format!("{}_{}", mode.as_str(), random_alphanumeric(40))
}

/// The stored form of a key.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The mode a key claims by its prefix, if it is well formed.
pub fn mode_of(key: &str) -> Option<Mode> {
    let (prefix, rest) = key.split_once('_')?;
    if rest.len() < 16 || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Mode::parse(prefix)
}

/// A short, non-secret hint to recognise a key in listings (`test_AbC1…`).
pub fn hint(key: &str) -> String {
    format!("{}…", key.chars().take(9).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_their_mode_and_hash_stably() {
        let key = generate_key(Mode::Live);
        assert!(key.starts_with("live_"));
        assert_eq!(mode_of(&key), Some(Mode::Live));
        assert_eq!(hash_key(&key), hash_key(&key));
        assert_eq!(hash_key(&key).len(), 64);
        assert_eq!(mode_of("Bearer test_x"), None);
        assert_eq!(mode_of("prod_aaaaaaaaaaaaaaaaaaaa"), None);
    }
}
