//! Webhook endpoints: creation and update rules (checks-and-more.md §6.3), and the signature
//! subscribers verify.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::error::{CoreError, Result};
use crate::fields::{MAX_TEXT, Reader, object_of};

/// Every event a webhook can subscribe to, besides `*`.
pub const EVENT_TYPES: &[&str] = &[
    "check.pending",
    "check.completed",
    "check.completed.clear",
    "check.completed.attention",
    "check.completed.not_processed",
    "check.completed.rejected",
    "check.completed.match_confirmed",
    "check.monitoring.attention",
    "check.failed",
    "check.updated",
    "client.created",
    "client.updated",
    "client.deleted",
    "document.created",
    "document.updated",
    "document.updated.image_uploaded",
    "document.updated.image_deleted",
    "document.deleted",
    "address.created",
    "address.updated",
    "address.deleted",
    "workflow.session.started",
    "workflow.session.cancelled",
    "workflow.session.processing",
    "workflow.session.completed",
    "workflow.session.updated",
];

/// Largest number of webhooks per account and mode.
pub const MAX_WEBHOOKS: u64 = 20;
const MAX_URL: usize = 2048;

/// Whether `event_type` is delivered to a webhook subscribed to `events`.
pub fn subscribed(events: &Value, event_type: &str) -> bool {
    events
        .as_array()
        .is_some_and(|list| list.iter().any(|e| e == "*" || e == event_type))
}

/// Validates a create request and returns the stored body (the secret is kept elsewhere).
pub fn validate_create(
    input: &Map<String, Value>,
    allow_private: bool,
) -> Result<Map<String, Value>> {
    validate(input, allow_private)
}

/// Applies an update (any create field) and validates the result.
pub fn validate_update(
    existing: &Map<String, Value>,
    patch: &Map<String, Value>,
    allow_private: bool,
) -> Result<Map<String, Value>> {
    let mut merged = existing.clone();
    for (k, v) in patch {
        if v.is_null() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    validate(&merged, allow_private)
}

fn validate(input: &Map<String, Value>, allow_private: bool) -> Result<Map<String, Value>> {
    let r = Reader::new(input);
    let url = r.req_str("url", MAX_URL)?;
    check_url(&url, allow_private)?;
    let enabled = r.opt_bool("enabled")?.ok_or_else(|| r.missing("enabled"))?;
    let events = events(r.raw("events"))?;
    Ok(object_of(vec![
        ("url", Some(json!(url))),
        ("enabled", Some(json!(enabled))),
        ("events", Some(json!(events))),
        (
            "description",
            r.opt_str("description", MAX_TEXT)?.map(Value::from),
        ),
    ]))
}

/// `events`: a non-empty array of documented names or `*`. API v1.7.2's `check.complete…`
/// spellings are accepted and stored under their current names.
fn events(value: Option<&Value>) -> Result<Vec<String>> {
    let bad = |message: String| CoreError::invalid("events", message);
    let Some(value) = value else {
        return Err(bad("'events' must be provided".into()));
    };
    let list = value
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("'events' must be a non-empty array of event names".into()))?;
    let mut out: Vec<String> = Vec::new();
    for item in list {
        let name = item
            .as_str()
            .ok_or_else(|| bad("'events' must contain strings".into()))?;
        let name = match name.strip_prefix("check.complete") {
            Some(rest) if !rest.starts_with('d') => format!("check.completed{rest}"),
            _ => name.to_string(),
        };
        if name != "*" && !EVENT_TYPES.contains(&name.as_str()) {
            return Err(bad(format!("'{name}' is not a known event type")));
        }
        if !out.contains(&name) {
            out.push(name);
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
            let [a, b, ..] = v4.octets();
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
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// `ComplyCube-Signature`: lowercase hex HMAC-SHA256 of the exact body bytes with the secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The Standard Webhooks `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}`, keyed with the secret's bytes. Unlike `ComplyCube-Signature` it
/// covers the timestamp, so a receiver can refuse replays.
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().expect("object").clone()
    }

    fn param(r: Result<Map<String, Value>>) -> Option<String> {
        match r {
            Err(CoreError::Invalid { param, .. }) => param,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_official_test_vector_reproduces() {
        assert_eq!(
            signature("a_webhook_signature", br#"{"id":"value"}"#),
            "bc00414fa4d54277a3ed01e5ee258d9800a918a7791c7cda16d38b82f38f2150"
        );
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
        let body = validate_create(
            &obj(json!({"url": "https://h.example.com", "enabled": false,
                "events": ["check.complete.clear", "client.created", "client.created"]})),
            false,
        )
        .expect("valid");
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
        assert!(subscribed(&json!(["*"]), "check.failed"));
        assert!(subscribed(&json!(["check.failed"]), "check.failed"));
        assert!(!subscribed(&json!(["check.pending"]), "check.failed"));
    }

    #[test]
    fn public_addresses() {
        for ip in ["8.8.8.8", "2606:4700::1111"] {
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
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
    }
}
