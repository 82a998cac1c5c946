//! SDK tokens: compact JWS (`header.claims.signature`, base64url without padding) signed with
//! Ed25519 (`alg: EdDSA`, RFC 8037). The header names the signing key (`kid`); a [`KeySet`]
//! signs with its newest key and verifies with any of its keys, so a rotation never invalidates
//! tokens that are still live.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// How long a token lives: 60 minutes.
pub const TOKEN_TTL_SECS: i64 = 60 * 60;
/// Tolerated clock difference between the servers of a cluster, for `iat`.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// Longest token accepted for verification.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
/// The `iss` claim of every token.
pub const ISSUER: &str = "clearance";

/// Why a token was not accepted (or could not be made).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the key set is empty")]
    NoKey,
    #[error("the key set is invalid: {0}")]
    InvalidKeySet(String),
}

/// What a token is bound to: the web pages that may use it, or the mobile app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A match pattern (see [`crate::pattern`]) the browser's origin must satisfy.
    Referrer(String),
    /// A bundle id the app must declare.
    AppId(String),
}

/// The claims of an SDK token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SdkClaims {
    pub iss: String,
    /// The account the token was issued in.
    pub account: String,
    /// `test` or `live`: the mode of the key that issued the token.
    pub mode: String,
    /// The client the token is restricted to.
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds (`iat` + 60 minutes).
    pub exp: i64,
    /// A unique token id.
    pub jti: String,
    /// The check types the token may start, when the issuer named them (the server's capture
    /// defaults otherwise). Signed with the rest, so the holder cannot widen them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_types: Option<Vec<String>>,
}

impl SdkClaims {
    /// Claims for a new token issued at `now` (Unix seconds).
    pub fn new(account: &str, mode: &str, client_id: &str, binding: Binding, now: i64) -> Self {
        let (referrer, app_id) = match binding {
            Binding::Referrer(r) => (Some(r), None),
            Binding::AppId(a) => (None, Some(a)),
        };
        SdkClaims {
            iss: ISSUER.to_string(),
            account: account.to_string(),
            mode: mode.to_string(),
            client_id: client_id.to_string(),
            referrer,
            app_id,
            iat: now,
            exp: now + TOKEN_TTL_SECS,
            jti: random_hex(16),
            check_types: None,
        }
    }

    /// The same claims, limited to starting these check types.
    pub fn with_check_types(mut self, types: Vec<String>) -> Self {
        self.check_types = Some(types);
        self
    }

    /// What the token is bound to (`None` for a token carrying neither, which is never issued).
    pub fn binding(&self) -> Option<Binding> {
        match (&self.referrer, &self.app_id) {
            (Some(r), None) => Some(Binding::Referrer(r.clone())),
            (None, Some(a)) => Some(Binding::AppId(a.clone())),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

/// One signing key.
#[derive(Clone)]
pub struct TokenKey {
    /// The key id written in each token's header.
    pub kid: String,
    /// When the key was created, Unix seconds.
    pub created_at: i64,
    key: SigningKey,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("kid", &self.kid)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl TokenKey {
    /// A fresh random key.
    pub fn generate(now: i64) -> Self {
        TokenKey {
            kid: random_hex(8),
            created_at: now,
            key: SigningKey::from_bytes(&rand::random::<[u8; 32]>()),
        }
    }

    /// The public half, as raw bytes.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }
}

/// The stored form of a key set (the key file's content, or `CLEARANCE_TOKEN_KEYS`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredKeySet {
    keys: Vec<StoredKey>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredKey {
    kid: String,
    created_at: i64,
    /// The 32-byte Ed25519 secret, base64url.
    secret: String,
}

/// Signing keys, oldest first: the last one signs, all of them verify.
#[derive(Clone, Debug)]
pub struct KeySet {
    keys: Vec<TokenKey>,
}

impl KeySet {
    /// A set of one fresh key.
    pub fn generate(now: i64) -> Self {
        KeySet {
            keys: vec![TokenKey::generate(now)],
        }
    }

    /// The keys, oldest first.
    pub fn keys(&self) -> &[TokenKey] {
        &self.keys
    }

    /// Adds a new signing key, and drops keys that cannot have signed a token still alive: a key
    /// whose successor was created more than [`TOKEN_TTL_SECS`] (+ skew) ago. Returns the new
    /// key's id.
    pub fn rotate(&mut self, now: i64) -> String {
        let key = TokenKey::generate(now);
        let kid = key.kid.clone();
        self.keys.push(key);
        let horizon = now - TOKEN_TTL_SECS - CLOCK_SKEW_SECS;
        let successors: Vec<i64> = self.keys.iter().skip(1).map(|k| k.created_at).collect();
        let mut index = 0;
        self.keys.retain(|_| {
            let keep = successors.get(index).is_none_or(|&next| next > horizon);
            index += 1;
            keep
        });
        kid
    }

    /// Reads a key set from its JSON form.
    pub fn from_json(text: &str) -> Result<Self, TokenError> {
        let stored: StoredKeySet = serde_json::from_str(text)
            .map_err(|e| TokenError::InvalidKeySet(format!("not a key set document ({e})")))?;
        if stored.keys.is_empty() {
            return Err(TokenError::NoKey);
        }
        let mut keys = Vec::with_capacity(stored.keys.len());
        for k in stored.keys {
            let bytes = URL_SAFE_NO_PAD
                .decode(k.secret.trim_end_matches('='))
                .map_err(|_| {
                    TokenError::InvalidKeySet(format!("key '{}' is not base64url", k.kid))
                })?;
            let secret: [u8; 32] = bytes.try_into().map_err(|_| {
                TokenError::InvalidKeySet(format!("key '{}' is not 32 bytes long", k.kid))
            })?;
            if k.kid.is_empty() || keys.iter().any(|x: &TokenKey| x.kid == k.kid) {
                return Err(TokenError::InvalidKeySet(
                    "every key needs its own, non-empty kid".into(),
                ));
            }
            keys.push(TokenKey {
                kid: k.kid,
                created_at: k.created_at,
                key: SigningKey::from_bytes(&secret),
            });
        }
        Ok(KeySet { keys })
    }

    /// The JSON form, secrets included: keep it private.
    pub fn to_json(&self) -> String {
        let stored = StoredKeySet {
            keys: self
                .keys
                .iter()
                .map(|k| StoredKey {
                    kid: k.kid.clone(),
                    created_at: k.created_at,
                    secret: URL_SAFE_NO_PAD.encode(k.key.to_bytes()),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&stored).unwrap_or_default()
    }

    /// The public keys as a JSON Web Key Set (OKP / Ed25519), for verifiers elsewhere.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .keys
            .iter()
            .map(|k| {
                serde_json::json!({
                    "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                    "kid": k.kid, "x": URL_SAFE_NO_PAD.encode(k.public_key()),
                })
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Signs claims with the newest key.
    pub fn sign(&self, claims: &SdkClaims) -> Result<String, TokenError> {
        let key = self.keys.last().ok_or(TokenError::NoKey)?;
        let header = Header {
            alg: "EdDSA".into(),
            typ: "JWT".into(),
            kid: key.kid.clone(),
        };
        let encode = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        let header = serde_json::to_vec(&header).map_err(|_| TokenError::Malformed)?;
        let claims = serde_json::to_vec(claims).map_err(|_| TokenError::Malformed)?;
        let signing_input = format!("{}.{}", encode(&header), encode(&claims));
        let signature = key.key.sign(signing_input.as_bytes());
        Ok(format!("{signing_input}.{}", encode(&signature.to_bytes())))
    }

    /// Verifies a token's signature and lifetime at `now` (Unix seconds) and returns its claims.
    pub fn verify(&self, token: &str, now: i64) -> Result<SdkClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenError::Malformed);
        let header: Header =
            serde_json::from_slice(&decode(h)?).map_err(|_| TokenError::Malformed)?;
        if header.alg != "EdDSA" {
            return Err(TokenError::Malformed);
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == header.kid)
            .ok_or(TokenError::UnknownKey)?;
        let signature = Signature::from_slice(&decode(s)?).map_err(|_| TokenError::BadSignature)?;
        let verifying: VerifyingKey = key.key.verifying_key();
        let signing_input = &token[..h.len() + 1 + c.len()];
        verifying
            .verify_strict(signing_input.as_bytes(), &signature)
            .map_err(|_| TokenError::BadSignature)?;
        let claims: SdkClaims =
            serde_json::from_slice(&decode(c)?).map_err(|_| TokenError::Malformed)?;
        if claims.iss != ISSUER || claims.binding().is_none() {
            return Err(TokenError::Malformed);
        }
        if claims.exp <= now || claims.exp - claims.iat > TOKEN_TTL_SECS {
            return Err(TokenError::Expired);
        }
        if claims.iat > now + CLOCK_SKEW_SECS {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

/// `n` random bytes as lowercase hex.
fn random_hex(n: usize) -> String {
    let mut out = String::with_capacity(n * 2);
    for _ in 0..n {
        let b: u8 = rand::random();
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Decodes the claims of a token without verifying it (diagnostics and tests only).
pub fn peek_claims(token: &str) -> Option<serde_json::Value> {
    let claims = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn claims(now: i64) -> SdkClaims {
        SdkClaims::new(
            "acc1",
            "test",
            "5f0c7e6a2b1d4c3e9a8b7c6d",
            Binding::Referrer("https://*.example.com/*".into()),
            now,
        )
    }

    #[test]
    fn a_signed_token_verifies_and_carries_its_claims() {
        let keys = KeySet::generate(NOW);
        let c = claims(NOW);
        let token = keys.sign(&c).unwrap();
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(keys.verify(&token, NOW + 10).unwrap(), c);
        assert_eq!(c.exp - c.iat, 3600);
        assert_ne!(claims(NOW).jti, c.jti, "unique jti");
        let peeked = peek_claims(&token).unwrap();
        assert_eq!(peeked["clientId"], "5f0c7e6a2b1d4c3e9a8b7c6d");
        assert!(peeked.get("appId").is_none());
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let keys = KeySet::generate(NOW);
        let token = keys.sign(&claims(NOW)).unwrap();
        assert_eq!(keys.verify(&token, NOW + 3600), Err(TokenError::Expired));
        assert_eq!(
            keys.verify(&token, NOW - 3600),
            Err(TokenError::NotYetValid)
        );

        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let mut forged = claims(NOW);
        forged.client_id = "other".into();
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(
            keys.verify(&parts.join("."), NOW),
            Err(TokenError::BadSignature)
        );

        let mut sig = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(2).unwrap())
            .unwrap();
        sig[0] ^= 1;
        let flipped = format!(
            "{}.{}",
            token.rsplit_once('.').unwrap().0,
            URL_SAFE_NO_PAD.encode(sig)
        );
        assert_eq!(keys.verify(&flipped, NOW), Err(TokenError::BadSignature));

        let other = KeySet::generate(NOW);
        assert_eq!(other.verify(&token, NOW), Err(TokenError::UnknownKey));
        for junk in ["", "a.b", "a.b.c.d", "...", "x.y.z"] {
            assert!(keys.verify(junk, NOW).is_err(), "{junk}");
        }
    }

    #[test]
    fn an_alg_none_token_is_refused() {
        let keys = KeySet::generate(NOW);
        let kid = &keys.keys()[0].kid;
        let h = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#));
        let c = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(NOW)).unwrap());
        assert_eq!(
            keys.verify(&format!("{h}.{c}."), NOW),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn rotation_keeps_verifying_live_tokens_and_drops_keys_past_their_use() {
        let mut keys = KeySet::generate(NOW);
        let old_token = keys.sign(&claims(NOW)).unwrap();
        let new_kid = keys.rotate(NOW + 60);
        assert_eq!(keys.keys().len(), 2);
        assert_eq!(keys.keys()[1].kid, new_kid);
        let new_token = keys.sign(&claims(NOW + 60)).unwrap();
        assert_eq!(keys.verify(&old_token, NOW + 120).unwrap().iat, NOW);
        assert_eq!(keys.verify(&new_token, NOW + 120).unwrap().iat, NOW + 60);

        // Two hours later, the first key cannot have signed a live token any more.
        keys.rotate(NOW + 60 + 2 * 3600);
        assert_eq!(keys.keys().len(), 2);
        assert_eq!(keys.keys()[0].kid, new_kid);
    }

    #[test]
    fn key_sets_round_trip_through_json() {
        let mut keys = KeySet::generate(NOW);
        keys.rotate(NOW + 1);
        let token = keys.sign(&claims(NOW)).unwrap();
        let again = KeySet::from_json(&keys.to_json()).unwrap();
        assert_eq!(again.verify(&token, NOW).unwrap().account, "acc1");
        assert_eq!(again.jwks()["keys"].as_array().unwrap().len(), 2);
        assert!(KeySet::from_json(r#"{"keys":[]}"#).is_err());
        assert!(
            KeySet::from_json(r#"{"keys":[{"kid":"a","createdAt":1,"secret":"AAAA"}]}"#).is_err()
        );
        assert!(KeySet::from_json("nonsense").is_err());
    }
}
