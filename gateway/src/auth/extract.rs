//! Who is asking, as request extractors: handlers name what they need in their arguments
//! (anyone, someone signed in, a clinician, a state change from this origin) and a request
//! that is not that is refused with an [`ApiError`] before the handler runs.
//!
//! Extractors run in the order of the handler's arguments: a handler whose query string is
//! checked before its caller lists `Query` first.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;

use super::{identify, session, unauthenticated, Principal};
use crate::error::ApiError;
use crate::front::{ClientAddr, PortalOrigin};
use crate::state::SharedState;

/// The client's address ([`ClientAddr`]), as the audit trail writes it.
fn source_of(parts: &Parts) -> Result<String, ApiError> {
    parts
        .extensions
        .get::<ClientAddr>()
        .map(ToString::to_string)
        .ok_or(ApiError::NoPeerAddress)
}

/// Anyone, nobody included (a refused bearer token is a 401), and their address.
pub struct Caller {
    pub principal: Principal,
    pub source: String,
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let source = source_of(parts)?;
        let principal = identify(state, &parts.headers, &source).await?;
        Ok(Caller { principal, source })
    }
}

/// A clinician or a share session (never [`Principal::Anonymous`]): nobody is a 401.
pub struct SignedIn(pub Principal);

impl FromRequestParts<SharedState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await?.principal {
            Principal::Anonymous => Err(unauthenticated(state)),
            principal => Ok(SignedIn(principal)),
        }
    }
}

/// A clinician: nobody is a 401, a share session a 403 (`forbidden`).
///
/// On any method but GET and HEAD the request must also come from this origin as JSON
/// ([`session::same_origin_json`]), else 403 (`cross_origin`): a route that changes state
/// cannot take a clinician without the check.
pub struct Clinician {
    /// `clinician:<sub>` or the development login's, for the audit trail.
    pub actor: String,
    /// Their name as they signed in (what a share's recipient is told).
    pub name: String,
    pub can_audit: bool,
    /// The site ids their token names.
    pub sites: Vec<String>,
    pub source: String,
}

impl FromRequestParts<SharedState> for Clinician {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let Caller { principal, source } = Caller::from_request_parts(parts, state).await?;
        let clinician = match principal {
            Principal::Anonymous => return Err(unauthenticated(state)),
            Principal::Share { .. } => return Err(ApiError::Forbidden),
            Principal::Clinician {
                actor,
                name,
                can_audit,
                sites,
                ..
            } => Clinician {
                actor,
                name,
                can_audit,
                sites,
                source,
            },
        };
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            SameOrigin::check(parts)?;
        }
        Ok(clinician)
    }
}

/// A state change sent from this origin as JSON, whoever sends it: else 403 (`cross_origin`).
pub struct SameOrigin;

impl SameOrigin {
    pub fn check(parts: &Parts) -> Result<SameOrigin, ApiError> {
        let origin = parts
            .extensions
            .get::<PortalOrigin>()
            .ok_or(ApiError::CrossOrigin)?;
        if session::same_origin_json(&parts.headers, &origin.0) {
            Ok(SameOrigin)
        } else {
            Err(ApiError::CrossOrigin)
        }
    }
}

impl FromRequestParts<SharedState> for SameOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        SameOrigin::check(parts)
    }
}
