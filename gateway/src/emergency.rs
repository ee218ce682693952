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
use sqlx::Row;
use viewer_core::dicom_json::is_uid;

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::Clinician;
use crate::error::ApiError;
use crate::reach::{self, Access, Owner, Reach};
use crate::state::SharedState;
use crate::store::{failed, insert_audit_on, Store, StoreError};

/// The reasons a clinician chooses from.
pub const CATEGORIES: &[&str] = &["urgence_vitale", "continuite_des_soins", "autre"];
/// The longest reason in the clinician's own words, in characters.
const REASON_CHARS: usize = 500;

/// One emergency access, as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EmergencyAccess {
    pub id: String,
    pub actor: String,
    pub actor_name: Option<String>,
    pub study_uid: String,
    pub patient_id: Option<String>,
    /// The site that owns the study (none: a study of no site).
    pub site_id: Option<String>,
    pub category: String,
    pub reason: String,
    pub started_at_ms: i64,
    pub expires_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, actor, actor_name, study_uid, patient_id, site_id, category, reason, \
                       started_at_ms, expires_at_ms, ended_at_ms";

fn access_of(row: &sqlx::any::AnyRow) -> Result<EmergencyAccess, sqlx::Error> {
    Ok(EmergencyAccess {
        id: row.try_get("id")?,
        actor: row.try_get("actor")?,
        actor_name: row.try_get("actor_name")?,
        study_uid: row.try_get("study_uid")?,
        patient_id: row.try_get("patient_id")?,
        site_id: row.try_get("site_id")?,
        category: row.try_get("category")?,
        reason: row.try_get("reason")?,
        started_at_ms: row.try_get("started_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        ended_at_ms: row.try_get("ended_at_ms")?,
    })
}

impl Store {
    /// The actor's emergency access to `study` in force at `now_ms`, if any.
    pub async fn emergency_in_force(
        &self,
        actor: &str,
        study: &str,
        now_ms: i64,
    ) -> Result<Option<EmergencyAccess>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM emergency_accesses WHERE actor = $1 AND study_uid = $2 \
             AND expires_at_ms > $3 AND ended_at_ms IS NULL ORDER BY expires_at_ms DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(actor)
            .bind(study)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("reading an emergency access"))?;
        row.as_ref()
            .map(access_of)
            .transpose()
            .map_err(failed("reading an emergency access"))
    }

    /// Emergency accesses, newest first, for review.
    pub async fn emergency_accesses(&self, limit: i64) -> Result<Vec<EmergencyAccess>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM emergency_accesses ORDER BY started_at_ms DESC, id LIMIT $1"
        );
        let rows = sqlx::query(&sql)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading emergency accesses"))?;
        rows.iter()
            .map(access_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading emergency accesses"))
    }

    /// A new emergency access with its audit row, together.
    async fn open_emergency(
        &self,
        access: &EmergencyAccess,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let sql = format!(
            "INSERT INTO emergency_accesses ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        sqlx::query(&sql)
            .bind(&access.id)
            .bind(&access.actor)
            .bind(&access.actor_name)
            .bind(&access.study_uid)
            .bind(&access.patient_id)
            .bind(&access.site_id)
            .bind(&access.category)
            .bind(&access.reason)
            .bind(access.started_at_ms)
            .bind(access.expires_at_ms)
            .bind(access.ended_at_ms)
            .execute(&mut *act)
            .await
            .map_err(failed("recording an emergency access"))?;
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }

    /// Ends the actor's emergency access `id` (once) with its audit row; whether it was in
    /// force.
    async fn end_emergency(
        &self,
        id: &str,
        actor: &str,
        now_ms: i64,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let ended = sqlx::query(
            "UPDATE emergency_accesses SET ended_at_ms = $1 WHERE id = $2 AND actor = $3 \
             AND ended_at_ms IS NULL AND expires_at_ms > $1",
        )
        .bind(now_ms)
        .bind(id)
        .bind(actor)
        .execute(&mut *act)
        .await
        .map_err(failed("ending an emergency access"))?
        .rows_affected()
            == 1;
        if !ended {
            return Ok(false);
        }
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))?;
        Ok(true)
    }
}

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
