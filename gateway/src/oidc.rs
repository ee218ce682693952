//! Clinicians' OIDC bearer tokens (JWT, RS256 or ES256), checked on every request against the
//! configured issuer, audience and the issuer's published keys (JWKS).
//!
//! Keys are fetched from `OIDC_JWKS_URL` or from the issuer's discovery document, kept in
//! memory, and fetched again when a token names a key we do not have (key rotation), at most
//! once every [`REFRESH_SPACING`]. The check itself is jsonwebtoken's, with the algorithm
//! pinned by the key (a token cannot choose `none` or an HMAC "signed" with a public key).

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::config::OidcConfig;

/// Shortest time between two key-set fetches caused by unknown key IDs.
const REFRESH_SPACING: Duration = Duration::from_secs(30);
/// Clock difference tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;

/// Why a bearer token was refused. Never carries the token or its claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not a well-formed JWT")]
    Malformed,
    #[error("algorithm not accepted (RS256 and ES256 only)")]
    Algorithm,
    #[error("signed by a key the issuer does not publish")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("expired")]
    Expired,
    #[error("not valid yet")]
    NotYetValid,
    #[error("issued by another issuer")]
    WrongIssuer,
    #[error("meant for another audience")]
    WrongAudience,
    #[error("the issuer's keys cannot be fetched")]
    KeysUnavailable,
}

/// A clinician, as their token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinician {
    pub subject: String,
    pub name: String,
    pub roles: Vec<String>,
    /// The site ids of the configured site claim ([`crate::sites::claimed_sites`]).
    pub sites: Vec<String>,
    /// The token's `exp`, seconds since the epoch.
    pub expires_at_s: i64,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    /// The other claims, among them the site claim (its name is a setting).
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

struct Key {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

struct KeyCache {
    keys: Vec<Key>,
    fetched: Option<Instant>,
}

pub struct Verifier {
    config: OidcConfig,
    http: reqwest::Client,
    cache: RwLock<KeyCache>,
}

/// The algorithm a published key is for: RSA keys sign RS256, P-256 keys ES256; others are
/// not used.
fn key_of(jwk: &jsonwebtoken::jwk::Jwk) -> Option<Key> {
    use jsonwebtoken::jwk::{KeyAlgorithm, PublicKeyUse};
    // A key published for encryption, or for another algorithm, never checks a signature.
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    let declared = jwk.common.key_algorithm;
    let algorithm = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        _ => return None,
    };
    let expected = match algorithm {
        Algorithm::RS256 => KeyAlgorithm::RS256,
        _ => KeyAlgorithm::ES256,
    };
    if declared.is_some_and(|d| d != expected) {
        return None;
    }
    Some(Key {
        kid: jwk.common.key_id.clone(),
        algorithm,
        key: DecodingKey::from_jwk(jwk).ok()?,
    })
}

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: String,
}

/// Where the browser sign-in goes (from the issuer's discovery document).
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoints {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
}

impl Verifier {
    pub fn new(config: OidcConfig, http: reqwest::Client) -> Self {
        Verifier {
            config,
            http,
            cache: RwLock::new(KeyCache {
                keys: Vec::new(),
                fetched: None,
            }),
        }
    }

    pub fn audit_role(&self) -> &str {
        &self.config.audit_role
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        )
    }

    /// The issuer's authorization and token endpoints (http(s) only).
    pub async fn endpoints(&self) -> Result<Endpoints, TokenError> {
        let endpoints: Endpoints = self.get_json(&self.discovery_url()).await?;
        let http = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if http(&endpoints.authorization_endpoint) && http(&endpoints.token_endpoint) {
            Ok(endpoints)
        } else {
            Err(TokenError::KeysUnavailable)
        }
    }

    async fn fetch_keys(&self) -> Result<Vec<Key>, TokenError> {
        let jwks_url = match &self.config.jwks_url {
            Some(url) => url.clone(),
            None => {
                let doc: Discovery = self.get_json(&self.discovery_url()).await?;
                doc.jwks_uri
            }
        };
        if !(jwks_url.starts_with("https://") || jwks_url.starts_with("http://")) {
            return Err(TokenError::KeysUnavailable);
        }
        let set: JwkSet = self.get_json(&jwks_url).await?;
        Ok(set.keys.iter().filter_map(key_of).collect())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, TokenError> {
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|_| TokenError::KeysUnavailable)?;
        if !response.status().is_success() {
            return Err(TokenError::KeysUnavailable);
        }
        response
            .json()
            .await
            .map_err(|_| TokenError::KeysUnavailable)
    }

    /// Runs `check` with the key for (`kid`, `algorithm`), fetching the key set first when the
    /// key is not known and a fetch is allowed.
    async fn with_key<T>(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
        check: impl Fn(&DecodingKey) -> T,
    ) -> Result<T, TokenError> {
        let find = |keys: &[Key]| {
            keys.iter()
                .find(|k| k.algorithm == algorithm && (kid.is_none() || k.kid.as_deref() == kid))
                .map(|k| check(&k.key))
        };
        {
            let cache = self.cache.read().await;
            if let Some(result) = find(&cache.keys) {
                return Ok(result);
            }
            if cache.fetched.is_some_and(|t| t.elapsed() < REFRESH_SPACING) {
                return Err(TokenError::UnknownKey);
            }
        }
        let mut cache = self.cache.write().await;
        // Another request may have fetched while this one waited for the lock.
        if cache.fetched.is_none_or(|t| t.elapsed() >= REFRESH_SPACING) {
            let keys = self.fetch_keys().await;
            cache.fetched = Some(Instant::now());
            cache.keys = keys?;
        }
        find(&cache.keys).ok_or(TokenError::UnknownKey)
    }

    /// Checks a bearer token and says who it is.
    pub async fn verify(&self, token: &str) -> Result<Clinician, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(TokenError::Algorithm);
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let decoded = self
            .with_key(header.kid.as_deref(), header.alg, |key| {
                jsonwebtoken::decode::<Claims>(token, key, &validation)
            })
            .await?;
        let claims = decoded.map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::InvalidAlgorithm => TokenError::Algorithm,
                _ => TokenError::Malformed,
            }
        })?;
        let Claims {
            sub,
            exp,
            name,
            preferred_username,
            roles,
            other,
        } = claims.claims;
        Ok(Clinician {
            sites: crate::sites::claimed_sites(other.get(&self.config.site_claim)),
            expires_at_s: exp,
            name: name.or(preferred_username).unwrap_or_else(|| sub.clone()),
            subject: sub,
            roles,
        })
    }
}
