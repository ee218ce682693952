//! The gateway's settings, read from the environment (twelve-factor style: the same binary
//! runs on a laptop with SQLite and behind a load balancer on PostgreSQL).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::remote_sites::RemoteSites;
use crate::sites::Sites;

/// Where clinicians' bearer tokens come from and what they must say.
#[derive(Clone)]
pub struct OidcConfig {
    /// The `iss` every token must carry.
    pub issuer: String,
    /// The `aud` every token must carry (the portal's client ID or API identifier).
    pub audience: String,
    /// The issuer's key set; when not configured, read from its discovery document.
    pub jwks_url: Option<String>,
    /// The value of the `roles` claim that lets a clinician read the audit trail.
    pub audit_role: String,
    /// The portal's client at the issuer, for the browser sign-in (authorization code flow
    /// with PKCE); without it, only bearer tokens are accepted.
    pub client_id: Option<String>,
    /// For a confidential client (sent to the token endpoint, never to the browser).
    pub client_secret: Option<String>,
    /// The claim that names the clinician's site(s) (a string or an array of strings).
    pub site_claim: String,
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The built web app (Trunk's `dist/`).
    pub dist_dir: PathBuf,
    /// The portal's address as browsers reach it (the sign-in's redirect URI is built on it).
    pub public_url: Option<url::Url>,
    /// The PACS's DICOMweb root, e.g. `http://127.0.0.1:8042/dicom-web`.
    pub pacs_url: url::Url,
    /// The PACS's WADO-URI endpoint (Orthanc: `/wado` beside `/dicom-web`).
    pub wado_uri_url: Option<url::Url>,
    /// `user:password` sent to the PACS, never to the browser.
    pub pacs_basic_auth: Option<String>,
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub database_url: String,
    pub oidc: Option<OidcConfig>,
    /// A development login that makes anyone who reaches the port a clinician.
    pub dev_login: bool,
    /// Session cookies marked `Secure` (the portal is served over HTTPS).
    pub secure_cookies: bool,
    /// Wrong access codes before a share locks.
    pub max_code_failures: i64,
    /// Shortest time between two access-code attempts on one share.
    pub code_attempt_interval: Duration,
    /// Who runs the portal, as a share's recipient is told (`/api/site`).
    pub site: Site,
    /// Host names the portal answers to besides the public URL's (`host` or `host:port`).
    pub allowed_hosts: Vec<String>,
    /// Load balancers and reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpRange>,
    /// Requests a client address may make per minute to the routes anyone can call (share
    /// links, sign-in).
    pub anonymous_per_minute: u32,
    /// Requests one reader may have at the PACS at once ([`crate::readers`]).
    pub reader_requests: usize,
    /// Requests all readers together may have at the PACS at once.
    pub pacs_requests: usize,
    /// The region's sites (`SITES_FILE`); without them, one establishment's portal where
    /// every clinician reads the whole archive.
    pub sites: Option<Arc<Sites>>,
    /// How long an emergency access lasts, in minutes.
    pub emergency_minutes: i64,
    /// Origins of the patient records (DPI, RIS) whose pages may launch the portal with a
    /// form POST (`GATEWAY_LAUNCH_ORIGINS`, `https://dpi.chu.local`; `null` for a record that
    /// posts from a local file).
    pub launch_origins: Vec<String>,
    /// Image sources outside the region, declared in the site file (`remote_sites`).
    pub remote_sites: Arc<RemoteSites>,
}

/// An origin a launch may come from, as browsers write it in `Origin`.
fn launch_origin(value: &str) -> Result<String, ConfigError> {
    if value == "null" {
        return Ok(value.to_string());
    }
    let url = url::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .filter(|u| u.path() == "/" && u.query().is_none() && u.username().is_empty());
    match url {
        Some(url) => Ok(url.origin().ascii_serialization()),
        None => Err(invalid(
            "GATEWAY_LAUNCH_ORIGINS",
            format!("{value:?} is not an origin (https://host[:port]) nor null"),
        )),
    }
}

/// An address or a CIDR block (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix_bits: u8,
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
            let shift = u32::from(width - prefix.min(width));
            if shift >= 128 {
                0
            } else {
                bits >> shift
            }
        }
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u32::from(n).into(), 32, self.prefix_bits)
                    == masked(u32::from(a).into(), 32, self.prefix_bits)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                masked(u128::from(n), 128, self.prefix_bits)
                    == masked(u128::from(a), 128, self.prefix_bits)
            }
            (IpAddr::V6(_), IpAddr::V4(a)) => self.contains(IpAddr::V6(a.to_ipv6_mapped())),
            _ => false,
        }
    }
}

impl std::str::FromStr for IpRange {
    type Err = String;

    fn from_str(text: &str) -> Result<IpRange, String> {
        let (address, bits) = match text.trim().split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("{address:?} is not an IP address"))?;
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix_bits = match bits {
            None => width,
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= width)
                .ok_or_else(|| format!("{b:?} is not a prefix length up to {width}"))?,
        };
        Ok(IpRange {
            network,
            prefix_bits,
        })
    }
}

/// The establishment or regional service that runs the portal: its name and how to reach it
/// (a phone number, an address, as one line of text). Shown to patients and GPs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Site {
    pub name: Option<String>,
    pub contact: Option<String>,
}

/// One line of plain text, at most 200 characters.
fn site_text(name: &'static str, value: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(value) = value.map(|v| v.trim().to_string()) else {
        return Ok(None);
    };
    if value.chars().count() > 200 || value.chars().any(char::is_control) {
        return Err(invalid(name, "expected one line of at most 200 characters"));
    }
    Ok(Some(value).filter(|v| !v.is_empty()))
}

// Debug by hand: the PACS credentials and the client secret are never printed.
impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("jwks_url", &self.jwks_url)
            .field("audit_role", &self.audit_role)
            .field("client_id", &self.client_id)
            .field("site_claim", &self.site_claim)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "(set)"),
            )
            .finish()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("dist_dir", &self.dist_dir)
            .field("public_url", &self.public_url)
            .field("pacs_url", &self.pacs_url.as_str())
            .field(
                "pacs_basic_auth",
                &self.pacs_basic_auth.as_ref().map(|_| "(set)"),
            )
            .field("oidc", &self.oidc)
            .field("dev_login", &self.dev_login)
            .field("secure_cookies", &self.secure_cookies)
            .field("site", &self.site)
            .field("sites", &self.sites.as_ref().map(|s| s.all().len()))
            .finish_non_exhaustive()
    }
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

fn http_url(name: &'static str, value: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(value).map_err(|e| invalid(name, e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(name, "must be an http(s) URL"));
    }
    Ok(url)
}

/// Orthanc serves WADO-URI at `/wado` beside its `/dicom-web` root.
fn default_wado_uri(pacs: &url::Url) -> Option<url::Url> {
    let path = pacs.path().trim_end_matches('/');
    let parent = path.strip_suffix("/dicom-web")?;
    let mut wado = pacs.clone();
    wado.set_path(&format!("{parent}/wado"));
    Some(wado)
}

impl Config {
    /// Reads the settings from environment variables (see the gateway's README section).
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let listen = get("GATEWAY_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|_| invalid("GATEWAY_LISTEN", "expected host:port"))?;
        let pacs_url = http_url(
            "PACS_URL",
            &get("PACS_URL").unwrap_or_else(|| "http://127.0.0.1:8042/dicom-web".into()),
        )?;
        let wado_uri_url = match get("PACS_WADO_URI_URL") {
            Some(v) => Some(http_url("PACS_WADO_URI_URL", &v)?),
            None => default_wado_uri(&pacs_url),
        };
        let oidc = match get("OIDC_ISSUER") {
            None => None,
            Some(issuer) => Some(OidcConfig {
                audience: get("OIDC_AUDIENCE")
                    .ok_or_else(|| invalid("OIDC_AUDIENCE", "required with OIDC_ISSUER"))?,
                jwks_url: get("OIDC_JWKS_URL")
                    .map(|v| http_url("OIDC_JWKS_URL", &v).map(String::from))
                    .transpose()?,
                audit_role: get("OIDC_AUDIT_ROLE").unwrap_or_else(|| "audit".into()),
                client_id: get("OIDC_CLIENT_ID"),
                client_secret: get("OIDC_CLIENT_SECRET"),
                site_claim: get("OIDC_SITE_CLAIM").unwrap_or_else(|| "site".into()),
                // Compared with `iss` exactly as written (a URL parser would add a slash).
                issuer: http_url("OIDC_ISSUER", &issuer).map(|_| issuer)?,
            }),
        };
        let flag = |name: &str| get(name).is_some_and(|v| v == "1" || v == "true");
        if oidc.as_ref().is_some_and(|o| o.client_id.is_some())
            && get("GATEWAY_PUBLIC_URL").is_none()
        {
            return Err(invalid(
                "GATEWAY_PUBLIC_URL",
                "required with OIDC_CLIENT_ID (the sign-in's redirect URI)",
            ));
        }
        // A whole number setting within its range, or its default.
        let ranged = |name: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| {
            let value = get(name)
                .map(|v| v.parse::<u64>())
                .transpose()
                .map_err(|_| invalid(name, "expected a whole number"))?
                .unwrap_or(default);
            if range.contains(&value) {
                Ok(value)
            } else {
                Err(invalid(
                    name,
                    format!("expected {} to {}", range.start(), range.end()),
                ))
            }
        };
        let max_code_failures = ranged("GATEWAY_MAX_CODE_FAILURES", 5, 1..=100)? as i64;
        // Without spacing, parallel attempts would only be held back by the lock.
        let interval_ms = ranged("GATEWAY_CODE_INTERVAL_MS", 1000, 100..=600_000)?;
        let list = |name: &str| -> Vec<String> {
            get(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let allowed_hosts = list("GATEWAY_ALLOWED_HOSTS");
        if let Some(bad) = allowed_hosts
            .iter()
            .find(|h| h.parse::<axum::http::uri::Authority>().is_err() || h.contains('@'))
        {
            return Err(invalid(
                "GATEWAY_ALLOWED_HOSTS",
                format!("{bad:?} is not a host or host:port"),
            ));
        }
        let launch_origins = list("GATEWAY_LAUNCH_ORIGINS")
            .iter()
            .map(|o| launch_origin(o))
            .collect::<Result<Vec<_>, _>>()?;
        let trusted_proxies = list("GATEWAY_TRUSTED_PROXIES")
            .iter()
            .map(|r| r.parse::<IpRange>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("GATEWAY_TRUSTED_PROXIES", e))?;
        let anonymous_per_minute = ranged("GATEWAY_ANONYMOUS_PER_MINUTE", 30, 1..=100_000)? as u32;
        let count = |name: &'static str, default: u64| ranged(name, default, 1..=4096);
        let (sites, remote_sites) = match get("SITES_FILE") {
            None => (None, RemoteSites::default()),
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| invalid("SITES_FILE", format!("{path}: {e}")))?;
                let sites = Sites::parse(&text)
                    .map_err(|e| invalid("SITES_FILE", format!("{path}: {e}")))?;
                let dir = std::path::Path::new(&path)
                    .parent()
                    .unwrap_or(std::path::Path::new("."));
                let ids: Vec<&str> = sites.all().iter().map(|s| s.id.as_str()).collect();
                let remote = RemoteSites::load(sites.remote_entries(), dir, &ids)
                    .map_err(|e| invalid("SITES_FILE", format!("{path}: {e}")))?;
                (Some(Arc::new(sites)), remote)
            }
        };
        Ok(Config {
            remote_sites: Arc::new(remote_sites),
            launch_origins,
            emergency_minutes: ranged("GATEWAY_EMERGENCY_MINUTES", 240, 1..=1440)? as i64,
            sites,
            listen,
            reader_requests: count("GATEWAY_READER_REQUESTS", 8)? as usize,
            pacs_requests: count("GATEWAY_PACS_REQUESTS", 48)? as usize,
            allowed_hosts,
            trusted_proxies,
            anonymous_per_minute,
            dist_dir: get("GATEWAY_DIST").unwrap_or_else(|| "dist".into()).into(),
            public_url: get("GATEWAY_PUBLIC_URL")
                .map(|v| http_url("GATEWAY_PUBLIC_URL", &v))
                .transpose()?,
            pacs_url,
            wado_uri_url,
            pacs_basic_auth: get("PACS_BASIC_AUTH"),
            database_url: get("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://.data/gateway.sqlite?mode=rwc".into()),
            oidc,
            dev_login: flag("GATEWAY_DEV_LOGIN"),
            secure_cookies: flag("GATEWAY_SECURE_COOKIES"),
            max_code_failures,
            code_attempt_interval: Duration::from_millis(interval_ms),
            site: Site {
                name: site_text("GATEWAY_SITE_NAME", get("GATEWAY_SITE_NAME"))?,
                contact: site_text("GATEWAY_SITE_CONTACT", get("GATEWAY_SITE_CONTACT"))?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_are_local_and_closed() {
        let c = config(&[]).expect("defaults");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(!c.dev_login);
        assert!(c.oidc.is_none());
        assert_eq!(
            c.wado_uri_url.map(String::from).as_deref(),
            Some("http://127.0.0.1:8042/wado")
        );
    }

    #[test]
    fn a_site_file_that_cannot_be_used_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("gateway-sites-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("site file");
            path.display().to_string()
        };
        let good = write(
            "good.json",
            r#"{"sites": [{"id": "a", "name": "A", "issuers": ["X"]}]}"#,
        );
        let c = config(&[("SITES_FILE", &good)]).expect("a good site file");
        assert_eq!(c.sites.expect("sites").all()[0].id, "a");
        let twice = write(
            "twice.json",
            r#"{"sites": [{"id": "a", "name": "A", "issuers": ["X"]},
                          {"id": "b", "name": "B", "issuers": ["X"]}]}"#,
        );
        for path in [
            twice,
            write("broken.json", "{"),
            dir.join("absent.json").display().to_string(),
        ] {
            let error = config(&[("SITES_FILE", &path)])
                .expect_err(&path)
                .to_string();
            assert!(error.starts_with("SITES_FILE: "), "{error}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn oidc_needs_an_audience_and_http_urls() {
        assert!(config(&[("OIDC_ISSUER", "https://idp.example")]).is_err());
        assert!(config(&[("OIDC_ISSUER", "file:///x"), ("OIDC_AUDIENCE", "portal")]).is_err());
        let c = config(&[
            ("OIDC_ISSUER", "https://idp.example/realm"),
            ("OIDC_AUDIENCE", "p"),
        ])
        .expect("oidc");
        assert_eq!(c.oidc.map(|o| o.audit_role).as_deref(), Some("audit"));
    }

    #[test]
    fn the_site_is_one_short_line() {
        let c = config(&[
            ("GATEWAY_SITE_NAME", " CHU de Rennes "),
            ("GATEWAY_SITE_CONTACT", "Imagerie : 02 99 28 43 21"),
        ])
        .expect("site");
        assert_eq!(c.site.name.as_deref(), Some("CHU de Rennes"));
        assert_eq!(c.site.contact.as_deref(), Some("Imagerie : 02 99 28 43 21"));
        assert!(config(&[("GATEWAY_SITE_NAME", "a\nb")]).is_err());
        assert!(config(&[("GATEWAY_SITE_CONTACT", &"x".repeat(201))]).is_err());
        assert_eq!(config(&[]).expect("none").site, Site::default());
    }

    #[test]
    fn proxies_and_hosts_are_checked() {
        let c = config(&[
            ("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, ::1, 192.168.1.7"),
            ("GATEWAY_ALLOWED_HOSTS", "viewer.chu.local:8443"),
        ])
        .expect("lists");
        let ip = |t: &str| t.parse::<IpAddr>().expect("ip");
        let [lan, loopback, one] = c.trusted_proxies[..] else {
            panic!("three ranges")
        };
        assert!(lan.contains(ip("10.200.3.4")) && !lan.contains(ip("11.0.0.1")));
        assert!(loopback.contains(ip("::1")) && !loopback.contains(ip("::2")));
        assert!(one.contains(ip("192.168.1.7")) && !one.contains(ip("192.168.1.8")));
        let all = "0.0.0.0/0".parse::<IpRange>().expect("range");
        assert!(all.contains(ip("203.0.113.9")));
        assert!("::ffff:10.0.0.0/104"
            .parse::<IpRange>()
            .expect("mapped")
            .contains(ip("10.9.9.9")));
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x"] {
            assert!(
                config(&[("GATEWAY_TRUSTED_PROXIES", bad)]).is_err(),
                "{bad}"
            );
        }
        for bad in ["http://x.example", "a b", "user@host"] {
            assert!(config(&[("GATEWAY_ALLOWED_HOSTS", bad)]).is_err(), "{bad}");
        }
        assert_eq!(config(&[]).expect("default").anonymous_per_minute, 30);
    }

    #[test]
    fn launch_origins_are_origins_as_browsers_write_them() {
        let c = config(&[(
            "GATEWAY_LAUNCH_ORIGINS",
            "https://DPI.chu.local/, http://ris.local:8081, null",
        )])
        .expect("origins");
        assert_eq!(
            c.launch_origins,
            ["https://dpi.chu.local", "http://ris.local:8081", "null"]
        );
        for bad in [
            "dpi.chu.local",
            "https://dpi/launch",
            "ftp://dpi",
            "https://u@dpi",
        ] {
            assert!(config(&[("GATEWAY_LAUNCH_ORIGINS", bad)]).is_err(), "{bad}");
        }
        assert!(config(&[]).expect("default").launch_origins.is_empty());
    }

    #[test]
    fn pacs_url_must_be_http() {
        assert!(config(&[("PACS_URL", "ftp://pacs/dicom-web")]).is_err());
        let c = config(&[("PACS_URL", "https://pacs.example/dcm4chee/rs")]).expect("url");
        assert!(c.wado_uri_url.is_none());
    }
}
