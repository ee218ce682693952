//! Session cookies: a random 256-bit value the browser keeps (`HttpOnly`, `SameSite=Strict`,
//! `Secure` over HTTPS); the database keeps only its hash. Over HTTPS the cookie is named
//! `__Host-portal_session`: the browser then takes it only from this very host, over HTTPS,
//! for the whole path, so a sibling subdomain cannot set or shadow it.

use axum::http::{header, HeaderMap, HeaderValue};

pub const COOKIE: &str = "portal_session";
/// The session cookie's name over HTTPS.
pub const HOST_COOKIE: &str = "__Host-portal_session";

/// The session cookie's name: `__Host-` prefixed when cookies are `Secure`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST_COOKIE
    } else {
        COOKIE
    }
}
pub const KIND_SHARE: &str = "share";
pub const KIND_DEV: &str = "dev";
/// A clinician signed in through the issuer (`auth::login`).
pub const KIND_OIDC: &str = "oidc";

/// The longest a share session lasts (it also ends with its share).
pub const SHARE_SESSION_MS: i64 = 8 * 3600 * 1000;
/// The longest a development-login session lasts.
pub const DEV_SESSION_MS: i64 = 12 * 3600 * 1000;

/// The value of the request's first cookie called `name`.
pub fn cookie_named<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// The session cookie's value, if the request has one.
pub fn cookie_value(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie_named(headers, cookie_name(secure)).filter(|v| crate::secret::is_token_shaped(v))
}

/// `Set-Cookie` for a new session lasting `max_age_ms`.
pub fn set_cookie(token: &str, max_age_ms: i64, secure: bool) -> HeaderValue {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let max_age = (max_age_ms / 1000).max(1);
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether a state-changing request comes from this origin: a JSON body (exactly
/// `application/json`, which a form on another site cannot send without a CORS preflight this
/// gateway never grants) and, when the browser says where it comes from, this very origin
/// (`portal_origin`: scheme, host and port as the request reached the portal).
pub fn same_origin_json(headers: &HeaderMap, portal_origin: &str) -> bool {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("application/json")
        });
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => origin.eq_ignore_ascii_case(portal_origin),
    };
    let fetch_site_ok = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == "same-origin" || v == "none");
    json && origin_ok && fetch_site_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn reads_the_session_cookie_among_others() {
        let token = "A".repeat(43);
        let cookie: &'static str =
            Box::leak(format!("a=1; {COOKIE}={token}; b=2").into_boxed_str());
        assert_eq!(
            cookie_value(&headers(&[("cookie", cookie)]), false),
            Some(token.as_str())
        );
        // Over HTTPS only the `__Host-` cookie counts: a plain one could come from a sibling.
        assert_eq!(cookie_value(&headers(&[("cookie", cookie)]), true), None);
        assert_eq!(
            cookie_value(&headers(&[("cookie", "portal_session=short")]), false),
            None
        );
        assert_eq!(cookie_value(&headers(&[]), false), None);
    }

    #[test]
    fn cookies_are_http_only_and_strict() {
        let v = set_cookie("tok", 3_600_000, true);
        let v = v.to_str().unwrap_or_default();
        assert!(v.starts_with("__Host-portal_session=tok; Path=/;"), "{v}");
        assert!(v.contains("HttpOnly") && v.contains("SameSite=Strict") && v.ends_with("Secure"));
        assert!(!v.contains("Domain"), "a __Host- cookie has no Domain");
        let plain = set_cookie("tok", 3_600_000, false);
        assert!(plain
            .to_str()
            .unwrap_or_default()
            .starts_with("portal_session=tok;"));
        let cleared = clear_cookie(true);
        assert!(cleared
            .to_str()
            .unwrap_or_default()
            .starts_with("__Host-portal_session=;"));
        assert!(v.contains("Max-Age=3600"));
    }

    #[test]
    fn state_changes_need_json_from_this_origin() {
        let here = "http://portal:8080";
        let ok = headers(&[("content-type", "application/json; charset=utf-8")]);
        assert!(same_origin_json(&ok, here));
        let same = headers(&[
            ("content-type", "application/json"),
            ("origin", "http://portal:8080"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(same_origin_json(&same, here));
        for refused in [
            headers(&[("content-type", "text/plain")]),
            headers(&[("content-type", "application/jsonx")]),
            headers(&[("content-type", "application/json-patch+json")]),
            headers(&[
                ("content-type", "application/json"),
                ("origin", "https://evil.example"),
            ]),
            // The same host under another scheme is another origin.
            headers(&[
                ("content-type", "application/json"),
                ("origin", "https://portal:8080"),
            ]),
            headers(&[
                ("content-type", "application/json"),
                ("origin", "http://portal:8080.evil.example"),
            ]),
            headers(&[
                ("content-type", "application/json"),
                ("sec-fetch-site", "cross-site"),
            ]),
        ] {
            assert!(!same_origin_json(&refused, here), "{refused:?}");
        }
    }
}
