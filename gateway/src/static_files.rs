//! The built web app: files from `dist/` with their MIME types (`application/wasm`…), as their
//! brotli or gzip copy when the client takes it (made at build time), cached
//! for a year when their name carries a content hash (Trunk's `name-<16 hex>.ext`) and
//! revalidated otherwise; paths without an extension (`/`, `/share`,
//! `/IHEInvokeImageDisplay`) are the app's routes and get `index.html`.

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Response, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The policy of every answer: scripts only from this origin plus the app's inline loader
/// (by hash), wasm compilation allowed (`'wasm-unsafe-eval'`, never `'unsafe-eval'`), no
/// inline styles, requests only to this origin, PDFs only from `blob:` frames.
pub fn content_security_policy(dist: &Path) -> Result<String, String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| {
        format!(
            "{} cannot be read ({e}); build the app first",
            index.display()
        )
    })?;
    let hashes: Vec<String> = inline_scripts(&html)
        .map(|script| {
            format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
    Ok(format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}{}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'; \
         frame-src blob:",
        if hashes.is_empty() { "" } else { " " },
        hashes.join(" ")
    ))
}

/// The bodies of the inline `<script>` elements of a page (those without `src`).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let open = rest.find("<script")?;
        let after_open = &rest[open..];
        let tag_end = after_open.find('>')?;
        let tag = &after_open[..tag_end];
        let body_start = &after_open[tag_end + 1..];
        let close = body_start.find("</script>")?;
        let body = &body_start[..close];
        rest = &body_start[close..];
        if !tag.contains(" src=") {
            return Some(body);
        }
    })
}

/// Whether a file name carries a content hash (`web-app-0123456789abcdef_bg.wasm`; Trunk
/// writes the 64-bit hash in hex without leading zeros, so it can be shorter than 16).
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Serves the app's files and routes from `dist`.
pub async fn serve(dist: &Path, request: Request) -> Response<Body> {
    let path = request.uri().path().to_string();
    let name = path.rsplit('/').next().unwrap_or("");
    let is_route = !name.contains('.');
    let result = if is_route {
        ServeFile::new(dist.join("index.html"))
            .oneshot(request)
            .await
    } else {
        ServeDir::new(dist)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(request)
            .await
    };
    let mut response = match result {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    let cache = if response.status() == StatusCode::OK && !is_route && is_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // The brotli and gzip copies of a file are served by the client's Accept-Encoding.
    if !is_route {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_only_inline_scripts() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import x from '/x.js';</script></head>"#;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, vec!["import x from '/x.js';"]);
    }

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed("web-app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("web-app-0123456789abcdef.js"));
        assert!(is_hashed("style-fedcba9876543210.css"));
        assert!(is_hashed("web-app-9ad00df76c39e83_bg.wasm"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("fr.json"));
    }

    #[test]
    fn policy_has_no_unsafe_inline_or_eval() {
        let dir = std::env::temp_dir().join(format!("gateway-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("index.html"),
            "<script type=module>boot()</script>",
        )
        .expect("index");
        let csp = content_security_policy(&dir).expect("csp");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(!csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"));
        assert!(csp.contains("'sha256-"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
