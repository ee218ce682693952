//! A person's studies across the region's sites, linked by the national identity (INS) only,
//! never by name or birth date.
//!
//! Which studies carry which INS is kept in the database ([`crate::identities`]): read from
//! one instance of a study when a clinician asks about it, and by a walk through the whole
//! archive (where the portal has sites), again every ten minutes for the studies read more
//! than a day before. `GET /api/ins/studies?study_uid=` answers with the studies of that
//! study's patient the clinician reaches (the regional rules of [`crate::reach`]), grouped by
//! establishment and local ID, each group with its strict traits; where groups' traits differ
//! the answer names the traits, so that the page says so and never merges them silently.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Weak;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::Response;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use viewer_core::dicom_json::is_uid;
use viewer_core::identity::{PatientIdentity, Trait};

use crate::auth::Clinician;
use crate::error::ApiError;
use crate::identities::StudyIdentity;
use crate::reach::{self, Access};
use crate::state::{AppState, SharedState};

/// A study's identity read longer ago than this is read again.
const FRESH_MS: i64 = 24 * 3600 * 1000;
/// Time between two walks through the archive.
const WALK_EVERY: Duration = Duration::from_secs(600);
/// Studies asked of the PACS at a time by the walk.
const WALK_CHUNK: usize = 200;

/// Whether the walk has been through the whole archive once.
#[derive(Default)]
pub struct Index {
    complete: AtomicBool,
}

impl Index {
    pub fn complete(&self) -> bool {
        self.complete.load(Ordering::Relaxed)
    }
}

/// What `study`'s files say of its patient: as kept when read within a day, else read now;
/// `None` when the PACS does not have the study.
pub async fn identity_of_study(
    state: &AppState,
    study: &str,
) -> Result<Option<StudyIdentity>, ApiError> {
    if let Some(kept) = state.store.study_identity(study).await? {
        if crate::now_ms() - kept.read_at_ms < FRESH_MS {
            return Ok(Some(kept));
        }
    }
    read_now(state, study).await
}

async fn read_now(state: &AppState, study: &str) -> Result<Option<StudyIdentity>, ApiError> {
    let dataset = state
        .pacs
        .study_instance_dataset(study)
        .await
        .map_err(|e| {
            tracing::warn!("study identity: {e}");
            ApiError::PacsUnavailable
        })?;
    let Some(dataset) = dataset else {
        return Ok(None);
    };
    let identity = StudyIdentity::of(
        study,
        &PatientIdentity::of_dataset(&dataset),
        crate::now_ms(),
    );
    state.store.put_study_identity(&identity).await?;
    Ok(Some(identity))
}

/// Walks through the archive now and then while the gateway runs (started where the portal
/// has sites).
pub async fn walk(state: Weak<AppState>) {
    loop {
        let Some(strong) = state.upgrade() else {
            return;
        };
        match walk_once(&strong).await {
            Ok((studies, read)) => {
                strong.national.complete.store(true, Ordering::Relaxed);
                tracing::info!("identity index: {studies} studies, {read} read from the PACS");
            }
            Err(e) => tracing::warn!("identity index: the walk stopped ({e})"),
        }
        drop(strong);
        tokio::time::sleep(WALK_EVERY).await;
    }
}

/// One walk: every study of the archive whose identity is not fresh, read. How many studies
/// there are, how many were read.
async fn walk_once(state: &AppState) -> Result<(usize, usize), ApiError> {
    let (mut offset, mut read) = (0usize, 0usize);
    loop {
        let query = format!("limit={WALK_CHUNK}&offset={offset}");
        let rows = state.pacs.search("studies", &query).await.map_err(|e| {
            tracing::warn!("identity index: {e}");
            ApiError::PacsUnavailable
        })?;
        let uids: Vec<String> = rows
            .iter()
            .filter_map(|r| r.string(dicom_core::Tag(0x0020, 0x000D)))
            .filter(|u| is_uid(u))
            .collect();
        let since = crate::now_ms() - FRESH_MS;
        let fresh = state.store.identities_read_since(&uids, since).await?;
        for uid in uids.iter().filter(|u| !fresh.contains(*u)) {
            match read_now(state, uid).await {
                Ok(_) => read += 1,
                // One study the PACS cannot give does not stop the walk.
                Err(ApiError::PacsUnavailable) => {}
                Err(e) => return Err(e),
            }
        }
        offset += rows.len();
        if rows.len() < WALK_CHUNK {
            return Ok((offset, read));
        }
    }
}

/// Studies of one establishment's patient (one local ID, one set of traits).
struct Group {
    identity: StudyIdentity,
    studies: Vec<String>,
}

/// The traits on which some two groups differ.
fn differences(groups: &[Group]) -> Vec<Trait> {
    let mut differ: Vec<Trait> = Vec::new();
    for (i, a) in groups.iter().enumerate() {
        for b in &groups[i + 1..] {
            for t in a.identity.traits.differences(&b.identity.traits) {
                if !differ.contains(&t) {
                    differ.push(t);
                }
            }
        }
    }
    differ
}

#[derive(Deserialize)]
pub struct InsQuery {
    study_uid: String,
}

/// `GET /api/ins/studies?study_uid=…` (a clinician who reaches that study): the studies of its
/// patient by INS that the clinician reaches, grouped by establishment and local ID.
pub async fn studies(
    State(state): State<SharedState>,
    Query(query): Query<InsQuery>,
    clinician: Clinician,
) -> Result<Response<Body>, ApiError> {
    let study = query.study_uid;
    if !is_uid(&study) {
        return Err(ApiError::Invalid);
    }
    let reach = reach::of_clinician(&state, &clinician.sites)?;
    if reach::access(&state, &reach, &clinician.actor, &study).await? == Access::None {
        return Err(ApiError::UnknownStudy);
    }
    let own = identity_of_study(&state, &study)
        .await?
        .ok_or(ApiError::UnknownStudy)?;
    let complete = state.national.complete();
    let Some(key) = own.ins_key.clone() else {
        let answer = json!({
            "ins": null, "ins_problem": own.ins_problem, "index_complete": complete,
        });
        return Ok(Json(answer).into_response());
    };
    let mut rows = state.store.studies_of_ins(&key).await?;
    rows.retain(|r| r.study_uid != study);
    let mut groups: Vec<Group> = Vec::new();
    for row in std::iter::once(own).chain(rows) {
        let reached = row.study_uid == study
            || reach::access(&state, &reach, &clinician.actor, &row.study_uid).await?
                != Access::None;
        if !reached {
            continue;
        }
        let same = |g: &&mut Group| {
            g.identity.issuer == row.issuer
                && g.identity.patient_id == row.patient_id
                && g.identity.traits == row.traits
        };
        match groups.iter_mut().find(same) {
            Some(group) => group.studies.push(row.study_uid),
            None => groups.push(Group {
                studies: vec![row.study_uid.clone()],
                identity: row,
            }),
        }
    }
    let sites = state.config.sites.as_deref();
    let (matricule, oid) = key.split_once('@').unwrap_or((&key, ""));
    let answer = json!({
        "ins": matricule,
        "ins_oid": oid,
        "differences": differences(&groups),
        "index_complete": complete,
        "groups": groups.iter().map(|g| {
            let site = sites.and_then(|s| s.owner(g.identity.issuer.as_deref()));
            json!({
                "site_id": site.map(|s| s.id.clone()),
                "site_name": site.map(|s| s.name.clone()),
                "issuer": g.identity.issuer,
                "patient_id": g.identity.patient_id,
                "traits": g.identity.traits,
                "studies": g.studies,
            })
        }).collect::<Vec<_>>(),
    });
    Ok(Json(answer).into_response())
}
