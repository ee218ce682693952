//! `/api/…`: who am I, the development login, logging out, and the audit trail.
//! Shares have their own module ([`crate::shares`]).

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{fhir_bundle, Action, AuditEvent, Outcome};
use crate::auth::{
    session, unauthenticated, Clinician, Principal, SameOrigin, SignedIn, DEV_ACTOR,
};
use crate::error::ApiError;
use crate::front::{ClientAddr, PortalOrigin};
use crate::state::{AppState, SharedState};
use crate::store::NewSession;

/// `GET /api/session`.
pub async fn session_info(
    State(state): State<SharedState>,
    SignedIn(principal): SignedIn,
) -> Result<Response<Body>, ApiError> {
    Ok(match principal {
        Principal::Clinician {
            name,
            dev,
            can_audit,
            sites,
            ..
        } => {
            // Where the portal has sites: the clinician's, or why they reach no study.
            let (sites, refusal) = match crate::reach::of_clinician(&state, &sites) {
                Ok(crate::reach::Reach::Sites(own)) => (Some(json!(own)), None),
                Ok(crate::reach::Reach::Archive) => (None, None),
                Err(refusal) => (Some(json!([])), refusal.code()),
            };
            // The region's sites and their issuers: the page labels another site's study.
            let region = state.config.sites.as_deref().map(|all| {
                all.all()
                    .iter()
                    .map(|s| json!({ "id": s.id, "name": s.name, "issuers": s.issuers }))
                    .collect::<Vec<_>>()
            });
            Json(json!({
                "kind": "clinician", "name": name, "dev": dev, "can_share": true,
                "can_audit": can_audit, "sites": sites, "site_refusal": refusal,
                "region": region,
            }))
            .into_response()
        }
        Principal::Share { share } => Json(crate::shares::session_json(&share)).into_response(),
        Principal::Anonymous => return Err(unauthenticated(&state)),
    })
}

/// `GET /api/site`: who runs the portal (public: a share link's recipient sees it before the
/// code; it holds no patient data).
pub async fn site(State(state): State<SharedState>) -> Json<serde_json::Value> {
    let mut answer = json!(state.config.site);
    // The development login signs in as one of the demonstration's sites (their names only).
    if let (true, Some(sites)) = (state.config.dev_login, state.config.sites.as_deref()) {
        answer["dev_sites"] = json!(sites.all());
    }
    Json(answer)
}

/// `POST /api/dev-login`: only when the gateway was started with `GATEWAY_DEV_LOGIN=1`.
pub async fn dev_login(
    State(state): State<SharedState>,
    client: ClientAddr,
    PortalOrigin(origin): PortalOrigin,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response<Body>, ApiError> {
    // Not offered is a 404 before anything else: the origin is checked second.
    if !state.config.dev_login {
        return Err(ApiError::NotFound);
    }
    if !session::same_origin_json(&headers, &origin) {
        return Err(ApiError::CrossOrigin);
    }
    // Where the portal has sites, the development clinician signs in as one of them.
    #[derive(Deserialize, Default)]
    struct DevLogin {
        site: Option<String>,
    }
    let request: DevLogin = if body.is_empty() {
        DevLogin::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| ApiError::Invalid)?
    };
    let sites_claimed: Vec<String> = match (state.config.sites.as_deref(), request.site) {
        (None, _) => Vec::new(),
        (Some(sites), Some(site)) if sites.get(&site).is_some() => vec![site],
        (Some(_), _) => return Err(ApiError::InvalidField("site")),
    };
    let sites = (!sites_claimed.is_empty()).then(|| json!(sites_claimed).to_string());
    let actor = crate::auth::dev_actor(&sites_claimed);
    let token = crate::secret::new_token();
    let now = crate::now_ms();
    let session = NewSession {
        id_hash: &crate::secret::token_hash(&token),
        kind: session::KIND_DEV,
        subject: DEV_ACTOR,
        share_id: None,
        name: None,
        roles: None,
        sites: sites.as_deref(),
        created_at_ms: now,
        expires_at_ms: now + session::DEV_SESSION_MS,
    };
    let source = client.to_string();
    let event = AuditEvent::new(Action::Login, Outcome::Success, &actor, &source, now)
        .detail("development login");
    state.store.open_session(&session, &event).await?;
    let cookie = session::set_cookie(&token, session::DEV_SESSION_MS, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// `POST /api/logout`: ends the cookie's session here and in the database.
pub async fn logout(
    State(state): State<SharedState>,
    _: SameOrigin,
    headers: HeaderMap,
) -> Response<Body> {
    if let Some(cookie) = session::cookie_value(&headers, state.config.secure_cookies) {
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
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response()
}

#[derive(Deserialize)]
pub struct AuditQuery {
    patient_id: Option<String>,
    study_uid: Option<String>,
    limit: Option<i64>,
}

/// The rows a clinician with the audit role asked for (others: 403).
async fn audit_events(
    state: &AppState,
    clinician: &Clinician,
    query: &AuditQuery,
) -> Result<Vec<AuditEvent>, ApiError> {
    if !clinician.can_audit {
        return Err(ApiError::Forbidden);
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
    Query(query): Query<AuditQuery>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    let events = audit_events(&state, &clinician, &query).await?;
    Ok(Json(events).into_response())
}

/// `GET /api/sites` (the audit role): the region's sites, how many studies of the archive
/// each owns and how many belong to none (404 where the portal has no sites).
pub async fn sites(
    State(state): State<SharedState>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    if !clinician.can_audit {
        return Err(ApiError::Forbidden);
    }
    let (Some(sites), Some(census)) = (
        state.config.sites.as_deref(),
        crate::reach::census(&state).await?,
    ) else {
        return Err(ApiError::NotFound);
    };
    let count = |id: &str| {
        census
            .sites
            .iter()
            .find(|(s, _)| s == id)
            .map_or(0, |c| c.1)
    };
    let list: Vec<serde_json::Value> = sites
        .all()
        .iter()
        .map(|s| json!({ "id": s.id, "name": s.name, "issuers": s.issuers, "studies": count(&s.id) }))
        .collect();
    Ok(Json(json!({
        "sites": list, "no_site": census.no_site, "studies": census.studies,
        "partial": census.partial,
    }))
    .into_response())
}

/// `GET /api/audit/fhir?…`: the same rows as a FHIR Bundle of AuditEvents.
pub async fn audit_fhir(
    State(state): State<SharedState>,
    Query(query): Query<AuditQuery>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    let events = audit_events(&state, &clinician, &query).await?;
    let fhir = header::HeaderValue::from_static("application/fhir+json");
    Ok(([(header::CONTENT_TYPE, fhir)], Json(fhir_bundle(&events))).into_response())
}
