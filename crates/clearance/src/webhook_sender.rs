//! Sends webhook requests safely: the host is resolved here, every address must be public
//! (unless the operator allows private targets), the connection is pinned to the vetted
//! addresses, redirects are never followed and the body of the answer is never read.

use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use clearance_core::resources::webhook::is_public;
use clearance_core::service::WebhookSender;

/// The production sender over `reqwest` with rustls.
pub struct HttpWebhookSender {
    pub allow_private: bool,
    /// How long a subscriber has to answer (15 s, as documented; shorter in tests).
    pub timeout: Duration,
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<u16, String> {
        let parsed =
            reqwest::Url::parse(url).map_err(|_| "the URL cannot be parsed".to_string())?;
        let scheme_ok =
            parsed.scheme() == "https" || (self.allow_private && parsed.scheme() == "http");
        if !scheme_ok {
            return Err("only https URLs receive webhooks".into());
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| "the URL has no host".to_string())?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("the host does not resolve: {e}"))?
            .collect();
        if addrs.is_empty() {
            return Err("the host does not resolve".into());
        }
        if !self.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
            return Err("the host resolves to a private address; refused".into());
        }
        // No proxy from the environment (HTTP(S)_PROXY): a proxy would connect wherever the
        // URL points, bypassing the address pinning above.
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .resolve_to_addrs(&host, &addrs)
            .build()
            .map_err(|e| format!("could not prepare the request: {e}"))?;
        let mut request = client.post(parsed).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                format!(
                    "the endpoint did not answer within {} ms",
                    self.timeout.as_millis()
                )
            } else if e.is_connect() {
                "the endpoint refused the connection".to_string()
            } else {
                format!("the request failed: {e}")
            }
        })?;
        Ok(response.status().as_u16())
    }
}
