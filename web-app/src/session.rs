//! Who is using the app, as the gateway in front of it says (`GET /api/session`): a clinician
//! signed in, the recipient of a share link, nobody yet, or no gateway at all (a plain static
//! server: open access, as before sharing). The session is a cookie the browser keeps; the app
//! never sees or stores a session token itself.
//!
//! Also here: the development login, logout, and a share link's token (with its access code)
//! traded for a share session. Errors name the refusal or the status, never the token, the
//! code or anything of the patient.

use gloo::net::http::Response;
use viewer_core::dicom_json::is_uid;

use crate::portal_api::{self, is_json, json_of, refusal, Body, CallError, Json, Value};
use crate::site::Establishment;

/// Who a share link was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Patient,
    Gp,
}

impl Recipient {
    pub fn code(self) -> &'static str {
        match self {
            Recipient::Patient => "patient",
            Recipient::Gp => "gp",
        }
    }

    pub fn from_code(code: &str) -> Option<Recipient> {
        match code {
            "patient" => Some(Recipient::Patient),
            "gp" => Some(Recipient::Gp),
            _ => None,
        }
    }
}

/// What a share link's recipient must give besides the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Six digits, sent apart from the link.
    Code,
    /// The patient's birth date.
    BirthDate,
}

impl CodeKind {
    fn from_code(code: &str) -> Option<CodeKind> {
        match code {
            "code" => Some(CodeKind::Code),
            "birth_date" => Some(CodeKind::BirthDate),
            _ => None,
        }
    }
}

/// A signed-in clinician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinician {
    pub name: String,
    /// Signed in by the development login: no real authentication.
    pub dev: bool,
    pub can_share: bool,
    pub can_audit: bool,
    /// The region's sites they read through (empty when the portal serves one establishment).
    pub sites: Vec<Establishment>,
    /// Why they read no study: `no_site` or `unknown_site` (their token names no site of the
    /// region, or one it does not know).
    pub site_refusal: Option<String>,
    /// All the region's establishments, with their issuers (to label another's study).
    pub region: Vec<Establishment>,
}

/// A share session: one study, until a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareAccess {
    pub study_uid: String,
    pub expires_at_s: i64,
    /// Whom it was made for (a gateway before this field did not say).
    pub recipient: Option<Recipient>,
    /// The sharer's name as they signed in, when the gateway kept it.
    pub shared_by: Option<String>,
    /// When it was shared (seconds since the epoch).
    pub shared_at_s: Option<i64>,
}

impl ShareAccess {
    /// What the gateway says of a share session (`/api/session`, or opening the link).
    fn from_json(body: &Json) -> Option<ShareAccess> {
        Some(ShareAccess {
            study_uid: body.str("study_uid").filter(|u| is_uid(u))?,
            expires_at_s: body.int("expires_at")?,
            recipient: body.str("recipient").and_then(|r| Recipient::from_code(&r)),
            shared_by: body
                .str("shared_by")
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            shared_at_s: body.int("shared_at").filter(|t| *t > 0),
        })
    }
}

/// What `/api/session` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// No gateway in front of the app: open access, no sign-in, no sharing.
    Open,
    Clinician(Clinician),
    Share(ShareAccess),
    /// Nobody signed in; the hospital's identity provider and the development login may be
    /// offered.
    SignedOut {
        dev_login: bool,
        sign_in: bool,
    },
}

/// `GET /api/session`.
pub async fn current() -> Result<Session, CallError> {
    let response = portal_api::get("/api/session").await?;
    match response.status() {
        // A static server answers unknown paths with 404, or with the app's own page.
        404 => Ok(Session::Open),
        200 if !is_json(&response) => Ok(Session::Open),
        200 => {
            let body = json_of(&response)
                .await
                .ok_or(CallError::Body("not JSON"))?;
            session_of(&body).ok_or(CallError::Body("unknown session"))
        }
        401 => {
            let body = json_of(&response).await;
            let flag = |name| body.as_ref().and_then(|b| b.bool(name)).unwrap_or(false);
            Ok(Session::SignedOut {
                dev_login: flag("dev_login"),
                sign_in: flag("sign_in"),
            })
        }
        status => Err(CallError::Status(status)),
    }
}

fn session_of(body: &Json) -> Option<Session> {
    match body.str("kind")?.as_str() {
        "clinician" => Some(Session::Clinician(Clinician {
            name: body.str("name").unwrap_or_default(),
            dev: body.bool("dev").unwrap_or(false),
            can_share: body.bool("can_share").unwrap_or(false),
            can_audit: body.bool("can_audit").unwrap_or(false),
            sites: body
                .get("sites")
                .map(|list| Establishment::list_of(&list.items()))
                .unwrap_or_default(),
            site_refusal: body.str("site_refusal"),
            region: body
                .get("region")
                .map(|list| Establishment::list_of(&list.items()))
                .unwrap_or_default(),
        })),
        "share" => ShareAccess::from_json(body).map(Session::Share),
        _ => None,
    }
}

fn no_content(response: &Response) -> Result<(), CallError> {
    match response.status() {
        200..=299 => Ok(()),
        status => Err(CallError::Status(status)),
    }
}

/// `POST /api/dev-login`: a development session (only offered when the gateway says so), as
/// a clinician of `site` where the portal has sites.
pub async fn dev_login(site: Option<String>) -> Result<(), CallError> {
    let body = match &site {
        Some(id) => Body::new().with("site", Value::Str(id)),
        None => Body::new(),
    };
    no_content(&portal_api::post("/api/dev-login", &body).await?)
}

/// `POST /api/logout`.
pub async fn logout() -> Result<(), CallError> {
    no_content(&portal_api::post("/api/logout", &Body::new()).await?)
}

/// A share link's secret (the part after `#`). Kept in memory only until it is traded for a
/// session; its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ShareToken(String);

impl std::fmt::Debug for ShareToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShareToken(…)")
    }
}

impl ShareToken {
    /// The token of a link's fragment, if it looks like one (URL-safe characters only).
    pub fn from_fragment(fragment: &str) -> Option<ShareToken> {
        let token = fragment.strip_prefix('#').unwrap_or(fragment);
        let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~');
        (!token.is_empty() && token.len() <= 512 && token.chars().all(safe))
            .then(|| ShareToken(token.to_string()))
    }

    /// What a fragment that is no token becomes: it opens nothing, like an unknown link.
    pub fn malformed() -> ShareToken {
        ShareToken(String::new())
    }

    pub fn is_malformed(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a share link does not open (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareRefusal {
    CodeRequired(CodeKind),
    CodeWrong {
        kind: CodeKind,
        attempts_left: Option<u32>,
    },
    Locked,
    TooManyAttempts {
        retry_after_s: u32,
    },
    Expired,
    Revoked,
    Unknown,
}

/// Opening a share link failed: refused by the gateway, or the call itself failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenShareError {
    Refused(ShareRefusal),
    Call(CallError),
}

impl From<CallError> for OpenShareError {
    fn from(e: CallError) -> Self {
        OpenShareError::Call(e)
    }
}

/// `POST /api/share-sessions`: the link's token and the access code if one was asked (six
/// digits, or the birth date as `YYYYMMDD`) for a share session.
pub async fn open_share(
    token: &ShareToken,
    access_code: Option<&str>,
) -> Result<ShareAccess, OpenShareError> {
    let body = Body::new()
        .with("token", Value::Str(&token.0))
        .with("access_code", access_code.map_or(Value::Null, Value::Str));
    let response = portal_api::post("/api/share-sessions", &body).await?;
    let status = response.status();
    if status == 200 {
        let body = json_of(&response)
            .await
            .ok_or(CallError::Body("not JSON"))?;
        return Ok(ShareAccess::from_json(&body).ok_or(CallError::Body("no study or expiry"))?);
    }
    let (error, body) = refusal(&response).await;
    let kind = body
        .as_ref()
        .and_then(|b| b.str("code_kind"))
        .and_then(|k| CodeKind::from_code(&k))
        .unwrap_or(CodeKind::Code);
    let count = |name: &str| {
        body.as_ref()
            .and_then(|b| b.int(name))
            .map(|n| n.clamp(0, i64::from(u32::MAX)) as u32)
    };
    let refused = match (status, error.as_str()) {
        (401, "code_required") => ShareRefusal::CodeRequired(kind),
        (401, "code_wrong") => ShareRefusal::CodeWrong {
            kind,
            attempts_left: count("attempts_left"),
        },
        (423, _) => ShareRefusal::Locked,
        (429, _) => ShareRefusal::TooManyAttempts {
            retry_after_s: count("retry_after_s").unwrap_or(60),
        },
        (410, "revoked") => ShareRefusal::Revoked,
        (410, _) => ShareRefusal::Expired,
        (404, _) => ShareRefusal::Unknown,
        _ => return Err(CallError::Status(status).into()),
    };
    Err(OpenShareError::Refused(refused))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_token_is_read_from_a_fragment_of_url_safe_characters_only() {
        assert!(ShareToken::from_fragment("#abc-DEF_123.~").is_some());
        assert_eq!(
            ShareToken::from_fragment("abc"),
            ShareToken::from_fragment("#abc")
        );
        for bad in ["", "#", "#a b", "#a/b", "#<script>", &"a".repeat(513)] {
            assert_eq!(ShareToken::from_fragment(bad), None, "{bad}");
        }
        assert!(ShareToken::malformed().is_malformed());
    }

    #[test]
    fn a_share_token_never_shows_in_debug_output() {
        let token = ShareToken::from_fragment("#s3cr3t-token").expect("a token");
        assert!(!format!("{token:?}").contains("s3cr3t"));
    }

    #[test]
    fn recipients_read_back_their_codes() {
        for r in [Recipient::Patient, Recipient::Gp] {
            assert_eq!(Recipient::from_code(r.code()), Some(r));
        }
        assert_eq!(Recipient::from_code("admin"), None);
    }
}
