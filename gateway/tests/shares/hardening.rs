//! What an attacker who cannot read another study still tried: another host name resolving to
//! the gateway (DNS rebinding), a state change from another scheme or with a look-alike media
//! type, the PACS's own address read from the answers, and the audit trail grown by anonymous
//! failures.

use reqwest::header::{CONTENT_TYPE, HOST, ORIGIN};
use serde_json::{json, Value};

use super::support::{open, share, Corpus, JSON};
use crate::common::{self, browser, client, start_gateway, Gateway, Issuer, Options};

/// The tests' gateway: the development login on (as the run command's default), a low rate.
pub async fn hardened_gateway(db: &str, issuer: &Issuer) -> Gateway {
    start_gateway(Options {
        database_url: db,
        pacs_url: &common::pacs_url(),
        issuer: Some(issuer),
        dev_login: true,
        sign_in: false,
        anonymous_per_minute: Some(20),
        sites_file: None,
        launch_origins: None,
    })
    .await
}

fn port(gw: &Gateway) -> &str {
    gw.url.rsplit(':').next().unwrap()
}

async fn audit_rows(gw: &Gateway) -> Vec<gateway::audit::AuditEvent> {
    gw.state
        .store
        .audit_events(None, None, 100_000)
        .await
        .unwrap()
}

/// Another name for the gateway's address reaches nothing: not the login, not the PACS, not
/// the app; and it writes nothing.
pub async fn rebinding_is_misdirected(gw: &Gateway) {
    let rebound = format!("rebind.attacker.example:{}", port(gw));
    let before = audit_rows(gw).await.len();
    let r = client()
        .post(format!("{}/api/dev-login", gw.url))
        .header(HOST, &rebound)
        .header(ORIGIN, format!("http://{rebound}"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 421, "a login through another name");
    assert!(r.headers().get("set-cookie").is_none());
    // A session made on the right name is no use under the other.
    let doctor = browser();
    let r = doctor
        .post(format!("{}/api/dev-login", gw.url))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    for path in [
        "/dicom-web/studies",
        "/api/session",
        "/",
        "/wado?requestType=WADO",
    ] {
        let r = doctor
            .get(format!("{}{path}", gw.url))
            .header(HOST, &rebound)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 421, "{path} through another name");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    }
    let r = doctor
        .get(format!("{}/dicom-web/studies?limit=1", gw.url))
        .header(HOST, format!("localhost:{}", port(gw)))
        .header("accept", JSON)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "localhost is this machine");
    // A load balancer's HTTP/1.0 health check names no host (no browser sends that): it is
    // answered; a host that is not an authority is not.
    let raw = |request: &'static [u8]| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let address = gw.url.trim_start_matches("http://").to_string();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        String::from_utf8_lossy(&answer).to_string()
    };
    let check = raw(b"GET /api/site HTTP/1.0\r\n\r\n").await;
    assert!(check.starts_with("HTTP/1.0 200"), "{check}");
    let odd = raw(b"GET /api/site HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n").await;
    assert!(odd.starts_with("HTTP/1.1 400"), "{odd}");
    let after = audit_rows(gw).await;
    let written: Vec<&str> = after[..after.len() - before]
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(written, ["login"], "only the real login is recorded");
}

/// A state change's origin is compared whole (scheme, host, port), its media type exactly.
pub async fn origins_are_compared_whole(gw: &Gateway) {
    let here = gw.url.clone();
    let https = here.replacen("http://", "https://", 1);
    for (origin, content_type, want) in [
        (https.as_str(), "application/json", 403),
        (here.as_str(), "application/jsonx", 403),
        (here.as_str(), "application/json-seq", 403),
        (here.as_str(), "application/json; charset=utf-8", 204),
    ] {
        let r = client()
            .post(format!("{here}/api/dev-login"))
            .header(ORIGIN, origin)
            .header(CONTENT_TYPE, content_type)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), want, "{origin} {content_type}");
    }
}

/// The bodies of every answer kind that can name a URL, as a clinician and as a share session
/// read them: the PACS's address in none, Retrieve URLs naming the gateway.
pub async fn the_pacs_address_is_never_shown(gw: &Gateway, c: &Corpus, doctor: &str) {
    let pacs = url::Url::parse(&common::pacs_url()).unwrap();
    let pacs_authority = format!("{}:{}", pacs.host_str().unwrap(), pacs.port().unwrap());
    let root = format!("{}/dicom-web", gw.url);
    let xml = "multipart/related; type=\"application/dicom+xml\"";
    let (a, sa) = (&c.a, &c.a_series);
    // (path, accept, whether the PACS writes Retrieve URLs into it)
    let reads = [
        ("studies?limit=5".to_string(), JSON, true),
        ("studies?limit=5".to_string(), xml, true),
        ("series?limit=5".to_string(), JSON, true),
        ("instances?limit=5".to_string(), JSON, true),
        (format!("studies/{a}/series"), JSON, true),
        (format!("studies/{a}/series/{sa}/instances"), JSON, true),
        (format!("studies/{a}/metadata"), JSON, false),
    ];
    let check = |what: &str, body: &str, names_urls: bool| {
        assert!(
            !body.contains(&pacs_authority),
            "{what}: the PACS's address"
        );
        if names_urls {
            assert!(
                body.contains(&root),
                "{what}: Retrieve URLs naming the gateway"
            );
        }
    };
    for (path, accept, names_urls) in &reads {
        let r = client()
            .get(format!("{root}/{path}"))
            .bearer_auth(doctor)
            .header("accept", *accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path} {accept}");
        check(path, &r.text().await.unwrap(), *names_urls);
    }
    let r = client()
        .get(format!("{root}/studies/{a}/series"))
        .bearer_auth(doctor)
        .header("accept", JSON)
        .send()
        .await
        .unwrap();
    let series: Vec<Value> = r.json().await.unwrap();
    let retrieve = series[0]["00081190"]["Value"][0].as_str().unwrap();
    assert!(
        retrieve.starts_with(&format!("{root}/studies/{a}/series/")),
        "{retrieve}"
    );

    // A share session's search.
    let (_, token, _) = share(&gw.url, doctor, a, "none").await;
    let patient = browser();
    assert_eq!(open(&gw.url, &patient, &token, None).await.0, 200);
    let r = patient
        .get(format!("{root}/studies"))
        .header("accept", JSON)
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    check("a share session's search", &body, true);
    assert!(body.contains(&format!("\"{root}/studies/{a}\"")), "{body}");

    // A store's answer (the instance stored again: the PACS keeps one copy).
    let instance = client()
        .get(format!(
            "{root}/studies/{a}/series/{sa}/instances/{}",
            c.a_instance
        ))
        .bearer_auth(doctor)
        .header("accept", "multipart/related; type=\"application/dicom\"")
        .send()
        .await
        .unwrap();
    assert_eq!(instance.status().as_u16(), 200);
    let content_type = instance.headers()[CONTENT_TYPE].clone();
    let parts = instance.bytes().await.unwrap();
    let r = client()
        .post(format!("{root}/studies"))
        .bearer_auth(doctor)
        .header(CONTENT_TYPE, content_type)
        .header("accept", JSON)
        .body(parts)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    check("a store's answer", &r.text().await.unwrap(), true);
}

/// Anonymous failures: a client address gets its rate and then 429, whatever it claims in
/// `X-Forwarded-For` (no proxy is trusted here); the trail holds a few counted rows, not one
/// per request; a clinician's acts keep a row each.
pub async fn anonymous_failures_are_bounded(gw: &Gateway, c: &Corpus, doctor: &str) {
    let before = audit_rows(gw).await.len();
    let mut statuses = Vec::new();
    for n in 0..60 {
        let r = client()
            .post(format!("{}/api/share-sessions", gw.url))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .json(&json!({ "token": gateway::secret::new_token() }))
            .send()
            .await
            .unwrap();
        if r.status().as_u16() == 429 {
            assert!(r.headers().contains_key("retry-after"));
        }
        statuses.push(r.status().as_u16());
    }
    let unknown = statuses.iter().filter(|s| **s == 404).count();
    let held = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((unknown, held), (20, 40), "{statuses:?}");
    for _ in 0..2 {
        share(&gw.url, doctor, &c.a, "none").await;
    }
    let rows = audit_rows(gw).await;
    let new = &rows[..rows.len() - before];
    let failures = new.iter().filter(|e| e.action == "share.code_failure");
    assert_eq!(
        failures.count(),
        2,
        "the first unknown link, the first refusal"
    );
    let creations = new.iter().filter(|e| e.action == "share.create").count();
    assert_eq!(creations, 2, "every act its own row");
    gw.state.write_counted(true).await;
    let rows = audit_rows(gw).await;
    let failures: Vec<_> = rows[..rows.len() - before]
        .iter()
        .filter(|e| e.action == "share.code_failure")
        .collect();
    assert!(failures.len() <= 4, "{}", failures.len());
    assert_eq!(failures.iter().map(|e| e.repeats).sum::<i64>(), 60);
    assert!(failures.iter().all(|e| e.source == "127.0.0.1"));
}
