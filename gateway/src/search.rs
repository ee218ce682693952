//! QIDO-RS searches a clinician may not see all of, filtered by the gateway: across the
//! archive, the rows of studies they do not reach left out ([`crate::reach`]); inside a study
//! of which chosen series were sent to them, the rows of the other series. The PACS's answer
//! is read in chunks, then `offset` and `limit` are applied to what is left, so that pages are
//! full, never overlap and reveal nothing by their length.

use std::collections::{BTreeSet, HashSet};

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use dicom_core::Tag;
use viewer_core::dicom_json::JsonDataset;

use crate::error::ApiError;
use crate::exchanges::Sent;
use crate::reach::{row_access, Access, Known, CHUNK_ROWS, SCAN_LIMIT_ROWS};
use crate::scope::Level;
use crate::sites::Site;
use crate::state::AppState;

const STUDY_UID: Tag = Tag(0x0020, 0x000D);
const SERIES_UID: Tag = Tag(0x0020, 0x000E);
const SOP_UID: Tag = Tag(0x0008, 0x0018);

/// What a study's row would tell of the series that were not sent: their number, their
/// instances' and their modalities.
const WHOLE_STUDY_COUNTS: &[&str] = &["00201206", "00201208", "00080061"];

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

/// Which rows a search keeps.
enum RowFilter<'a> {
    /// Those of the studies a clinician of `caller` sites reaches.
    Reach {
        caller: &'a [&'a Site],
        actor: &'a str,
        known: &'a mut Known,
    },
    /// Those of the series sent (a search inside one study).
    Series(&'a BTreeSet<String>),
}

/// Whether a row is kept, and the row as it is answered: a row of a series not sent is left
/// out, and a study's row of which only some series were sent says nothing of the others.
async fn kept_row(
    state: &AppState,
    level: Level,
    mut row: JsonDataset,
    filter: &mut RowFilter<'_>,
) -> Result<Option<JsonDataset>, ApiError> {
    let in_series = |row: &JsonDataset, chosen: &BTreeSet<String>| {
        row.string(SERIES_UID).is_some_and(|s| chosen.contains(&s))
    };
    match filter {
        RowFilter::Series(chosen) => Ok(in_series(&row, chosen).then_some(row)),
        RowFilter::Reach {
            caller,
            actor,
            known,
        } => Ok(
            match row_access(state, caller, actor, level, &row, known).await? {
                Access::None => None,
                Access::Exchange(Sent::Series(_)) if level == Level::Studies => {
                    for tag in WHOLE_STUDY_COUNTS {
                        row.0.remove(*tag);
                    }
                    Some(row)
                }
                Access::Exchange(Sent::Series(chosen)) => in_series(&row, &chosen).then_some(row),
                _ => Some(row),
            },
        ),
    }
}

/// A QIDO-RS search across the archive for a clinician of `caller` sites.
pub async fn across_archive(
    state: &AppState,
    caller: &[&Site],
    actor: &str,
    level: Level,
    query: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let path = match level {
        Level::Studies => "studies",
        Level::Series => "series",
        Level::Instances => "instances",
    };
    let mut known = Known::default();
    let filter = RowFilter::Reach {
        caller,
        actor,
        known: &mut known,
    };
    filtered(state, path, level, query, filter).await
}

/// A QIDO-RS search of `study`'s series or instances (`level`) by a reader who was sent the
/// `chosen` series of it only.
pub async fn in_sent_series(
    state: &AppState,
    study: &str,
    level: Level,
    chosen: &BTreeSet<String>,
    query: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let path = match level {
        Level::Series => format!("studies/{study}/series"),
        _ => format!("studies/{study}/instances"),
    };
    filtered(state, &path, level, query, RowFilter::Series(chosen)).await
}

/// The search at `path`, read in chunks, filtered, then paged.
async fn filtered(
    state: &AppState,
    path: &str,
    level: Level,
    query: Option<&str>,
    mut filter: RowFilter<'_>,
) -> Result<Response<Body>, ApiError> {
    let paging = paging(query)?;
    let wanted = paging.limit.map(|l| paging.offset.saturating_add(l));
    let mut seen: HashSet<String> = HashSet::new();
    let (mut passed, mut kept) = (0usize, Vec::new());
    let (mut scanned, mut partial) = (0usize, false);
    'chunks: loop {
        let mut upstream = paging.rest.clone();
        // The issuer and patient decide whose a study is; the series, what of it was sent.
        let paged = format!(
            "includefield=00100021&includefield=00100020&includefield=0020000E\
             &limit={CHUNK_ROWS}&offset={scanned}"
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
            if !seen.insert(key) {
                continue;
            }
            let Some(row) = kept_row(state, level, row, &mut filter).await? else {
                continue;
            };
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
