//! What a clinician reaches when the portal serves a region's sites ([`crate::sites`]): the
//! studies their own site owns, decided on every request from the study's Issuer of Patient
//! ID as the PACS holds it, or through consent, an exchange or an emergency access. Searches
//! are filtered by [`crate::search`] with what this decides; stores are read before they
//! reach the PACS.

use std::collections::{HashMap, HashSet};

use dicom_core::Tag;
use viewer_core::dicom_json::JsonDataset;

use crate::error::ApiError;
use crate::exchanges::Sent;
use crate::pacs::StudyPatient;
use crate::scope::Level;
use crate::sites::{owns, Site};
use crate::state::AppState;

/// Rows asked of the PACS at a time while reading the archive (a filtered search, the
/// census).
pub(crate) const CHUNK_ROWS: usize = 200;
/// Rows of the PACS's answer read for one search at most; beyond, the answer says it is
/// partial (a `Warning`, as PS3.18 has a server do when it stops early).
pub(crate) const SCAN_LIMIT_ROWS: usize = 20_000;
/// The largest STOW-RS body read for its owner check.
pub const STORE_LIMIT_BYTES: usize = 512 * 1024 * 1024;

const STUDY_UID: Tag = Tag(0x0020, 0x000D);
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Their own site's (or the whole archive, without sites).
    Own,
    /// Another site's, through its patient's consent to regional sharing.
    Consent,
    /// Sent to the clinician or their site's team ([`crate::exchanges`]): the whole study or
    /// the series chosen.
    Exchange(Sent),
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
    // What was sent of the study, and whether the caller's emergency accesses were read.
    let (sent, emergencies_read) = match grants {
        None => {
            if let Some(site) = consent {
                if state.store.shared_by_consent(&site.id, patient_id).await? {
                    return Ok(Access::Consent);
                }
            }
            let site_ids: Vec<String> = caller.iter().map(|s| s.id.clone()).collect();
            (state.store.sent_to(study, actor, &site_ids).await?, false)
        }
        Some(grants) => {
            if let Some(site) = consent {
                if grants.consented(state, &site.id, patient_id).await? {
                    return Ok(Access::Consent);
                }
            }
            if grants.emergencies.contains(study) {
                return Ok(Access::Emergency);
            }
            (grants.sent.get(study).cloned(), true)
        }
    };
    if sent == Some(Sent::Study) {
        return Ok(Access::Exchange(Sent::Study));
    }
    // An emergency access reads the whole study, even where chosen series were sent.
    if !emergencies_read
        && state
            .store
            .emergency_in_force(actor, study, crate::now_ms())
            .await?
            .is_some()
    {
        return Ok(Access::Emergency);
    }
    Ok(sent.map_or(Access::None, Access::Exchange))
}

/// What lets one search's caller read studies of other sites, read once for the search.
struct SearchGrants {
    /// Studies sent to the caller or their sites' teams, and what of each.
    sent: HashMap<String, Sent>,
    /// Studies of the caller's emergency accesses in force.
    emergencies: HashSet<String>,
    /// Patients (site id, patient ID) whose consent was read, and whether it stands.
    consents: HashMap<(String, String), bool>,
}

impl SearchGrants {
    async fn load(state: &AppState, caller: &[&Site], actor: &str) -> Result<Self, ApiError> {
        let site_ids: Vec<String> = caller.iter().map(|s| s.id.clone()).collect();
        Ok(Self {
            sent: state.store.studies_sent_to(actor, &site_ids).await?,
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

/// What one search already knows: how the caller reaches each study met so far, and the
/// caller's grants beyond their own sites once a row of another site was met.
#[derive(Default)]
pub(crate) struct Known {
    studies: HashMap<String, Access>,
    grants: Option<SearchGrants>,
}

/// How the caller reaches the study a search's row belongs to (`None` for a row without one).
pub(crate) async fn row_access(
    state: &AppState,
    caller: &[&Site],
    actor: &str,
    level: Level,
    row: &JsonDataset,
    known: &mut Known,
) -> Result<Access, ApiError> {
    let Some(study) = row.string(STUDY_UID) else {
        return Ok(Access::None);
    };
    if let Some(access) = known.studies.get(&study) {
        return Ok(access.clone());
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
    let access = access_to(state, caller, actor, &study, &owner, known.grants.as_mut()).await?;
    known.studies.insert(study, access.clone());
    Ok(access)
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
