//! Launch from the patient record: the DRIMbox "appel contextuel". The record's page (DPI,
//! RIS) posts an HTML form (`POST /launch/drimbox`, `application/x-www-form-urlencoded`)
//! naming the patient (INS, strict traits, local ID), the patient's information and
//! opposition, and optionally a study. The parameters are checked
//! ([`viewer_core::launch`]); a refusal names the parameter in plain text, never its value.
//!
//! The POST comes from another site, so the browser sends no `SameSite=Strict` session
//! cookie with it: the launch is kept (30 min, [`crate::launches`]) and the browser sent on
//! (303) to the app's `/launch/{id}`, whose own requests carry the session. Nothing is read
//! or opened before then. Only origins the configuration names may post
//! (`GATEWAY_LAUNCH_ORIGINS`), so another page cannot make a clinician's browser open a
//! patient of its choosing.
//!
//! `GET /api/launch/{id}` (the signed-in clinician, first to claim it) decides: the patient's
//! opposition refuses it; the identity sent is compared with the archive's (INS, local ID,
//! strict traits) and a difference opens nothing until the clinician confirms it
//! (`POST /api/launch/{id}/confirm`); then the study, or the patient's timeline. Each
//! outcome is a row of the audit trail.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde_json::json;
use viewer_core::dicom_json::{is_uid, JsonDataset};
use viewer_core::identity::{PatientIdentity, StrictTraits};
use viewer_core::ins::InsFinding;
use viewer_core::launch::{ContextualLaunch, LaunchError};

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::Clinician;
use crate::error::ApiError;
use crate::front::{ClientAddr, PortalOrigin};
use crate::launches::Launch;
use crate::reach::{self, Access};
use crate::state::{AppState, SharedState};

/// Where the patient record posts.
pub const LAUNCH_PATH: &str = "/launch/drimbox";
/// The largest form read.
const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// A refusal of the POST: plain text naming the reason (the page the record opened shows it).
fn refusal(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header("x-content-type-options", "nosniff")
        .body(Body::from(format!("{text}\n")))
        .unwrap_or_else(|_| StatusCode::BAD_REQUEST.into_response())
}

fn launch_refusal(e: &LaunchError) -> String {
    match e {
        LaunchError::Unknown(name) => format!("Paramètre inconnu / unknown parameter: {name}"),
        LaunchError::Missing(name) => format!("Paramètre manquant / missing parameter: {name}"),
        LaunchError::Repeated(name) => format!("Paramètre répété / repeated parameter: {name}"),
        LaunchError::Invalid(name) => format!("Paramètre invalide / invalid parameter: {name}"),
        LaunchError::Ins(name, why) => {
            format!("INS invalide / invalid INS ({name}): {why}")
        }
    }
}

/// Whether a POST from `origin` (its `Origin` header, if any) may launch: this portal's own
/// origin, or one the configuration names. No `Origin` is not a browser's form.
fn origin_allowed(state: &AppState, portal: &PortalOrigin, origin: Option<&str>) -> bool {
    match origin {
        None => true,
        Some(origin) => {
            origin.eq_ignore_ascii_case(&portal.0)
                || state
                    .config
                    .launch_origins
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(origin))
        }
    }
}

/// `POST /launch/drimbox`: a launch from the patient record, kept, and the browser sent on.
pub async fn receive(
    State(state): State<SharedState>,
    Extension(portal): Extension<PortalOrigin>,
    client: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    state
        .admit_anonymous(client.0, Action::LaunchRefused)
        .await?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !origin_allowed(&state, &portal, origin) {
        let event = AuditEvent::new(
            Action::LaunchRefused,
            Outcome::Failure,
            "anonymous",
            &client.to_string(),
            crate::now_ms(),
        )
        .detail("launch from an origin not configured");
        state.audit(event).await;
        return Ok(refusal(
            StatusCode::FORBIDDEN,
            "Origine non autorisée à ouvrir le portail / origin not allowed to launch the portal",
        ));
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Ok(refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Formulaire attendu / expected application/x-www-form-urlencoded",
        ));
    }
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return Ok(refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Formulaire trop long / form too large",
        ));
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let launch = match ContextualLaunch::from_fields(&fields) {
        Ok(launch) => launch,
        Err(e) => return Ok(refusal(StatusCode::BAD_REQUEST, &launch_refusal(&e))),
    };
    let id = crate::secret::new_token();
    state
        .store
        .receive_launch(&id, &launch, crate::now_ms())
        .await?;
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, format!("/launch/{id}"))
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::REFERRER_POLICY, "no-referrer")
        .body(Body::empty())
        .map_err(|_| ApiError::Invalid)
}

/// The identity a launch sent, as the clinician is shown it.
fn sent_json(launch: &ContextualLaunch) -> serde_json::Value {
    json!({
        "ins": launch.ins_matricule, "ins_oid": launch.ins_oid, "traits": launch.traits,
        "patient_id": launch.patient_id, "issuer": launch.patient_id_issuer,
    })
}

/// The identity the archive holds, as the clinician is shown it.
fn archive_json(identity: &PatientIdentity) -> serde_json::Value {
    let (ins, oid, ins_problem) = match &identity.ins {
        InsFinding::Found(ins) => (Some(ins.matricule.clone()), Some(ins.oid()), None),
        InsFinding::Invalid(_) => (None, None, Some("invalid")),
        InsFinding::Absent => (None, None, Some("absent")),
    };
    json!({
        "ins": ins, "ins_oid": oid, "ins_problem": ins_problem, "traits": identity.traits,
        "patient_id": identity.patient_id, "issuer": identity.issuer,
    })
}

/// What differs between the identity sent and the archive's: `ins`, `patient_id` (same issuer,
/// another ID) and each strict trait.
fn differences(launch: &ContextualLaunch, archive: &PatientIdentity) -> Vec<String> {
    let mut differ = Vec::new();
    if let (InsFinding::Found(held), Some(sent)) = (&archive.ins, launch.ins()) {
        if held.key() != sent.key() {
            differ.push("ins".to_string());
        }
    }
    let same_issuer = archive.issuer.as_deref() == Some(launch.patient_id_issuer.as_str());
    if same_issuer && archive.patient_id.as_deref() != Some(launch.patient_id.as_str()) {
        differ.push("patient_id".to_string());
    }
    let sent: &StrictTraits = &launch.traits;
    for t in sent.differences(&archive.traits) {
        differ.push(
            serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        );
    }
    differ
}

/// The study whose patient is compared, and whether the clinician reaches it: the launch's
/// study, else the newest the clinician reaches of the patient named by local ID and issuer.
async fn target_study(
    state: &AppState,
    clinician: &Clinician,
    launch: &ContextualLaunch,
) -> Result<Option<String>, ApiError> {
    let reach = reach::of_clinician(state, &clinician.sites)?;
    let candidates = match &launch.study_uid {
        Some(study) => vec![study.clone()],
        None => {
            let value = |v: &str| {
                url::form_urlencoded::byte_serialize(
                    viewer_core::dicom_json::query_value(v, false).as_bytes(),
                )
                .collect::<String>()
            };
            let query = format!(
                "PatientID={}&IssuerOfPatientID={}&limit=50",
                value(&launch.patient_id),
                value(&launch.patient_id_issuer)
            );
            let mut rows = state.pacs.search("studies", &query).await.map_err(|e| {
                tracing::warn!("launch search: {e}");
                ApiError::PacsUnavailable
            })?;
            let date = |r: &JsonDataset| r.string(dicom_core::Tag(0x0008, 0x0020));
            rows.sort_by_key(|r| std::cmp::Reverse(date(r)));
            rows.iter()
                .filter_map(|r| r.string(dicom_core::Tag(0x0020, 0x000D)))
                .filter(|u| is_uid(u))
                .collect()
        }
    };
    for study in candidates {
        if reach::access(state, &reach, &clinician.actor, &study).await? != Access::None {
            return Ok(Some(study));
        }
    }
    Ok(None)
}

/// `GET /api/launch/{id}` (the signed-in clinician who claims it first): what the launch
/// opens. `outcome`: `opposition` (the patient opposed: nothing opens), `no_study` (nothing
/// of this patient the clinician reaches), `mismatch` (the identity sent differs from the
/// archive's: nothing opens until confirmed), `study` or `timeline`. The identities sent and
/// held come with it, for the banner.
pub async fn read(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    let now = crate::now_ms();
    let Some(Launch {
        launch,
        confirmed_at_ms,
        ..
    }) = state.store.claim_launch(&id, &clinician.actor, now).await?
    else {
        return Err(ApiError::NotFound);
    };
    let event = |action, outcome, detail: &'static str| {
        AuditEvent::new(action, outcome, &clinician.actor, &clinician.source, now).detail(detail)
    };
    // Of the patient as the record named them (before any study is reached).
    let of_patient = |mut e: AuditEvent| {
        e.study_uid = launch.study_uid.clone();
        e.patient_id = Some(launch.patient_id.clone());
        e
    };
    if !launch.consultation_allowed {
        let refused = event(
            Action::LaunchRefused,
            Outcome::Failure,
            "the patient opposed the consultation",
        );
        state.audit(of_patient(refused)).await;
        return Ok(Json(json!({ "outcome": "opposition" })).into_response());
    }
    let sent = sent_json(&launch);
    let Some(study) = target_study(&state, &clinician, &launch).await? else {
        let none = event(
            Action::LaunchRefused,
            Outcome::Failure,
            "no study of the patient within reach",
        );
        state.audit(of_patient(none)).await;
        return Ok(Json(json!({ "outcome": "no_study", "sent": sent })).into_response());
    };
    let dataset = state
        .pacs
        .study_instance_dataset(&study)
        .await
        .map_err(|e| {
            tracing::warn!("launch identity: {e}");
            ApiError::PacsUnavailable
        })?
        .ok_or(ApiError::UnknownStudy)?;
    let archive = PatientIdentity::of_dataset(&dataset);
    let differ = differences(&launch, &archive);
    let held = archive.patient_id.as_deref();
    let mut answer = json!({
        "sent": sent, "archive": archive_json(&archive), "differences": differ,
        "confirmed": confirmed_at_ms.is_some(), "study_uid": study,
    });
    if !differ.is_empty() && confirmed_at_ms.is_none() {
        let mismatch = event(
            Action::IdentityMismatch,
            Outcome::Failure,
            "the identity sent differs from the archive's",
        );
        state.audit(mismatch.study(&study, held)).await;
        answer["outcome"] = json!("mismatch");
        return Ok(Json(answer).into_response());
    }
    let opened = event(
        Action::LaunchOpen,
        Outcome::Success,
        "opened from the patient record",
    );
    state.audit(opened.study(&study, held)).await;
    if launch.study_uid.is_some() {
        answer["outcome"] = json!("study");
    } else {
        answer["outcome"] = json!("timeline");
        answer["modality"] = json!(launch.modality);
        answer["study_date"] = json!(launch.study_date);
    }
    Ok(Json(answer).into_response())
}

/// `POST /api/launch/{id}/confirm` (its clinician, JSON from this origin): the patient is the
/// one meant although the identities differ; recorded with its audit row. 204, or 404.
pub async fn confirm(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    let now = crate::now_ms();
    let event = AuditEvent::new(
        Action::IdentityConfirmed,
        Outcome::Success,
        &clinician.actor,
        &clinician.source,
        now,
    )
    .detail("identity confirmed by the clinician despite differences");
    if state
        .store
        .confirm_launch(&id, &clinician.actor, now, &event)
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound)
    }
}
