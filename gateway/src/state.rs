//! What every handler shares: settings, the database, the PACS, the token verifier.
//!
//! The only in-memory state is a cache (which studies a session has already been recorded as
//! opening, which series belong to which study) and the anonymous callers' rates and counted
//! failures ([`Limits`]): losing it, or running several copies, changes how often things are
//! recorded or asked, never who may read what.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::audit::{Action, AuditEvent, Outcome};
use crate::config::Config;
use crate::error::ApiError;
use crate::front::HostPolicy;
use crate::limits::{self, Limits};
use crate::now_ms;
use crate::oidc::Verifier;
use crate::pacs::Pacs;
use crate::readers::Readers;
use crate::store::Store;

/// A study opened again by the same actor within this time is not recorded again.
const OPEN_RECORD_SPACING: Duration = Duration::from_secs(600);

pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub pacs: Pacs,
    pub verifier: Option<Verifier>,
    /// For the issuer's token endpoint (redirects not followed).
    pub http: reqwest::Client,
    /// The Content-Security-Policy of every answer (with the hash of the app's loader script).
    pub csp: String,
    /// The host names this portal answers to.
    pub hosts: HostPolicy,
    pub limits: Limits,
    /// Each reader's share of the PACS.
    pub readers: Readers,
    /// The studies' national identities: whether the archive was walked through once.
    pub national: crate::national::Index,
    /// Each remote source's DICOMweb root, as a PACS (its id → it).
    pub remotes: HashMap<String, Pacs>,
    opened: Mutex<HashMap<(String, String), Instant>>,
}

pub type SharedState = Arc<AppState>;

/// Building the state failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the web app cannot be served: {0}")]
    App(String),
    #[error("HTTP client: {0}")]
    Http(String),
}

impl AppState {
    pub async fn new(config: Config) -> Result<SharedState, StartError> {
        let store = Store::open(&config.database_url).await?;
        let csp = crate::static_files::content_security_policy(&config.dist_dir)
            .map_err(StartError::App)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(120))
            // Below the PACS's own keep-alive (Orthanc: 1 s), so that a connection is seldom
            // reused just as the PACS closes it (the rare case left is sent again: `Pacs::send`).
            .pool_idle_timeout(Duration::from_millis(800))
            // Redirects could lead a request, and its credentials, elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| StartError::Http(e.to_string()))?;
        let pacs = Pacs::new(
            http.clone(),
            &config.pacs_url,
            config.wado_uri_url.as_ref(),
            config.pacs_basic_auth.as_deref(),
        );
        let verifier = config.oidc.clone().map(|o| Verifier::new(o, http.clone()));
        let state = Arc::new(AppState {
            hosts: HostPolicy::new(&config),
            limits: Limits::new(config.anonymous_per_minute),
            readers: Readers::new(config.reader_requests, config.pacs_requests),
            national: crate::national::Index::default(),
            remotes: config
                .remote_sites
                .all()
                .iter()
                .map(|site| {
                    let auth = site.basic_auth.as_ref().map(|a| a.expose());
                    (
                        site.id.clone(),
                        Pacs::new(http.clone(), &site.root, None, auth),
                    )
                })
                .collect(),
            config,
            store,
            pacs,
            verifier,
            http,
            csp,
            opened: Mutex::new(HashMap::new()),
        });
        tokio::spawn(write_counted_failures(Arc::downgrade(&state)));
        if state.config.sites.is_some() {
            tokio::spawn(crate::national::walk(Arc::downgrade(&state)));
        }
        Ok(state)
    }

    /// Writes an audit event; a failure to write is logged (without the event's data). A
    /// repeated failure of someone not signed in is counted instead ([`limits::is_counted`]),
    /// its row written when its window closes.
    pub async fn audit(&self, event: AuditEvent) {
        if limits::is_counted(&event) && !self.limits.note(&event) {
            return;
        }
        self.write_audit(&event).await;
    }

    async fn write_audit(&self, event: &AuditEvent) {
        if let Err(e) = self.store.insert_audit(event).await {
            tracing::error!("audit event {} not written: {e}", event.action);
        }
    }

    /// One request from `client` to a route anyone can call, within its rate
    /// ([`Limits::admit`]); a refusal is an `action` failure in the trail (counted).
    pub async fn admit_anonymous(
        &self,
        client: std::net::IpAddr,
        action: Action,
    ) -> Result<(), ApiError> {
        let refused = match self.limits.admit(client) {
            Ok(()) => return Ok(()),
            Err(refused) => refused,
        };
        let source = client.to_string();
        let event = AuditEvent::new(action, Outcome::Failure, "anonymous", &source, now_ms())
            .detail("too many requests from this address");
        self.audit(event).await;
        Err(refused)
    }

    /// Writes the counted failures whose window has closed (all of them when `all`, as the
    /// gateway stops).
    pub async fn write_counted(&self, all: bool) {
        for event in self.limits.due(all) {
            self.write_audit(&event).await;
        }
    }

    /// Forgets that `actor`'s opening of `study` was recorded (its row could not be written).
    pub fn forget_open(&self, actor: &str, study: &str) {
        if let Ok(mut opened) = self.opened.lock() {
            opened.remove(&(actor.to_string(), study.to_string()));
        }
    }

    /// Whether `actor` opening `study` is to be recorded now: not when this copy recorded it
    /// less than [`OPEN_RECORD_SPACING`] ago (then it is noted as recorded now).
    pub fn open_to_record(&self, actor: &str, study: &str) -> bool {
        let now = Instant::now();
        if let Ok(mut opened) = self.opened.lock() {
            let key = (actor.to_string(), study.to_string());
            if opened
                .get(&key)
                .is_some_and(|t| now.duration_since(*t) < OPEN_RECORD_SPACING)
            {
                return false;
            }
            if opened.len() > 100_000 {
                opened.clear();
            }
            opened.insert(key, now);
        }
        true
    }
}

/// Every few seconds, the counted failures whose window closed; ends with the state.
async fn write_counted_failures(state: std::sync::Weak<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        let Some(state) = state.upgrade() else {
            return;
        };
        state.write_counted(false).await;
    }
}
