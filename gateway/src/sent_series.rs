//! A study of which chosen series were sent to the reader ([`crate::exchanges::Sent`]): what
//! each DICOMweb path under it may read. Paths naming a series are read when it was sent;
//! an instance named without its series, when its series was; the study's series and instance
//! searches and its metadata are answered with the sent series only; what reads the whole
//! study at once (its retrieval, rendering, thumbnail, bulk data) answers 404, as a study
//! the reader does not reach would.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use dicom_core::Tag;

use crate::error::ApiError;
use crate::scope::{Level, Target};
use crate::state::AppState;

const SERIES_UID: Tag = Tag(0x0020, 0x000E);
const SOP_UID: Tag = Tag(0x0008, 0x0018);

/// What becomes of a request under a partly sent study.
pub enum SeriesRead {
    /// It reads sent series only: sent to the PACS as it is.
    Forward,
    /// Answered here, with the sent series only.
    Answer(Response<Body>),
    /// It would read series that were not sent.
    Deny,
}

/// What the request for `target` (at `path` under the DICOMweb root, with `query`) may read
/// when only the `chosen` series of its study were sent to the reader.
pub async fn read(
    state: &AppState,
    target: &Target<'_>,
    path: &str,
    chosen: &BTreeSet<String>,
    query: Option<&str>,
) -> Result<SeriesRead, ApiError> {
    let Target::Study {
        study,
        series,
        instance,
    } = target
    else {
        return Ok(SeriesRead::Deny);
    };
    let verdict = |sent: bool| {
        if sent {
            SeriesRead::Forward
        } else {
            SeriesRead::Deny
        }
    };
    if let Some(series) = series {
        return Ok(verdict(chosen.contains(*series)));
    }
    if let Some(instance) = instance {
        let series = series_of_instance(state, study, instance).await?;
        return Ok(verdict(series.is_some_and(|s| chosen.contains(&s))));
    }
    // The resource under the study, exactly (a bulk data path may end in any word).
    let resource = path
        .trim_end_matches('/')
        .strip_prefix(&format!("studies/{study}/"));
    let answer = match resource {
        Some("series") => {
            crate::search::in_sent_series(state, study, Level::Series, chosen, query).await?
        }
        Some("instances") => {
            crate::search::in_sent_series(state, study, Level::Instances, chosen, query).await?
        }
        Some("metadata") => sent_metadata(state, study, chosen).await?,
        _ => return Ok(SeriesRead::Deny),
    };
    Ok(SeriesRead::Answer(answer))
}

/// The series of `instance` in `study`, by the PACS's index.
async fn series_of_instance(
    state: &AppState,
    study: &str,
    instance: &str,
) -> Result<Option<String>, ApiError> {
    let found = state
        .pacs
        .search(
            &format!("studies/{study}/instances"),
            &format!("SOPInstanceUID={instance}&includefield=0020000E"),
        )
        .await
        .map_err(|e| {
            tracing::warn!("series of an instance: {e}");
            ApiError::MembershipUnknown
        })?;
    // A server that ignores the filter must not make us take another instance's series.
    Ok(found
        .iter()
        .find(|d| d.string(SOP_UID).as_deref() == Some(instance))
        .and_then(|d| d.string(SERIES_UID)))
}

/// The study's WADO-RS metadata, the instances of the sent series only.
async fn sent_metadata(
    state: &AppState,
    study: &str,
    chosen: &BTreeSet<String>,
) -> Result<Response<Body>, ApiError> {
    let instances = state
        .pacs
        .search(&format!("studies/{study}/metadata"), "")
        .await
        .map_err(|e| {
            tracing::warn!("study metadata: {e}");
            ApiError::PacsUnavailable
        })?;
    let kept: Vec<serde_json::Value> = instances
        .into_iter()
        .filter(|d| d.string(SERIES_UID).is_some_and(|s| chosen.contains(&s)))
        .map(|d| serde_json::Value::Object(d.0))
        .collect();
    let body = serde_json::to_vec(&kept).map_err(|_| ApiError::PacsUnavailable)?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/dicom+json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .map_err(|_| ApiError::PacsUnavailable)
}
