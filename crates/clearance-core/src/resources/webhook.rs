//! Webhook endpoints: the resource and its creation and update rules (checks-and-more.md §6.3),
//! the address check that keeps deliveries off private networks, and (in submodules) the
//! signing secret, the delivery queue and log, and redelivery requests.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader};
use crate::typed;

mod delivery;
mod redelivery;
mod secret;

pub use delivery::{
    Answer, DeliveryOutcome, DeliveryStatus, LoggedAttempt, QueueState, WebhookAttempt,
    WebhookDelivery,
};
pub use redelivery::{Redeliver, Redelivered};
pub use secret::{
    DEFAULT_OVERLAP_SECS, MAX_OVERLAP_SECS, RotateSecret, RotatedSecret, WebhookSecret, signature,
    standard_signature,
};

wire_enum! {
    /// An event a webhook can subscribe to, or `*` for every event.
    pub enum WebhookEvent {
        All = "*",
        CheckPending = "check.pending",
        CheckCompleted = "check.completed",
        CheckCompletedClear = "check.completed.clear",
        CheckCompletedAttention = "check.completed.attention",
        CheckCompletedNotProcessed = "check.completed.not_processed",
        CheckCompletedRejected = "check.completed.rejected",
        CheckCompletedMatchConfirmed = "check.completed.match_confirmed",
        CheckMonitoringAttention = "check.monitoring.attention",
        CheckFailed = "check.failed",
        CheckUpdated = "check.updated",
        ClientCreated = "client.created",
        ClientUpdated = "client.updated",
        ClientDeleted = "client.deleted",
        DocumentCreated = "document.created",
        DocumentUpdated = "document.updated",
        DocumentImageUploaded = "document.updated.image_uploaded",
        DocumentImageDeleted = "document.updated.image_deleted",
        DocumentDeleted = "document.deleted",
        AddressCreated = "address.created",
        AddressUpdated = "address.updated",
        AddressDeleted = "address.deleted",
        WorkflowSessionStarted = "workflow.session.started",
        WorkflowSessionCancelled = "workflow.session.cancelled",
        WorkflowSessionProcessing = "workflow.session.processing",
        WorkflowSessionCompleted = "workflow.session.completed",
        WorkflowSessionUpdated = "workflow.session.updated",
    }
}

/// A webhook endpoint. `secret` appears only in the create answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// An https URL on a public address.
    pub url: String,
    pub enabled: bool,
    /// Event types, or `["*"]` for all.
    pub events: Vec<WebhookEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The signing secret; only in the answer to `POST /v1/webhooks`.
    // Never stored with the webhook: it lives in its `WebhookSecret` record, which no read
    // answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(read_only))]
    pub secret: Option<String>,
}

impl Webhook {
    /// Whether an event of `event_type` is delivered to this webhook.
    pub fn receives(&self, event_type: &str) -> bool {
        self.events
            .iter()
            .any(|e| *e == WebhookEvent::All || e.as_str() == event_type)
    }
}

/// Largest number of webhooks per account and mode.
pub const MAX_WEBHOOKS: u64 = 20;
const MAX_URL: usize = 2048;

/// Validates a create request and returns the webhook (the secret is kept elsewhere).
pub fn validate_create(input: &Map<String, Value>, allow_private: bool) -> Result<Webhook> {
    validate(input, allow_private)
}

/// Applies an update (any create field; `null` removes one) and validates the result.
pub fn validate_update(
    existing: &Webhook,
    patch: &Map<String, Value>,
    allow_private: bool,
) -> Result<Webhook> {
    let mut merged = typed::encode(existing);
    for (k, v) in patch {
        if v.is_null() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    validate(&merged, allow_private)
}

fn validate(input: &Map<String, Value>, allow_private: bool) -> Result<Webhook> {
    let r = Reader::new(input);
    let url = r.req_str("url", MAX_URL)?;
    check_url(&url, allow_private)?;
    let enabled = r.opt_bool("enabled")?.ok_or_else(|| r.missing("enabled"))?;
    let events = events(r.raw("events"))?;
    Ok(Webhook {
        url,
        enabled,
        events,
        description: r.opt_str("description", MAX_TEXT)?,
        secret: None,
    })
}

/// `events`: a non-empty array of documented names or `*`. API v1.7.2's `check.complete…`
/// spellings are accepted and stored under their current names.
fn events(value: Option<&Value>) -> Result<Vec<WebhookEvent>> {
    let bad = |message: String| CoreError::invalid("events", message);
    let Some(value) = value else {
        return Err(bad("'events' must be provided".into()));
    };
    let list = value
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("'events' must be a non-empty array of event names".into()))?;
    let mut out = Vec::new();
    for item in list {
        let name = item
            .as_str()
            .ok_or_else(|| bad("'events' must contain strings".into()))?;
        let name = match name.strip_prefix("check.complete") {
            Some(rest) if !rest.starts_with('d') => format!("check.completed{rest}"),
            _ => name.to_string(),
        };
        let event = WebhookEvent::parse(&name)
            .ok_or_else(|| bad(format!("'{name}' is not a known event type")))?;
        if !out.contains(&event) {
            out.push(event);
        }
    }
    Ok(out)
}

/// The URL must be `https` with a host; `http` and private or loopback targets only when the
/// operator allows them (development). Names are resolved again at delivery time.
fn check_url(url: &str, allow_private: bool) -> Result<()> {
    let bad = |message: &str| CoreError::invalid("url", message.to_string());
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("'url' must be an absolute https URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && !(allow_private && scheme == "http") {
        return Err(bad("'url' must use https"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad("'url' must not carry credentials"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("'url' must name a host"));
    }
    if !allow_private {
        let lower = host.to_ascii_lowercase();
        let private_name = lower == "localhost" || lower.ends_with(".localhost");
        let private_ip = host.parse::<IpAddr>().is_ok_and(|ip| !is_public(ip));
        if private_name || private_ip {
            return Err(bad(
                "'url' must point at a public address (set CLEARANCE_WEBHOOK_ALLOW_PRIVATE=true for development)",
            ));
        }
    }
    Ok(())
}

/// Whether an address is reachable on the public internet (not loopback, private, link-local,
/// unique-local, multicast, documentation, shared or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                // IETF protocol assignments (192.0.0.0/24).
                || (a == 192 && b == 0 && c == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let [first, second, ..] = v6.segments();
            // Prefixes that carry or translate to an IPv4 address (NAT64 64:ff9b::/96 and
            // 64:ff9b:1::/48, 6to4 2002::/16) could reach a private IPv4 host through a
            // translator, so none of them counts as public.
            let embeds_v4 = (first == 0x0064 && second == 0xff9b) || first == 0x2002;
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || embeds_v4
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                // Deprecated site-local (fec0::/10).
                || (first & 0xffc0) == 0xfec0
                || first == 0x2001 && second == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().expect("object").clone()
    }

    fn param(r: Result<Webhook>) -> Option<String> {
        match r {
            Err(CoreError::Invalid { param, .. }) => param,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn hook(events: Value) -> Webhook {
        validate_create(
            &obj(json!({"url": "https://h.example.com", "enabled": true, "events": events})),
            false,
        )
        .expect("valid")
    }

    #[test]
    fn urls_must_be_public_https_unless_allowed() {
        let base = |url: &str| obj(json!({"url": url, "enabled": true, "events": ["*"]}));
        assert!(validate_create(&base("https://hooks.example.com/cc"), false).is_ok());
        for url in [
            "http://hooks.example.com/cc",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://[::1]/x",
            "https://localhost:8443/x",
            "https://user:pw@hooks.example.com/",
            "hooks.example.com",
            "https:///nohost",
        ] {
            assert_eq!(
                param(validate_create(&base(url), false)).as_deref(),
                Some("url"),
                "{url}"
            );
        }
        assert!(validate_create(&base("http://127.0.0.1:9000/hook"), true).is_ok());
    }

    #[test]
    fn events_are_checked_and_legacy_names_normalised() {
        let body = typed::encode(&hook(json!([
            "check.complete.clear",
            "client.created",
            "client.created"
        ])));
        assert_eq!(
            body["events"],
            json!(["check.completed.clear", "client.created"])
        );
        for events in [json!([]), json!("*"), json!(["check.exploded"]), json!([1])] {
            let r = validate_create(
                &obj(json!({"url": "https://h.example.com", "enabled": true, "events": events})),
                false,
            );
            assert_eq!(param(r).as_deref(), Some("events"));
        }
        assert!(hook(json!(["*"])).receives("check.failed"));
        assert!(hook(json!(["check.failed"])).receives("check.failed"));
        assert!(!hook(json!(["check.pending"])).receives("check.failed"));
    }

    #[test]
    fn the_stored_body_keeps_its_keys_in_order_and_never_a_secret() {
        let body = typed::encode(&hook(json!(["*"])));
        let keys: Vec<&str> = body.keys().map(String::as_str).collect();
        assert_eq!(keys, ["url", "enabled", "events"]);
        let described = json!({"url": "https://h.example.com", "enabled": true,
            "events": ["*"], "description": "CRM", "secret": "chosen"});
        let stored = typed::encode(&validate_create(&obj(described), false).expect("valid"));
        let keys: Vec<&str> = stored.keys().map(String::as_str).collect();
        assert_eq!(keys, ["url", "enabled", "events", "description"]);
    }

    #[test]
    fn updates_replace_fields_and_null_removes_one() {
        let existing = validate_create(
            &obj(json!({"url": "https://h.example.com", "enabled": true,
                "events": ["*"], "description": "CRM"})),
            false,
        )
        .expect("valid");
        let updated = validate_update(
            &existing,
            &obj(json!({"enabled": false, "description": null})),
            false,
        )
        .expect("valid");
        assert!(!updated.enabled);
        assert_eq!(updated.description, None);
        assert_eq!(updated.url, existing.url);
        let r = validate_update(&existing, &obj(json!({"url": null})), false);
        assert_eq!(param(r).as_deref(), Some("url"));
    }

    #[test]
    fn every_event_name_reads_back() {
        for name in WebhookEvent::NAMES {
            let event = WebhookEvent::parse(name).expect("known");
            assert_eq!(serde_json::to_value(event).expect("json"), *name);
        }
    }

    #[test]
    fn public_addresses() {
        for ip in ["8.8.8.8", "2606:4700::1111", "192.0.1.1", "2003::1"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::ffff:10.0.0.1",
            "fd00::1",
            "fe80::1",
            "0.0.0.0",
            // The ranges #21 found missing: IETF assignments, NAT64, 6to4, site-local.
            "192.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            "2002:a00:1::1",
            "fec0::1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
    }
}
