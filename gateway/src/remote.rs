//! Studies of other regions named by a manifest (a Key Object Selection from the DMP whose
//! Retrieve URLs point at another DICOMweb root).
//!
//! The page sends a manifest's Retrieve URLs (`POST /api/remote/resolve`); each is located
//! among the declared sources ([`crate::remote_sites`]) or refused, and a located study is
//! named for that clinician ([`crate::remote_studies`], 12 hours). The viewer then reads it
//! under the portal's own `/dicom-web/` root like any study; the gateway fetches it from its
//! source with the source's credentials (`forward`), its URLs rewritten to the portal's root.
//! A URL that leads anywhere else is never fetched: it is answered as refused, with why, and
//! recorded in the audit trail.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Response};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use viewer_core::dicom_json::is_uid;

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::{Clinician, Principal};
use crate::error::ApiError;
use crate::pacs::Pacs;
use crate::reach;
use crate::remote_sites::RemoteSite;
use crate::retrieve_url::Rewrite;
use crate::scope::Target;
use crate::state::{AppState, SharedState};

/// The most Retrieve URLs one manifest may send at once.
const MAX_URLS: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolve {
    urls: Vec<String>,
}

/// `POST /api/remote/resolve` `{"urls": [...]}` (a clinician of a site): each Retrieve URL
/// located (the source's id and name, the study and series), or refused with why
/// (`malformed`, `undeclared_host`, `outside_root`, `not_a_study`) and its host.
pub async fn resolve(
    State(state): State<SharedState>,
    clinician: Clinician,
    body: Bytes,
) -> Result<Response<Body>, ApiError> {
    reach::of_clinician(&state, &clinician.sites)?;
    let Ok(request) = serde_json::from_slice::<Resolve>(&body) else {
        return Err(ApiError::Invalid);
    };
    if request.urls.len() > MAX_URLS || request.urls.iter().any(|u| u.len() > 2048) {
        return Err(ApiError::InvalidField("urls"));
    }
    let now = crate::now_ms();
    let sources = &state.config.remote_sites;
    let mut references = Vec::with_capacity(request.urls.len());
    let mut refused = 0usize;
    for url in &request.urls {
        match sources.locate(url) {
            Ok(found) => {
                state
                    .store
                    .name_remote_study(&clinician.actor, &found.study, &found.site, now)
                    .await?;
                let name = sources.get(&found.site).map(|s| s.name.clone());
                references.push(json!({
                    "url": url, "status": "resolved", "site_id": found.site, "site_name": name,
                    "study_uid": found.study, "series_uid": found.series,
                }));
            }
            Err(why) => {
                refused += 1;
                let host = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string));
                references.push(json!({
                    "url": url, "status": "refused", "reason": why, "host": host,
                }));
            }
        }
    }
    if refused > 0 {
        let event = AuditEvent::new(
            Action::RemoteRefused,
            Outcome::Failure,
            &clinician.actor,
            &clinician.source,
            now,
        )
        .detail("retrieve URLs of a manifest outside the declared sources, not fetched");
        state.audit(event).await;
    }
    Ok(Json(json!({ "references": references })).into_response())
}

#[derive(Deserialize)]
pub struct SourceQuery {
    study_uid: String,
}

/// `GET /api/remote/source?study_uid=…` (a clinician): the remote source the viewer reads
/// that study from (one of their manifests named it); `null`s for any other study.
pub async fn source(
    State(state): State<SharedState>,
    Query(query): Query<SourceQuery>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    if !is_uid(&query.study_uid) {
        return Err(ApiError::Invalid);
    }
    let found = source_of(&state, &clinician.actor, &query.study_uid).await?;
    let (id, name) = found.map(|(s, _)| (s.id.clone(), s.name.clone())).unzip();
    Ok(Json(json!({ "site_id": id, "site_name": name })).into_response())
}

/// The remote source `actor` reads `study` from, when one of their manifests named it.
pub async fn source_of<'a>(
    state: &'a AppState,
    actor: &str,
    study: &str,
) -> Result<Option<(&'a RemoteSite, &'a Pacs)>, ApiError> {
    let Some(id) = state
        .store
        .remote_site_of(actor, study, crate::now_ms())
        .await?
    else {
        return Ok(None);
    };
    let site = state.config.remote_sites.get(&id);
    Ok(site.zip(state.remotes.get(&id)))
}

/// The remote study a clinician's DICOMweb read is about: a path under a study, or a
/// search for exactly one study by UID (how the viewer asks who a study belongs to).
pub fn study_asked<'p>(target: &Target<'p>, query: Option<&'p str>) -> Option<&'p str> {
    match target {
        Target::Study { study, .. } => Some(study),
        Target::Search(crate::scope::Level::Studies) => {
            let mut uids = query?
                .split('&')
                .filter_map(|pair| pair.strip_prefix("StudyInstanceUID="));
            let uid = uids.next()?;
            (uids.next().is_none() && is_uid(uid)).then_some(uid)
        }
        _ => None,
    }
}

/// A clinician's read of a remote study, sent to its source with the source's credentials;
/// the first reading (per clinician and study, as for any study) recorded.
#[allow(clippy::too_many_arguments)]
pub async fn forward(
    state: &AppState,
    (site, pacs): (&RemoteSite, &Pacs),
    principal: &Principal,
    source: &str,
    study: &str,
    (method, path, query): (Method, &str, Option<&str>),
    headers: &HeaderMap,
    public_root: &str,
) -> Result<Response<Body>, ApiError> {
    let actor = principal.actor();
    if state.open_to_record(&actor, study) {
        let event = AuditEvent::new(
            Action::RemoteOpen,
            Outcome::Success,
            &actor,
            source,
            crate::now_ms(),
        )
        .study(study, None)
        .detail("study of a remote source read through a manifest");
        if let Err(e) = state.store.insert_audit(&event).await {
            state.forget_open(&actor, study);
            return Err(ApiError::StoreUnavailable(e));
        }
    }
    tracing::debug!("remote source {}: {method} {path}", site.id);
    let url = pacs.dicomweb_url(path, query);
    let turn = state.readers.turn(&actor).await;
    let response = pacs
        .forward(method, &url, headers, Body::empty(), turn)
        .await;
    let searching = path
        .rsplit('/')
        .next()
        .is_some_and(|last| matches!(last, "studies" | "series" | "instances"));
    let rewrite = Rewrite {
        pacs_root: pacs.root(),
        pacs_origin: pacs.origin(),
        public_root,
        all_from_pacs: searching,
    };
    Ok(rewrite.answer(response).await)
}
