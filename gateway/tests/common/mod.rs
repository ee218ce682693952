//! Test harness: a local OIDC issuer with keys made here (RSA 2048 and P-256), gateways started
//! in-process on free ports, and the PACS the test script loaded (`GATEWAY_TEST_PACS_URL`).
#![allow(dead_code, clippy::unwrap_used)] // test helpers: a failed set-up is a failed test

use std::collections::HashMap;
use std::path::PathBuf;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Form, Query};
use axum::http::{header, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use gateway::config::Config;
use gateway::state::{AppState, SharedState};
use gateway::store::Share;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const AUDIENCE: &str = "portal-test";

/// Which key signs a test token.
#[derive(Debug, Clone, Copy)]
pub enum Signer {
    Rsa,
    Ec,
    /// An RSA key the issuer does not publish, under the published key's `kid`.
    Rogue,
    /// The key the issuer publishes for encryption (`use: enc`), signing.
    Encryption,
}

pub struct Issuer {
    pub url: String,
    server: tokio::task::JoinHandle<()>,
    rsa_pem: Vec<u8>,
    rogue_pem: Vec<u8>,
    ec_pkcs8: Vec<u8>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Issuer {
    pub async fn start() -> Issuer {
        let mut rng = rand::rngs::OsRng;
        let rsa = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let rogue = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let ring_rng = ring::rand::SystemRandom::new();
        let ec_pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ring_rng)
            .unwrap()
            .as_ref()
            .to_vec();
        let ec = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ec_pkcs8, &ring_rng)
            .unwrap();
        let point = ec.public_key().as_ref(); // 0x04 || x || y
        let jwks = json!({ "keys": [
            { "kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
              "n": b64(&rsa.n().to_bytes_be()), "e": b64(&rsa.e().to_bytes_be()) },
            { "kty": "RSA", "kid": "enc-1", "use": "enc", "alg": "RSA-OAEP",
              "n": b64(&rogue.n().to_bytes_be()), "e": b64(&rogue.e().to_bytes_be()) },
            { "kty": "EC", "kid": "ec-1", "use": "sig", "alg": "ES256", "crv": "P-256",
              "x": b64(&point[1..33]), "y": b64(&point[33..65]) },
        ]});
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let discovery = json!({
            "issuer": url, "jwks_uri": format!("{url}/jwks"),
            "authorization_endpoint": format!("{url}/authorize"),
            "token_endpoint": format!("{url}/token"),
        });
        let rsa_pem = rsa
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
            .as_bytes()
            .to_vec();
        let codes: Codes = Arc::new(Mutex::new(HashMap::new()));
        let authorize_codes = codes.clone();
        let token_issuer = url.clone();
        let token_pem = rsa_pem.clone();
        let app = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { Json(discovery) }),
            )
            .route("/jwks", get(move || async move { Json(jwks) }))
            .route(
                "/authorize",
                get(move |Query(q): Query<HashMap<String, String>>| async move {
                    authorize(&authorize_codes, &q)
                }),
            )
            .route(
                "/token",
                post(move |Form(f): Form<HashMap<String, String>>| async move {
                    token(&codes, &f, &token_issuer, &token_pem)
                }),
            );
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Issuer {
            url,
            server,
            rsa_pem,
            rogue_pem: rogue
                .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
                .unwrap()
                .as_bytes()
                .to_vec(),
            ec_pkcs8,
        }
    }

    /// The issuer goes away: its port is closed (connections already open end when their
    /// client lets them go idle).
    pub fn stop(&self) {
        self.server.abort();
    }

    /// Claims of a valid clinician token, to be altered by the test.
    pub fn claims(&self, subject: &str, roles: &[&str]) -> Value {
        let now = gateway::now_ms() / 1000;
        json!({ "iss": self.url, "aud": AUDIENCE, "sub": subject, "name": format!("Dr {subject}"),
                "roles": roles, "iat": now, "exp": now + 600 })
    }

    pub fn sign(&self, signer: Signer, claims: &Value) -> String {
        let (alg, kid, key) = match signer {
            Signer::Rsa => (
                Algorithm::RS256,
                "rsa-1",
                EncodingKey::from_rsa_pem(&self.rsa_pem),
            ),
            Signer::Rogue => (
                Algorithm::RS256,
                "rsa-1",
                EncodingKey::from_rsa_pem(&self.rogue_pem),
            ),
            Signer::Encryption => (
                Algorithm::RS256,
                "enc-1",
                EncodingKey::from_rsa_pem(&self.rogue_pem),
            ),
            Signer::Ec => (
                Algorithm::ES256,
                "ec-1",
                Ok(EncodingKey::from_ec_der(&self.ec_pkcs8)),
            ),
        };
        let mut header = Header::new(alg);
        header.kid = Some(kid.into());
        encode(&header, claims, &key.unwrap()).unwrap()
    }

    pub fn token(&self, subject: &str, roles: &[&str]) -> String {
        self.sign(Signer::Rsa, &self.claims(subject, roles))
    }
}

/// The client the test issuer knows, and the user it signs in.
pub const CLIENT_ID: &str = "portal-web";
pub const SIGNED_IN: &str = "dr-oidc";

/// A code issued by `/authorize`: what `/token` must be shown to redeem it.
struct Pending {
    challenge: String,
    redirect_uri: String,
}

type Codes = Arc<Mutex<HashMap<String, Pending>>>;

/// The issuer's authorization endpoint: the user is signed in at once, the code sent back.
fn authorize(codes: &Codes, q: &HashMap<String, String>) -> Response<Body> {
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.contains_key("state")
        && q.contains_key("code_challenge");
    if !ok {
        return (StatusCode::BAD_REQUEST, "invalid_request").into_response();
    }
    let code = gateway::secret::new_token();
    let redirect_uri = q["redirect_uri"].clone();
    codes.lock().unwrap().insert(
        code.clone(),
        Pending {
            challenge: q["code_challenge"].clone(),
            redirect_uri: redirect_uri.clone(),
        },
    );
    let mut to = url::Url::parse(&redirect_uri).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q["state"]);
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The issuer's token endpoint: a code once, with its PKCE verifier and redirect URI.
fn token(codes: &Codes, f: &HashMap<String, String>, issuer: &str, pem: &[u8]) -> Response<Body> {
    let pending = f.get("code").and_then(|c| codes.lock().unwrap().remove(c));
    let verified = pending.is_some_and(|p| {
        let verifier = f.get("code_verifier").map(String::as_str).unwrap_or("");
        b64(&Sha256::digest(verifier.as_bytes())) == p.challenge
            && f.get("redirect_uri") == Some(&p.redirect_uri)
    });
    if !verified
        || f.get("grant_type").map(String::as_str) != Some("authorization_code")
        || f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_grant" })),
        )
            .into_response();
    }
    let now = gateway::now_ms() / 1000;
    let claims = json!({ "iss": issuer, "aud": AUDIENCE, "sub": SIGNED_IN, "name": "Dr OIDC",
                         "roles": ["audit"], "iat": now, "exp": now + 600 });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let access_token = encode(&header, &claims, &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap();
    Json(json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": 600 }))
        .into_response()
}

/// A built app stand-in: an index with an inline loader script, and a wasm file.
fn dist_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gateway-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><script type=\"module\">import init from '/app-0123456789abcdef.js';init();</script>",
    )
    .unwrap();
    std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    dir
}

pub struct Gateway {
    pub url: String,
    pub state: SharedState,
}

/// Settings of a test gateway.
pub struct Options<'a> {
    pub database_url: &'a str,
    pub pacs_url: &'a str,
    pub issuer: Option<&'a Issuer>,
    pub dev_login: bool,
    /// The browser sign-in (a client ID at the issuer, the gateway's public URL).
    pub sign_in: bool,
    /// Requests per minute and client address on the anonymous routes (default: no limit
    /// a test reaches).
    pub anonymous_per_minute: Option<u32>,
    /// The region's site file (`SITES_FILE`).
    pub sites_file: Option<&'a str>,
    /// Origins whose pages may launch the portal (`GATEWAY_LAUNCH_ORIGINS`).
    pub launch_origins: Option<&'a str>,
}

pub async fn start_gateway(options: Options<'_>) -> Gateway {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut env: HashMap<&str, String> = HashMap::new();
    env.insert("GATEWAY_LISTEN", "127.0.0.1:0".into());
    env.insert("GATEWAY_DIST", dist_dir().display().to_string());
    env.insert("PACS_URL", options.pacs_url.into());
    env.insert("DATABASE_URL", options.database_url.into());
    env.insert("GATEWAY_CODE_INTERVAL_MS", "300".into());
    // Each suite's many share links come from one address; the limit's own test sets its own.
    env.insert(
        "GATEWAY_ANONYMOUS_PER_MINUTE",
        options.anonymous_per_minute.unwrap_or(10_000).to_string(),
    );
    if options.dev_login {
        env.insert("GATEWAY_DEV_LOGIN", "1".into());
    }
    if let Some(issuer) = options.issuer {
        env.insert("OIDC_ISSUER", issuer.url.clone());
        env.insert("OIDC_AUDIENCE", AUDIENCE.into());
        if options.sign_in {
            env.insert("OIDC_CLIENT_ID", CLIENT_ID.into());
            env.insert("GATEWAY_PUBLIC_URL", url.clone());
        }
    }
    if let Some(sites) = options.sites_file {
        env.insert("SITES_FILE", sites.into());
    }
    if let Some(origins) = options.launch_origins {
        env.insert("GATEWAY_LAUNCH_ORIGINS", origins.into());
    }
    let config: Config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let state = AppState::new(config).await.unwrap();
    let served = state.clone();
    tokio::spawn(async move { gateway::serve_on(listener, served).await.ok() });
    Gateway { url, state }
}

/// A fresh SQLite database file.
pub fn sqlite_url(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("gateway-{name}-{}.sqlite", std::process::id()));
    std::fs::remove_file(&path).ok();
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The PACS loaded by the test script; tests that need it are `#[ignore]`d and run by it.
pub fn pacs_url() -> String {
    std::env::var("GATEWAY_TEST_PACS_URL")
        .expect("GATEWAY_TEST_PACS_URL: run scripts/gateway_tests.sh, which starts the PACS")
}

pub fn postgres_url() -> String {
    std::env::var("GATEWAY_TEST_POSTGRES_URL")
        .expect("GATEWAY_TEST_POSTGRES_URL: run scripts/gateway_tests.sh, which starts PostgreSQL")
}

/// A browser-like client: keeps cookies, sends JSON with this origin.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A share of `study` as stored, made now for an hour, opened by `token` (and `code`).
pub fn share_record(id: &str, token: &str, code: Option<&str>, study: &str) -> Share {
    let now = gateway::now_ms();
    Share {
        id: id.into(),
        token_hash: gateway::secret::token_hash(token),
        study_uid: study.into(),
        patient_id: "P1".into(),
        recipient: "patient".into(),
        created_at_ms: now,
        created_by: "clinician:alice".into(),
        created_by_name: Some("Dr Alice Martin".into()),
        expires_at_ms: now + 3_600_000,
        revoked_at_ms: None,
        code_kind: if code.is_some() { "code" } else { "none" }.into(),
        code_hash: code.map(|c| gateway::secret::code_hash(id, c)),
        failed_attempts: 0,
        locked_at_ms: None,
        uses: 0,
        consent_given_by: "patient".into(),
        consent_name: None,
        consent_method: "oral".into(),
        consent_at_ms: now,
    }
}
