//! The front door, before any handler: the request must name this portal in its `Host` (a page
//! on another name that resolves here, DNS rebinding, is answered 421 and reaches nothing),
//! and the client's address is settled once (the peer, or what a trusted proxy says it
//! forwarded) for the audit trail and the rate limits.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::uri::Authority;
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::middleware::Next;

use crate::config::{Config, IpRange};
use crate::error::ApiError;
use crate::state::SharedState;

/// The client's address, as the audit trail writes it and the rate limits count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// This portal's origin as the request reached it (`http://127.0.0.1:8080`,
/// `https://portal.example`): what a same-origin request's `Origin` must equal, and the root
/// of the URLs the gateway writes into answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalOrigin(pub String);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The host names this gateway answers to. An IP address cannot be rebound (a page reaching
/// it by address has that address as its origin), so addresses are judged against the listen
/// address; names must be configured.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    listen: IpAddr,
    /// Lower-case host and, when one was given, the port.
    names: Vec<(String, Option<u16>)>,
}

impl HostPolicy {
    pub fn new(config: &Config) -> HostPolicy {
        let mut names = Vec::new();
        if let Some(public) = &config.public_url {
            if let Some(host) = public.host_str() {
                names.push((host.to_ascii_lowercase(), public.port_or_known_default()));
            }
        }
        for allowed in &config.allowed_hosts {
            if let Ok(authority) = allowed.parse::<Authority>() {
                names.push((authority.host().to_ascii_lowercase(), authority.port_u16()));
            }
        }
        HostPolicy {
            listen: config.listen.ip(),
            names,
        }
    }

    /// Whether `authority` (a request's `Host`) names this portal.
    pub fn allows(&self, authority: &Authority) -> bool {
        let host = authority.host().to_ascii_lowercase();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            return self.listen.is_unspecified()
                || ip == self.listen
                || (self.listen.is_loopback() && ip.is_loopback());
        }
        if host == "localhost" {
            return self.listen.is_loopback() || self.listen.is_unspecified();
        }
        self.names.iter().any(|(name, port)| {
            *name == host
                && match (port, authority.port_u16()) {
                    (None, _) => true,
                    (Some(want), Some(got)) => *want == got,
                    // No port in `Host`: the scheme's own, which the configured URL gave.
                    (Some(want), None) => *want == 80 || *want == 443,
                }
        })
    }
}

/// The request's authority: `Host`, or the URI's (HTTP/2); `Ok(None)` when it names none,
/// `Err` when its `Host` is not an authority.
fn authority_of(request: &Request) -> Result<Option<Authority>, ()> {
    match request.headers().get(header::HOST) {
        Some(host) => host
            .to_str()
            .ok()
            .and_then(|h| h.parse().ok())
            .map(Some)
            .ok_or(()),
        None => Ok(request.uri().authority().cloned()),
    }
}

/// The origin a browser on this authority has: the configured public URL's scheme when the
/// request came through that name, else HTTPS when cookies are marked secure or a trusted
/// proxy says the browser used HTTPS (`X-Forwarded-Proto`).
fn origin_for(config: &Config, authority: &Authority, forwarded_https: bool) -> String {
    if let Some(public) = &config.public_url {
        let same_host = public
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(authority.host()));
        if same_host {
            return format!("{}://{}", public.scheme(), authority.as_str());
        }
    }
    let scheme = if config.secure_cookies || forwarded_https {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{}", authority.as_str().to_ascii_lowercase())
}

/// Whether `ip` is one of the configured proxies.
fn trusted(proxies: &[IpRange], ip: IpAddr) -> bool {
    proxies.iter().any(|range| range.contains(ip))
}

/// The client behind `peer`: the peer itself, unless it is a trusted proxy; then the nearest
/// address in `X-Forwarded-For` (read from the right) that is not a trusted proxy. A proxy
/// appends what it saw, so only the entries added by trusted proxies can be believed.
pub fn client_address(proxies: &[IpRange], peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !trusted(proxies, peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|entry| entry.parse::<IpAddr>().ok())
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted(proxies, **ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

fn refuse(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The front door's middleware: the `Host` checked, the client and the origin settled.
pub async fn front_door(
    State(state): State<SharedState>,
    mut request: Request,
    next: Next,
) -> Response<Body> {
    // No host at all (an HTTP/1.0 health check of a load balancer): no browser sends such a
    // request, so it cannot come from a rebinding page; it is answered as the listen address.
    let listen = state.config.listen.to_string().parse::<Authority>();
    let authority = match (authority_of(&request), listen) {
        (Ok(Some(authority)), _) => authority,
        (Ok(None), Ok(listen)) => listen,
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "The request's host is not readable.\n",
            )
        }
    };
    if !state.hosts.allows(&authority) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "This portal does not answer to that host name. Its operator can add the name to \
             GATEWAY_ALLOWED_HOSTS or GATEWAY_PUBLIC_URL.\n",
        );
    }
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "No peer address.\n");
    };
    let proxies = &state.config.trusted_proxies;
    let client = client_address(proxies, peer.ip(), request.headers());
    let forwarded_https = trusted(proxies, peer.ip())
        && request
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let origin = origin_for(&state.config, &authority, forwarded_https);
    request.extensions_mut().insert(ClientAddr(client));
    request.extensions_mut().insert(PortalOrigin(origin));
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ClientAddr>()
            .copied()
            .ok_or(ApiError::NoPeerAddress)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PortalOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PortalOrigin>()
            .cloned()
            .ok_or(ApiError::NoPeerAddress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .expect("config")
    }

    fn allows(policy: &HostPolicy, host: &str) -> bool {
        policy.allows(&host.parse().expect("authority"))
    }

    #[test]
    fn loopback_answers_to_addresses_and_localhost_only() {
        let policy = HostPolicy::new(&config(&[]));
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "LOCALHOST",
        ] {
            assert!(allows(&policy, host), "{host}");
        }
        for host in [
            "rebind.attacker.example:8080",
            "10.0.0.1:8080",
            "127.0.0.1.nip.io:8080",
        ] {
            assert!(!allows(&policy, host), "{host}");
        }
    }

    #[test]
    fn names_come_from_the_public_url_and_the_allowed_list() {
        let c = config(&[
            ("GATEWAY_LISTEN", "0.0.0.0:8080"),
            ("GATEWAY_PUBLIC_URL", "https://Portal.example"),
            (
                "GATEWAY_ALLOWED_HOSTS",
                "pacs-viewer.chu.local, alt.example:9443",
            ),
        ]);
        let policy = HostPolicy::new(&c);
        for host in [
            "portal.example",
            "portal.example:443",
            "pacs-viewer.chu.local:8080",
            "alt.example:9443",
            "10.1.2.3:8080",
        ] {
            assert!(allows(&policy, host), "{host}");
        }
        for host in ["portal.example:8443", "alt.example", "evil.example"] {
            assert!(!allows(&policy, host), "{host}");
        }
    }

    #[test]
    fn the_origin_carries_the_public_scheme() {
        let c = config(&[("GATEWAY_PUBLIC_URL", "https://portal.example")]);
        let authority = "portal.example".parse().expect("authority");
        assert_eq!(origin_for(&c, &authority, false), "https://portal.example");
        let local = "127.0.0.1:8080".parse().expect("authority");
        assert_eq!(origin_for(&c, &local, false), "http://127.0.0.1:8080");
        assert_eq!(origin_for(&c, &local, true), "https://127.0.0.1:8080");
    }

    #[test]
    fn only_trusted_proxies_say_who_the_client_is() {
        let proxies = vec!["10.0.0.0/8".parse::<IpRange>().expect("range")];
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "1.1.1.1, 192.0.2.7, 10.0.0.3".parse().expect("header"),
        );
        let lb: IpAddr = "10.0.0.2".parse().expect("ip");
        let direct: IpAddr = "198.51.100.4".parse().expect("ip");
        // The client's own claim (1.1.1.1) is not believed: the nearest untrusted entry is.
        assert_eq!(
            client_address(&proxies, lb, &headers),
            "192.0.2.7".parse::<IpAddr>().expect("ip")
        );
        assert_eq!(client_address(&proxies, direct, &headers), direct);
        headers.insert("x-forwarded-for", "not-an-address".parse().expect("header"));
        assert_eq!(client_address(&proxies, lb, &headers), lb);
    }
}
