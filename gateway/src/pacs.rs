//! The PACS behind the gateway: requests streamed through (never a whole study in memory),
//! and the few QIDO-RS questions the gateway asks itself (whose study is this, is this series
//! in that study).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, Method, Response, StatusCode};
use dicom_core::Tag;
use futures_util::StreamExt;
use viewer_core::dicom_json::JsonDataset;

/// Request headers passed to the PACS; everything else (cookies, the client's
/// `Authorization`) stays at the gateway.
const REQUEST_HEADERS: &[HeaderName] = &[
    header::ACCEPT,
    header::RANGE,
    header::IF_NONE_MATCH,
    header::IF_MODIFIED_SINCE,
];

/// Passed only with a body (STOW-RS): on a GET they would announce bytes that never come.
const BODY_HEADERS: &[HeaderName] = &[header::CONTENT_TYPE, header::CONTENT_LENGTH];

/// Answer headers passed back; `Set-Cookie`, `WWW-Authenticate`, `Server`… are not.
const RESPONSE_HEADERS: &[HeaderName] = &[
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::CONTENT_RANGE,
    header::ACCEPT_RANGES,
    header::ETAG,
    header::LAST_MODIFIED,
    header::WARNING,
];

/// How long a "this series is in this study" answer is trusted.
const MEMBERSHIP_TTL: Duration = Duration::from_secs(600);

/// The identity attributes of a study, for shares and the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyIdentity {
    pub patient_id: String,
    /// `YYYYMMDD`, empty when the PACS has none.
    pub birth_date: String,
}

/// Whose a study is: the local patient ID and the domain it is issued in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyPatient {
    /// Issuer of Patient ID (0010,0021); `None` when absent or blank.
    pub issuer: Option<String>,
    /// Patient ID (0010,0020), empty when absent.
    pub patient_id: String,
}

impl StudyPatient {
    /// From a study's QIDO-RS row (with 0010,0021 asked for).
    pub fn of_row(row: &JsonDataset) -> StudyPatient {
        StudyPatient {
            issuer: row
                .string(Tag(0x0010, 0x0021))
                .filter(|i| !i.trim().is_empty()),
            patient_id: row.string(Tag(0x0010, 0x0020)).unwrap_or_default(),
        }
    }
}

/// The PACS could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum PacsError {
    #[error("the PACS does not answer ({0})")]
    Unreachable(String),
    #[error("the PACS answered HTTP {0}")]
    Status(u16),
    #[error("the PACS's answer is not DICOM JSON")]
    Body,
}

pub struct Pacs {
    http: reqwest::Client,
    root: String,
    origin: url::Origin,
    wado_uri: Option<String>,
    basic_auth: Option<(String, String)>,
    members: Mutex<HashMap<String, Instant>>,
    /// Whose each study is, as last read.
    patients: Mutex<HashMap<String, (StudyPatient, Instant)>>,
}

impl Pacs {
    pub fn new(
        http: reqwest::Client,
        root: &url::Url,
        wado_uri: Option<&url::Url>,
        basic_auth: Option<&str>,
    ) -> Self {
        Pacs {
            http,
            root: root.as_str().trim_end_matches('/').to_string(),
            origin: root.origin(),
            wado_uri: wado_uri.map(|u| u.as_str().to_string()),
            basic_auth: basic_auth.and_then(|a| {
                let (user, password) = a.split_once(':')?;
                Some((user.to_string(), password.to_string()))
            }),
            members: Mutex::new(HashMap::new()),
            patients: Mutex::new(HashMap::new()),
        }
    }

    /// The DICOMweb root, without a trailing slash (never shown to a client).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The PACS's scheme, host and port.
    pub fn origin(&self) -> &url::Origin {
        &self.origin
    }

    /// The upstream URL of a path under the DICOMweb root.
    pub fn dicomweb_url(&self, path: &str, query: Option<&str>) -> String {
        match query {
            Some(q) if !q.is_empty() => format!("{}/{path}?{q}", self.root),
            _ => format!("{}/{path}", self.root),
        }
    }

    pub fn wado_uri_url(&self, query: Option<&str>) -> Option<String> {
        let base = self.wado_uri.as_ref()?;
        Some(match query {
            Some(q) => format!("{base}?{q}"),
            None => base.clone(),
        })
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, url);
        match &self.basic_auth {
            Some((user, password)) => builder.basic_auth(user, Some(password)),
            None => builder,
        }
    }

    /// Sends a request to the PACS. A GET or HEAD that failed before any answer (typically a
    /// kept-alive connection the PACS closed just as it was reused: Orthanc closes them after
    /// one idle second) is sent once more; a timeout or a request with a body is not.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let request = request.build()?;
        let idempotent = matches!(
            *request.method(),
            reqwest::Method::GET | reqwest::Method::HEAD
        );
        let again = if idempotent {
            request.try_clone()
        } else {
            None
        };
        match (self.http.execute(request).await, again) {
            (Err(e), Some(again)) if !e.is_timeout() => {
                tracing::info!("PACS request failed, sent once more: {}", causes(e));
                self.http.execute(again).await
            }
            (answer, _) => answer,
        }
    }

    /// Sends a request to the PACS and streams its answer back; `turn` (the reader's share of
    /// the PACS) is held until the answer has been streamed.
    pub async fn forward(
        &self,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Body,
        turn: Option<crate::readers::Turn>,
    ) -> Response<Body> {
        let method = match method {
            Method::GET => reqwest::Method::GET,
            Method::HEAD => reqwest::Method::HEAD,
            Method::POST => reqwest::Method::POST,
            _ => return status(StatusCode::METHOD_NOT_ALLOWED),
        };
        let sends_body = method == reqwest::Method::POST;
        let mut request = self.request(method, url);
        let passed = REQUEST_HEADERS
            .iter()
            .chain(BODY_HEADERS.iter().filter(|_| sends_body));
        for name in passed {
            if let Some(value) = headers.get(name) {
                request = request.header(name.as_str(), value.as_bytes());
            }
        }
        if sends_body {
            request = request.body(reqwest::Body::wrap_stream(body.into_data_stream()));
        }
        let upstream = match self.send(request).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("PACS unreachable: {}", causes(e));
                return status(StatusCode::BAD_GATEWAY);
            }
        };
        let code = upstream.status().as_u16();
        // The PACS refusing the gateway's own credentials is a set-up fault, not the
        // reader's: never forward its authentication challenge to the browser.
        if code == 401 || code == 403 {
            tracing::error!("the PACS refused the gateway's credentials (HTTP {code})");
            return status(StatusCode::BAD_GATEWAY);
        }
        let mut response = Response::builder()
            .status(StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY));
        for name in RESPONSE_HEADERS {
            if let Some(value) = upstream.headers().get(name.as_str()) {
                response = response.header(name, value.as_bytes());
            }
        }
        response
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from_stream(upstream.bytes_stream().map(
                move |chunk| {
                    let _held = &turn;
                    chunk
                },
            )))
            .unwrap_or_else(|_| status(StatusCode::BAD_GATEWAY))
    }

    pub async fn search(&self, path: &str, query: &str) -> Result<Vec<JsonDataset>, PacsError> {
        let url = self.dicomweb_url(path, Some(query));
        let request = self
            .request(reqwest::Method::GET, &url)
            .header("Accept", "application/dicom+json")
            .timeout(Duration::from_secs(30));
        let response = self
            .send(request)
            .await
            .map_err(|e| PacsError::Unreachable(causes(e)))?;
        match response.status().as_u16() {
            204 => return Ok(Vec::new()),
            200 => {}
            other => return Err(PacsError::Status(other)),
        }
        let text = response.text().await.map_err(|_| PacsError::Body)?;
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        JsonDataset::parse_array(&text).map_err(|_| PacsError::Body)
    }

    /// The patient of a study, or `None` when the PACS does not have it.
    pub async fn study_identity(&self, study: &str) -> Result<Option<StudyIdentity>, PacsError> {
        let query = format!("StudyInstanceUID={study}&includefield=00100020&includefield=00100030");
        let found = self.search("studies", &query).await?;
        // A server that ignores the filter must not make us attribute another study.
        let matching = found
            .iter()
            .find(|d| d.string(Tag(0x0020, 0x000D)).as_deref() == Some(study));
        Ok(matching.map(|d| StudyIdentity {
            patient_id: d.string(Tag(0x0010, 0x0020)).unwrap_or_default(),
            birth_date: d.string(Tag(0x0010, 0x0030)).unwrap_or_default(),
        }))
    }

    /// Whose a study is: its Issuer of Patient ID (0010,0021) and Patient ID, or `None` when
    /// the PACS does not have the study. Trusted for [`MEMBERSHIP_TTL`].
    pub async fn study_patient(&self, study: &str) -> Result<Option<StudyPatient>, PacsError> {
        if let Ok(known) = self.patients.lock() {
            if let Some((patient, at)) = known.get(study) {
                if at.elapsed() < MEMBERSHIP_TTL {
                    return Ok(Some(patient.clone()));
                }
            }
        }
        let query = format!("StudyInstanceUID={study}&includefield=00100021&includefield=00100020");
        let found = self.search("studies", &query).await?;
        let Some(row) = found
            .iter()
            .find(|d| d.string(Tag(0x0020, 0x000D)).as_deref() == Some(study))
        else {
            return Ok(None);
        };
        let patient = StudyPatient::of_row(row);
        self.remember_patient(study, patient.clone());
        Ok(Some(patient))
    }

    /// One instance's whole dataset of `study` (what its patient module says, sequences
    /// included), or `None` when the PACS does not have the study.
    pub async fn study_instance_dataset(
        &self,
        study: &str,
    ) -> Result<Option<JsonDataset>, PacsError> {
        let found = self
            .search(&format!("studies/{study}/instances"), "limit=1")
            .await?;
        let Some(row) = found.first() else {
            return Ok(None);
        };
        let uid = |tag| {
            row.string(tag)
                .filter(|u| viewer_core::dicom_json::is_uid(u))
        };
        let (Some(series), Some(instance)) = (uid(Tag(0x0020, 0x000E)), uid(Tag(0x0008, 0x0018)))
        else {
            return Err(PacsError::Body);
        };
        let path = format!("studies/{study}/series/{series}/instances/{instance}/metadata");
        Ok(self.search(&path, "").await?.into_iter().next())
    }

    /// Keeps whose a study is, as read from a search's answer.
    pub fn remember_patient(&self, study: &str, patient: StudyPatient) {
        if let Ok(mut known) = self.patients.lock() {
            if known.len() > 100_000 {
                known.clear();
            }
            known.insert(study.to_string(), (patient, Instant::now()));
        }
    }

    /// Whether `series` (and `instance`) belong to `study`, by the PACS's own QIDO-RS index.
    pub async fn contains(
        &self,
        study: &str,
        series: Option<&str>,
        instance: Option<&str>,
    ) -> Result<bool, PacsError> {
        let key = format!(
            "{study}/{}/{}",
            series.unwrap_or(""),
            instance.unwrap_or("")
        );
        if let Ok(members) = self.members.lock() {
            if members
                .get(&key)
                .is_some_and(|t| t.elapsed() < MEMBERSHIP_TTL)
            {
                return Ok(true);
            }
        }
        let (path, query, uid_tag, uid) = match (series, instance) {
            (Some(se), Some(i)) => (
                format!("studies/{study}/series/{se}/instances"),
                format!("SOPInstanceUID={i}"),
                Tag(0x0008, 0x0018),
                i,
            ),
            (Some(se), None) => (
                format!("studies/{study}/series"),
                format!("SeriesInstanceUID={se}"),
                Tag(0x0020, 0x000E),
                se,
            ),
            (None, Some(i)) => (
                format!("studies/{study}/instances"),
                format!("SOPInstanceUID={i}"),
                Tag(0x0008, 0x0018),
                i,
            ),
            (None, None) => return Ok(true),
        };
        let found = self.search(&path, &query).await?;
        let member = found
            .iter()
            .any(|d| d.string(uid_tag).as_deref() == Some(uid));
        if member {
            if let Ok(mut members) = self.members.lock() {
                if members.len() > 100_000 {
                    members.clear();
                }
                members.insert(key, Instant::now());
            }
        }
        Ok(member)
    }
}

/// An empty answer with a status.
/// An HTTP client error and its causes, without the URL (it names studies).
fn causes(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}
