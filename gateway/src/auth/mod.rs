//! Who is asking: a clinician (an OIDC bearer token, or the development login), a share
//! session (a cookie obtained from a share link), or nobody.
//!
//! Resolved on every request from the request itself and the database, so that expiry and
//! revocation take effect at the next request on every gateway copy.

pub mod extract;
pub mod login;
pub mod session;

use axum::http::{header, HeaderMap};

pub use self::extract::{Caller, Clinician, SameOrigin, SignedIn};
use crate::audit::{Action, AuditEvent, Outcome};
use crate::error::ApiError;
use crate::oidc;
use crate::state::AppState;
use crate::store::Share;

/// The development login's identity.
pub const DEV_ACTOR: &str = "dev:clinician";

/// The development login's identity as a clinician of `sites` (where the portal has sites):
/// the demonstration's doctors of two sites are two people in the audit trail, their
/// emergency accesses and sent studies their own.
pub fn dev_actor(sites: &[String]) -> String {
    if sites.is_empty() {
        DEV_ACTOR.to_string()
    } else {
        format!("{DEV_ACTOR}@{}", sites.join("+"))
    }
}
pub const DEV_NAME: &str = "Dev clinician (no authentication)";

#[derive(Debug, Clone)]
pub enum Principal {
    Clinician {
        /// `clinician:<sub>` or [`DEV_ACTOR`], for the audit trail.
        actor: String,
        name: String,
        dev: bool,
        can_audit: bool,
        /// The site ids the token names (checked against the site file where it is used).
        sites: Vec<String>,
    },
    /// A share session: one study, read only.
    Share {
        share: Box<Share>,
    },
    Anonymous,
}

impl Principal {
    pub fn actor(&self) -> String {
        match self {
            Principal::Clinician { actor, .. } => actor.clone(),
            Principal::Share { share } => format!("share:{}", share.id),
            Principal::Anonymous => "anonymous".into(),
        }
    }
}

/// A request that cannot be attributed.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// A bearer token was sent and refused.
    #[error("bearer token refused: {0}")]
    Token(oidc::TokenError),
    /// The database did not answer: whether the session cookie is good cannot be known (the
    /// caller is not taken for nobody, which would end their session in the page).
    #[error(transparent)]
    Store(crate::store::StoreError),
}

/// The bearer token of an `Authorization` header, if it has one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Who is asking. A refused bearer token is recorded in the audit trail (without the token).
pub async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    source: &str,
) -> Result<Principal, Refused> {
    let now = crate::now_ms();
    if headers.contains_key(header::AUTHORIZATION) {
        let outcome = match (bearer(headers), &state.verifier) {
            (Some(token), Some(verifier)) => verifier.verify(token).await,
            // A non-bearer header or no configured issuer: no token can be good.
            _ => Err(oidc::TokenError::Malformed),
        };
        return match outcome {
            Ok(c) => Ok(Principal::Clinician {
                actor: format!("clinician:{}", c.subject),
                can_audit: state
                    .verifier
                    .as_ref()
                    .is_some_and(|v| c.roles.iter().any(|r| r == v.audit_role())),
                name: c.name,
                dev: false,
                sites: c.sites,
            }),
            Err(e) => {
                state
                    .audit(
                        AuditEvent::new(
                            Action::LoginFailure,
                            Outcome::Failure,
                            "anonymous",
                            source,
                            now,
                        )
                        .detail(token_error_detail(e)),
                    )
                    .await;
                Err(Refused::Token(e))
            }
        };
    }
    let Some(cookie) = session::cookie_value(headers, state.config.secure_cookies) else {
        return Ok(Principal::Anonymous);
    };
    let hash = crate::secret::token_hash(cookie);
    let found = state
        .store
        .session(&hash, now)
        .await
        .map_err(Refused::Store)?;
    Ok(match found {
        Some(s) if s.kind == session::KIND_DEV && state.config.dev_login => {
            let sites = json_list(s.sites.as_deref());
            Principal::Clinician {
                actor: dev_actor(&sites),
                name: DEV_NAME.into(),
                dev: true,
                can_audit: true,
                sites,
            }
        }
        Some(s) if s.kind == session::KIND_OIDC && state.verifier.is_some() => {
            // A JSON array: a role's own spaces cannot make it two roles.
            let roles = json_list(s.roles.as_deref());
            Principal::Clinician {
                sites: json_list(s.sites.as_deref()),
                actor: format!("clinician:{}", s.subject),
                can_audit: state
                    .verifier
                    .as_ref()
                    .is_some_and(|v| roles.iter().any(|r| r == v.audit_role())),
                name: s.name.unwrap_or(s.subject),
                dev: false,
            }
        }
        Some(s) if s.kind == session::KIND_SHARE => match s.share {
            Some(share) if share.revoked_at_ms.is_none() && share.expires_at_ms > now => {
                Principal::Share {
                    share: Box::new(share),
                }
            }
            _ => Principal::Anonymous,
        },
        _ => Principal::Anonymous,
    })
}

/// A session's list column (a JSON array of strings; anything else is an empty list).
fn json_list(column: Option<&str>) -> Vec<String> {
    column
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

/// The answer to nobody: 401, saying which ways in this gateway offers.
pub fn unauthenticated(state: &AppState) -> ApiError {
    ApiError::Unauthenticated {
        dev_login: state.config.dev_login,
        sign_in: login::available(state),
    }
}

/// Who is asking, nobody included; a refused bearer token is a 401 (and an audit row).
pub async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    source: &str,
) -> Result<Principal, ApiError> {
    resolve(state, headers, source)
        .await
        .map_err(|refused| match refused {
            Refused::Token(_) => unauthenticated(state),
            Refused::Store(e) => ApiError::StoreUnavailable(e),
        })
}

fn token_error_detail(e: oidc::TokenError) -> &'static str {
    use oidc::TokenError::*;
    match e {
        Malformed => "malformed token",
        Algorithm => "algorithm refused",
        UnknownKey => "unknown key",
        BadSignature => "bad signature",
        Expired => "expired token",
        NotYetValid => "token not valid yet",
        WrongIssuer => "wrong issuer",
        WrongAudience => "wrong audience",
        KeysUnavailable => "issuer keys unavailable",
    }
}
