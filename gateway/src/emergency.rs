//! Emergency access ("bris de glace"): a clinician of a region's site opens a study that no
//! rule lets them read (another site's patient without consent, a study of no site), after
//! giving a reason (a category and their own words), for a limited time
//! (`GATEWAY_EMERGENCY_MINUTES`, default 4 hours). Each access is a row of its own, written
//! with its audit row (flagged for review) in one transaction; every reading through it is
//! recorded as such; the data-protection officer lists them (`GET /api/emergency/review`, the
//! audit role; `gateway emergency` on the command line). The clinician may end it early.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{Response, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use viewer_core::dicom_json::is_uid;

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::Clinician;
use crate::emergencies::EmergencyAccess;
use crate::error::ApiError;
use crate::reach::{self, Access, Owner, Reach};
use crate::state::SharedState;

/// The reasons a clinician chooses from.
pub const CATEGORIES: &[&str] = &["urgence_vitale", "continuite_des_soins", "autre"];
/// The longest reason in the clinician's own words, in characters.
const REASON_CHARS: usize = 500;

fn access_json(a: &EmergencyAccess) -> serde_json::Value {
    json!({
        "id": a.id, "study_uid": a.study_uid, "category": a.category, "reason": a.reason,
        "started_at": a.started_at_ms / 1000, "expires_at": a.expires_at_ms / 1000,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEmergency {
    study_uid: String,
    category: String,
    reason: String,
}

/// `POST /api/emergency` (a clinician of a region's site): opens a study no rule lets them
/// read, for the configured time. 409 when a rule already lets them (no need), 404 for a study
/// the PACS does not have.
pub async fn open(
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
    let Ok(request) = serde_json::from_slice::<NewEmergency>(&body) else {
        return Err(ApiError::Invalid);
    };
    if !is_uid(&request.study_uid) {
        return Err(ApiError::InvalidField("study_uid"));
    }
    if !CATEGORIES.contains(&request.category.as_str()) {
        return Err(ApiError::InvalidField("category"));
    }
    let reason = request.reason.trim();
    if reason.is_empty()
        || reason.chars().count() > REASON_CHARS
        || reason.chars().any(char::is_control)
    {
        return Err(ApiError::InvalidField("reason"));
    }
    let reach = reach::of_clinician(&state, &sites)?;
    let Reach::Sites(_) = &reach else {
        return Err(ApiError::NotFound);
    };
    if reach::access(&state, &reach, &actor, &request.study_uid).await? != Access::None {
        return Err(ApiError::NotNeeded);
    }
    let (site_id, patient_id) = match reach::owner(&state, &request.study_uid).await? {
        Owner::Missing => return Err(ApiError::UnknownStudy),
        Owner::Site { site, patient_id } => (site.map(|s| s.id.clone()), patient_id),
    };
    let now = crate::now_ms();
    let access = EmergencyAccess {
        id: crate::secret::new_id("e"),
        actor: actor.clone(),
        actor_name: Some(name).filter(|n| !n.trim().is_empty()),
        study_uid: request.study_uid.clone(),
        patient_id: Some(patient_id.clone()).filter(|p| !p.is_empty()),
        site_id,
        category: request.category,
        reason: reason.to_string(),
        started_at_ms: now,
        expires_at_ms: now + state.config.emergency_minutes * 60_000,
        ended_at_ms: None,
    };
    // The reason is the clinician's own words: kept in the access's row for the review, the
    // audit row says only that there is one to review.
    let event = AuditEvent::new(
        Action::EmergencyOpen,
        Outcome::Success,
        &actor,
        &source,
        now,
    )
    .study(&access.study_uid, access.patient_id.as_deref())
    .detail("emergency access opened (to review)");
    state.store.open_emergency(&access, &event).await?;
    Ok((StatusCode::CREATED, Json(access_json(&access))).into_response())
}

#[derive(Deserialize)]
pub struct StudyQuery {
    study_uid: String,
}

/// `GET /api/emergency?study_uid=…`: the caller's emergency access to the study in force
/// (`{"active": false}` when none), for the banner.
pub async fn current(
    State(state): State<SharedState>,
    Query(query): Query<StudyQuery>,
    Clinician { actor, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    if !is_uid(&query.study_uid) {
        return Err(ApiError::Invalid);
    }
    let found = state
        .store
        .emergency_in_force(&actor, &query.study_uid, crate::now_ms())
        .await?;
    Ok(Json(match found {
        Some(a) => json!({ "active": true, "access": access_json(&a) }),
        None => json!({ "active": false }),
    })
    .into_response())
}

/// `POST /api/emergency/{id}/end`: the clinician ends their emergency access early.
pub async fn end(
    State(state): State<SharedState>,
    Clinician { actor, source, .. }: Clinician,
    Path(id): Path<String>,
) -> Result<Response<Body>, ApiError> {
    let now = crate::now_ms();
    let event = AuditEvent::new(Action::EmergencyEnd, Outcome::Success, &actor, &source, now)
        .detail("emergency access ended");
    if state.store.end_emergency(&id, &actor, now, &event).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound)
    }
}

#[derive(Deserialize)]
pub struct ReviewQuery {
    limit: Option<i64>,
}

/// `GET /api/emergency/review` (the audit role): every emergency access, newest first, with
/// who, which study and patient, why and for how long.
pub async fn review(
    State(state): State<SharedState>,
    Query(query): Query<ReviewQuery>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    if !clinician.can_audit {
        return Err(ApiError::Forbidden);
    }
    let limit = query.limit.unwrap_or(1000).clamp(1, 100_000);
    Ok(Json(state.store.emergency_accesses(limit).await?).into_response())
}
