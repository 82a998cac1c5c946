//! SDK tokens: `POST /tokens` issues a short-lived JWT bound to one client and to the web pages
//! (`referrer` match pattern) or the app (`appId`) that may use it; the capture API accepts it.

use clearance_tokens::{Binding, MatchPattern, SdkClaims, TokenError, validate_app_id};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Services;
use crate::checks::CheckType;
use crate::error::{CoreError, Result};
use crate::fields::{Reader, as_object};
use crate::scope::{Mode, Scope};
use crate::store::ResourceKind;

/// Longest `referrer` or `appId` accepted.
const MAX_BINDING_LEN: usize = 2048;

/// What a token may start when its issuer named no `checkTypes`: the checks of the evidence the
/// SDKs capture. Screening and bureau checks need the issuer's say-so, since the person holding
/// the token is the one being checked.
pub const CAPTURE_CHECK_TYPES: [CheckType; 6] = [
    CheckType::Document,
    CheckType::Identity,
    CheckType::EnhancedIdentity,
    CheckType::ProofOfAddress,
    CheckType::FaceAuthentication,
    CheckType::AgeEstimation,
];

/// Body of `POST /v1/tokens`: `clientId` and exactly one of `referrer` and `appId`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenCreate {
    /// A client of the key's account and mode.
    pub client_id: String,
    /// Web SDK: a URL match pattern (Chrome semantics) the page's origin must satisfy, e.g.
    /// `https://*.example.com/*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// Mobile SDKs: the app's bundle id, e.g. `com.example.app`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Clearance: the check types the token may start (default: document, identity, enhanced
    /// identity, proof of address, face authentication and age estimation; `[]` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_types: Option<Vec<CheckType>>,
}

/// An SDK token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    /// A JWT (EdDSA), valid for 60 minutes.
    pub token: String,
}

impl TokenCreate {
    /// Reads a request's fields; [`TokenCreate::binding`] checks what they bind the token to.
    pub fn read(input: &Map<String, Value>) -> Result<Self> {
        let r = Reader::new(input);
        Ok(TokenCreate {
            client_id: r.req_str("clientId", 64)?,
            referrer: r.opt_str("referrer", MAX_BINDING_LEN)?,
            app_id: r.opt_str("appId", MAX_BINDING_LEN)?,
            check_types: read_check_types(r.raw("checkTypes"))?,
        })
    }

    /// The one binding the request names: a valid match pattern or a valid bundle id.
    pub fn binding(&self) -> Result<Binding> {
        match (&self.referrer, &self.app_id) {
            (Some(_), Some(_)) => Err(CoreError::invalid(
                "appId",
                "Provide either 'referrer' (web) or 'appId' (mobile), not both",
            )),
            (None, None) => Err(CoreError::invalid(
                "referrer",
                "'referrer' (web) or 'appId' (mobile) must be provided",
            )),
            (Some(referrer), None) => {
                MatchPattern::parse(referrer).map_err(|e| {
                    CoreError::invalid(
                        "referrer",
                        format!("'referrer' is not a valid URL match pattern: {e}"),
                    )
                })?;
                Ok(Binding::Referrer(referrer.clone()))
            }
            (None, Some(app_id)) => {
                validate_app_id(app_id).map_err(|e| {
                    CoreError::invalid("appId", format!("'appId' is not a valid bundle id: {e}"))
                })?;
                Ok(Binding::AppId(app_id.clone()))
            }
        }
    }
}

/// `checkTypes`: absent, or an array of distinct check type names.
fn read_check_types(value: Option<&Value>) -> Result<Option<Vec<CheckType>>> {
    let items = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(CoreError::invalid(
                "checkTypes",
                "'checkTypes' must be an array of check types",
            ));
        }
    };
    let mut types = Vec::with_capacity(items.len());
    for item in items {
        let parsed = item.as_str().and_then(CheckType::parse).ok_or_else(|| {
            CoreError::invalid(
                "checkTypes",
                format!("'checkTypes' holds {item}, which is not a check type"),
            )
        })?;
        if !types.contains(&parsed) {
            types.push(parsed);
        }
    }
    Ok(Some(types))
}

/// The check types a token's claims allow: those it names (unknown names, from a newer
/// server, allow nothing), else the capture defaults.
fn allowed_check_types(named: Option<&[String]>) -> Vec<CheckType> {
    match named {
        Some(names) => names.iter().filter_map(|n| CheckType::parse(n)).collect(),
        None => CAPTURE_CHECK_TYPES.to_vec(),
    }
}

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
    /// The check types the token may start.
    pub check_types: Vec<CheckType>,
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
    pub async fn create_sdk_token(&self, scope: &Scope, input: &Value) -> Result<Token> {
        let request = TokenCreate::read(as_object(input, None)?)?;
        let binding = request.binding()?;
        self.require_client(scope, &request.client_id).await?;
        let mut claims = SdkClaims::new(
            &scope.account_id,
            scope.mode.as_str(),
            &request.client_id,
            binding,
            self.now_ms().div_euclid(1000),
        );
        if let Some(types) = &request.check_types {
            claims = claims.with_check_types(types.iter().map(|t| t.as_str().into()).collect());
        }
        let token = self.token_keys.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "signing an SDK token failed");
            CoreError::internal("the SDK token could not be signed")
        })?;
        Ok(Token { token })
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
            check_types: allowed_check_types(claims.check_types.as_deref()),
            scope,
            client_id: claims.client_id,
            binding,
            pattern,
            expires_at: claims.exp,
            token_id: claims.jti,
        })
    }
}
