//! The DICOMweb client: QIDO-RS searches, WADO-RS metadata and frames.
//!
//! Requests go only to the DICOMweb root of the page's own origin (`/dicom-web`), which the
//! server in front of the app proxies to the PACS. URLs found in metadata (RetrieveURL,
//! BulkDataURI) are never followed, so credentials cannot leak to an origin they name.

use gloo::net::http::{Request, Response};
use viewer_core::dicom_json::{bulk_data_path, is_uid, JsonDataset};
use viewer_core::multipart::{parse_multipart, Part};
use web_sys::AbortSignal;

/// The DICOMweb root on this origin.
pub(crate) const ROOT: &str = "/dicom-web";

/// The transfer syntax a server means by `application/octet-stream` without a parameter.
pub const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";

/// What went wrong with a request. Messages carry the status and the kind of failure, never
/// identifiers of the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Network(String),
    Status(u16),
    /// A UID from a link or from the server is not a UID; it is not put into a URL.
    InvalidUid,
    Body(String),
    /// The instance, fetched whole, has no Pixel Data.
    NoPixelData,
    /// The instance, fetched whole, cannot give the frame (the reason, without patient data).
    Instance(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Network(m) => write!(f, "network error ({m})"),
            ApiError::Status(s) => write!(f, "HTTP {s}"),
            ApiError::InvalidUid => write!(f, "malformed UID"),
            ApiError::Body(m) => write!(f, "unreadable answer ({m})"),
            ApiError::NoPixelData => write!(f, "the instance has no pixel data"),
            ApiError::Instance(m) => write!(f, "the instance fetched whole: {m}"),
        }
    }
}

pub(crate) async fn get(
    url: &str,
    accept: &str,
    signal: Option<&AbortSignal>,
) -> Result<Response, ApiError> {
    // Asked by the page's early script while the app loaded; a refusal is asked again, so
    // that it takes the usual way below.
    if let Some(early) = crate::early::take_response(url).await {
        if early.ok() {
            return Ok(Response::from(early));
        }
    }
    let response = Request::get(url)
        .header("Accept", accept)
        .abort_signal(signal)
        .send()
        .await
        .map_err(|e| ApiError::Network(short(&e.to_string())))?;
    if !response.ok() {
        // The gateway refused the session (ended, expired, revoked): the app asks again.
        if response.status() == 401 {
            crate::access::session_refused();
        }
        return Err(ApiError::Status(response.status()));
    }
    Ok(response)
}

/// Checks UIDs before they become path or query components.
fn checked<const N: usize>(uids: [&str; N]) -> Result<[&str; N], ApiError> {
    if uids.iter().all(|u| is_uid(u)) {
        Ok(uids)
    } else {
        Err(ApiError::InvalidUid)
    }
}

fn short(message: &str) -> String {
    message.chars().take(120).collect()
}

async fn get_json(url: &str, signal: Option<&AbortSignal>) -> Result<Vec<JsonDataset>, ApiError> {
    let response = get(url, "application/dicom+json", signal).await?;
    // 204 No Content is an empty result.
    if response.status() == 204 {
        return Ok(Vec::new());
    }
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Body(short(&e.to_string())))?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    JsonDataset::parse_array(&text).map_err(|e| ApiError::Body(e.to_string()))
}

/// QIDO-RS: studies matching `query`, a query string built by `viewer_core` (the study list's
/// search, an IID link) from checked and encoded values.
pub async fn search_studies_matching(
    query: &str,
    signal: Option<&AbortSignal>,
) -> Result<Vec<JsonDataset>, ApiError> {
    get_json(&format!("{ROOT}/studies?{query}"), signal).await
}

/// QIDO-RS: one study, to show who it belongs to.
pub async fn find_study(
    study: &str,
    signal: Option<&AbortSignal>,
) -> Result<Option<JsonDataset>, ApiError> {
    let [study] = checked([study])?;
    let url = format!(
        "{ROOT}/studies?StudyInstanceUID={study}&includefield=00081030&includefield=00080061\
         &includefield=00100030&includefield=00100040"
    );
    Ok(get_json(&url, signal).await?.into_iter().next())
}

/// QIDO-RS: the series of a study.
pub async fn search_series(
    study: &str,
    signal: Option<&AbortSignal>,
) -> Result<Vec<JsonDataset>, ApiError> {
    let [study] = checked([study])?;
    let url = format!("{ROOT}/studies/{study}/series?includefield=0008103E");
    get_json(&url, signal).await
}

/// The attributes a thumbnail needs: identity, order, pixel module, grey-level transforms.
const THUMBNAIL_FIELDS: &[&str] = &[
    "00080016", "00080060", "00200013", "00200032", "00200037", "00280002", "00280004", "00280006",
    "00280008", "00280010", "00280011", "00280030", "00280100", "00280101", "00280102", "00280103",
    "00281050", "00281051", "00281052", "00281053", "00281056", "00181164", "20500020",
];

/// QIDO-RS: the instances of a series with what it takes to draw one as a thumbnail (much
/// lighter than the series' WADO-RS metadata).
pub async fn series_instances_for_thumbnail(
    study: &str,
    series: &str,
    signal: Option<&AbortSignal>,
) -> Result<Vec<JsonDataset>, ApiError> {
    let [study, series] = checked([study, series])?;
    let fields: String = THUMBNAIL_FIELDS
        .iter()
        .map(|t| format!("&includefield={t}"))
        .collect();
    let url = format!(
        "{ROOT}/studies/{study}/series/{series}/instances?{}",
        &fields[1..]
    );
    get_json(&url, signal).await
}

/// The patient name as one instance of `study` holds it (WADO-RS metadata of one instance):
/// for a list row whose name the server's index lost (Orthanc 1.10 answers `^` for names in
/// ISO 2022 character sets).
pub async fn patient_name_from_files(
    study: &str,
    signal: Option<&AbortSignal>,
) -> Result<Option<String>, ApiError> {
    let [study] = checked([study])?;
    let first = get_json(&format!("{ROOT}/studies/{study}/instances?limit=1"), signal).await?;
    let Some(instance) = first.first() else {
        return Ok(None);
    };
    let uid = |tag| instance.string(tag).filter(|u| is_uid(u));
    let (Some(series), Some(sop)) = (
        uid(viewer_core::tags::SERIES_INSTANCE_UID),
        uid(viewer_core::tags::SOP_INSTANCE_UID),
    ) else {
        return Ok(None);
    };
    let url = format!("{ROOT}/studies/{study}/series/{series}/instances/{sop}/metadata");
    Ok(get_json(&url, signal)
        .await?
        .first()
        .and_then(|ds| ds.person_name(viewer_core::tags::PATIENT_NAME)))
}

/// QIDO-RS: the series of `study` holding instance `sop`, if the server has it.
pub async fn find_instance_series(
    study: &str,
    sop: &str,
    signal: Option<&AbortSignal>,
) -> Result<Option<String>, ApiError> {
    let [study, sop] = checked([study, sop])?;
    let url = format!("{ROOT}/studies/{study}/instances?SOPInstanceUID={sop}");
    Ok(get_json(&url, signal)
        .await?
        .first()
        .and_then(|ds| ds.string(viewer_core::tags::SERIES_INSTANCE_UID))
        .filter(|uid| is_uid(uid)))
}

/// WADO-RS: the metadata of every instance of a series.
pub async fn series_metadata(
    study: &str,
    series: &str,
    signal: Option<&AbortSignal>,
) -> Result<Vec<JsonDataset>, ApiError> {
    let [study, series] = checked([study, series])?;
    let url = format!("{ROOT}/studies/{study}/series/{series}/metadata");
    get_json(&url, signal).await
}

thread_local! {
    /// Series whose frames the server refused in their stored syntax (`transfer-syntax=*`) but
    /// sent in its default one: Orthanc 1.10 does so for HTJ2K, big endian and deflated files.
    static REFUSED_STORED: std::cell::RefCell<std::collections::HashSet<String>> =
        Default::default();
}

fn refuses_stored_syntax(series: &str) -> bool {
    REFUSED_STORED.with(|r| r.borrow().contains(series))
}

/// A frame's answer while it arrives.
pub struct Arriving<'a> {
    /// The answer's `Content-Type` (which carries the multipart boundary).
    pub content_type: &'a str,
    /// The answer's body so far.
    pub body: &'a [u8],
    /// The body's whole length, when the server said it.
    pub total: Option<usize>,
}

impl Arriving<'_> {
    /// The frame's part so far, once its headers are in.
    pub fn first_part(&self) -> Option<Part> {
        viewer_core::multipart::first_part_so_far(self.content_type, self.body)
    }
}

/// Bodies larger than this are not reserved at once from their announced length (it is read
/// from the network, not trusted).
const MAX_RESERVED_BYTES: usize = 64 * 1024 * 1024;

/// One frame as the server sent it: the bytes and the transfer syntax of its label.
pub struct FrameBytes {
    pub transfer_syntax_uid: String,
    pub bytes: Vec<u8>,
}

/// WADO-RS: frame `number` (1-based) of an instance, in the syntax it is stored in when the
/// server can send it so (`transfer-syntax=*`); otherwise as the server's default
/// (uncompressed), which some servers can only give for big-endian or deflated files.
/// `watch` sees the answer while it arrives.
pub async fn frame(
    study: &str,
    series: &str,
    instance: &str,
    number: u32,
    signal: Option<&AbortSignal>,
    watch: Option<&dyn Fn(&Arriving<'_>)>,
) -> Result<FrameBytes, ApiError> {
    let [study, series, instance] = checked([study, series, instance])?;
    let url =
        format!("{ROOT}/studies/{study}/series/{series}/instances/{instance}/frames/{number}");
    let stored = r#"multipart/related; type="application/octet-stream"; transfer-syntax=*"#;
    let plain = r#"multipart/related; type="application/octet-stream""#;
    let refused = |e: &ApiError| matches!(e, ApiError::Status(400 | 406 | 415 | 500 | 501));
    let answer = if refuses_stored_syntax(series) {
        get(&url, plain, signal).await
    } else {
        match get(&url, stored, signal).await {
            Err(e) if refused(&e) => {
                let answer = get(&url, plain, signal).await;
                // Series are stored in one syntax as a rule: ask the next frames the way that
                // worked instead of failing once per frame.
                REFUSED_STORED.with(|r| r.borrow_mut().insert(series.to_string()));
                answer
            }
            other => other,
        }
    };
    let response = match answer {
        // The server cannot cut this frame out (Orthanc 1.10: "Bad file format" for some
        // files it stores, or an image without pixel data): the file, read here.
        Err(e) if refused(&e) || e == ApiError::Status(404) => {
            return crate::whole_instance::frame(study, series, instance, number, signal).await
        }
        other => other?,
    };
    let (part, bytes) = first_part(response, watch).await?;
    Ok(FrameBytes {
        transfer_syntax_uid: part
            .transfer_syntax
            .unwrap_or_else(|| EXPLICIT_VR_LE.to_string()),
        bytes,
    })
}

/// The first part of a `multipart/related` answer: its headers and its content.
pub(crate) async fn first_part(
    response: Response,
    watch: Option<&dyn Fn(&Arriving<'_>)>,
) -> Result<(Part, Vec<u8>), ApiError> {
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let mut body = match (watch, response.body()) {
        (Some(watch), Some(stream)) => {
            let total = response
                .headers()
                .get("content-length")
                .and_then(|v| v.trim().parse::<usize>().ok());
            read_watched(stream, &content_type, total, watch).await?
        }
        _ => response
            .binary()
            .await
            .map_err(|e| ApiError::Body(short(&e.to_string())))?,
    };
    let part = parse_multipart(&content_type, &body)
        .map_err(|e| ApiError::Body(e.to_string()))?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Body("no part in the answer".into()))?;
    body.truncate(part.content.end);
    body.drain(..part.content.start);
    Ok((part, body))
}

/// Reads a body chunk by chunk, showing `watch` what came after each.
async fn read_watched(
    stream: web_sys::ReadableStream,
    content_type: &str,
    total: Option<usize>,
    watch: &dyn Fn(&Arriving<'_>),
) -> Result<Vec<u8>, ApiError> {
    use wasm_bindgen::JsCast;
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut body = Vec::with_capacity(total.unwrap_or(0).min(MAX_RESERVED_BYTES));
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|e| ApiError::Network(short(&format!("{e:?}"))))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(body);
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
            .ok_or_else(|| ApiError::Body("a chunk that is not bytes".into()))?;
        let at = body.len();
        body.resize(at + value.length() as usize, 0);
        value.copy_to(&mut body[at..]);
        watch(&Arriving {
            content_type,
            body: &body,
            total,
        });
    }
}

/// WADO-RS bulk data of an instance, from the BulkDataURI the server gave in its metadata.
/// Only the path under `studies/{study}/series/{series}/instances/{instance}/` is kept and
/// asked of this origin's DICOMweb root; any other URI is refused.
pub async fn bulk_data(
    study: &str,
    series: &str,
    instance: &str,
    uri: &str,
    signal: Option<&AbortSignal>,
) -> Result<Vec<u8>, ApiError> {
    let [study, series, instance] = checked([study, series, instance])?;
    let path = bulk_data_path(uri, study, series, instance).ok_or(ApiError::InvalidUid)?;
    let url = format!("{ROOT}/{path}");
    let response = get(
        &url,
        r#"multipart/related; type="application/octet-stream""#,
        signal,
    )
    .await?;
    Ok(first_part(response, None).await?.1)
}

/// STOW-RS (PS3.18 10.5): stores Part 10 files in `study`, one part each. The answer's
/// Failed SOP Sequence (a 200 with failures, 202, 409) counts as a refusal.
pub async fn store_instances(study: &str, files: &[Vec<u8>]) -> Result<(), ApiError> {
    let [study] = checked([study])?;
    let boundary = format!("stow-{:016x}", (js_sys::Math::random() * 1e16) as u64);
    let mut body = Vec::new();
    for file in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: application/dicom\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let response = Request::post(&format!("{ROOT}/studies/{study}"))
        .header("Accept", "application/dicom+json")
        .header(
            "Content-Type",
            &format!("multipart/related; type=\"application/dicom\"; boundary={boundary}"),
        )
        .body(js_sys::Uint8Array::from(body.as_slice()))
        .map_err(|e| ApiError::Network(short(&e.to_string())))?
        .send()
        .await
        .map_err(|e| ApiError::Network(short(&e.to_string())))?;
    if response.status() == 401 {
        crate::access::session_refused();
    }
    if !response.ok() || response.status() == 202 {
        return Err(ApiError::Status(response.status()));
    }
    let text = response.text().await.unwrap_or_default();
    let failed = JsonDataset::parse_array(&format!("[{text}]"))
        .ok()
        .and_then(|answer| answer.into_iter().next())
        .is_some_and(|a| !a.items(viewer_core::tags::FAILED_SOP_SEQUENCE).is_empty());
    if failed {
        return Err(ApiError::Body("stored with failures".into()));
    }
    Ok(())
}
