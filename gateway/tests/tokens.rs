//! Clinicians' bearer tokens against a local issuer whose keys this test makes: good RS256 and
//! ES256 tokens are accepted; a bad signature, another audience or issuer, an expired or
//! future token, `alg: none`, an HMAC made with the public key, and a bearer without an
//! issuer configured are refused, and each refusal is in the audit trail without the token.
//! Also: the app's files carry the security headers. No PACS needed.
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{client, start_gateway, Issuer, Options, Signer};
use serde_json::{json, Value};

async fn session_status(gateway: &str, token: &str) -> (u16, Value) {
    let response = client()
        .get(format!("{gateway}/api/session"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_are_checked_against_the_issuer() {
    let issuer = Issuer::start().await;
    let db = common::sqlite_url("tokens");
    let gw = start_gateway(Options {
        database_url: &db,
        // Never reached: these requests stop at the gateway.
        pacs_url: "http://127.0.0.1:9/dicom-web",
        issuer: Some(&issuer),
        dev_login: false,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;

    let (status, body) = session_status(&gw.url, &issuer.token("alice", &["audit"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kind"], "clinician");
    assert_eq!(body["name"], "Dr alice");
    assert_eq!(body["can_audit"], true);
    assert_eq!(body["dev"], false);

    let ec = issuer.sign(Signer::Ec, &issuer.claims("bob", &[]));
    let (status, body) = session_status(&gw.url, &ec).await;
    assert_eq!(status, 200, "ES256: {body}");
    assert_eq!(body["can_audit"], false);

    let now = gateway::now_ms() / 1000;
    let mut refused = Vec::new();
    refused.push((
        "bad signature",
        issuer.sign(Signer::Rogue, &issuer.claims("eve", &[])),
    ));
    refused.push((
        "encryption key",
        issuer.sign(Signer::Encryption, &issuer.claims("eve", &[])),
    ));
    let mut c = issuer.claims("eve", &[]);
    c["aud"] = json!("another-app");
    refused.push(("wrong audience", issuer.sign(Signer::Rsa, &c)));
    let mut c = issuer.claims("eve", &[]);
    c["iss"] = json!("https://elsewhere.example");
    refused.push(("wrong issuer", issuer.sign(Signer::Rsa, &c)));
    let mut c = issuer.claims("eve", &[]);
    c["exp"] = json!(now - 3600);
    refused.push(("expired", issuer.sign(Signer::Rsa, &c)));
    let mut c = issuer.claims("eve", &[]);
    c["nbf"] = json!(now + 3600);
    refused.push(("not yet valid", issuer.sign(Signer::Rsa, &c)));
    let mut c = issuer.claims("eve", &[]);
    c.as_object_mut().unwrap().remove("exp");
    refused.push(("no expiry", issuer.sign(Signer::Rsa, &c)));
    let claims = URL_SAFE_NO_PAD.encode(issuer.claims("eve", &[]).to_string());
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    refused.push(("alg none", format!("{none_header}.{claims}.")));
    // An HMAC "signed" with the published key's modulus as secret.
    let hs_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT","kid":"rsa-1"}"#);
    refused.push(("HS256", format!("{hs_header}.{claims}.c2lnbmF0dXJl")));
    refused.push(("garbage", "not-a-jwt".into()));
    // The token of an unknown key ID.
    let good = issuer.token("eve", &[]);
    let mut parts: Vec<&str> = good.split('.').collect();
    let unknown_kid = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT","kid":"other"}"#);
    parts[0] = &unknown_kid;
    refused.push(("unknown kid", parts.join(".")));

    for (what, token) in &refused {
        let (status, body) = session_status(&gw.url, token).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error"], "unauthenticated", "{what}");
        // DICOMweb too, before any request reaches the PACS.
        let response = client()
            .get(format!("{}/dicom-web/studies", gw.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{what} on DICOMweb");
    }

    // Without a token: nobody (and no development login on this gateway).
    let response = client()
        .get(format!("{}/api/session", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["dev_login"], false);
    let response = client()
        .post(format!("{}/api/dev-login", gw.url))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);

    // The refusals are in the audit trail (each kind's first at once, its repeats counted
    // in one row when its minute closes: here, now), and no token is.
    gw.state.write_counted(true).await;
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    let failures: i64 = events
        .iter()
        .filter(|e| e.action == "login.failure")
        .map(|e| e.repeats)
        .sum();
    assert_eq!(failures, i64::try_from(refused.len() * 2).unwrap());
    let dump = serde_json::to_string(&events).unwrap();
    for (what, token) in &refused {
        let signature = token.rsplit('.').next().unwrap_or("");
        assert!(
            signature.len() < 8 || !dump.contains(signature),
            "{what}: token in the audit trail"
        );
    }
    for detail in [
        "bad signature",
        "wrong audience",
        "wrong issuer",
        "expired token",
        "token not valid yet",
        "unknown key",
    ] {
        assert!(
            events.iter().any(|e| e.detail == detail),
            "no audit row says {detail}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_without_issuer_refuses_every_bearer() {
    let issuer = Issuer::start().await;
    let db = common::sqlite_url("no-issuer");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: "http://127.0.0.1:9/dicom-web",
        issuer: None,
        dev_login: true,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    let (status, _) = session_status(&gw.url, &issuer.token("alice", &[])).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_served_with_its_security_headers() {
    let db = common::sqlite_url("static");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: "http://127.0.0.1:9/dicom-web",
        issuer: None,
        dev_login: false,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    for path in ["/", "/share", "/IHEInvokeImageDisplay"] {
        let response = client()
            .get(format!("{}{path}", gw.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-cache");
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("<script type=\"module\">"));
    }
    let wasm = client()
        .get(format!("{}/app-0123456789abcdef_bg.wasm", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let missing = client()
        .get(format!("{}/missing.js", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let api = client()
        .get(format!("{}/api/nothing", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 404);
    assert!(api.headers().contains_key("content-security-policy"));
    // Anonymous DICOMweb and WADO-URI: 401, never the PACS.
    for path in [
        "/dicom-web/studies",
        "/wado?requestType=WADO&studyUID=1&seriesUID=2&objectUID=3",
    ] {
        let r = client()
            .get(format!("{}{path}", gw.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{path}");
    }
}

/// The identity provider unreachable: tokens whose keys were already fetched keep working
/// until they expire; a gateway that never fetched them refuses tokens and says why in the
/// audit trail; a new sign-in gets a plain page, not an error code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_already_fetched_outlive_an_issuer_outage() {
    let issuer = Issuer::start().await;
    let options = |db| Options {
        database_url: db,
        pacs_url: "http://127.0.0.1:9/dicom-web",
        issuer: Some(&issuer),
        dev_login: false,
        sign_in: true,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    };
    let (db, fresh_db) = (
        common::sqlite_url("outage"),
        common::sqlite_url("outage-fresh"),
    );
    let gw = start_gateway(options(&db)).await;
    let token = issuer.token("dr-a", &[]);
    assert_eq!(session_status(&gw.url, &token).await.0, 200);

    issuer.stop();
    // Connections the gateway kept open to the issuer close once idle (under a second).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(session_status(&gw.url, &token).await.0, 200, "cached keys");
    let ec = issuer.sign(Signer::Ec, &issuer.claims("dr-b", &[]));
    assert_eq!(
        session_status(&gw.url, &ec).await.0,
        200,
        "the other cached key"
    );
    let mut expired = issuer.claims("dr-a", &[]);
    expired["exp"] = json!(gateway::now_ms() / 1000 - 120);
    let expired = issuer.sign(Signer::Rsa, &expired);
    assert_eq!(
        session_status(&gw.url, &expired).await.0,
        401,
        "expiry still holds"
    );

    let page = client()
        .get(format!("{}/auth/login?return=/studies", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 503);
    assert_eq!(page.headers()["retry-after"], "60");
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let text = page.text().await.unwrap();
    assert!(text.contains("Le service d'identification de l'établissement ne répond pas"));
    assert!(
        text.contains("href=\"/auth/login?return=%2Fstudies\""),
        "{text}"
    );

    let fresh = start_gateway(options(&fresh_db)).await;
    assert_eq!(session_status(&fresh.url, &token).await.0, 401);
    let events = fresh
        .state
        .store
        .audit_events(None, None, 100)
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e.detail == "issuer keys unavailable"),
        "the refusal says why"
    );
}
