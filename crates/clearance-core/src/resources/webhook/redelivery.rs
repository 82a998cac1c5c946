//! Redelivery requests: past events to queue for a webhook again.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{CoreError, Result};
use crate::fields::{Reader, as_object};
use crate::time::parse_time_filter;

/// Body of `POST /v1/webhooks/{id}/redeliver`: one event, or a time window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WebhookRedeliver))]
#[serde(rename_all = "camelCase")]
pub struct Redeliver {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_before: Option<String>,
}

/// How many events were queued for delivery again.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = WebhookRedelivered))]
pub struct Redelivered {
    pub redelivered: u64,
}

impl Redeliver {
    /// Reads `{"eventId": …}` or `{"createdAfter": …, "createdBefore": …}` (either bound may be
    /// left out, not both).
    pub fn read(input: &Value) -> Result<Self> {
        let r = Reader::new(as_object(input, None)?);
        let event_id = r.opt_str("eventId", 64)?;
        let time = |name: &str| -> Result<Option<(String, i64)>> {
            r.opt_str(name, 64)?
                .map(|raw| match parse_time_filter(&raw) {
                    Some(ms) => Ok((raw, ms)),
                    None => Err(CoreError::invalid(
                        name,
                        format!("'{name}' must be an ISO 8601 timestamp"),
                    )),
                })
                .transpose()
        };
        let (after, before) = (time("createdAfter")?, time("createdBefore")?);
        match (&event_id, &after, &before) {
            (Some(_), None, None) => {}
            (Some(_), _, _) => {
                return Err(CoreError::invalid(
                    "eventId",
                    "Send either 'eventId' or a 'createdAfter'/'createdBefore' window, not both",
                ));
            }
            (None, None, None) => {
                return Err(CoreError::invalid(
                    "eventId",
                    "'eventId' or 'createdAfter'/'createdBefore' must be provided",
                ));
            }
            (None, Some((_, a)), Some((_, b))) if a >= b => {
                return Err(CoreError::invalid(
                    "createdBefore",
                    "'createdBefore' must be later than 'createdAfter'",
                ));
            }
            (None, _, _) => {}
        }
        Ok(Redeliver {
            event_id,
            created_after: after.map(|(raw, _)| raw),
            created_before: before.map(|(raw, _)| raw),
        })
    }

    /// The window's strict bounds in epoch milliseconds (a bound left out is `None`).
    pub fn window(&self) -> (Option<i64>, Option<i64>) {
        let at = |bound: &Option<String>| bound.as_deref().and_then(parse_time_filter);
        (at(&self.created_after), at(&self.created_before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param(v: Value) -> Option<String> {
        match Redeliver::read(&v) {
            Err(CoreError::Invalid { param, .. }) => param,
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn one_event_or_a_window() {
        let one = Redeliver::read(&json!({"eventId": "e1"})).expect("valid");
        assert_eq!(one.event_id.as_deref(), Some("e1"));
        assert_eq!(one.window(), (None, None));
        let open = Redeliver::read(&json!({"createdAfter": "2020-01-01"})).expect("valid");
        assert_eq!(open.window(), (Some(1_577_836_800_000), None));
        assert_eq!(param(json!({})).as_deref(), Some("eventId"));
        assert_eq!(
            param(json!({"eventId": "e1", "createdBefore": "2020-01-01"})).as_deref(),
            Some("eventId")
        );
        assert_eq!(
            param(json!({"createdAfter": "soon"})).as_deref(),
            Some("createdAfter")
        );
        assert_eq!(
            param(json!({"createdAfter": "2021-01-01", "createdBefore": "2020-01-01"})).as_deref(),
            Some("createdBefore")
        );
    }
}
