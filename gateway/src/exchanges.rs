//! Échange: a study sent by a clinician of its site to a named professional of the region's
//! directory, or to a site's team, with a message and an urgency. The recipient finds it in
//! their inbox and reads that study (and nothing else of the patient's) without the patient's
//! sharing consent (care between named professionals); the sender sees when it was opened.
//! Each step is an audit row written with it.

use axum::body::{Body, Bytes};
use axum::extract::State;
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
use crate::reach::{self, Owner, Reach};
use crate::sites::owns;
use crate::state::SharedState;
use crate::store::{failed, insert_audit_on, Store, StoreError};

/// The longest message, in characters.
const MESSAGE_CHARS: usize = 1000;

/// One study sent.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exchange {
    pub id: String,
    pub study_uid: String,
    pub patient_id: String,
    pub from_actor: String,
    pub from_name: Option<String>,
    pub from_site: String,
    /// `professional` (a subject) or `team` (a site id).
    pub to_kind: String,
    pub to_id: String,
    pub message: String,
    /// `routine` or `urgent`.
    pub urgency: String,
    pub sent_at_ms: i64,
    pub opened_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, study_uid, patient_id, from_actor, from_name, from_site, to_kind, \
                       to_id, message, urgency, sent_at_ms, opened_at_ms";

fn exchange_of(row: &sqlx::any::AnyRow) -> Result<Exchange, sqlx::Error> {
    Ok(Exchange {
        id: row.try_get("id")?,
        study_uid: row.try_get("study_uid")?,
        patient_id: row.try_get("patient_id")?,
        from_actor: row.try_get("from_actor")?,
        from_name: row.try_get("from_name")?,
        from_site: row.try_get("from_site")?,
        to_kind: row.try_get("to_kind")?,
        to_id: row.try_get("to_id")?,
        message: row.try_get("message")?,
        urgency: row.try_get("urgency")?,
        sent_at_ms: row.try_get("sent_at_ms")?,
        opened_at_ms: row.try_get("opened_at_ms")?,
    })
}

/// The subject of a signed-in clinician's actor (`clinician:<sub>`).
fn subject_of(actor: &str) -> &str {
    actor.strip_prefix("clinician:").unwrap_or(actor)
}

impl Store {
    /// Exchanges to this clinician (by subject) or to one of their sites' teams, newest first.
    pub async fn exchanges_to(
        &self,
        actor: &str,
        sites: &[String],
    ) -> Result<Vec<Exchange>, StoreError> {
        let teams = if sites.is_empty() {
            "1 = 0".to_string()
        } else {
            let places: Vec<String> = (0..sites.len()).map(|i| format!("${}", i + 2)).collect();
            format!("(to_kind = 'team' AND to_id IN ({}))", places.join(", "))
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM exchanges WHERE (to_kind = 'professional' AND to_id = $1) \
             OR {teams} ORDER BY sent_at_ms DESC, id LIMIT 1000"
        );
        let mut query = sqlx::query(&sql).bind(subject_of(actor));
        for site in sites {
            query = query.bind(site);
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        rows.iter()
            .map(exchange_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading exchanges"))
    }

    /// Exchanges this clinician sent, newest first.
    pub async fn exchanges_from(&self, actor: &str) -> Result<Vec<Exchange>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM exchanges WHERE from_actor = $1 \
             ORDER BY sent_at_ms DESC, id LIMIT 1000"
        );
        let rows = sqlx::query(&sql)
            .bind(actor)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        rows.iter()
            .map(exchange_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading exchanges"))
    }

    /// Whether `study` was sent to this clinician or to one of their sites' teams.
    pub async fn exchanged_to(
        &self,
        study: &str,
        actor: &str,
        sites: &[String],
    ) -> Result<bool, StoreError> {
        let received = self.exchanges_to(actor, sites).await?;
        Ok(received.iter().any(|e| e.study_uid == study))
    }

    /// The first reading of an exchanged study by a recipient: the exchanges of it to them
    /// marked opened (once), with the audit row.
    pub async fn mark_exchange_opened(
        &self,
        study: &str,
        actor: &str,
        sites: &[String],
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let unopened: Vec<Exchange> = self
            .exchanges_to(actor, sites)
            .await?
            .into_iter()
            .filter(|e| e.study_uid == study && e.opened_at_ms.is_none())
            .collect();
        if unopened.is_empty() {
            return self.insert_audit(event).await;
        }
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        for exchange in &unopened {
            sqlx::query(
                "UPDATE exchanges SET opened_at_ms = $1, opened_by = $2 \
                 WHERE id = $3 AND opened_at_ms IS NULL",
            )
            .bind(event.at_ms)
            .bind(actor)
            .bind(&exchange.id)
            .execute(&mut *act)
            .await
            .map_err(failed("marking an exchange opened"))?;
        }
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }

    async fn send_exchange(&self, e: &Exchange, event: &AuditEvent) -> Result<(), StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let sql = format!(
            "INSERT INTO exchanges ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        sqlx::query(&sql)
            .bind(&e.id)
            .bind(&e.study_uid)
            .bind(&e.patient_id)
            .bind(&e.from_actor)
            .bind(&e.from_name)
            .bind(&e.from_site)
            .bind(&e.to_kind)
            .bind(&e.to_id)
            .bind(&e.message)
            .bind(&e.urgency)
            .bind(e.sent_at_ms)
            .bind(e.opened_at_ms)
            .execute(&mut *act)
            .await
            .map_err(failed("recording an exchange"))?;
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }
}

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
    };
    let event = AuditEvent::new(Action::ExchangeSend, Outcome::Success, &actor, &source, now)
        .study(&exchange.study_uid, Some(&exchange.patient_id))
        .detail(if exchange.to_kind == "team" {
            "study sent to a site's team"
        } else {
            "study sent to a professional"
        });
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
