//! `/api/…`: who am I, the development login, logging out, and the audit trail.
//! Shares have their own module ([`crate::shares`]).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{fhir_bundle, Action, AuditEvent, Outcome};
use crate::auth::{identify, session, unauthenticated, Principal, DEV_ACTOR};
use crate::error::ApiError;
use crate::state::{AppState, SharedState};
use crate::store::NewSession;

/// The principal of a request, or the refusal to give instead (401 for nobody or a refused
/// token).
pub async fn principal(
    state: &AppState,
    headers: &HeaderMap,
    source: &str,
) -> Result<Principal, ApiError> {
    match identify(state, headers, source).await? {
        Principal::Anonymous => Err(unauthenticated(state)),
        p => Ok(p),
    }
}

/// The clinician making a request (their audit actor), or the refusal to give instead: 401
/// for nobody, 403 for a share session, 403 for a state change from another origin.
pub async fn clinician(
    state: &AppState,
    headers: &HeaderMap,
    source: &str,
    changes_state: bool,
) -> Result<String, ApiError> {
    let actor = match principal(state, headers, source).await? {
        p @ Principal::Clinician { .. } => p.actor(),
        _ => return Err(ApiError::Forbidden),
    };
    if changes_state && !session::same_origin_json(headers) {
        return Err(ApiError::CrossOrigin);
    }
    Ok(actor)
}

/// `GET /api/session`.
pub async fn session_info(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response<Body>, ApiError> {
    Ok(match principal(&state, &headers, &peer.ip().to_string()).await? {
        Principal::Clinician {
            name,
            dev,
            can_audit,
            ..
        } => Json(json!({
            "kind": "clinician", "name": name, "dev": dev, "can_share": true, "can_audit": can_audit,
        }))
        .into_response(),
        Principal::Share { share } => Json(json!({
            "kind": "share",
            "study_uid": share.study_uid,
            "expires_at": share.expires_at_ms / 1000,
            "recipient": share.recipient,
        }))
        .into_response(),
        Principal::Anonymous => return Err(unauthenticated(&state)),
    })
}

/// `POST /api/dev-login`: only when the gateway was started with `GATEWAY_DEV_LOGIN=1`.
pub async fn dev_login(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response<Body>, ApiError> {
    if !state.config.dev_login {
        return Err(ApiError::NotFound);
    }
    if !session::same_origin_json(&headers) {
        return Err(ApiError::CrossOrigin);
    }
    let token = crate::secret::new_token();
    let now = crate::now_ms();
    state
        .store
        .insert_session(&NewSession {
            id_hash: &crate::secret::token_hash(&token),
            kind: session::KIND_DEV,
            subject: DEV_ACTOR,
            share_id: None,
            name: None,
            roles: None,
            created_at_ms: now,
            expires_at_ms: now + session::DEV_SESSION_MS,
        })
        .await?;
    let source = peer.ip().to_string();
    state
        .audit(
            AuditEvent::new(Action::Login, Outcome::Success, DEV_ACTOR, &source, now)
                .detail("development login"),
        )
        .await;
    let cookie = session::set_cookie(&token, session::DEV_SESSION_MS, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// `POST /api/logout`: ends the cookie's session here and in the database.
pub async fn logout(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response<Body>, ApiError> {
    if !session::same_origin_json(&headers) {
        return Err(ApiError::CrossOrigin);
    }
    if let Some(cookie) = session::cookie_value(&headers) {
        if let Err(e) = state
            .store
            .delete_session(&crate::secret::token_hash(cookie))
            .await
        {
            // The cookie is cleared all the same; the row ends with its expiry.
            tracing::error!("{e}");
        }
    }
    let cookie = session::clear_cookie(state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

#[derive(Deserialize)]
pub struct AuditQuery {
    patient_id: Option<String>,
    study_uid: Option<String>,
    limit: Option<i64>,
}

async fn audit_events(
    state: &AppState,
    headers: &HeaderMap,
    source: &str,
    query: &AuditQuery,
) -> Result<Vec<AuditEvent>, ApiError> {
    match principal(state, headers, source).await? {
        Principal::Clinician {
            can_audit: true, ..
        } => {}
        _ => return Err(ApiError::Forbidden),
    }
    let limit = query.limit.unwrap_or(500).clamp(1, 10_000);
    Ok(state
        .store
        .audit_events(
            query.patient_id.as_deref(),
            query.study_uid.as_deref(),
            limit,
        )
        .await?)
}

/// `GET /api/audit?patient_id=…&study_uid=…&limit=…`: rows, newest first.
pub async fn audit(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Result<Response<Body>, ApiError> {
    let events = audit_events(&state, &headers, &peer.ip().to_string(), &query).await?;
    Ok(Json(events).into_response())
}

/// `GET /api/audit/fhir?…`: the same rows as a FHIR Bundle of AuditEvents.
pub async fn audit_fhir(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Result<Response<Body>, ApiError> {
    let events = audit_events(&state, &headers, &peer.ip().to_string(), &query).await?;
    let fhir = header::HeaderValue::from_static("application/fhir+json");
    Ok(([(header::CONTENT_TYPE, fhir)], Json(fhir_bundle(&events))).into_response())
}
