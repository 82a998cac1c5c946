//! SDK tokens: `POST /tokens` issues a short-lived JWT bound to one client and to the web pages
//! (`referrer` match pattern) or the app (`appId`) that may use it; the capture API accepts it.

use clearance_tokens::{Binding, MatchPattern, SdkClaims, TokenError, validate_app_id};
use serde_json::Value;

use super::Services;
use crate::error::{CoreError, Result};
use crate::fields::{Reader, as_object};
use crate::scope::{Mode, Scope};
use crate::store::ResourceKind;

/// Longest `referrer` or `appId` accepted.
const MAX_BINDING_LEN: usize = 2048;

/// A verified SDK token: who it acts for and what it is bound to.
#[derive(Clone, Debug)]
pub struct SdkSession {
    /// The account and mode of the key that issued the token.
    pub scope: Scope,
    /// The one client the token may act on.
    pub client_id: String,
    pub binding: Binding,
    /// The parsed `referrer` pattern, for web tokens.
    pub pattern: Option<MatchPattern>,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    pub token_id: String,
}

/// Why a presented SDK token is not accepted (all of them are 401 on the wire).
#[derive(Debug, thiserror::Error)]
pub enum SdkTokenRefusal {
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("the token's client no longer exists")]
    ClientGone,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl Services {
    /// Issues an SDK token for a client of this scope (`POST /v1/tokens`).
    pub async fn create_sdk_token(&self, scope: &Scope, input: &Value) -> Result<String> {
        let r = Reader::new(as_object(input, None)?);
        let client_id = r.req_str("clientId", 64)?;
        let referrer = r.opt_str("referrer", MAX_BINDING_LEN)?;
        let app_id = r.opt_str("appId", MAX_BINDING_LEN)?;
        let binding = match (referrer, app_id) {
            (Some(_), Some(_)) => {
                return Err(CoreError::invalid(
                    "appId",
                    "Provide either 'referrer' (web) or 'appId' (mobile), not both",
                ));
            }
            (None, None) => {
                return Err(CoreError::invalid(
                    "referrer",
                    "'referrer' (web) or 'appId' (mobile) must be provided",
                ));
            }
            (Some(referrer), None) => {
                MatchPattern::parse(&referrer).map_err(|e| {
                    CoreError::invalid(
                        "referrer",
                        format!("'referrer' is not a valid URL match pattern: {e}"),
                    )
                })?;
                Binding::Referrer(referrer)
            }
            (None, Some(app_id)) => {
                validate_app_id(&app_id).map_err(|e| {
                    CoreError::invalid("appId", format!("'appId' is not a valid bundle id: {e}"))
                })?;
                Binding::AppId(app_id)
            }
        };
        self.require_client(scope, &client_id).await?;
        let claims = SdkClaims::new(
            &scope.account_id,
            scope.mode.as_str(),
            &client_id,
            binding,
            self.now_ms().div_euclid(1000),
        );
        self.token_keys.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "signing an SDK token failed");
            CoreError::internal("the SDK token could not be signed")
        })
    }

    /// Verifies an SDK token: signature, lifetime, and that its client still exists.
    pub async fn verify_sdk_token(
        &self,
        token: &str,
    ) -> std::result::Result<SdkSession, SdkTokenRefusal> {
        let claims = self
            .token_keys
            .verify(token, self.now_ms().div_euclid(1000))?;
        let mode = Mode::parse(&claims.mode).ok_or(TokenError::Malformed)?;
        let binding = claims.binding().ok_or(TokenError::Malformed)?;
        let pattern = match &binding {
            Binding::Referrer(r) => {
                Some(MatchPattern::parse(r).map_err(|_| TokenError::Malformed)?)
            }
            Binding::AppId(_) => None,
        };
        let scope = Scope::new(claims.account, mode);
        if self
            .store
            .get(&scope, ResourceKind::Client, &claims.client_id)
            .await?
            .is_none()
        {
            return Err(SdkTokenRefusal::ClientGone);
        }
        Ok(SdkSession {
            scope,
            client_id: claims.client_id,
            binding,
            pattern,
            expires_at: claims.exp,
            token_id: claims.jti,
        })
    }
}
