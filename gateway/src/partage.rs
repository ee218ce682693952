//! `/api/consent`: a patient's consent to regional sharing (partage), read and recorded by a
//! clinician of the patient's own site, from one of the patient's studies. While it stands,
//! the patient's studies at that site are read by the clinicians of the region's other sites
//! ([`crate::reach`]); an opposition takes them out of their reach at once.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::Response;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use viewer_core::dicom_json::is_uid;

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::Clinician;
use crate::consents::Consent;
use crate::error::ApiError;
use crate::reach::{self, Owner, Reach};
use crate::sites::owns;
use crate::state::{AppState, SharedState};

/// Whose `study` is, when the clinician is of its site: (site id, patient ID). Anything else
/// (no sites, another site's study, a study without patient ID, no such study) is refused as
/// an unknown study.
async fn own_patient(
    state: &AppState,
    claimed: &[String],
    study: &str,
) -> Result<(String, String), ApiError> {
    if !is_uid(study) {
        return Err(ApiError::Invalid);
    }
    let Reach::Sites(caller) = reach::of_clinician(state, claimed)? else {
        return Err(ApiError::NotFound);
    };
    match reach::owner(state, study).await? {
        Owner::Site {
            site: Some(site),
            patient_id,
        } if owns(&caller, Some(site)) && !patient_id.trim().is_empty() => {
            Ok((site.id.clone(), patient_id))
        }
        _ => Err(ApiError::UnknownStudy),
    }
}

fn consent_json(consent: Option<&Consent>) -> serde_json::Value {
    match consent {
        None => json!({ "status": null }),
        Some(c) => json!({
            "status": if c.given { "given" } else { "refused" },
            "given_by": c.given_by,
            "method": c.method,
            "given_at": c.said_at_ms / 1000,
            "recorded_by_name": c.recorded_by_name,
            "recorded_at": c.recorded_at_ms / 1000,
        }),
    }
}

#[derive(Deserialize)]
pub struct ConsentQuery {
    study_uid: String,
}

/// `GET /api/consent?study_uid=…` (a clinician of the study's site): the patient's consent on
/// record (`{"status": null}` when none: not shared).
pub async fn read(
    State(state): State<SharedState>,
    Query(query): Query<ConsentQuery>,
    Clinician { sites, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    let (site, patient) = own_patient(&state, &sites, &query.study_uid).await?;
    let consent = state.store.consent(&site, &patient).await?;
    Ok(Json(consent_json(consent.as_ref())).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewConsent {
    study_uid: String,
    /// `given` or `refused`.
    status: String,
    /// `patient` or `representative`.
    given_by: String,
    /// `oral`, `written` or `electronic`.
    method: String,
    /// When the patient said it, seconds since the epoch.
    given_at: i64,
}

/// The field a new consent cannot have, if any.
fn invalid_field(c: &NewConsent, now_ms: i64) -> Option<&'static str> {
    if !matches!(c.status.as_str(), "given" | "refused") {
        return Some("status");
    }
    if !matches!(c.given_by.as_str(), "patient" | "representative") {
        return Some("given_by");
    }
    if !matches!(c.method.as_str(), "oral" | "written" | "electronic") {
        return Some("method");
    }
    // Not in the future (a minute of clock difference allowed), not before 2000.
    let at_ms = c.given_at.saturating_mul(1000);
    if at_ms > now_ms + 60_000 || at_ms < 946_684_800_000 {
        return Some("given_at");
    }
    None
}

/// `POST /api/consent` (a clinician of the study's site): records the patient's consent or
/// opposition, replacing the earlier one, with its audit row; effective at once everywhere.
pub async fn record(
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
    let Ok(request) = serde_json::from_slice::<NewConsent>(&body) else {
        return Err(ApiError::Invalid);
    };
    let now = crate::now_ms();
    if let Some(field) = invalid_field(&request, now) {
        return Err(ApiError::InvalidField(field));
    }
    let (site_id, patient_id) = own_patient(&state, &sites, &request.study_uid).await?;
    let given = request.status == "given";
    let consent = Consent {
        site_id,
        patient_id,
        given,
        given_by: request.given_by,
        method: request.method,
        said_at_ms: request.given_at * 1000,
        recorded_by: actor.clone(),
        recorded_by_name: Some(name).filter(|n| !n.trim().is_empty()),
        recorded_at_ms: now,
    };
    let event = AuditEvent::new(
        Action::ConsentRecord,
        Outcome::Success,
        &actor,
        &source,
        now,
    )
    .study(&request.study_uid, Some(&consent.patient_id))
    .detail(if given {
        "regional sharing consent given"
    } else {
        "regional sharing refused (opposition)"
    });
    state.store.record_consent(&consent, &event).await?;
    Ok(Json(consent_json(Some(&consent))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(status: &str, given_by: &str, method: &str, given_at: i64) -> NewConsent {
        NewConsent {
            study_uid: "1.2.3".into(),
            status: status.into(),
            given_by: given_by.into(),
            method: method.into(),
            given_at,
        }
    }

    #[test]
    fn a_consent_names_its_kind_who_how_and_when() {
        let now_ms = 1_800_000_000_000;
        let now = now_ms / 1000;
        assert_eq!(
            invalid_field(&consent("given", "patient", "oral", now), now_ms),
            None
        );
        assert_eq!(
            invalid_field(
                &consent("refused", "representative", "written", now - 86_400),
                now_ms
            ),
            None
        );
        let cases = [
            (consent("maybe", "patient", "oral", now), "status"),
            (consent("given", "neighbour", "oral", now), "given_by"),
            (consent("given", "patient", "telepathy", now), "method"),
            (consent("given", "patient", "oral", now + 3600), "given_at"),
            (consent("given", "patient", "oral", 0), "given_at"),
        ];
        for (c, field) in cases {
            assert_eq!(invalid_field(&c, now_ms), Some(field));
        }
    }
}
