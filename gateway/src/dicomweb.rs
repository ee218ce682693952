//! `/dicom-web/…` and `/wado`: who may read what, then the request streamed to the PACS.
//!
//! Clinicians read the archive (and may store, STOW-RS); a share session reads its study
//! only: searches are rewritten to that study, other studies' paths and series or instances
//! not found under the study answer 404, exactly as a missing resource would.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Response, StatusCode};

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::{identify, unauthenticated, Caller, Principal};
use crate::error::ApiError;
use crate::exchanges::Sent;
use crate::front::{ClientAddr, PortalOrigin};
use crate::reach::{self, Access, Reach};
use crate::retrieve_url::Rewrite;
use crate::scope::{self, Decision, Target};
use crate::sent_series::SeriesRead;
use crate::sites::Site;
use crate::state::{AppState, SharedState};

/// A path that could step out of the DICOMweb root once the PACS decodes it.
fn is_clean(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !path.contains('\\')
        && !lower.contains("%2e")
        && !lower.contains("%2f")
        && !lower.contains("%5c")
        && path.split('/').all(|s| s != "." && s != "..")
}

/// A read outside a share: recorded, then answered as a missing resource would be.
async fn deny(
    state: &AppState,
    principal: &Principal,
    source: &str,
    study: Option<String>,
) -> ApiError {
    let detail = match principal {
        Principal::Share { .. } => "outside the shared study",
        _ => "outside the clinician's sites",
    };
    let mut event = AuditEvent::new(
        Action::AccessDenied,
        Outcome::Failure,
        &principal.actor(),
        source,
        crate::now_ms(),
    )
    .detail(detail);
    if let Some(study) = study {
        event = event.study(&study, None);
    }
    if let Principal::Share { share } = principal {
        event = event.share(&share.id);
    }
    state.audit(event).await;
    ApiError::NoResource
}

/// `/dicom-web/{path}`.
pub async fn handle(
    State(state): State<SharedState>,
    Caller { principal, source }: Caller,
    PortalOrigin(origin): PortalOrigin,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let (parts, mut body) = request.into_parts();
    let path = parts
        .uri
        .path()
        .strip_prefix("/dicom-web/")
        .unwrap_or("")
        .to_string();
    if !is_clean(&path) {
        return Err(ApiError::NoResource);
    }
    let query = parts.uri.query().map(str::to_string);
    let target = scope::parse(&path);
    let public_root = format!("{origin}/dicom-web");
    // Read through the patient's consent or an emergency access: recorded as such.
    let mut reached = Access::Own;
    let upstream_query = match &principal {
        Principal::Anonymous => return Err(unauthenticated(&state)),
        Principal::Clinician { sites, .. } => {
            let store = matches!(
                target,
                Target::Search(scope::Level::Studies)
                    | Target::Study {
                        series: None,
                        instance: None,
                        ..
                    }
            );
            let allowed = matches!(parts.method, Method::GET | Method::HEAD)
                || (parts.method == Method::POST && store);
            if !allowed {
                return Err(ApiError::MethodNotAllowed);
            }
            // Only DICOMweb resources: not the PACS's own extensions (Orthanc's `servers`…).
            if target == Target::Other {
                return Err(ApiError::NoResource);
            }
            if let Reach::Sites(caller) = reach::of_clinician(&state, sites)? {
                if parts.method == Method::POST {
                    body = checked_store(&state, &caller, &target, &parts.headers, body).await?;
                } else {
                    let asked = Asked {
                        target: &target,
                        path: &path,
                        query: query.as_deref(),
                        parts: &parts,
                        public_root: &public_root,
                    };
                    match clinician_read(&state, &caller, &principal, &source, &asked).await? {
                        Read::Answered(answer) => return Ok(answer),
                        Read::Forward(access) => reached = access,
                    }
                }
            }
            query
        }
        Principal::Share { share } => {
            if !matches!(parts.method, Method::GET | Method::HEAD) {
                return Err(ApiError::MethodNotAllowed);
            }
            let study = &share.study_uid;
            let rebuilt = |force_study| scope::share_query(query.as_deref(), study, force_study);
            let decided = match scope::decide(&target, study) {
                Decision::Allow => rebuilt(false),
                Decision::RestrictQuery => rebuilt(true),
                Decision::CheckMembership { series, instance } => {
                    match state
                        .pacs
                        .contains(&share.study_uid, series.as_deref(), instance.as_deref())
                        .await
                    {
                        Ok(true) => rebuilt(false),
                        Ok(false) => {
                            return Err(
                                deny(&state, &principal, &source, scope::study_of(&target)).await
                            )
                        }
                        Err(e) => {
                            tracing::warn!("membership check: {e}");
                            return Err(ApiError::MembershipUnknown);
                        }
                    }
                }
                Decision::Deny => None,
            };
            match decided {
                Some(q) => Some(q),
                None => {
                    return Err(deny(&state, &principal, &source, scope::study_of(&target)).await)
                }
            }
        }
    };
    let storing = parts.method == Method::POST;
    let study = scope::study_of(&target);
    if let (Some(study), false) = (&study, storing) {
        record_open(&state, &principal, study, &source, &reached).await?;
    }
    let url = state.pacs.dicomweb_url(&path, upstream_query.as_deref());
    let turn = state
        .readers
        .turn(&reader_key(&state, &principal, &parts.headers))
        .await;
    let response = state
        .pacs
        .forward(parts.method, &url, &parts.headers, body, turn)
        .await;
    if storing {
        // 202 Accepted: some instances were refused (PS3.18 10.5.3).
        let stored = response.status().is_success() && response.status() != StatusCode::ACCEPTED;
        record_store(&state, &principal, study.as_deref(), &source, stored).await;
    }
    Ok(rewrite(&state, &public_root, is_search(&path) || storing)
        .answer(response)
        .await)
}

/// A read request under the DICOMweb root, as the gateway parsed it.
struct Asked<'a> {
    target: &'a Target<'a>,
    path: &'a str,
    query: Option<&'a str>,
    parts: &'a axum::http::request::Parts,
    public_root: &'a str,
}

/// What becomes of a clinician's read.
enum Read {
    /// Sent to the PACS as it is, read as the caller reaches the study.
    Forward(Access),
    /// Answered by the gateway (a filtered search, a remote source's answer, …).
    Answered(Response<Body>),
}

/// A clinician of `caller` sites reading: searches filtered by what they reach, a remote
/// study named by their manifests answered by its source, a study they do not reach as a
/// missing one, a study of which chosen series were sent to them as [`crate::sent_series`]
/// says.
async fn clinician_read(
    state: &AppState,
    caller: &[&Site],
    principal: &Principal,
    source: &str,
    asked: &Asked<'_>,
) -> Result<Read, ApiError> {
    let remote = || {
        let request = (asked.target, asked.query, asked.path);
        remote_answer(
            state,
            principal,
            source,
            request,
            asked.parts,
            asked.public_root,
        )
    };
    let actor = principal.actor();
    if let Target::Search(level) = asked.target {
        if let Some(answer) = remote().await? {
            return Ok(Read::Answered(answer));
        }
        let answer =
            crate::search::across_archive(state, caller, &actor, *level, asked.query).await?;
        let answer = rewrite(state, asked.public_root, true).answer(answer).await;
        return Ok(Read::Answered(answer));
    }
    let study = scope::study_of(asked.target);
    match reach_target(state, caller, &actor, asked.target).await? {
        Access::None => match remote().await? {
            Some(answer) => Ok(Read::Answered(answer)),
            None => Err(deny(state, principal, source, study).await),
        },
        Access::Exchange(Sent::Series(chosen)) => {
            let read =
                crate::sent_series::read(state, asked.target, asked.path, &chosen, asked.query)
                    .await?;
            let reached = Access::Exchange(Sent::Series(chosen));
            match (read, study) {
                (SeriesRead::Forward, _) => Ok(Read::Forward(reached)),
                (SeriesRead::Answer(answer), Some(study)) => {
                    record_open(state, principal, &study, source, &reached).await?;
                    let searching = is_search(asked.path);
                    let answer = rewrite(state, asked.public_root, searching)
                        .answer(answer)
                        .await;
                    Ok(Read::Answered(answer))
                }
                (_, study) => Err(deny(state, principal, source, study).await),
            }
        }
        access => Ok(Read::Forward(access)),
    }
}

/// Whether `path` is a search (whose Retrieve URLs are all the PACS's; metadata's are the
/// files').
fn is_search(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| matches!(last, "studies" | "series" | "instances"))
}

/// The rewriting of the PACS's URLs in an answer; `all_from_pacs` for searches and stores.
fn rewrite<'a>(state: &'a AppState, public_root: &'a str, all_from_pacs: bool) -> Rewrite<'a> {
    Rewrite {
        pacs_root: state.pacs.root(),
        pacs_origin: state.pacs.origin(),
        public_root,
        all_from_pacs,
    }
}

/// A clinician's read of a study of a remote source one of their manifests named
/// ([`crate::remote`]), answered by that source; `None` for any other read.
async fn remote_answer(
    state: &AppState,
    principal: &Principal,
    source: &str,
    (target, query, path): (&Target<'_>, Option<&str>, &str),
    parts: &axum::http::request::Parts,
    public_root: &str,
) -> Result<Option<Response<Body>>, ApiError> {
    if state.remotes.is_empty() || !matches!(parts.method, Method::GET | Method::HEAD) {
        return Ok(None);
    }
    let Some(study) = crate::remote::study_asked(target, query) else {
        return Ok(None);
    };
    let Some(found) = crate::remote::source_of(state, &principal.actor(), study).await? else {
        return Ok(None);
    };
    let request = (parts.method.clone(), path, query);
    crate::remote::forward(
        state,
        found,
        principal,
        source,
        study,
        request,
        &parts.headers,
        public_root,
    )
    .await
    .map(Some)
}

/// How a clinician of `caller` sites reaches a path under a study: the study's access
/// ([`reach::access`]), provided the series or instance it names is in the study by the
/// PACS's index.
async fn reach_target(
    state: &AppState,
    caller: &[&Site],
    actor: &str,
    target: &Target<'_>,
) -> Result<Access, ApiError> {
    let Target::Study {
        study,
        series,
        instance,
    } = target
    else {
        return Ok(Access::None);
    };
    let access = reach::access(state, &Reach::Sites(caller.to_vec()), actor, study).await?;
    if access == Access::None {
        return Ok(Access::None);
    }
    let member = state
        .pacs
        .contains(study, *series, *instance)
        .await
        .map_err(|e| {
            tracing::warn!("membership check: {e}");
            ApiError::MembershipUnknown
        })?;
    Ok(if member { access } else { Access::None })
}

/// A clinician's STOW-RS body, read whole and let through only when their sites own what it
/// stores ([`reach::check_store`]).
async fn checked_store(
    state: &AppState,
    caller: &[&Site],
    target: &Target<'_>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Body, ApiError> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Invalid)?;
    let bytes = axum::body::to_bytes(body, reach::STORE_LIMIT_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge)?;
    let path_study = match target {
        Target::Study { study, .. } => Some(*study),
        _ => None,
    };
    reach::check_store(state, caller, path_study, content_type, &bytes).await?;
    Ok(Body::from(bytes))
}

/// `/wado` (WADO-URI): a clinician's request as it is; a share session's only for an object
/// of its study.
pub async fn wado_uri(
    State(state): State<SharedState>,
    client: ClientAddr,
    request: Request,
) -> Result<Response<Body>, ApiError> {
    let source = client.to_string();
    let (parts, _) = request.into_parts();
    // The method before the caller: a POST is a 405 whatever its token, with no audit row.
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        return Err(ApiError::MethodNotAllowed);
    }
    let principal = identify(&state, &parts.headers, &source).await?;
    let query = parts.uri.query();
    let target = scope::wado_uri_target(query);
    let mut reached = Access::Own;
    match (&principal, &target) {
        (Principal::Anonymous, _) => return Err(unauthenticated(&state)),
        (Principal::Clinician { sites, .. }, _) => {
            if let Reach::Sites(caller) = reach::of_clinician(&state, sites)? {
                let access = match &target {
                    Some((study, series, object)) => {
                        let path = Target::Study {
                            study,
                            series: Some(series),
                            instance: Some(object),
                        };
                        reach_target(&state, &caller, &principal.actor(), &path).await?
                    }
                    None => Access::None,
                };
                // A study of which chosen series were sent: the object's series must be one.
                let unsent = match (&access, &target) {
                    (Access::Exchange(sent), Some((_, series, _))) => !sent.includes(series),
                    _ => false,
                };
                if access == Access::None || unsent {
                    let study = target.as_ref().map(|t| t.0.clone());
                    return Err(deny(&state, &principal, &source, study).await);
                }
                reached = access;
            }
        }
        (Principal::Share { share }, Some((study, series, object)))
            if *study == share.study_uid =>
        {
            match state.pacs.contains(study, Some(series), Some(object)).await {
                Ok(true) => {}
                Ok(false) => {
                    return Err(deny(&state, &principal, &source, Some(study.clone())).await)
                }
                Err(e) => {
                    tracing::warn!("membership check: {e}");
                    return Err(ApiError::MembershipUnknown);
                }
            }
        }
        (Principal::Share { .. }, _) => {
            return Err(deny(&state, &principal, &source, target.map(|t| t.0)).await)
        }
    }
    // A share session's query is rebuilt from what was checked; a clinician's goes as sent.
    let upstream_query = match (&principal, &target) {
        (Principal::Share { .. }, Some((study, series, object))) => {
            Some(scope::wado_uri_query(query, study, series, object))
        }
        _ => query.map(str::to_string),
    };
    if let Some((study, _, _)) = &target {
        record_open(&state, &principal, study, &source, &reached).await?;
    }
    let Some(url) = state.pacs.wado_uri_url(upstream_query.as_deref()) else {
        return Err(ApiError::NoResource);
    };
    let turn = state
        .readers
        .turn(&reader_key(&state, &principal, &parts.headers))
        .await;
    Ok(state
        .pacs
        .forward(parts.method, &url, &parts.headers, Body::empty(), turn)
        .await)
}

/// Who a request's share of the PACS is counted for: its session (two browsers of one
/// clinician are two readers), else the bearer token's clinician.
fn reader_key(state: &AppState, principal: &Principal, headers: &HeaderMap) -> String {
    match crate::auth::session::cookie_value(headers, state.config.secure_cookies) {
        Some(cookie) => format!("session:{}", crate::secret::token_hash(cookie)),
        None => principal.actor(),
    }
}

/// Records that `principal` stored instances (in `study` when the path names it), with
/// the PACS's answer as the outcome.
async fn record_store(
    state: &AppState,
    principal: &Principal,
    study: Option<&str>,
    source: &str,
    stored: bool,
) {
    let outcome = if stored {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    let mut event = AuditEvent::new(
        Action::InstancesStore,
        outcome,
        &principal.actor(),
        source,
        crate::now_ms(),
    )
    .detail(if stored {
        "instances stored"
    } else {
        "storage refused"
    });
    if let Some(study) = study {
        let patient_id = match state.pacs.study_identity(study).await {
            Ok(identity) => identity.map(|i| i.patient_id),
            Err(e) => {
                tracing::warn!("study identity for the audit trail: {e}");
                None
            }
        };
        event = event.study(study, patient_id.as_deref());
    }
    state.audit(event).await;
}

/// Records that `principal` opened `study`, unless this copy recorded it a short while ago
/// ([`AppState::open_to_record`]). No study is read without its row: when the row cannot be
/// written (the database away), the read is refused (503) and tried again next time.
async fn record_open(
    state: &AppState,
    principal: &Principal,
    study: &str,
    source: &str,
    reached: &Access,
) -> Result<(), ApiError> {
    let actor = principal.actor();
    if !state.open_to_record(&actor, study) {
        return Ok(());
    }
    let (patient_id, share_id) = match principal {
        Principal::Share { share } => (Some(share.patient_id.clone()), Some(share.id.clone())),
        _ => match state.pacs.study_identity(study).await {
            Ok(identity) => (identity.map(|i| i.patient_id), None),
            Err(e) => {
                tracing::warn!("study identity for the audit trail: {e}");
                (None, None)
            }
        },
    };
    let action = match reached {
        Access::Consent => Action::RegionalOpen,
        Access::Exchange(_) => Action::ExchangeOpen,
        Access::Emergency => Action::EmergencyRead,
        Access::Own | Access::None => Action::StudyOpen,
    };
    let mut event = AuditEvent::new(action, Outcome::Success, &actor, source, crate::now_ms())
        .study(study, patient_id.as_deref());
    if let Some(share) = share_id {
        event = event.share(&share);
    }
    let recorded = match (reached, principal) {
        // A study sent to the reader: the exchanges marked opened with the row.
        (Access::Exchange(_), Principal::Clinician { sites, .. }) => {
            let event = event.detail("sent study opened");
            state
                .store
                .mark_exchange_opened(study, &actor, sites, &event)
                .await
        }
        _ => state.store.insert_audit(&event).await,
    };
    recorded.map_err(|e| {
        state.forget_open(&actor, study);
        ApiError::StoreUnavailable(e)
    })
}

#[cfg(test)]
mod tests {
    use super::is_clean;

    #[test]
    fn paths_cannot_climb_out_of_the_root() {
        assert!(is_clean("studies/1.2/series"));
        for bad in [
            "../system",
            "studies/..",
            "studies/%2E%2E/x",
            "a%2fb",
            "a\\b",
            "./studies",
        ] {
            assert!(!is_clean(bad), "{bad}");
        }
    }
}
