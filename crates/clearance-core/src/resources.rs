//! Validation rules of each resource: untrusted JSON in, the stored body out.

pub mod address;
pub mod client;
pub mod custom_list;
pub mod document;
pub mod flow_session;
pub mod media;
pub mod webhook;
pub mod workflow_session;
pub mod workflow_template;

/// Checks an SDK token may start unless the operator says otherwise.
pub const DEFAULT_SDK_TOKEN_MAX_CHECKS: u32 = 10;

/// Limits an operator may tune.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Largest number of `metadata` keys on a client (20 in API v1.7.3, 50 in newer docs).
    pub max_metadata_keys: usize,
    /// Lets webhooks use `http` and private or loopback addresses (development and tests only).
    pub webhook_allow_private: bool,
    /// Divides the webhook retry schedule (1 in production; tests shrink hours to moments).
    pub webhook_retry_divisor: u32,
    /// How long one delivery job drains a webhook's queue before it hands its runner back (it
    /// goes back on the queue behind the deliveries already waiting), so a busy endpoint shares
    /// the runners with others.
    pub webhook_drain_slice: std::time::Duration,
    /// Checks one SDK token may start in its lifetime: enough for retakes, too few to use the
    /// token as a free screening API.
    pub sdk_token_max_checks: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_metadata_keys: 20,
            webhook_allow_private: false,
            webhook_retry_divisor: 1,
            webhook_drain_slice: std::time::Duration::from_secs(10),
            sdk_token_max_checks: DEFAULT_SDK_TOKEN_MAX_CHECKS,
        }
    }
}
