//! Every refusal the gateway can give without a PACS, as a client sees it: status, body
//! (`{"error": "<code>"}` and its extra fields, or no body for DICOMweb) and the headers that
//! go with it (`Retry-After`, `Set-Cookie`). Also the order of the checks where two could
//! refuse the same request (a query string read before the caller, 404 before 403…).
//! The PACS named here is a closed port: asking it fails at once.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start_gateway, Gateway, Issuer, Options};
use gateway::secret;
use reqwest::header::HeaderMap;
use reqwest::RequestBuilder;
use serde_json::{json, Value};

const NO_PACS: &str = "http://127.0.0.1:9/dicom-web";
const STUDY: &str = "1.2.3";

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

async fn send(request: RequestBuilder) -> Answer {
    let r = request.send().await.unwrap();
    Answer {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap(),
    }
}

/// A JSON answer: this status, exactly this body.
fn assert_json(what: &str, answer: &Answer, status: u16, body: Value) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(answer.headers["content-type"], "application/json", "{what}");
    let got: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(got, body, "{what}");
}

/// A DICOMweb refusal: this status, no body, no content type.
fn assert_bare(what: &str, answer: &Answer, status: u16) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(answer.body, "", "{what}");
    assert!(!answer.headers.contains_key("content-type"), "{what}");
}

fn error(code: &str) -> Value {
    json!({ "error": code })
}

fn unauthenticated(dev_login: bool, sign_in: bool) -> Value {
    json!({ "error": "unauthenticated", "dev_login": dev_login, "sign_in": sign_in })
}

fn jar() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A new share; its link's token.
async fn stored(gw: &Gateway, id: &str, code: Option<&str>) -> String {
    let token = secret::new_token();
    gw.state
        .store
        .insert_share(&common::share_record(id, &token, code, STUDY))
        .await
        .unwrap();
    token
}

fn exchange(
    client: &reqwest::Client,
    gw: &Gateway,
    token: &str,
    code: Option<&str>,
) -> RequestBuilder {
    client
        .post(format!("{}/api/share-sessions", gw.url))
        .json(&json!({ "token": token, "access_code": code }))
}

/// Requests without a caller, with a refused token, or refused before the caller is known.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_refusals() {
    let issuer = Issuer::start().await;
    let db = common::sqlite_url("answers");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: NO_PACS,
        issuer: Some(&issuer),
        dev_login: false,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    let url = |path: &str| format!("{}{path}", gw.url);
    let http = common::client();

    // Nobody, or a refused token.
    let a = send(http.get(url("/api/session"))).await;
    assert_json("anonymous session", &a, 401, unauthenticated(false, false));
    let a = send(http.get(url("/api/session")).bearer_auth("not.a.token")).await;
    assert_json("refused token", &a, 401, unauthenticated(false, false));
    let a = send(http.get(url("/dicom-web/studies"))).await;
    assert_json("anonymous DICOMweb", &a, 401, unauthenticated(false, false));
    let a = send(http.get(url("/wado?requestType=WADO"))).await;
    assert_json("anonymous WADO-URI", &a, 401, unauthenticated(false, false));
    let a = send(http.get(url(&format!("/api/shares?study_uid={STUDY}")))).await;
    assert_json(
        "anonymous share list",
        &a,
        401,
        unauthenticated(false, false),
    );
    let a = send(http.post(url("/api/shares")).body("x")).await;
    assert_json(
        "anonymous share, no JSON",
        &a,
        401,
        unauthenticated(false, false),
    );
    let a = send(http.get(url("/api/audit"))).await;
    assert_json("anonymous audit", &a, 401, unauthenticated(false, false));

    // Checks made before the caller's.
    let a = send(http.get(url("/dicom-web/studies/a%2fb"))).await;
    assert_bare("anonymous, a path that climbs", &a, 404);
    let a = send(
        http.post(url("/wado?requestType=WADO"))
            .bearer_auth("not.a.token"),
    )
    .await;
    assert_bare("POST to WADO-URI", &a, 405);
    let a = send(http.get(url("/api/shares"))).await;
    assert_eq!(a.status, 400, "a share list without its study: {}", a.body);
    let a = send(http.get(url("/api/audit?limit=many"))).await;
    assert_eq!(a.status, 400, "an audit query that is no query: {}", a.body);
    let a = send(
        http.post(url("/api/dev-login"))
            .header("origin", "https://evil.example")
            .json(&json!({})),
    )
    .await;
    assert_json("development login off", &a, 404, error("not_found"));

    // Routes that are not there.
    for (method, path) in [("GET", "/api/nothing"), ("POST", "/api/nothing/else")] {
        let a = send(http.request(method.parse().unwrap(), url(path))).await;
        assert_json(path, &a, 404, error("not_found"));
    }
    for path in ["/auth/login", "/auth/callback?code=c&state=s"] {
        let a = send(http.get(url(path))).await;
        assert_json(path, &a, 404, error("sign_in_not_configured"));
    }
}

/// A signed-in clinician's requests that are refused, and the roles they need.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clinician_refusals() {
    let issuer = Issuer::start().await;
    let db = common::sqlite_url("answers-clinician");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: NO_PACS,
        issuer: Some(&issuer),
        dev_login: false,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    let url = |path: &str| format!("{}{path}", gw.url);
    let http = common::client();
    let alice = issuer.token("alice", &[]);
    let auditor = issuer.token("ada", &["audit"]);

    // A clinician's requests.
    let a = send(http.get(url("/dicom-web/servers")).bearer_auth(&alice)).await;
    assert_bare("outside DICOMweb", &a, 404);
    let a = send(
        http.delete(url(&format!("/dicom-web/studies/{STUDY}")))
            .bearer_auth(&alice),
    )
    .await;
    assert_bare("DELETE", &a, 405);
    let a = send(
        http.get(url("/api/shares?study_uid=1.x"))
            .bearer_auth(&alice),
    )
    .await;
    assert_json("a list of a bad UID", &a, 400, error("invalid"));
    let a = send(
        http.get(url(&format!("/api/shares?study_uid={STUDY}")))
            .bearer_auth(&alice),
    )
    .await;
    assert_eq!((a.status, a.body.as_str()), (200, "[]"));
    let a = send(http.post(url("/api/shares")).bearer_auth(&alice).body("{}")).await;
    assert_json("a share, not JSON", &a, 403, error("cross_origin"));
    let a = send(
        http.post(url("/api/shares"))
            .bearer_auth(&alice)
            .header("origin", "https://evil.example")
            .json(&json!({})),
    )
    .await;
    assert_json(
        "a share from another origin",
        &a,
        403,
        error("cross_origin"),
    );
    let a = send(
        http.post(url("/api/shares"))
            .bearer_auth(&alice)
            .json(&json!({})),
    )
    .await;
    assert_json("an incomplete share", &a, 400, error("invalid"));
    let mut request = json!({
        "study_uid": "1.x", "recipient": "patient", "expires_in_days": 7, "access_code": "none",
        "consent": { "given_by": "patient", "method": "oral", "given_at": gateway::now_ms() / 1000 }
    });
    let a = send(
        http.post(url("/api/shares"))
            .bearer_auth(&alice)
            .json(&request),
    )
    .await;
    assert_json(
        "a bad field",
        &a,
        400,
        json!({ "error": "invalid", "field": "study_uid" }),
    );
    request["study_uid"] = json!(STUDY);
    let a = send(
        http.post(url("/api/shares"))
            .bearer_auth(&alice)
            .json(&request),
    )
    .await;
    assert_json("a share, the PACS away", &a, 502, error("pacs_unavailable"));
    let a = send(
        http.post(url("/api/shares/s-none/revoke"))
            .bearer_auth(&alice)
            .json(&json!({})),
    )
    .await;
    assert_json("revoking no share", &a, 404, error("unknown"));
    let a = send(
        http.post(url("/api/shares/s-none/revoke"))
            .bearer_auth(&alice),
    )
    .await;
    assert_json("revoking, not JSON", &a, 403, error("cross_origin"));
    stored(&gw, "s-revoke", None).await;
    let a = send(
        http.post(url("/api/shares/s-revoke/revoke"))
            .bearer_auth(&alice)
            .json(&json!({})),
    )
    .await;
    assert_eq!((a.status, a.body.as_str()), (204, ""));
    let a = send(http.get(url("/api/audit")).bearer_auth(&alice)).await;
    assert_json("audit without the role", &a, 403, error("forbidden"));
    let a = send(http.get(url("/api/audit/fhir")).bearer_auth(&alice)).await;
    assert_json("FHIR audit without the role", &a, 403, error("forbidden"));
    let a = send(http.get(url("/api/audit")).bearer_auth(&auditor)).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.headers["cache-control"], "no-store",
        "audit rows are never cached"
    );
    let a = send(http.get(url("/api/audit/fhir")).bearer_auth(&auditor)).await;
    assert_eq!(
        (a.status, &a.headers["content-type"]),
        (200, &"application/fhir+json".parse().unwrap())
    );
    assert_eq!(a.headers["cache-control"], "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_link_refusals() {
    let db = common::sqlite_url("answers-shares");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: NO_PACS,
        issuer: None,
        dev_login: false,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    let url = |path: &str| format!("{}{path}", gw.url);
    let http = common::client();

    let a = send(http.post(url("/api/share-sessions")).body("{}")).await;
    assert_json("an exchange, not JSON", &a, 403, error("cross_origin"));
    let a = send(
        http.post(url("/api/share-sessions"))
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;
    assert_json("an exchange, no JSON", &a, 400, error("invalid"));
    let a = send(exchange(&http, &gw, "short", None)).await;
    assert_json("not a token", &a, 404, error("unknown"));
    let a = send(exchange(&http, &gw, &secret::new_token(), None)).await;
    assert_json("no such link", &a, 404, error("unknown"));
    let store = &gw.state.store;
    let token = stored(&gw, "s-revoked", None).await;
    store.revoke_share("s-revoked", 1).await.unwrap();
    let a = send(exchange(&http, &gw, &token, None)).await;
    assert_json("revoked", &a, 410, error("revoked"));
    let token = stored(&gw, "s-expired", None).await;
    store.set_share_expiry("s-expired", 1).await.unwrap();
    let a = send(exchange(&http, &gw, &token, None)).await;
    assert_json("expired", &a, 410, error("expired"));
    let token = stored(&gw, "s-locked", None).await;
    store.record_failure("s-locked", 1, 1).await.unwrap();
    let a = send(exchange(&http, &gw, &token, None)).await;
    assert_json("locked", &a, 423, error("locked"));

    let token = stored(&gw, "s-code", Some("123456")).await;
    let a = send(exchange(&http, &gw, &token, None)).await;
    let required = json!({ "error": "code_required", "code_kind": "code" });
    assert_json("no code", &a, 401, required);
    let a = send(exchange(&http, &gw, &token, Some("000000"))).await;
    let wrong = json!({ "error": "code_wrong", "code_kind": "code", "attempts_left": 4 });
    assert_json("a wrong code", &a, 401, wrong);
    let a = send(exchange(&http, &gw, &token, Some("123456"))).await;
    let soon = json!({ "error": "too_many_attempts", "retry_after_s": 1 });
    assert_json("too soon", &a, 429, soon);
    assert_eq!(a.headers["retry-after"], "1");

    // A share session reads its study and nothing else.
    let patient = jar();
    let token = stored(&gw, "s-open", None).await;
    let a = send(exchange(&patient, &gw, &token, None)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = send(patient.get(url("/api/session"))).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&a.body).unwrap()["kind"],
        "share"
    );
    let a = send(patient.get(url(&format!("/api/shares?study_uid={STUDY}")))).await;
    assert_json("a share session lists shares", &a, 403, error("forbidden"));
    let a = send(patient.get(url("/api/audit"))).await;
    assert_json(
        "a share session reads the trail",
        &a,
        403,
        error("forbidden"),
    );
    let a = send(
        patient
            .post(url("/api/shares/s-open/revoke"))
            .json(&json!({})),
    )
    .await;
    assert_json("a share session revokes", &a, 403, error("forbidden"));
    for _ in 0..2 {
        let a = send(patient.get(url("/dicom-web/studies/9.9.9"))).await;
        assert_bare("another study", &a, 404);
    }
    let a = send(patient.post(url(&format!("/dicom-web/studies/{STUDY}")))).await;
    assert_bare("a share session stores", &a, 405);
    let a = send(patient.get(url(&format!("/dicom-web/studies/{STUDY}/series/4.5")))).await;
    assert_bare("membership, the PACS away", &a, 502);
    let a = send(patient.get(url(
        "/wado?requestType=WADO&studyUID=9.9&seriesUID=1&objectUID=2",
    )))
    .await;
    assert_bare("WADO-URI of another study", &a, 404);
    let query = format!("requestType=WADO&studyUID={STUDY}&seriesUID=1&objectUID=2");
    let a = send(patient.get(url(&format!("/wado?{query}")))).await;
    assert_bare("WADO-URI membership, the PACS away", &a, 502);
    // The first refusal of each study has its row at once; the repeat is counted, and written
    // with the count when its minute closes (here: now, as when the gateway stops).
    let denied = |events: &[gateway::audit::AuditEvent]| -> Vec<i64> {
        events
            .iter()
            .filter(|e| e.action == "access.denied")
            .map(|e| e.repeats)
            .collect()
    };
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    assert_eq!(
        denied(&events),
        [1, 1],
        "the first read of each other study"
    );
    gw.state.write_counted(true).await;
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    assert_eq!(denied(&events).len(), 3, "one counted row for the repeats");
    assert_eq!(denied(&events).iter().sum::<i64>(), 3, "every read counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_login_and_sign_in_refusals() {
    let issuer = Issuer::start().await;
    let db = common::sqlite_url("answers-dev");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: NO_PACS,
        issuer: Some(&issuer),
        dev_login: true,
        sign_in: true,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    let url = |path: &str| format!("{}{path}", gw.url);
    let browser = jar();

    let a = send(browser.get(url("/api/session"))).await;
    assert_json("nobody, both offered", &a, 401, unauthenticated(true, true));
    let a = send(browser.post(url("/api/dev-login")).body("{}")).await;
    assert_json(
        "development login, not JSON",
        &a,
        403,
        error("cross_origin"),
    );
    let a = send(browser.post(url("/api/logout")).body("{}")).await;
    assert_json("logout, not JSON", &a, 403, error("cross_origin"));
    assert_eq!(a.headers["cache-control"], "no-store");
    let a = send(browser.post(url("/api/dev-login")).json(&json!({}))).await;
    assert_eq!((a.status, a.body.as_str()), (204, ""));
    assert_eq!(a.headers["cache-control"], "no-store", "a session's cookie");
    assert!(a.headers["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("portal_session="));
    let a = send(browser.get(url("/api/session"))).await;
    assert_eq!(serde_json::from_str::<Value>(&a.body).unwrap()["dev"], true);
    assert_eq!(a.headers["cache-control"], "no-store");
    let a = send(browser.post(url("/api/logout")).json(&json!({}))).await;
    assert_eq!((a.status, a.body.as_str()), (204, ""));
    assert_eq!(
        a.headers["set-cookie"],
        "portal_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    );

    let a = send(browser.get(url("/auth/callback?error=access_denied"))).await;
    assert_json("the issuer said no", &a, 400, error("sign_in_failed"));
    assert_eq!(a.headers["cache-control"], "no-store");
    assert_eq!(
        a.headers["set-cookie"],
        "portal_login=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0"
    );
    let a = send(browser.get(url("/auth/callback?code=c&state=s"))).await;
    assert_json("a state from elsewhere", &a, 400, error("sign_in_failed"));
}
