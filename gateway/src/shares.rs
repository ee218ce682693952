//! Share links: a clinician shares one study with a patient or a GP, records the patient's
//! consent, and gets a link whose fragment carries a 256-bit capability token (the database
//! keeps its hash). Opening the link exchanges the token, and the access code when there is
//! one, for a share session.
//!
//! Access codes are six random digits (sent separately by the clinician) or the patient's
//! birth date. Attempts on a share are spaced by `GATEWAY_CODE_INTERVAL_MS` and the share locks
//! after `GATEWAY_MAX_CODE_FAILURES` wrong codes, counted in the database so that every gateway
//! copy sees the same count.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use viewer_core::dicom_json::is_uid;

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::{session, Clinician, SameOrigin};
use crate::error::ApiError;
use crate::front::ClientAddr;
use crate::reach;
use crate::secret;
use crate::state::{AppState, SharedState};
use crate::store::{NewSession, Share};

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Patient,
    Gp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    None,
    Code,
    BirthDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GivenBy {
    Patient,
    Representative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Oral,
    Written,
    Electronic,
}

/// The patient's consent to the share: who gave it, how, and when.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub given_by: GivenBy,
    #[serde(default)]
    pub representative_name: Option<String>,
    pub method: Method,
    /// Seconds since the epoch.
    pub given_at: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    pub study_uid: String,
    pub recipient: Recipient,
    pub expires_in_days: i64,
    pub access_code: CodeKind,
    pub consent: Consent,
}

fn as_text<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The first field of a request that cannot be accepted.
pub fn invalid_field(request: &NewShare, now_ms: i64) -> Option<&'static str> {
    if !is_uid(&request.study_uid) {
        return Some("study_uid");
    }
    if !(1..=90).contains(&request.expires_in_days) {
        return Some("expires_in_days");
    }
    let consent = &request.consent;
    let name = consent.representative_name.as_deref().map(str::trim);
    let name_ok = match consent.given_by {
        GivenBy::Patient => name.is_none_or(str::is_empty),
        GivenBy::Representative => name.is_some_and(|n| {
            !n.is_empty() && n.chars().count() <= 128 && !n.chars().any(char::is_control)
        }),
    };
    if !name_ok {
        return Some("consent.representative_name");
    }
    let given_ms = consent.given_at.saturating_mul(1000);
    // Consent is recorded now for a share made now: not in the future, not years old.
    if given_ms > now_ms + 300_000 || given_ms < now_ms - 365 * DAY_MS {
        return Some("consent.given_at");
    }
    None
}

/// An access code as typed: digits only (`12 34 56`, `1990-01-31` → `19900131`).
fn normalise_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// `POST /api/shares` (clinicians).
pub async fn create(
    State(state): State<SharedState>,
    Clinician {
        actor,
        name,
        source,
        sites,
        ..
    }: Clinician,
    body: Bytes,
) -> Result<Response<Body>, ApiError> {
    // serde's messages can quote the input: the answer names no value.
    let Ok(request) = serde_json::from_slice::<NewShare>(&body) else {
        return Err(ApiError::Invalid);
    };
    let now = crate::now_ms();
    if let Some(field) = invalid_field(&request, now) {
        return Err(ApiError::InvalidField(field));
    }
    // Only a study the clinician reads can be shared.
    reach::require_study(&state, &sites, &request.study_uid, ApiError::UnknownStudy).await?;
    let identity = match state.pacs.study_identity(&request.study_uid).await {
        Ok(Some(identity)) => identity,
        Ok(None) => return Err(ApiError::UnknownStudy),
        Err(e) => {
            tracing::warn!("share of a study: {e}");
            return Err(ApiError::PacsUnavailable);
        }
    };
    let id = secret::new_id("s");
    let token = secret::new_token();
    let (code_shown, code_hash) = match request.access_code {
        CodeKind::None => (None, None),
        CodeKind::Code => {
            let code = secret::new_access_code();
            let hash = secret::code_hash(&id, &code);
            (Some(code), Some(hash))
        }
        CodeKind::BirthDate => {
            let birth = normalise_code(&identity.birth_date);
            if birth.len() != 8 {
                return Err(ApiError::NoBirthDate);
            }
            (None, Some(secret::code_hash(&id, &birth)))
        }
    };
    let consent = &request.consent;
    let share = Share {
        id: id.clone(),
        token_hash: secret::token_hash(&token),
        study_uid: request.study_uid.clone(),
        patient_id: identity.patient_id.clone(),
        recipient: as_text(request.recipient),
        created_at_ms: now,
        created_by: actor.clone(),
        created_by_name: Some(name).filter(|n| !n.trim().is_empty()),
        expires_at_ms: now + request.expires_in_days * DAY_MS,
        revoked_at_ms: None,
        code_kind: as_text(request.access_code),
        code_hash,
        failed_attempts: 0,
        locked_at_ms: None,
        uses: 0,
        consent_given_by: as_text(consent.given_by),
        consent_name: consent
            .representative_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        consent_method: as_text(consent.method),
        consent_at_ms: consent.given_at.saturating_mul(1000),
    };
    let event = AuditEvent::new(Action::ShareCreate, Outcome::Success, &actor, &source, now)
        .study(&share.study_uid, Some(&share.patient_id))
        .share(&id)
        .detail(if request.recipient == Recipient::Gp {
            "shared with a GP, consent recorded"
        } else {
            "shared with the patient, consent recorded"
        });
    state.store.create_share(&share, &event).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": id,
            "link": format!("/share#{token}"),
            "access_code": code_shown,
            "expires_at": share.expires_at_ms / 1000,
        })),
    )
        .into_response())
}

/// What a share session is told of its share: the study, until when, for whom, and who shared
/// it when (their name, never the audit trail's identifier).
pub fn session_json(s: &Share) -> serde_json::Value {
    json!({
        "kind": "share",
        "study_uid": s.study_uid,
        "expires_at": s.expires_at_ms / 1000,
        "recipient": s.recipient,
        "shared_by": s.created_by_name,
        "shared_at": s.created_at_ms / 1000,
    })
}

fn share_json(s: &Share) -> serde_json::Value {
    json!({
        "id": s.id,
        "study_uid": s.study_uid,
        "recipient": s.recipient,
        "created_at": s.created_at_ms / 1000,
        "created_by": s.created_by,
        "created_by_name": s.created_by_name,
        "expires_at": s.expires_at_ms / 1000,
        "revoked_at": s.revoked_at_ms.map(|t| t / 1000),
        "access_code": s.code_kind,
        "locked": s.locked_at_ms.is_some(),
        "uses": s.uses,
        "consent": {
            "given_by": s.consent_given_by,
            "representative_name": s.consent_name,
            "method": s.consent_method,
            "given_at": s.consent_at_ms / 1000,
        },
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    study_uid: String,
}

/// `GET /api/shares?study_uid=…` (clinicians; the query is read first).
pub async fn list(
    State(state): State<SharedState>,
    Query(query): Query<ListQuery>,
    Clinician { sites, .. }: Clinician,
) -> Result<Response<Body>, ApiError> {
    if !is_uid(&query.study_uid) {
        return Err(ApiError::Invalid);
    }
    reach::require_study(&state, &sites, &query.study_uid, ApiError::UnknownStudy).await?;
    let shares = state.store.shares_of_study(&query.study_uid).await?;
    Ok(Json(shares.iter().map(share_json).collect::<Vec<_>>()).into_response())
}

/// The share `id` names, when it is of a study the clinician reads; else the refusal for an
/// unknown one.
async fn known_share(state: &SharedState, sites: &[String], id: &str) -> Result<Share, ApiError> {
    let share = state.store.share(id).await?.ok_or(ApiError::UnknownShare)?;
    reach::require_study(state, sites, &share.study_uid, ApiError::UnknownShare).await?;
    Ok(share)
}

/// `POST /api/shares/{id}/revoke` (clinicians): takes effect at the next request of every
/// session opened from the share.
pub async fn revoke(
    State(state): State<SharedState>,
    Clinician {
        actor,
        source,
        sites,
        ..
    }: Clinician,
    Path(id): Path<String>,
) -> Result<Response<Body>, ApiError> {
    let now = crate::now_ms();
    let share = known_share(&state, &sites, &id).await?;
    let event = AuditEvent::new(Action::ShareRevoke, Outcome::Success, &actor, &source, now)
        .study(&share.study_uid, Some(&share.patient_id))
        .share(&id);
    state.store.revoke_share_recorded(&id, now, &event).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/shares/{id}/code` (clinicians): a new six-digit code for a share opened by a
/// code, shown this once; the old code stops working and a share locked by wrong codes opens
/// again. The link itself stays the same.
pub async fn new_code(
    State(state): State<SharedState>,
    Clinician {
        actor,
        source,
        sites,
        ..
    }: Clinician,
    Path(id): Path<String>,
) -> Result<Response<Body>, ApiError> {
    let now = crate::now_ms();
    let share = known_share(&state, &sites, &id).await?;
    if share.revoked_at_ms.is_some() {
        return Err(ApiError::Revoked);
    }
    if share.expires_at_ms <= now {
        return Err(ApiError::Expired);
    }
    if share.code_kind != as_text(CodeKind::Code) {
        return Err(ApiError::InvalidField("access_code"));
    }
    let code = secret::new_access_code();
    let event = AuditEvent::new(Action::ShareNewCode, Outcome::Success, &actor, &source, now)
        .study(&share.study_uid, Some(&share.patient_id))
        .share(&id)
        .detail(if share.locked_at_ms.is_some() {
            "new access code, link unlocked"
        } else {
            "new access code"
        });
    let hash = secret::code_hash(&id, &code);
    if !state
        .store
        .replace_code_recorded(&id, &hash, &event)
        .await?
    {
        return Err(ApiError::Revoked);
    }
    Ok(Json(json!({ "access_code": code })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    token: String,
    #[serde(default)]
    access_code: Option<String>,
}

/// `POST /api/share-sessions`: a share link's token (and code) for a session cookie.
pub async fn open(
    State(state): State<SharedState>,
    client: ClientAddr,
    _: SameOrigin,
    body: Bytes,
) -> Result<Response<Body>, ApiError> {
    // Before anything is read or written: a client trying links fast is held back here.
    state
        .admit_anonymous(client.0, Action::ShareCodeFailure)
        .await?;
    let Ok(request) = serde_json::from_slice::<Exchange>(&body) else {
        return Err(ApiError::Invalid);
    };
    let (token, share, session_end) = exchange(&state, &request, &client.to_string()).await?;
    let cookie = session::set_cookie(
        &token,
        session_end - crate::now_ms(),
        state.config.secure_cookies,
    );
    Ok(([(header::SET_COOKIE, cookie)], Json(session_json(&share))).into_response())
}

/// Checks a token and code; on success, a new session (its token, the share, its end).
async fn exchange(
    state: &AppState,
    request: &Exchange,
    source: &str,
) -> Result<(String, Share, i64), ApiError> {
    let now = crate::now_ms();
    let failure = |detail: &'static str, share: Option<&Share>| {
        let mut event = AuditEvent::new(
            Action::ShareCodeFailure,
            Outcome::Failure,
            "anonymous",
            source,
            now,
        )
        .detail(detail);
        if let Some(s) = share {
            event = event.study(&s.study_uid, Some(&s.patient_id)).share(&s.id);
        }
        event
    };
    let found = if secret::is_token_shaped(&request.token) {
        let hash = secret::token_hash(&request.token);
        state.store.share_by_token_hash(&hash).await?
    } else {
        None
    };
    let Some(share) = found else {
        state.audit(failure("unknown link", None)).await;
        return Err(ApiError::UnknownShare);
    };
    if share.revoked_at_ms.is_some() {
        state.audit(failure("revoked link", Some(&share))).await;
        return Err(ApiError::Revoked);
    }
    if share.expires_at_ms <= now {
        state.audit(failure("expired link", Some(&share))).await;
        return Err(ApiError::Expired);
    }
    if share.locked_at_ms.is_some() {
        state.audit(failure("locked link", Some(&share))).await;
        return Err(ApiError::Locked);
    }
    if let Some(expected) = &share.code_hash {
        check_code(
            state,
            &share,
            expected,
            request.access_code.as_deref(),
            source,
        )
        .await?;
    }
    let token = secret::new_token();
    let session_end = share.expires_at_ms.min(now + session::SHARE_SESSION_MS);
    let session = NewSession {
        id_hash: &secret::token_hash(&token),
        kind: session::KIND_SHARE,
        subject: &share.id,
        share_id: Some(&share.id),
        name: None,
        roles: None,
        sites: None,
        created_at_ms: now,
        expires_at_ms: session_end,
    };
    let event = AuditEvent::new(
        Action::ShareUse,
        Outcome::Success,
        &format!("share:{}", share.id),
        source,
        now,
    )
    .study(&share.study_uid, Some(&share.patient_id))
    .share(&share.id);
    state
        .store
        .open_share_session(&share.id, &session, &event)
        .await?;
    Ok((token, share, session_end))
}

async fn check_code(
    state: &AppState,
    share: &Share,
    expected: &str,
    given: Option<&str>,
    source: &str,
) -> Result<(), ApiError> {
    let now = crate::now_ms();
    let kind = share.code_kind.as_str();
    let event = |detail: &'static str| {
        AuditEvent::new(
            Action::ShareCodeFailure,
            Outcome::Failure,
            "anonymous",
            source,
            now,
        )
        .study(&share.study_uid, Some(&share.patient_id))
        .share(&share.id)
        .detail(detail)
    };
    let code = given.map(normalise_code).unwrap_or_default();
    if code.is_empty() {
        return Err(ApiError::CodeRequired {
            code_kind: kind.to_string(),
        });
    }
    let interval_ms =
        i64::try_from(state.config.code_attempt_interval.as_millis()).unwrap_or(i64::MAX);
    let max = state.config.max_code_failures;
    if !state
        .store
        .claim_attempt(&share.id, now, interval_ms, max)
        .await?
    {
        // Locked by an attempt running beside this one, or simply too soon.
        let now_locked = state
            .store
            .share(&share.id)
            .await?
            .is_some_and(|s| s.locked_at_ms.is_some() || s.failed_attempts >= max);
        if now_locked {
            state.audit(event("locked link")).await;
            return Err(ApiError::Locked);
        }
        state.audit(event("attempt too soon")).await;
        return Err(ApiError::TooManyAttempts {
            retry_after_s: (interval_ms + 999) / 1000,
        });
    }
    if secret::constant_time_eq(&secret::code_hash(&share.id, &code), expected) {
        return Ok(());
    }
    let failures = state.store.record_failure(&share.id, max, now).await?;
    if failures >= max {
        state.audit(event("wrong code, link locked")).await;
        return Err(ApiError::Locked);
    }
    state.audit(event("wrong code")).await;
    Err(ApiError::CodeWrong {
        code_kind: kind.to_string(),
        attempts_left: max - failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> NewShare {
        serde_json::from_value(json).expect("share request")
    }

    fn valid(now_s: i64) -> serde_json::Value {
        json!({
            "study_uid": "1.2.3", "recipient": "patient", "expires_in_days": 7,
            "access_code": "code",
            "consent": { "given_by": "patient", "method": "oral", "given_at": now_s }
        })
    }

    #[test]
    fn a_complete_request_is_accepted() {
        let now = 1_767_225_600_000;
        assert_eq!(invalid_field(&request(valid(now / 1000)), now), None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let now = 1_767_225_600_000;
        let cases = [
            ("study_uid", json!("1.2.x"), "study_uid"),
            ("expires_in_days", json!(0), "expires_in_days"),
            ("expires_in_days", json!(91), "expires_in_days"),
        ];
        for (key, value, field) in cases {
            let mut v = valid(now / 1000);
            v[key] = value;
            assert_eq!(invalid_field(&request(v), now), Some(field));
        }
        let mut v = valid(now / 1000);
        v["consent"]["given_by"] = json!("representative");
        assert_eq!(
            invalid_field(&request(v.clone()), now),
            Some("consent.representative_name")
        );
        v["consent"]["representative_name"] = json!("Marie Curie");
        assert_eq!(invalid_field(&request(v), now), None);
        let mut v = valid(now / 1000 + 3600);
        v["study_uid"] = json!("1.2.3");
        assert_eq!(invalid_field(&request(v), now), Some("consent.given_at"));
    }

    #[test]
    fn unknown_fields_and_values_are_refused() {
        let mut v = valid(0);
        v["deidentify"] = json!(true);
        assert!(serde_json::from_value::<NewShare>(v).is_err());
        let mut v = valid(0);
        v["recipient"] = json!("anyone");
        assert!(serde_json::from_value::<NewShare>(v).is_err());
    }

    #[test]
    fn codes_are_compared_as_digits() {
        assert_eq!(normalise_code(" 12 34-56 "), "123456");
        assert_eq!(normalise_code("1990-01-31"), "19900131");
    }
}
