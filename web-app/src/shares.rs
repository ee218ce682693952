//! A study's share links, made by a clinician with the patient's consent (`/api/shares`):
//! created, listed with their state and use, revoked. The link's token and its access code
//! come back once, at creation; they are shown to the clinician and kept nowhere else.

use viewer_core::dicom_json::is_uid;

use crate::clock::now_s;
use crate::portal_api::{self, json_of, refusal, Body, CallError, Json, Value};
use crate::session::Recipient;

/// What the recipient must give besides the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessCode {
    None,
    /// Six digits, made by the gateway, sent apart from the link.
    Code,
    /// The patient's birth date, as the study holds it.
    BirthDate,
}

impl AccessCode {
    pub fn code(self) -> &'static str {
        match self {
            AccessCode::None => "none",
            AccessCode::Code => "code",
            AccessCode::BirthDate => "birth_date",
        }
    }

    pub fn from_code(code: &str) -> Option<AccessCode> {
        match code {
            "none" => Some(AccessCode::None),
            "code" => Some(AccessCode::Code),
            "birth_date" => Some(AccessCode::BirthDate),
            _ => None,
        }
    }
}

/// How the patient's consent to the share was given, as the clinician records it. (No
/// `Debug`: a representative's name is not for logs.)
#[derive(Clone, PartialEq, Eq)]
pub struct Consent {
    /// `None`: by the patient; otherwise by this representative.
    pub representative: Option<String>,
    /// `oral`, `written` or `electronic`.
    pub method: &'static str,
    pub given_at_s: i64,
}

/// A share to create.
#[derive(Clone, PartialEq, Eq)]
pub struct NewShare {
    pub study_uid: String,
    pub recipient: Recipient,
    pub expires_in_days: u32,
    pub access_code: AccessCode,
    pub consent: Consent,
}

/// Validity limits in days (the gateway checks them too).
pub const MIN_DAYS: u32 = 1;
pub const MAX_DAYS: u32 = 90;

/// A share just made: the link (a path on this origin) and the six-digit code, if any. (No
/// `Debug`: the link holds the token.)
#[derive(Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub link: String,
    pub access_code: Option<String>,
    pub expires_at_s: i64,
}

/// Why a share was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateError {
    /// A value the gateway refused: the field's name.
    Invalid(String),
    Forbidden,
    UnknownStudy,
    /// A birth-date code for a study without the patient's birth date.
    NoBirthDate,
    Call(CallError),
}

/// `POST /api/shares`.
pub async fn create(share: &NewShare) -> Result<Created, CreateError> {
    if !is_uid(&share.study_uid) {
        return Err(CreateError::UnknownStudy);
    }
    let consent = Body::new()
        .with(
            "given_by",
            Value::Str(match share.consent.representative {
                None => "patient",
                Some(_) => "representative",
            }),
        )
        .with(
            "representative_name",
            share
                .consent
                .representative
                .as_deref()
                .map_or(Value::Null, Value::Str),
        )
        .with("method", Value::Str(share.consent.method))
        .with("given_at", Value::Number(share.consent.given_at_s as f64));
    let body = Body::new()
        .with("study_uid", Value::Str(&share.study_uid))
        .with("recipient", Value::Str(share.recipient.code()))
        .with(
            "expires_in_days",
            Value::Number(f64::from(share.expires_in_days)),
        )
        .with("access_code", Value::Str(share.access_code.code()))
        .with("consent", Value::Object(consent));
    let response = portal_api::post("/api/shares", &body)
        .await
        .map_err(CreateError::Call)?;
    match response.status() {
        200 | 201 => {
            let body = json_of(&response)
                .await
                .ok_or(CreateError::Call(CallError::Body("not JSON")))?;
            created_of(&body).ok_or(CreateError::Call(CallError::Body("no link")))
        }
        400 => {
            let (_, body) = refusal(&response).await;
            // A field name of the contract; anything else is not shown.
            let field = body
                .and_then(|b| b.str("field"))
                .filter(|f| {
                    f.len() <= 40
                        && f.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                })
                .unwrap_or_default();
            Err(CreateError::Invalid(field))
        }
        403 => Err(CreateError::Forbidden),
        404 => Err(CreateError::UnknownStudy),
        422 => Err(CreateError::NoBirthDate),
        status => Err(CreateError::Call(CallError::Status(status))),
    }
}

/// Six ASCII digits: what an access code is (anything else from the server is not shown).
pub fn is_access_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

fn created_of(body: &Json) -> Option<Created> {
    // A path on this origin, never another origin's URL.
    let link = body
        .str("link")
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))?;
    Some(Created {
        id: body.str("id")?,
        link,
        access_code: body.str("access_code").filter(|c| is_access_code(c)),
        expires_at_s: body.int("expires_at")?,
    })
}

/// A share as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub id: String,
    pub recipient: Option<Recipient>,
    pub created_at_s: i64,
    /// The sharer's name as they signed in (empty for shares made before it was kept: the
    /// audit trail's technical identifier is never shown).
    pub created_by: String,
    pub expires_at_s: i64,
    pub revoked_at_s: Option<i64>,
    pub access_code: Option<AccessCode>,
    pub locked: bool,
    pub uses: u32,
}

/// A share's state now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareState {
    Active,
    Expired,
    Revoked,
    /// Too many wrong codes: the gateway no longer opens it.
    Locked,
}

impl Share {
    pub fn state(&self) -> ShareState {
        if self.revoked_at_s.is_some() {
            ShareState::Revoked
        } else if self.expires_at_s <= now_s() {
            ShareState::Expired
        } else if self.locked {
            ShareState::Locked
        } else {
            ShareState::Active
        }
    }
}

impl ShareState {
    pub fn code(self) -> &'static str {
        match self {
            ShareState::Active => "active",
            ShareState::Expired => "expired",
            ShareState::Revoked => "revoked",
            ShareState::Locked => "locked",
        }
    }
}

fn share_of(item: &Json) -> Option<Share> {
    Some(Share {
        id: item.str("id")?,
        recipient: item.str("recipient").and_then(|r| Recipient::from_code(&r)),
        created_at_s: item.int("created_at")?,
        created_by: item.str("created_by_name").unwrap_or_default(),
        expires_at_s: item.int("expires_at")?,
        revoked_at_s: item.int("revoked_at"),
        access_code: item
            .str("access_code")
            .and_then(|c| AccessCode::from_code(&c)),
        locked: item.bool("locked").unwrap_or(false),
        uses: item
            .int("uses")
            .map_or(0, |n| n.clamp(0, i64::from(u32::MAX)) as u32),
    })
}

/// `GET /api/shares?study_uid=…`: the study's shares, newest first.
pub async fn list(study_uid: &str) -> Result<Vec<Share>, CallError> {
    if !is_uid(study_uid) {
        return Err(CallError::Body("malformed UID"));
    }
    let response = portal_api::get(&format!("/api/shares?study_uid={study_uid}")).await?;
    if response.status() != 200 {
        return Err(CallError::Status(response.status()));
    }
    let body = json_of(&response)
        .await
        .ok_or(CallError::Body("not JSON"))?;
    let mut shares: Vec<Share> = body.items().iter().filter_map(share_of).collect();
    shares.sort_by_key(|s| std::cmp::Reverse(s.created_at_s));
    Ok(shares)
}

/// `POST /api/shares/{id}/revoke`.
pub async fn revoke(id: &str) -> Result<(), CallError> {
    let id = crate::route::encode(id);
    let response = portal_api::post(&format!("/api/shares/{id}/revoke"), &Body::new()).await?;
    match response.status() {
        200..=299 => Ok(()),
        status => Err(CallError::Status(status)),
    }
}

/// `POST /api/shares/{id}/code`: a new six-digit code for a share opened by a code (the old
/// one stops working, a locked share opens again), shown this once.
pub async fn new_code(id: &str) -> Result<String, CallError> {
    let id = crate::route::encode(id);
    let response = portal_api::post(&format!("/api/shares/{id}/code"), &Body::new()).await?;
    if response.status() != 200 {
        return Err(CallError::Status(response.status()));
    }
    let body = json_of(&response)
        .await
        .ok_or(CallError::Body("not JSON"))?;
    body.str("access_code")
        .filter(|c| is_access_code(c))
        .ok_or(CallError::Body("no access code"))
}
