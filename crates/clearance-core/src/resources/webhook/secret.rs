//! A webhook's signing secret: the record that keeps it apart from the webhook, its rotation
//! (the old secret keeps signing for an overlap), and the signatures subscribers verify.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use crate::error::{CoreError, Result};
use crate::fields::{Reader, as_object};

/// Default and largest overlap of a secret rotation, in seconds.
pub const DEFAULT_OVERLAP_SECS: u32 = 24 * 3600;
pub const MAX_OVERLAP_SECS: u32 = 7 * 24 * 3600;

/// A webhook's signing secrets (`ResourceKind::WebhookSecret`), kept apart from the webhook so
/// no read path answers them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSecret {
    pub secret: String,
    /// The secret this one replaced, signing too until `previous_expires_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret: Option<String>,
    /// When the rotation's overlap ends (epoch milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_expires_at: Option<i64>,
}

impl WebhookSecret {
    /// A webhook's first secret.
    pub fn new(secret: String) -> Self {
        WebhookSecret {
            secret,
            previous_secret: None,
            previous_expires_at: None,
        }
    }

    /// The secrets that sign at `now`: the current one, and the one it replaced while the
    /// overlap lasts.
    pub fn signing(&self, now: i64) -> (&str, Option<&str>) {
        let overlapping = self.previous_expires_at.is_some_and(|ends| ends > now);
        let previous = self.previous_secret.as_deref().filter(|_| overlapping);
        (&self.secret, previous)
    }

    /// This record after a rotation to `secret`; with an overlap ending at `overlap_ends`, the
    /// current secret keeps signing until then.
    pub fn rotated(&self, secret: String, overlap_ends: Option<i64>) -> Self {
        WebhookSecret {
            secret,
            previous_secret: overlap_ends.map(|_| self.secret.clone()),
            previous_expires_at: overlap_ends,
        }
    }

    /// This record without a previous secret whose overlap ended by `now`; `None` when there
    /// is nothing to forget (already forgotten, or a newer rotation's overlap still runs).
    pub fn forgetting_expired(&self, now: i64) -> Option<Self> {
        let ends = self.previous_expires_at?;
        (ends <= now).then(|| WebhookSecret::new(self.secret.clone()))
    }
}

/// Body of `POST /v1/webhooks/{id}/rotateSecret` (optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WebhookRotateSecret))]
#[serde(rename_all = "camelCase")]
pub struct RotateSecret {
    /// How long the old secret keeps signing too: default 86400, at most 604800.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(maximum = 604800))]
    pub overlap_seconds: Option<u32>,
}

impl RotateSecret {
    /// Reads a rotation request; an empty body asks for the default overlap.
    pub fn read(input: &Value) -> Result<Self> {
        if input.is_null() {
            return Ok(RotateSecret::default());
        }
        let overlap = match Reader::new(as_object(input, None)?).raw("overlapSeconds") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|n| *n <= u64::from(MAX_OVERLAP_SECS))
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        CoreError::invalid(
                            "overlapSeconds",
                            format!(
                                "'overlapSeconds' must be a whole number from 0 to {MAX_OVERLAP_SECS}"
                            ),
                        )
                    })?,
            ),
        };
        Ok(RotateSecret {
            overlap_seconds: overlap,
        })
    }

    /// How long the old secret keeps signing, in seconds.
    pub fn overlap_secs(&self) -> u32 {
        self.overlap_seconds.unwrap_or(DEFAULT_OVERLAP_SECS)
    }
}

/// The new signing secret, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WebhookRotatedSecret))]
#[serde(rename_all = "camelCase")]
pub struct RotatedSecret {
    pub id: String,
    pub secret: String,
    /// Until when the previous secret also signs (absent with no overlap).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub previous_secret_expires_at: Option<String>,
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
    use crate::typed;
    use serde_json::json;

    #[test]
    fn the_official_test_vector_reproduces() {
        assert_eq!(
            signature("a_webhook_signature", br#"{"id":"value"}"#),
            "bc00414fa4d54277a3ed01e5ee258d9800a918a7791c7cda16d38b82f38f2150"
        );
    }

    #[test]
    fn a_rotation_overlaps_then_the_old_secret_is_forgotten() {
        let first = WebhookSecret::new("old".into());
        assert_eq!(first.signing(0), ("old", None));
        assert_eq!(first.forgetting_expired(0), None);
        let rotated = first.rotated("new".into(), Some(1_000));
        assert_eq!(
            serde_json::Value::Object(typed::encode(&rotated)),
            json!({"secret": "new", "previousSecret": "old", "previousExpiresAt": 1000})
        );
        assert_eq!(rotated.signing(999), ("new", Some("old")));
        assert_eq!(rotated.signing(1_000), ("new", None));
        assert_eq!(rotated.forgetting_expired(999), None);
        assert_eq!(
            rotated.forgetting_expired(1_000),
            Some(WebhookSecret::new("new".into()))
        );
        let without_overlap = rotated.rotated("newest".into(), None);
        assert_eq!(without_overlap, WebhookSecret::new("newest".into()));
    }

    #[test]
    fn rotation_requests() {
        let read = |v: Value| RotateSecret::read(&v).map(|r| r.overlap_secs());
        assert_eq!(read(Value::Null).ok(), Some(DEFAULT_OVERLAP_SECS));
        assert_eq!(read(json!({})).ok(), Some(DEFAULT_OVERLAP_SECS));
        assert_eq!(
            read(json!({"overlapSeconds": null})).ok(),
            Some(DEFAULT_OVERLAP_SECS)
        );
        assert_eq!(read(json!({"overlapSeconds": 0})).ok(), Some(0));
        assert_eq!(read(json!({"overlapSeconds": 604_800})).ok(), Some(604_800));
        for bad in [json!(-1), json!(604_801), json!("1"), json!(1.5)] {
            match read(json!({ "overlapSeconds": bad })) {
                Err(CoreError::Invalid { param, .. }) => {
                    assert_eq!(param.as_deref(), Some("overlapSeconds"))
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(read(json!([1])).is_err());
    }
}
