//! What a clinician reaches when the portal serves a region's sites ([`crate::sites`]): the
//! studies their own site owns, decided on every request from the study's Issuer of Patient
//! ID as the PACS holds it. Searches are filtered here, page by page, so that a page is full
//! and holds nothing the caller may not read; stores are read before they reach the PACS.

use std::collections::{HashMap, HashSet};

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use dicom_core::Tag;
use viewer_core::dicom_json::JsonDataset;

use crate::error::ApiError;
use crate::pacs::StudyPatient;
use crate::scope::Level;
use crate::sites::{owns, Site};
use crate::state::AppState;

/// Rows asked of the PACS at a time while filtering a search.
const CHUNK_ROWS: usize = 200;
/// Rows of the PACS's answer read for one search at most; beyond, the answer says it is
/// partial (a `Warning`, as PS3.18 has a server do when it stops early).
const SCAN_LIMIT_ROWS: usize = 20_000;
/// The largest STOW-RS body read for its owner check.
pub const STORE_LIMIT_BYTES: usize = 512 * 1024 * 1024;

const STUDY_UID: Tag = Tag(0x0020, 0x000D);
const SERIES_UID: Tag = Tag(0x0020, 0x000E);
const SOP_UID: Tag = Tag(0x0008, 0x0018);
const ISSUER: Tag = Tag(0x0010, 0x0021);

/// The studies a clinician reaches.
pub enum Reach<'a> {
    /// No site file: the whole archive (one establishment's portal).
    Archive,
    /// The studies these sites own.
    Sites(Vec<&'a Site>),
}

/// A clinician's reach from the site ids their token names: a 403 saying why when the portal
/// has sites and the token names none of them, or one it does not know.
pub fn of_clinician<'a>(state: &'a AppState, claimed: &[String]) -> Result<Reach<'a>, ApiError> {
    let Some(sites) = state.config.sites.as_deref() else {
        return Ok(Reach::Archive);
    };
    sites
        .of_caller(claimed)
        .map(Reach::Sites)
        .map_err(|refusal| {
            tracing::info!("clinician refused: {refusal}");
            match refusal {
                crate::sites::SiteRefusal::NoSite => ApiError::NoSite,
                crate::sites::SiteRefusal::UnknownSite(_) => ApiError::UnknownSite,
            }
        })
}

/// Who owns a study in the PACS.
pub enum Owner<'a> {
    /// The PACS does not have it.
    Missing,
    /// The site of its issuer (none when no site declares it), and its patient there.
    Site {
        site: Option<&'a Site>,
        patient_id: String,
    },
}

/// The owner of `study` (the PACS asked, or its answer of a short while ago).
pub async fn owner<'a>(state: &'a AppState, study: &str) -> Result<Owner<'a>, ApiError> {
    match state.pacs.study_patient(study).await {
        Ok(None) => Ok(Owner::Missing),
        Ok(Some(patient)) => Ok(owner_of(state, patient)),
        Err(e) => {
            tracing::warn!("study owner: {e}");
            Err(ApiError::MembershipUnknown)
        }
    }
}

fn owner_of(state: &AppState, patient: StudyPatient) -> Owner<'_> {
    let sites = state.config.sites.as_deref();
    Owner::Site {
        site: sites.and_then(|s| s.owner(patient.issuer.as_deref())),
        patient_id: patient.patient_id,
    }
}

/// How a clinician reaches a study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Their own site's (or the whole archive, without sites).
    Own,
    /// Another site's, through its patient's consent to regional sharing.
    Consent,
    /// Sent to the clinician or their site's team ([`crate::exchanges`]).
    Exchange,
    /// Through the clinician's own emergency access in force ([`crate::emergency`]).
    Emergency,
    /// Not at all: answered as a missing study.
    None,
}

/// How the caller (`actor`, of `caller` sites) reaches `study` of `owner`: their site's,
/// another site's whose patient's consent stands, one sent to them or their site's team, or
/// through their emergency access in force. One request reads the database on every call (a
/// withdrawal or an end takes effect at once); one search reads the caller's grants once
/// (`grants`), at its first row of another site.
async fn access_to(
    state: &AppState,
    caller: &[&Site],
    actor: &str,
    study: &str,
    owner: &Owner<'_>,
    grants: Option<&mut SearchGrants>,
) -> Result<Access, ApiError> {
    let Owner::Site { site, patient_id } = owner else {
        return Ok(Access::None);
    };
    if site.is_some_and(|site| owns(caller, Some(site))) {
        return Ok(Access::Own);
    }
    let consent = site.filter(|_| !patient_id.is_empty());
    let Some(grants) = grants else {
        if let Some(site) = consent {
            if state.store.shared_by_consent(&site.id, patient_id).await? {
                return Ok(Access::Consent);
            }
        }
        let site_ids: Vec<String> = caller.iter().map(|s| s.id.clone()).collect();
        if state.store.exchanged_to(study, actor, &site_ids).await? {
            return Ok(Access::Exchange);
        }
        let emergency = state
            .store
            .emergency_in_force(actor, study, crate::now_ms())
            .await?;
        return Ok(if emergency.is_some() {
            Access::Emergency
        } else {
            Access::None
        });
    };
    if let Some(site) = consent {
        if grants.consented(state, &site.id, patient_id).await? {
            return Ok(Access::Consent);
        }
    }
    Ok(if grants.exchanged.contains(study) {
        Access::Exchange
    } else if grants.emergencies.contains(study) {
        Access::Emergency
    } else {
        Access::None
    })
}

/// What lets one search's caller read studies of other sites, read once for the search.
struct SearchGrants {
    /// Studies sent to the caller or their sites' teams.
    exchanged: HashSet<String>,
    /// Studies of the caller's emergency accesses in force.
    emergencies: HashSet<String>,
    /// Patients (site id, patient ID) whose consent was read, and whether it stands.
    consents: HashMap<(String, String), bool>,
}

impl SearchGrants {
    async fn load(state: &AppState, caller: &[&Site], actor: &str) -> Result<Self, ApiError> {
        let site_ids: Vec<String> = caller.iter().map(|s| s.id.clone()).collect();
        Ok(Self {
            exchanged: state.store.studies_exchanged_to(actor, &site_ids).await?,
            emergencies: state
                .store
                .emergency_studies_in_force(actor, crate::now_ms())
                .await?,
            consents: HashMap::new(),
        })
    }

    async fn consented(
        &mut self,
        state: &AppState,
        site: &str,
        patient_id: &str,
    ) -> Result<bool, ApiError> {
        let key = (site.to_string(), patient_id.to_string());
        if let Some(given) = self.consents.get(&key) {
            return Ok(*given);
        }
        let given = state.store.shared_by_consent(site, patient_id).await?;
        self.consents.insert(key, given);
        Ok(given)
    }
}

/// How the caller (`actor`) reaches `study` (one the PACS does not have: by nobody).
pub async fn access(
    state: &AppState,
    reach: &Reach<'_>,
    actor: &str,
    study: &str,
) -> Result<Access, ApiError> {
    match reach {
        Reach::Archive => Ok(Access::Own),
        Reach::Sites(caller) => {
            let owner = owner(state, study).await?;
            access_to(state, caller, actor, study, &owner, None).await
        }
    }
}

/// For the portal's own API (shares, consent): the clinician whose token names `claimed` is
/// of the site that owns `study`, else `refusal` (a "not found" that says no more than a
/// missing study would).
pub async fn require_study(
    state: &AppState,
    claimed: &[String],
    study: &str,
    refusal: ApiError,
) -> Result<(), ApiError> {
    // Without sites, the whole archive: the PACS is not asked.
    let Reach::Sites(caller) = of_clinician(state, claimed)? else {
        return Ok(());
    };
    let owned = match owner(state, study).await? {
        Owner::Site { site, .. } => owns(&caller, site),
        Owner::Missing => false,
    };
    if owned {
        Ok(())
    } else {
        Err(refusal)
    }
}

/// A search's paging, and the rest of its query as written.
struct Paging<'q> {
    limit: Option<usize>,
    offset: usize,
    rest: Vec<&'q str>,
}

/// Reads `limit` and `offset` out of a query; the other pairs stay as written. A key with an
/// escape or a `+` is refused: the PACS could decode it into a paging key the gateway did not
/// see.
fn paging(query: Option<&str>) -> Result<Paging<'_>, ApiError> {
    let mut paging = Paging {
        limit: None,
        offset: 0,
        rest: Vec::new(),
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.contains('%') || key.contains('+') {
            return Err(ApiError::Invalid);
        }
        let number = || value.parse::<usize>().map_err(|_| ApiError::Invalid);
        match key {
            "limit" => paging.limit = Some(number()?),
            "offset" => paging.offset = number()?,
            _ => paging.rest.push(pair),
        }
    }
    Ok(paging)
}

/// The UID that makes a row of a search at `level` one result.
fn row_key(level: Level, row: &JsonDataset) -> Option<String> {
    row.string(match level {
        Level::Studies => STUDY_UID,
        Level::Series => SERIES_UID,
        Level::Instances => SOP_UID,
    })
}

/// What one search already knows: whether the caller reads each study met so far, and the
/// caller's grants beyond their own sites once a row of another site was met.
#[derive(Default)]
struct Known {
    studies: HashMap<String, bool>,
    grants: Option<SearchGrants>,
}

/// Whether the caller reads the study a search's row belongs to.
async fn row_readable(
    state: &AppState,
    caller: &[&Site],
    actor: &str,
    level: Level,
    row: &JsonDataset,
    known: &mut Known,
) -> Result<bool, ApiError> {
    let Some(study) = row.string(STUDY_UID) else {
        return Ok(false);
    };
    if let Some(readable) = known.studies.get(&study) {
        return Ok(*readable);
    }
    let owner = if level == Level::Studies {
        // The study's own row says whose it is (asked for with `includefield`).
        let patient = StudyPatient::of_row(row);
        state.pacs.remember_patient(&study, patient.clone());
        owner_of(state, patient)
    } else {
        owner(state, &study).await?
    };
    let own = matches!(&owner, Owner::Site { site: Some(site), .. } if owns(caller, Some(site)));
    if !own && known.grants.is_none() {
        known.grants = Some(SearchGrants::load(state, caller, actor).await?);
    }
    let readable = access_to(state, caller, actor, &study, &owner, known.grants.as_mut()).await?
        != Access::None;
    known.studies.insert(study, readable);
    Ok(readable)
}

/// A QIDO-RS search across the archive for a clinician of `caller` sites: the PACS's answer
/// read in chunks, the rows of studies the caller may not read left out, then `offset` and
/// `limit` applied to what is left, so that pages are full and never overlap.
pub async fn search(
    state: &AppState,
    caller: &[&Site],
    actor: &str,
    level: Level,
    query: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let paging = paging(query)?;
    let path = match level {
        Level::Studies => "studies",
        Level::Series => "series",
        Level::Instances => "instances",
    };
    let wanted = paging.limit.map(|l| paging.offset.saturating_add(l));
    let mut seen: HashSet<String> = HashSet::new();
    let mut known = Known::default();
    let (mut passed, mut kept) = (0usize, Vec::new());
    let (mut scanned, mut partial) = (0usize, false);
    'chunks: loop {
        let mut upstream = paging.rest.clone();
        let paged = format!(
            "includefield=00100021&includefield=00100020&limit={CHUNK_ROWS}&offset={scanned}"
        );
        upstream.push(&paged);
        let rows = state
            .pacs
            .search(path, &upstream.join("&"))
            .await
            .map_err(|e| {
                tracing::warn!("filtered search: {e}");
                ApiError::PacsUnavailable
            })?;
        let count = rows.len();
        for row in rows {
            if wanted.is_some_and(|w| passed >= w) {
                break 'chunks;
            }
            let Some(key) = row_key(level, &row) else {
                continue;
            };
            if !seen.insert(key)
                || !row_readable(state, caller, actor, level, &row, &mut known).await?
            {
                continue;
            }
            if passed >= paging.offset {
                kept.push(serde_json::Value::Object(row.0));
            }
            passed += 1;
        }
        scanned += count;
        if count < CHUNK_ROWS || wanted.is_some_and(|w| passed >= w) {
            break;
        }
        if scanned >= SCAN_LIMIT_ROWS {
            partial = true;
            break;
        }
    }
    let body = serde_json::to_vec(&kept).map_err(|_| ApiError::PacsUnavailable)?;
    let mut answer = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/dicom+json")
        .header(header::CACHE_CONTROL, "no-store");
    if partial {
        answer = answer.header(
            header::WARNING,
            "299 portal \"The search matched too many results: refine it\"",
        );
    }
    answer
        .body(Body::from(body))
        .map_err(|_| ApiError::PacsUnavailable)
}

/// How many studies of the archive each site owns, and how many belong to no site.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Census {
    /// Site id → its studies.
    pub sites: Vec<(String, usize)>,
    /// Studies whose issuer no site declares, or without issuer.
    pub no_site: usize,
    /// Studies read in all.
    pub studies: usize,
    /// The archive holds more than [`SCAN_LIMIT_ROWS`]: these are the first ones.
    pub partial: bool,
}

/// Counts the archive's studies by owner (the first [`SCAN_LIMIT_ROWS`]), for the start's
/// log line and the audit role's view: a study of no site is never silently given to anyone,
/// and this says how many there are.
pub async fn census(state: &AppState) -> Result<Option<Census>, ApiError> {
    let Some(sites) = state.config.sites.as_deref() else {
        return Ok(None);
    };
    let mut counts: Vec<(String, usize)> = sites.all().iter().map(|s| (s.id.clone(), 0)).collect();
    let (mut no_site, mut scanned) = (0usize, 0usize);
    loop {
        let query = format!("includefield=00100021&limit={CHUNK_ROWS}&offset={scanned}");
        let rows = state.pacs.search("studies", &query).await.map_err(|e| {
            tracing::warn!("census of the archive: {e}");
            ApiError::PacsUnavailable
        })?;
        for row in &rows {
            let issuer = row.string(ISSUER);
            match sites.owner(issuer.as_deref()) {
                Some(site) => {
                    if let Some(count) = counts.iter_mut().find(|(id, _)| *id == site.id) {
                        count.1 += 1;
                    }
                }
                None => no_site += 1,
            }
        }
        scanned += rows.len();
        if rows.len() < CHUNK_ROWS || scanned >= SCAN_LIMIT_ROWS {
            return Ok(Some(Census {
                sites: counts,
                no_site,
                studies: scanned,
                partial: rows.len() == CHUNK_ROWS,
            }));
        }
    }
}

/// Whether a STOW-RS body may be stored by a clinician of `caller` sites: every instance's
/// issuer is one of theirs, in the study the path names (if it names one), and each study it
/// adds to is new or already theirs.
pub async fn check_store(
    state: &AppState,
    caller: &[&Site],
    path_study: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Result<(), ApiError> {
    let sites = state.config.sites.as_deref();
    let parts = viewer_core::multipart::parse_multipart(content_type, body)
        .map_err(|_| ApiError::Invalid)?;
    if parts.is_empty() {
        return Err(ApiError::Invalid);
    }
    let mut studies: HashSet<String> = HashSet::new();
    for part in &parts {
        let bytes = body.get(part.content.clone()).ok_or(ApiError::Invalid)?;
        let attributes = viewer_core::local::attributes_of(bytes).map_err(|_| ApiError::Invalid)?;
        let study = attributes.string(STUDY_UID).ok_or(ApiError::Invalid)?;
        let issuer = attributes.string(ISSUER);
        let in_path = path_study.is_none_or(|p| p == study);
        if !in_path || !owns(caller, sites.and_then(|s| s.owner(issuer.as_deref()))) {
            return Err(ApiError::StoreOutsideSite);
        }
        studies.insert(study);
    }
    for study in &studies {
        match owner(state, study).await? {
            Owner::Missing => {}
            Owner::Site { site, .. } if owns(caller, site) => {}
            Owner::Site { .. } => return Err(ApiError::StoreOutsideSite),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paging_keys_are_read_and_the_rest_kept_as_written() {
        let p = paging(Some(
            "PatientName=DOE%5E*&limit=5&offset=10&includefield=00081030",
        ))
        .unwrap();
        assert_eq!((p.limit, p.offset), (Some(5), 10));
        assert_eq!(p.rest, vec!["PatientName=DOE%5E*", "includefield=00081030"]);
        let p = paging(None).unwrap();
        assert_eq!((p.limit, p.offset, p.rest.len()), (None, 0, 0));
        for bad in ["limit=-1", "offset=x", "%6Cimit=5", "lim+it=3"] {
            assert!(paging(Some(bad)).is_err(), "{bad}");
        }
    }
}
