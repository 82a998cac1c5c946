//! Identifiers: 24 lowercase hex characters for resources (time-ordered prefix + random, the
//! shape of the ids in ComplyCube's examples) and 17 alphanumerics for team members.

use std::sync::atomic::{AtomicU32, Ordering};

use rand::Rng;

/// Orders ids made in the same millisecond by one process.
static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// A new resource id: 12 hex digits of milliseconds, 4 of a per-process sequence (so ids made
/// in one millisecond still sort in creation order), then 8 random hex digits.
pub fn new_resource_id(now_ms: i64) -> String {
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed) & 0xffff;
    let random: u32 = rand::rng().random();
    format!(
        "{:012x}{sequence:04x}{random:08x}",
        (now_ms.max(0) as u64) & 0xffff_ffff_ffff,
    )
}

/// A new team-member id (17 characters from `[0-9A-Za-z]`).
pub fn new_team_member_id() -> String {
    random_alphanumeric(17)
}

/// Random characters from `[0-9A-Za-z]`.
pub fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_are_24_lowercase_hex_and_time_ordered() {
        let a = new_resource_id(1_700_000_000_000);
        let b = new_resource_id(1_700_000_000_001);
        assert_eq!(a.len(), 24);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(a < b);
    }

    #[test]
    fn team_member_ids_are_17_alphanumerics() {
        let id = new_team_member_id();
        assert_eq!(id.len(), 17);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
