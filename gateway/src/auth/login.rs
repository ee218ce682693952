//! The browser sign-in of clinicians: OpenID Connect authorization code flow with PKCE, the
//! gateway being the client ("backend for frontend"). The issuer's tokens never reach the
//! browser: the gateway checks the access token exactly as it checks a bearer token, then
//! gives the browser a session cookie that ends when the token does.
//!
//! `GET /auth/login?return=/path` → the issuer → `GET /auth/callback?code&state` → `/path`.
//! The `state` is bound to the browser by a short-lived cookie (no login CSRF) and kept, with
//! the PKCE verifier, in the database (any gateway copy can finish a sign-in another began).

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::audit::{Action, AuditEvent, Outcome};
use crate::auth::session;
use crate::error::ApiError;
use crate::front::ClientAddr;
use crate::secret;
use crate::state::{AppState, SharedState};
use crate::store::NewSession;

const LOGIN_COOKIE: &str = "portal_login";
/// Over HTTPS: `__Secure-` (its path is `/auth`, which `__Host-` does not allow).
const SECURE_LOGIN_COOKIE: &str = "__Secure-portal_login";

fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_LOGIN_COOKIE
    } else {
        LOGIN_COOKIE
    }
}
/// The longest a sign-in may take at the issuer.
const LOGIN_TTL_MS: i64 = 10 * 60 * 1000;
/// The longest a signed-in session lasts, whatever the token says.
const MAX_SESSION_MS: i64 = 12 * 3600 * 1000;

/// Where to go back after signing in: a path of this origin, or `/`.
pub fn safe_return(value: Option<&str>) -> String {
    match value {
        Some(v)
            if v.starts_with('/')
                && !v.starts_with("//")
                && !v.starts_with("/\\")
                && v.len() <= 2048
                && !v.chars().any(char::is_control) =>
        {
            v.to_string()
        }
        _ => "/".into(),
    }
}

fn login_cookie(value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let name = login_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    // Lax: the cookie must come back on the issuer's top-level redirect to the callback.
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/auth; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The page a browser gets when the identity provider does not answer (a sign-in is a
/// navigation, not an API call): what happened in plain words, in French and English, and a
/// link to try again that comes back to `return_to` (a path of this origin). 503, to retry
/// in a minute.
fn issuer_unavailable(return_to: &str) -> Response<Body> {
    let again: String = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
    let body = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Connexion impossible</title></head><body>\
         <h1>Connexion impossible pour le moment</h1>\
         <p>Le service d'identification de l'établissement ne répond pas. Les images ne sont \
         pas en cause : réessayez dans quelques minutes.</p>\
         <p><a href=\"/auth/login?return={again}\">Réessayer</a></p>\
         <h2 lang=\"en\">Sign-in is unavailable</h2>\
         <p lang=\"en\">The hospital's sign-in service does not answer. Please try again in \
         a few minutes.</p></body></html>"
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

fn redirect(to: &str) -> Response<Body> {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Whether the browser sign-in is configured (an issuer, a client ID, the public URL).
pub fn available(state: &AppState) -> bool {
    state.verifier.is_some()
        && state.config.public_url.is_some()
        && state
            .config
            .oidc
            .as_ref()
            .is_some_and(|o| o.client_id.is_some())
}

fn redirect_uri(state: &AppState) -> Option<String> {
    let public = state.config.public_url.as_ref()?;
    Some(format!(
        "{}/auth/callback",
        public.as_str().trim_end_matches('/')
    ))
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(rename = "return")]
    return_to: Option<String>,
}

/// `GET /auth/login`: off to the issuer.
pub async fn login(
    State(state): State<SharedState>,
    Query(query): Query<LoginQuery>,
) -> Result<Response<Body>, ApiError> {
    let (Some(verifier), Some(redirect_uri), Some(client_id)) = (
        state.verifier.as_ref(),
        redirect_uri(&state),
        state.config.oidc.as_ref().and_then(|o| o.client_id.clone()),
    ) else {
        return Err(ApiError::SignInNotConfigured);
    };
    let return_to = safe_return(query.return_to.as_deref());
    let endpoints = match verifier.endpoints().await {
        Ok(endpoints) => endpoints,
        Err(e) => {
            tracing::warn!("sign-in: {e}");
            return Ok(issuer_unavailable(&return_to));
        }
    };
    let login_state = secret::new_token();
    let pkce = secret::new_token();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pkce.as_bytes()));
    let now = crate::now_ms();
    state
        .store
        .insert_login(&secret::token_hash(&login_state), &pkce, &return_to, now)
        .await?;
    let Ok(mut url) = url::Url::parse(&endpoints.authorization_endpoint) else {
        return Err(ApiError::IssuerUnavailable);
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", "openid profile")
        .append_pair("state", &login_state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let mut response = redirect(url.as_str());
    response.headers_mut().insert(
        header::SET_COOKIE,
        login_cookie(
            &login_state,
            LOGIN_TTL_MS / 1000,
            state.config.secure_cookies,
        ),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

/// A sign-in that did not finish: why, in the audit trail (never the code or token); the
/// answer removes the sign-in cookie.
async fn refuse(state: &AppState, source: &str, detail: &'static str) -> ApiError {
    state
        .audit(
            AuditEvent::new(
                Action::LoginFailure,
                Outcome::Failure,
                "anonymous",
                source,
                crate::now_ms(),
            )
            .detail(detail),
        )
        .await;
    ApiError::SignInFailed {
        clear_cookie: login_cookie("", 0, state.config.secure_cookies),
    }
}

/// `GET /auth/callback`: the issuer's answer, exchanged for a session.
pub async fn callback(
    State(state): State<SharedState>,
    client: ClientAddr,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response<Body>, ApiError> {
    state
        .admit_anonymous(client.0, Action::LoginFailure)
        .await?;
    let source = client.to_string();
    let (Some(verifier), Some(redirect_uri)) = (state.verifier.as_ref(), redirect_uri(&state))
    else {
        return Err(ApiError::SignInNotConfigured);
    };
    let oidc = verifier.config();
    if query.error.is_some() {
        return Err(refuse(&state, &source, "sign-in refused by the issuer").await);
    }
    let (Some(code), Some(login_state)) = (query.code.as_deref(), query.state.as_deref()) else {
        return Err(refuse(&state, &source, "sign-in answer incomplete").await);
    };
    let bound = session::cookie_named(&headers, login_cookie_name(state.config.secure_cookies))
        .is_some_and(|c| secret::constant_time_eq(c, login_state));
    if !bound {
        return Err(refuse(&state, &source, "sign-in state not from this browser").await);
    }
    let now = crate::now_ms();
    let pending = state
        .store
        .take_login(&secret::token_hash(login_state), now - LOGIN_TTL_MS)
        .await;
    let Ok(Some((pkce, return_to))) = pending else {
        return Err(refuse(&state, &source, "sign-in unknown, used or too old").await);
    };
    let Ok(endpoints) = verifier.endpoints().await else {
        let mut page = issuer_unavailable(&return_to);
        page.headers_mut().insert(
            header::SET_COOKIE,
            login_cookie("", 0, state.config.secure_cookies),
        );
        return Ok(page);
    };
    let client_id = oidc.client_id.clone().unwrap_or_default();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("client_id", &client_id)
        .append_pair("code_verifier", &pkce)
        .finish();
    let mut request = state
        .http
        .post(&endpoints.token_endpoint)
        .header(
            header::CONTENT_TYPE.as_str(),
            "application/x-www-form-urlencoded",
        )
        .timeout(Duration::from_secs(15))
        .body(form);
    if let Some(secret) = &oidc.client_secret {
        request = request.basic_auth(&client_id, Some(secret));
    }
    let answer = match request.send().await {
        Ok(r) if r.status().is_success() => r.json::<TokenAnswer>().await.ok(),
        _ => None,
    };
    let Some(answer) = answer else {
        return Err(refuse(&state, &source, "the issuer refused the code").await);
    };
    let clinician = match verifier.verify(&answer.access_token).await {
        Ok(c) => c,
        Err(_) => return Err(refuse(&state, &source, "the issuer's token was refused").await),
    };
    let token = secret::new_token();
    let expires = clinician
        .expires_at_s
        .saturating_mul(1000)
        .min(now + MAX_SESSION_MS);
    let roles = serde_json::to_string(&clinician.roles).unwrap_or_else(|_| "[]".into());
    let sites = serde_json::to_string(&clinician.sites).unwrap_or_else(|_| "[]".into());
    let session = NewSession {
        id_hash: &secret::token_hash(&token),
        kind: session::KIND_OIDC,
        subject: &clinician.subject,
        share_id: None,
        name: Some(&clinician.name),
        roles: Some(&roles),
        sites: Some(&sites),
        created_at_ms: now,
        expires_at_ms: expires,
    };
    let actor = format!("clinician:{}", clinician.subject);
    let event =
        AuditEvent::new(Action::Login, Outcome::Success, &actor, &source, now).detail("signed in");
    state.store.open_session(&session, &event).await?;
    let mut response = redirect(&return_to);
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        session::set_cookie(&token, expires - now, state.config.secure_cookies),
    );
    cookies.append(
        header::SET_COOKIE,
        login_cookie("", 0, state.config.secure_cookies),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::{login_cookie, safe_return};

    #[test]
    fn the_sign_in_cookie_is_secure_prefixed_over_https() {
        let secure = login_cookie("v", 600, true);
        let secure = secure.to_str().unwrap_or_default();
        assert!(
            secure.starts_with("__Secure-portal_login=v; Path=/auth;"),
            "{secure}"
        );
        assert!(secure.ends_with("; Secure"));
        let plain = login_cookie("v", 600, false);
        assert!(plain
            .to_str()
            .unwrap_or_default()
            .starts_with("portal_login=v;"));
    }

    #[test]
    fn returns_only_to_this_origin() {
        assert_eq!(safe_return(Some("/?study=1.2.3")), "/?study=1.2.3");
        assert_eq!(
            safe_return(Some("/IHEInvokeImageDisplay?requestType=STUDY")),
            "/IHEInvokeImageDisplay?requestType=STUDY"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a\nb",
        ] {
            assert_eq!(safe_return(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return(None), "/");
    }
}
