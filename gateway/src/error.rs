//! Every refusal the gateway gives, as one type: each variant names a refusal and maps to
//! exactly one status and error code (`{"error": "<code>"}`, plus the fields a client needs to
//! act on it); DICOMweb refusals have no body, like a PACS's own.
//!
//! The texts here are fixed phrases: no request data, no patient data, no token. A database
//! failure is logged once, when it becomes an answer, and its text never reaches the client.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Nobody, or a refused bearer token; says which ways in this gateway offers.
    #[error("not signed in")]
    Unauthenticated { dev_login: bool, sign_in: bool },
    #[error("not allowed to this principal")]
    Forbidden,
    #[error("a state change not from this origin")]
    CrossOrigin,
    #[error("no such route")]
    NotFound,
    #[error("the request cannot be read")]
    Invalid,
    #[error("the request's field {0} cannot be accepted")]
    InvalidField(&'static str),
    #[error("the PACS does not have the study")]
    UnknownStudy,
    #[error("the study has no usable birth date")]
    NoBirthDate,
    #[error("the PACS did not answer")]
    PacsUnavailable,
    #[error(transparent)]
    StoreUnavailable(#[from] StoreError),
    #[error("no such share")]
    UnknownShare,
    #[error("the share was revoked")]
    Revoked,
    #[error("the share has expired")]
    Expired,
    #[error("the share is locked")]
    Locked,
    #[error("the share needs its access code")]
    CodeRequired { code_kind: String },
    #[error("wrong access code")]
    CodeWrong {
        code_kind: String,
        attempts_left: i64,
    },
    #[error("access code attempts too close together")]
    TooManyAttempts { retry_after_s: i64 },
    #[error("browser sign-in is not configured")]
    SignInNotConfigured,
    #[error("the issuer did not answer")]
    IssuerUnavailable,
    /// A sign-in that did not finish; the sign-in cookie is removed with the answer.
    #[error("sign-in failed")]
    SignInFailed { clear_cookie: HeaderValue },
    /// DICOMweb: a path outside the archive or outside a share, answered as a missing
    /// resource would be.
    #[error("no such DICOMweb resource")]
    NoResource,
    /// DICOMweb: a method this principal may not use on this path.
    #[error("method not allowed here")]
    MethodNotAllowed,
    /// DICOMweb: the PACS could not say whether a series or instance is in the study.
    #[error("membership unknown: the PACS did not answer")]
    MembershipUnknown,
    /// A clinician whose token names no site, where the portal serves several.
    #[error("the clinician belongs to no site")]
    NoSite,
    /// A clinician whose token names a site the portal does not know.
    #[error("the clinician's site is unknown here")]
    UnknownSite,
    /// A store into a study, or of an instance, that the clinician's sites do not own.
    #[error("storing outside the clinician's sites")]
    StoreOutsideSite,
    /// An emergency access asked for a study a rule already lets the clinician read.
    #[error("no emergency access is needed")]
    NotNeeded,
    /// A request body larger than the gateway reads.
    #[error("the request is too large")]
    TooLarge,
    /// The server was started without peer addresses (a wiring bug, never a client's).
    #[error("the peer's address is unknown")]
    NoPeerAddress,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Unauthenticated { .. } | CodeRequired { .. } | CodeWrong { .. } => {
                StatusCode::UNAUTHORIZED
            }
            Forbidden | CrossOrigin | NoSite | UnknownSite | StoreOutsideSite => {
                StatusCode::FORBIDDEN
            }
            TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            NotNeeded => StatusCode::CONFLICT,
            NotFound | UnknownStudy | UnknownShare | SignInNotConfigured | NoResource => {
                StatusCode::NOT_FOUND
            }
            Invalid | InvalidField(_) | SignInFailed { .. } => StatusCode::BAD_REQUEST,
            NoBirthDate => StatusCode::UNPROCESSABLE_ENTITY,
            PacsUnavailable | IssuerUnavailable | MembershipUnknown => StatusCode::BAD_GATEWAY,
            StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Revoked | Expired => StatusCode::GONE,
            Locked => StatusCode::LOCKED,
            TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            NoPeerAddress => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body's `error` code; `None` for the DICOMweb refusals, which have no body.
    pub fn code(&self) -> Option<&'static str> {
        use ApiError::*;
        Some(match self {
            Unauthenticated { .. } => "unauthenticated",
            Forbidden => "forbidden",
            CrossOrigin => "cross_origin",
            NotFound => "not_found",
            Invalid | InvalidField(_) => "invalid",
            UnknownStudy => "unknown_study",
            NoBirthDate => "no_birth_date",
            PacsUnavailable => "pacs_unavailable",
            StoreUnavailable(_) => "store_unavailable",
            UnknownShare => "unknown",
            Revoked => "revoked",
            Expired => "expired",
            Locked => "locked",
            CodeRequired { .. } => "code_required",
            CodeWrong { .. } => "code_wrong",
            TooManyAttempts { .. } => "too_many_attempts",
            SignInNotConfigured => "sign_in_not_configured",
            IssuerUnavailable => "issuer_unavailable",
            SignInFailed { .. } => "sign_in_failed",
            NoSite => "no_site",
            UnknownSite => "unknown_site",
            StoreOutsideSite => "store_outside_site",
            TooLarge => "too_large",
            NotNeeded => "not_needed",
            NoPeerAddress => "internal",
            NoResource | MethodNotAllowed | MembershipUnknown => return None,
        })
    }

    /// The JSON body: the code and what the client needs to act on it.
    fn body(&self, code: &str) -> Value {
        use ApiError::*;
        match self {
            Unauthenticated { dev_login, sign_in } => {
                json!({ "error": code, "dev_login": dev_login, "sign_in": sign_in })
            }
            InvalidField(field) => json!({ "error": code, "field": field }),
            CodeRequired { code_kind } => json!({ "error": code, "code_kind": code_kind }),
            CodeWrong {
                code_kind,
                attempts_left,
            } => json!({ "error": code, "code_kind": code_kind, "attempts_left": attempts_left }),
            TooManyAttempts { retry_after_s } => {
                json!({ "error": code, "retry_after_s": retry_after_s })
            }
            _ => json!({ "error": code }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response<Body> {
        if let ApiError::StoreUnavailable(e) = &self {
            // The operation and the driver's message, never the request's values.
            tracing::error!("{e}");
        }
        let status = self.status();
        let Some(code) = self.code() else {
            return status.into_response();
        };
        let mut response = (status, Json(self.body(code))).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::TooManyAttempts { retry_after_s } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            ApiError::SignInFailed { clear_cookie } => {
                headers.insert(header::SET_COOKIE, clear_cookie);
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::body::to_bytes;

    fn store_error() -> StoreError {
        let driver = sqlx::Error::Protocol("row for PATIENT^JANE 1.2.840.99 tok3n".into());
        crate::store::failed("reading a share")(driver)
    }

    /// Every variant once, with its status and body (`None`: no body).
    fn table() -> Vec<(ApiError, u16, Option<Value>)> {
        use ApiError::*;
        let error = |code: &str| Some(json!({ "error": code }));
        vec![
            (
                Unauthenticated {
                    dev_login: true,
                    sign_in: false,
                },
                401,
                Some(json!({ "error": "unauthenticated", "dev_login": true, "sign_in": false })),
            ),
            (Forbidden, 403, error("forbidden")),
            (CrossOrigin, 403, error("cross_origin")),
            (NotFound, 404, error("not_found")),
            (Invalid, 400, error("invalid")),
            (
                InvalidField("consent.given_at"),
                400,
                Some(json!({ "error": "invalid", "field": "consent.given_at" })),
            ),
            (UnknownStudy, 404, error("unknown_study")),
            (NoBirthDate, 422, error("no_birth_date")),
            (PacsUnavailable, 502, error("pacs_unavailable")),
            (
                StoreUnavailable(store_error()),
                503,
                error("store_unavailable"),
            ),
            (UnknownShare, 404, error("unknown")),
            (Revoked, 410, error("revoked")),
            (Expired, 410, error("expired")),
            (Locked, 423, error("locked")),
            (
                CodeRequired {
                    code_kind: "birth_date".into(),
                },
                401,
                Some(json!({ "error": "code_required", "code_kind": "birth_date" })),
            ),
            (
                CodeWrong {
                    code_kind: "code".into(),
                    attempts_left: 3,
                },
                401,
                Some(json!({ "error": "code_wrong", "code_kind": "code", "attempts_left": 3 })),
            ),
            (
                TooManyAttempts { retry_after_s: 2 },
                429,
                Some(json!({ "error": "too_many_attempts", "retry_after_s": 2 })),
            ),
            (SignInNotConfigured, 404, error("sign_in_not_configured")),
            (IssuerUnavailable, 502, error("issuer_unavailable")),
            (
                SignInFailed {
                    clear_cookie: HeaderValue::from_static("portal_login=; Max-Age=0"),
                },
                400,
                error("sign_in_failed"),
            ),
            (NoResource, 404, None),
            (MethodNotAllowed, 405, None),
            (MembershipUnknown, 502, None),
            (NoPeerAddress, 500, error("internal")),
            (NoSite, 403, error("no_site")),
            (UnknownSite, 403, error("unknown_site")),
            (StoreOutsideSite, 403, error("store_outside_site")),
            (TooLarge, 413, error("too_large")),
            (NotNeeded, 409, error("not_needed")),
        ]
    }

    /// The table's row of a variant: a variant added without a row does not compile.
    fn row(e: &ApiError) -> usize {
        use ApiError::*;
        match e {
            Unauthenticated { .. } => 0,
            Forbidden => 1,
            CrossOrigin => 2,
            NotFound => 3,
            Invalid => 4,
            InvalidField(_) => 5,
            UnknownStudy => 6,
            NoBirthDate => 7,
            PacsUnavailable => 8,
            StoreUnavailable(_) => 9,
            UnknownShare => 10,
            Revoked => 11,
            Expired => 12,
            Locked => 13,
            CodeRequired { .. } => 14,
            CodeWrong { .. } => 15,
            TooManyAttempts { .. } => 16,
            SignInNotConfigured => 17,
            IssuerUnavailable => 18,
            SignInFailed { .. } => 19,
            NoResource => 20,
            MethodNotAllowed => 21,
            MembershipUnknown => 22,
            NoPeerAddress => 23,
            NoSite => 24,
            UnknownSite => 25,
            StoreOutsideSite => 26,
            TooLarge => 27,
            NotNeeded => 28,
        }
    }

    async fn answer(e: ApiError) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = e.into_response();
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, 64 * 1024).await.unwrap();
        (
            parts.status,
            parts.headers,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn each_refusal_has_its_status_and_code() {
        let table = table();
        let rows: Vec<usize> = table.iter().map(|(e, _, _)| row(e)).collect();
        assert_eq!(rows, (0..table.len()).collect::<Vec<_>>(), "one row each");
        for (e, status, body) in table {
            let what = format!("{e:?}");
            let (got_status, headers, got_body) = answer(e).await;
            assert_eq!(got_status.as_u16(), status, "{what}");
            match body {
                Some(body) => {
                    assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{what}");
                    let got: Value = serde_json::from_str(&got_body).unwrap();
                    assert_eq!(got, body, "{what}");
                }
                None => {
                    assert_eq!(got_body, "", "{what}");
                    assert!(headers.is_empty(), "{what}");
                }
            }
        }
    }

    #[tokio::test]
    async fn refusals_carry_their_headers() {
        let (_, headers, _) = answer(ApiError::TooManyAttempts { retry_after_s: 2 }).await;
        assert_eq!(headers[header::RETRY_AFTER], "2");
        let clear_cookie = HeaderValue::from_static("portal_login=; Max-Age=0");
        let (_, headers, _) = answer(ApiError::SignInFailed { clear_cookie }).await;
        assert_eq!(headers[header::SET_COOKIE], "portal_login=; Max-Age=0");
        let (_, headers, _) = answer(ApiError::Locked).await;
        assert!(
            !headers.contains_key(header::RETRY_AFTER) && !headers.contains_key(header::SET_COOKIE)
        );
    }

    #[tokio::test]
    async fn a_database_failure_is_not_told_to_the_client() {
        let e = store_error();
        assert!(e.to_string().contains("PATIENT^JANE"), "the test's premise");
        let (status, headers, body) = answer(ApiError::from(e)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, r#"{"error":"store_unavailable"}"#);
        for header in headers.values() {
            let header = header.to_str().unwrap();
            assert!(
                !header.contains("PATIENT") && !header.contains("reading"),
                "{header}"
            );
        }
    }
}
