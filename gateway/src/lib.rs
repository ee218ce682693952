//! The portal's gateway: one origin that serves the web app, guards the PACS and keeps the
//! audit trail. See ARCHITECTURE.md and SECURITY.md.
//!
//! Routes: `/dicom-web/…` (DICOMweb, proxied to the PACS after the access check), `/wado`
//! (WADO-URI), `/api/…` (session, development login, shares, audit), and everything else from
//! the built app (`/IHEInvokeImageDisplay` and `/share` are app routes).

mod acts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod consents;
pub mod dicomweb;
pub mod echange;
pub mod emergencies;
pub mod emergency;
pub mod error;
pub mod exchanges;
pub mod front;
pub mod identities;
pub mod launch;
pub mod launches;
pub mod limits;
pub mod national;
pub mod oidc;
pub mod pacs;
pub mod partage;
pub mod reach;
pub mod readers;
pub mod remote;
pub mod remote_sites;
pub mod remote_studies;
pub mod retrieve_url;
pub mod schema;
pub mod scope;
pub mod search;
pub mod secret;
pub mod sent_series;
pub mod shares;
pub mod sites;
pub mod state;
pub mod static_files;
pub mod store;

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Response};
use axum::middleware::{self, Next};
use axum::routing::{any, get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

use crate::state::SharedState;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The gateway's routes and layers.
pub fn router(state: SharedState) -> Router {
    // JSON and the app's files are compressed; frames (multipart/related) and images are
    // passed as the PACS sent them.
    let compress = SizeAbove::new(1024)
        .and(NotForContentType::new("multipart/related"))
        .and(NotForContentType::IMAGES);
    Router::new()
        .route("/dicom-web/{*path}", any(dicomweb::handle))
        .route("/wado", any(dicomweb::wado_uri))
        .route("/auth/login", get(auth::login::login))
        .route("/auth/callback", get(auth::login::callback))
        .route("/api/session", get(api::session_info))
        .route("/api/site", get(api::site))
        .route("/api/dev-login", post(api::dev_login))
        .route("/api/logout", post(api::logout))
        .route("/api/shares", post(shares::create).get(shares::list))
        .route("/api/shares/{id}/revoke", post(shares::revoke))
        .route("/api/shares/{id}/code", post(shares::new_code))
        .route("/api/share-sessions", post(shares::open))
        .route("/api/audit", get(api::audit))
        .route("/api/sites", get(api::sites))
        .route("/api/consent", get(partage::read).post(partage::record))
        .route(
            "/api/emergency",
            get(emergency::current).post(emergency::open),
        )
        .route("/api/emergency/review", get(emergency::review))
        .route("/api/exchanges", post(echange::send))
        .route("/api/exchanges/inbox", get(echange::inbox))
        .route("/api/exchanges/sent", get(echange::sent))
        .route("/api/directory", get(echange::directory))
        .route("/api/reach", get(echange::study_reach))
        .route("/api/emergency/{id}/end", post(emergency::end))
        .route("/api/audit/fhir", get(api::audit_fhir))
        .route(launch::LAUNCH_PATH, post(launch::receive))
        .route("/api/launch/{id}", get(launch::read))
        .route("/api/launch/{id}/confirm", post(launch::confirm))
        .route("/api/ins/studies", get(national::studies))
        .route("/api/remote/resolve", post(remote::resolve))
        .route("/api/remote/source", get(remote::source))
        .route("/api/{*rest}", any(|| async { error::ApiError::NotFound }))
        .fallback(
            |State(state): State<SharedState>, request: Request| async move {
                static_files::serve(&state.config.dist_dir, request).await
            },
        )
        .layer(CompressionLayer::new().gzip(true).compress_when(compress))
        // A bug in one request answers 500 and leaves the others be.
        .layer(CatchPanicLayer::new())
        // Before any handler: the Host is this portal's, the client's address is settled.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            front::front_door,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// Security headers on every answer, and one log line per request: method, path without its
/// query (queries can carry identifiers), status, time. Never headers (tokens, cookies).
async fn security_headers(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&state.csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    // The API's and sign-in's answers carry sessions, share links, access codes and audit
    // rows: never kept by the browser or a proxy.
    if path.starts_with("/api/") || path.starts_with("/auth/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    tracing::info!(
        "{method} {path} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// Runs the gateway until Ctrl-C or SIGTERM.
pub async fn serve(state: SharedState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    serve_on(listener, state).await
}

pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: SharedState,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
