//! An HTTP bureau: the operator's adapter to a credit bureau or an identity service, asked by
//! every live multi-bureau check. Clearance posts the subject as JSON and expects
//! `{"name": bool, "dob": bool, "address": bool}` back (what the bureau confirms); each request
//! and answer is kept in the check's result for audit.

use std::time::Duration;

use async_trait::async_trait;
use clearance_core::bureau::{Bureau, BureauReply, Subject};
use clearance_core::checks::result::BureauExchange;
use serde_json::{Value, json};

/// The answer body kept at most (a bureau that answers megabytes is cut).
const MAX_KEPT: usize = 16 * 1024;

/// Where and how to reach one HTTP bureau.
#[derive(Clone, Debug)]
pub struct HttpBureauConfig {
    /// The source name check results show.
    pub name: String,
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
    pub timeout: Duration,
}

/// A bureau over HTTP.
pub struct HttpBureau {
    config: HttpBureauConfig,
    client: reqwest::Client,
}

impl HttpBureau {
    pub fn new(config: HttpBureauConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(HttpBureau { config, client })
    }
}

/// `{"name": bool, "dob": bool?, "address": bool?}` (an absent one is not confirmed).
fn answer(text: &str) -> Option<(bool, bool, bool)> {
    let v: Value = serde_json::from_str(text).ok()?;
    let flag = |k: &str| match v.get(k) {
        None | Some(Value::Null) => Some(false),
        Some(b) => b.as_bool(),
    };
    Some((v.get("name")?.as_bool()?, flag("dob")?, flag("address")?))
}

fn request_body(s: &Subject) -> Value {
    json!({
        "firstName": s.first_name,
        "middleName": s.middle_name,
        "lastName": s.last_name,
        "dob": s.dob,
        "address": {
            "propertyNumber": s.property_number,
            "line": s.line,
            "postalCode": s.postal_code,
            "country": s.country,
        },
    })
}

#[async_trait]
impl Bureau for HttpBureau {
    fn name(&self) -> &str {
        &self.config.name
    }

    async fn confirm(&self, subject: &Subject) -> Result<BureauReply, String> {
        let body = request_body(subject);
        let mut request = self
            .client
            .post(&self.config.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(token) = &self.config.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                format!(
                    "it did not answer within {} ms",
                    self.config.timeout.as_millis()
                )
            } else {
                "it could not be reached".to_string()
            }
        })?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|_| format!("its answer (HTTP {status}) could not be read"))?;
        if !(200..300).contains(&status) {
            return Err(format!("it answered HTTP {status}"));
        }
        let (name, dob, address) = answer(&text).ok_or_else(|| {
            format!(
                "it answered HTTP {status} with something other than {{\"name\": bool, \"dob\": bool, \"address\": bool}}"
            )
        })?;
        let mut kept = text;
        if kept.len() > MAX_KEPT {
            let mut end = MAX_KEPT;
            while !kept.is_char_boundary(end) {
                end -= 1;
            }
            kept.truncate(end);
        }
        Ok(BureauReply {
            name,
            dob,
            address,
            exchange: BureauExchange {
                bureau: self.config.name.clone(),
                request: body,
                status,
                response: kept,
            },
        })
    }
}
