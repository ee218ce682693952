//! Échange: a study (whole, or chosen series of it) sent by a clinician of its site to a
//! named professional of the region's directory, or to a site's team, with a message and an
//! urgency. The recipient finds it in their inbox and reads what was sent (and nothing else
//! of the patient's: [`crate::sent_series`] for chosen series) without the patient's sharing
//! consent (care between named professionals); the sender sees when it was opened. Each step
//! is an audit row written with it.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{Response, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use viewer_core::dicom_json::is_uid;

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::Clinician;
use crate::error::ApiError;
use crate::exchanges::{Exchange, Sent};
use crate::reach::{self, Access, Owner, Reach};
use crate::sites::owns;
use crate::state::SharedState;

/// The longest message, in characters.
const MESSAGE_CHARS: usize = 1000;
/// The most series one exchange may choose.
const CHOSEN_SERIES: usize = 500;

/// What the pages are told of an exchange (the sender by name and site, never the audit
/// trail's identifiers of others).
fn exchange_json(state: &crate::state::AppState, e: &Exchange) -> serde_json::Value {
    let sites = state.config.sites.as_deref();
    let site_name = |id: &str| sites.and_then(|s| s.get(id)).map(|s| s.name.clone());
    let to_name = match e.to_kind.as_str() {
        "team" => site_name(&e.to_id),
        _ => sites
            .and_then(|s| s.professional(&e.to_id))
            .map(|(_, p)| p.name.clone()),
    };
    json!({
        "id": e.id, "study_uid": e.study_uid, "patient_id": e.patient_id,
        "from_name": e.from_name, "from_site": site_name(&e.from_site),
        "to_kind": e.to_kind, "to_name": to_name, "message": e.message, "urgency": e.urgency,
        "sent_at": e.sent_at_ms / 1000, "opened_at": e.opened_at_ms.map(|t| t / 1000),
        "series": e.series,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewExchange {
    study_uid: String,
    /// `professional` or `team`.
    to_kind: String,
    /// A directory subject, or a site id.
    to_id: String,
    message: String,
    urgency: String,
    /// The series sent, when not the whole study.
    #[serde(default)]
    series: Option<Vec<String>>,
}

/// The chosen series, each once, each a series of `study` by the PACS's index.
async fn chosen_series(
    state: &crate::state::AppState,
    study: &str,
    chosen: Option<Vec<String>>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    let mut unique: Vec<String> = Vec::new();
    for series in chosen {
        if !is_uid(&series) {
            return Err(ApiError::InvalidField("series"));
        }
        if !unique.contains(&series) {
            unique.push(series);
        }
    }
    if unique.is_empty() || unique.len() > CHOSEN_SERIES {
        return Err(ApiError::InvalidField("series"));
    }
    for series in &unique {
        let member = state
            .pacs
            .contains(study, Some(series), None)
            .await
            .map_err(|e| {
                tracing::warn!("membership check: {e}");
                ApiError::MembershipUnknown
            })?;
        if !member {
            return Err(ApiError::InvalidField("series"));
        }
    }
    Ok(Some(unique))
}

/// `POST /api/exchanges` (a clinician of the study's site): sends it to a professional of
/// the directory or to a site's team.
pub async fn send(
    State(state): State<SharedState>,
    Clinician {
        actor,
        name,
        sites,
        source,
        ..
    }: Clinician,
    body: Bytes,
) -> Result<Response<Body>, ApiError> {
    let Ok(request) = serde_json::from_slice::<NewExchange>(&body) else {
        return Err(ApiError::Invalid);
    };
    if !is_uid(&request.study_uid) {
        return Err(ApiError::InvalidField("study_uid"));
    }
    if !matches!(request.urgency.as_str(), "routine" | "urgent") {
        return Err(ApiError::InvalidField("urgency"));
    }
    let message = request.message.trim();
    if message.chars().count() > MESSAGE_CHARS
        || message.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(ApiError::InvalidField("message"));
    }
    let Reach::Sites(caller) = reach::of_clinician(&state, &sites)? else {
        return Err(ApiError::NotFound);
    };
    let directory = state.config.sites.as_deref().ok_or(ApiError::NotFound)?;
    let known = match request.to_kind.as_str() {
        "professional" => directory.professional(&request.to_id).is_some(),
        "team" => directory.get(&request.to_id).is_some(),
        _ => false,
    };
    if !known {
        return Err(ApiError::InvalidField("to"));
    }
    let (from_site, patient_id) = match reach::owner(&state, &request.study_uid).await? {
        Owner::Site {
            site: Some(site),
            patient_id,
        } if owns(&caller, Some(site)) => (site.id.clone(), patient_id),
        _ => return Err(ApiError::UnknownStudy),
    };
    let series = chosen_series(&state, &request.study_uid, request.series).await?;
    let now = crate::now_ms();
    let exchange = Exchange {
        id: crate::secret::new_id("x"),
        study_uid: request.study_uid,
        patient_id,
        from_actor: actor.clone(),
        from_name: Some(name).filter(|n| !n.trim().is_empty()),
        from_site,
        to_kind: request.to_kind,
        to_id: request.to_id,
        message: message.to_string(),
        urgency: request.urgency,
        sent_at_ms: now,
        opened_at_ms: None,
        series,
    };
    let event = AuditEvent::new(Action::ExchangeSend, Outcome::Success, &actor, &source, now)
        .study(&exchange.study_uid, Some(&exchange.patient_id))
        .detail(
            match (exchange.to_kind.as_str(), exchange.series.is_some()) {
                ("team", false) => "study sent to a site's team",
                ("team", true) => "chosen series sent to a site's team",
                (_, false) => "study sent to a professional",
                (_, true) => "chosen series sent to a professional",
            },
        );
    state.store.send_exchange(&exchange, &event).await?;
    Ok((StatusCode::CREATED, Json(exchange_json(&state, &exchange))).into_response())
}

/// `GET /api/exchanges/inbox` ("Reçus"): studies sent to the clinician or their sites' teams.
pub async fn inbox(
    State(state): State<SharedState>,
    Clinician { actor, sites, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    reach::of_clinician(&state, &sites)?;
    let received = state.store.exchanges_to(&actor, &sites).await?;
    let list: Vec<_> = received.iter().map(|e| exchange_json(&state, e)).collect();
    Ok(Json(list).into_response())
}

/// `GET /api/exchanges/sent`: what the clinician sent, and when each was opened.
pub async fn sent(
    State(state): State<SharedState>,
    Clinician { actor, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    let list: Vec<_> = state
        .store
        .exchanges_from(&actor)
        .await?
        .iter()
        .map(|e| exchange_json(&state, e))
        .collect();
    Ok(Json(list).into_response())
}

/// `GET /api/directory`: the region's sites (teams) and professionals, to send a study to.
pub async fn directory(
    State(state): State<SharedState>,
    Clinician { sites, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    reach::of_clinician(&state, &sites)?;
    let directory = state.config.sites.as_deref().ok_or(ApiError::NotFound)?;
    let list: Vec<_> = directory
        .all()
        .iter()
        .map(|s| {
            json!({ "id": s.id, "name": s.name, "professionals": s.professionals.iter()
                .map(|p| json!({ "subject": p.subject, "name": p.name })).collect::<Vec<_>>() })
        })
        .collect();
    Ok(Json(json!({ "sites": list })).into_response())
}

#[derive(Deserialize)]
pub struct StudyQuery {
    study_uid: String,
}

/// `GET /api/reach?study_uid=…`: how the clinician reaches the study (`own`, `consent`,
/// `exchange`, `emergency`; with `series` when only chosen series were sent to them), 404
/// when they do not: the study page offers sharing and sending to its own site's
/// clinicians only, and says when only chosen series were received.
pub async fn study_reach(
    State(state): State<SharedState>,
    Query(query): Query<StudyQuery>,
    Clinician { actor, sites, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    if !is_uid(&query.study_uid) {
        return Err(ApiError::Invalid);
    }
    let reach = reach::of_clinician(&state, &sites)?;
    let (how, series) = match reach::access(&state, &reach, &actor, &query.study_uid).await? {
        Access::None => return Err(ApiError::NotFound),
        Access::Own => ("own", None),
        Access::Consent => ("consent", None),
        Access::Emergency => ("emergency", None),
        Access::Exchange(Sent::Study) => ("exchange", None),
        Access::Exchange(Sent::Series(chosen)) => ("exchange", Some(chosen)),
    };
    Ok(Json(json!({ "reach": how, "series": series })).into_response())
}
