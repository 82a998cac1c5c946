//! Validation rules of each resource: untrusted JSON in, the stored body out.

pub mod address;
pub mod client;
pub mod document;
pub mod webhook;

/// Limits an operator may tune.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Largest number of `metadata` keys on a client (20 in API v1.7.3, 50 in newer docs).
    pub max_metadata_keys: usize,
    /// Lets webhooks use `http` and private or loopback addresses (development and tests only).
    pub webhook_allow_private: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_metadata_keys: 20,
            webhook_allow_private: false,
        }
    }
}
