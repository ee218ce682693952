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
#[path = "shares/hardening.rs"]
mod hardening;
#[path = "shares/migrations.rs"]
mod migrations;
#[path = "shares/outage.rs"]
mod outage;
#[path = "shares/scope.rs"]
mod scope;
#[path = "shares/support.rs"]
mod support;

use std::time::Duration;

use common::{browser, client, postgres_url, sqlite_url, Gateway, Issuer};
use scope::scope_is_one_study;
use serde_json::{json, Value};
use support::{corpus, gateway, open, share, share_request, status, studies_seen, Corpus, JSON};

/// Link tokens and access codes given out during a test: none may reach the audit trail.
#[derive(Default)]
struct Secrets {
    tokens: Vec<String>,
    codes: Vec<String>,
}

async fn share_links(db: &str) {
    let c = corpus().await;
    let issuer = Issuer::start().await;
    let gw = gateway(db, &issuer).await;
    let doctor = issuer.token("dr-a", &["audit"]);
    let mut secrets = Secrets::default();
    let (id, token) = link_alone(&gw, &c, &doctor).await;
    secrets.tokens.push(token.clone());
    revocation_and_expiry(&gw, &c, &doctor, (&id, &token), &mut secrets).await;
    access_codes(&gw, &c, &doctor, &mut secrets).await;
    refused_creations(&gw, &c, &doctor).await;
    listed_and_audited(&gw, &c, &issuer, &doctor, &secrets).await;
}

/// A share without code: the link alone opens the study, and nothing else; the session can
/// neither share nor read the audit trail. Returns the share's id and token.
async fn link_alone(gw: &Gateway, c: &Corpus, doctor: &str) -> (String, String) {
    let (id, token, code) = share(&gw.url, doctor, &c.a, "none").await;
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
    // The recipient is told who shared it by name, never by the audit trail's identifier.
    assert_eq!(me["shared_by"], "Dr dr-a");
    assert_eq!(body["shared_by"], "Dr dr-a");
    assert!(me["shared_at"].as_i64().is_some_and(|t| t > 0));
    scope_is_one_study(&gw.url, c, &patient).await;
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

    (id, token)
}

/// Revocation and expiry take effect at the very next request; unknown and malformed tokens
/// open nothing.
async fn revocation_and_expiry(
    gw: &Gateway,
    c: &Corpus,
    doctor: &str,
    (id, token): (&str, &str),
    secrets: &mut Secrets,
) {
    let patient = browser();
    assert_eq!(
        status(
            &patient,
            &format!("{}/dicom-web/studies/{}/series", gw.url, c.a),
            JSON
        )
        .await,
        401
    );
    let (s, _) = open(&gw.url, &patient, token, None).await;
    assert_eq!(s, 200);
    // Revocation: the very next request is refused, and the link no longer opens.
    let r = client()
        .post(format!("{}/api/shares/{id}/revoke", gw.url))
        .bearer_auth(doctor)
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
    assert_eq!(open(&gw.url, &browser(), token, None).await.0, 410);

    // Expiry: the same, at the moment the share ends.
    let (id, token, _) = share(&gw.url, doctor, &c.a, "none").await;
    secrets.tokens.push(token.clone());
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
}

/// Access codes: six digits, required, spaced, counted and locking the share; or the patient's
/// birth date, never sent back.
async fn access_codes(gw: &Gateway, c: &Corpus, doctor: &str, secrets: &mut Secrets) {
    // A six-digit code: required, spaced, counted, locked after five failures.
    let (locked_id, token, code) = share(&gw.url, doctor, &c.a, "code").await;
    let code = code.expect("a code is given once, at creation");
    secrets.tokens.push(token.clone());
    secrets.codes.push(code.clone());
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
    new_code_unlocks(gw, c, doctor, secrets, (&locked_id, &token, &code)).await;

    // The right code opens it (typed with spaces).
    let (_, token, code) = share(&gw.url, doctor, &c.a, "code").await;
    let code = code.unwrap();
    secrets.tokens.push(token.clone());
    secrets.codes.push(code.clone());
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    assert_eq!(open(&gw.url, &patient, &token, Some(&spaced)).await.0, 200);

    // The patient's birth date as the code.
    let r = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(doctor)
        .json(&share_request(&c.a, "birth_date"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422, "the CT has no birth date");
    let (_, dated_token, dated_code) = share(&gw.url, doctor, &c.dated_study, "birth_date").await;
    assert_eq!(dated_code, None, "a birth date is never sent back");
    secrets.tokens.push(dated_token.clone());
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
}

/// A locked share given a new code by a clinician: the old code no longer opens it, the new
/// one does; a share without code, or unknown, gets none.
async fn new_code_unlocks(
    gw: &Gateway,
    c: &Corpus,
    doctor: &str,
    secrets: &mut Secrets,
    (id, token, old_code): (&str, &str, &str),
) {
    let renew = |id: String, bearer: Option<String>| {
        let url = format!("{}/api/shares/{id}/code", gw.url);
        async move {
            let mut request = client().post(url).json(&json!({}));
            if let Some(bearer) = bearer {
                request = request.bearer_auth(bearer);
            }
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(renew(id.into(), None).await.0, 401, "clinicians only");
    let (s, body) = renew(id.into(), Some(doctor.into())).await;
    assert_eq!(s, 200, "{body}");
    let code = body["access_code"]
        .as_str()
        .expect("the new code")
        .to_string();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    secrets.codes.push(code.clone());
    let patient = browser();
    tokio::time::sleep(Duration::from_millis(350)).await;
    if code != old_code {
        let (s, body) = open(&gw.url, &patient, token, Some(old_code)).await;
        assert_eq!(
            (s, body["attempts_left"].as_i64()),
            (401, Some(4)),
            "the old code is refused, and the failures were forgotten: {body}"
        );
        tokio::time::sleep(Duration::from_millis(350)).await;
    }
    assert_eq!(open(&gw.url, &patient, token, Some(&code)).await.0, 200);
    let (plain_id, plain_token, _) = share(&gw.url, doctor, &c.a, "none").await;
    secrets.tokens.push(plain_token);
    assert_eq!(renew(plain_id, Some(doctor.into())).await.0, 400);
    assert_eq!(renew("s_unknown".into(), Some(doctor.into())).await.0, 404);
}

/// Requests that cannot make a share: incomplete, consent in the future, unknown study, from
/// another origin, anonymous.
async fn refused_creations(gw: &Gateway, c: &Corpus, doctor: &str) {
    let bad = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(doctor)
        .json(&json!({"study_uid": c.a}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let mut future_consent = share_request(&c.a, "none");
    future_consent["consent"]["given_at"] = json!(gateway::now_ms() / 1000 + 86_400);
    let bad = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(doctor)
        .json(&future_consent)
        .send()
        .await
        .unwrap();
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["field"], "consent.given_at");
    let unknown = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(doctor)
        .json(&share_request("1.2.3.4.5.6.7", "none"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let cross = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(doctor)
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
}

/// The study's shares as a clinician sees them, and the audit trail: every step, by patient
/// and by study, as rows and as FHIR; no secret.
async fn listed_and_audited(
    gw: &Gateway,
    c: &Corpus,
    issuer: &Issuer,
    doctor: &str,
    secrets: &Secrets,
) {
    // The study's shares, as a clinician sees them.
    let list: Vec<Value> = client()
        .get(format!("{}/api/shares?study_uid={}", gw.url, c.a))
        .bearer_auth(doctor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.len() >= 4);
    assert!(list.iter().any(|s| s["revoked_at"].is_number()));
    // The share locked by wrong codes was unlocked by its new code.
    assert!(list.iter().all(|s| s["locked"] == false));
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
        .bearer_auth(doctor)
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
        "share.new_code",
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
    assert!(events
        .iter()
        .any(|e| e["detail"] == "new access code, link unlocked"));
    assert!(events.iter().any(|e| e["action"] == "share.create"
        && e["actor"] == "clinician:dr-a"
        && e["patient_id"] == "CT-REAL-1"));
    let by_patient: Vec<Value> = client()
        .get(format!("{}/api/audit?patient_id=CT-REAL-1", gw.url))
        .bearer_auth(doctor)
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
        .bearer_auth(doctor)
        .send()
        .await
        .unwrap();
    assert_eq!(fhir.headers()["content-type"], "application/fhir+json");
    let bundle: Value = fhir.json().await.unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"][0]["resource"]["resourceType"], "AuditEvent");
    let dump = serde_json::to_string(&events).unwrap();
    for token in &secrets.tokens {
        assert!(
            !dump.contains(token.as_str()),
            "a link token in the audit trail"
        );
    }
    for event in &events {
        for field in ["actor", "source", "detail", "share_id"] {
            let text = event[field].as_str().unwrap_or("");
            assert!(
                !secrets
                    .codes
                    .iter()
                    .any(|code| text.contains(code.as_str())),
                "an access code in the audit trail"
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

#[tokio::test]
async fn an_old_sqlite_database_is_migrated() {
    migrations::old_database_is_brought_up_to_date(&sqlite_url("migrations")).await;
}

#[tokio::test]
#[ignore = "needs the PostgreSQL of scripts/gateway_tests.sh"]
async fn an_old_postgres_database_is_migrated() {
    let url = migrations::fresh_postgres(&postgres_url(), "migrations").await;
    migrations::old_database_is_brought_up_to_date(&url).await;
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

/// The findings of an independent attack on the gateway, each answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and databases of scripts/gateway_tests.sh"]
async fn attacks_are_answered() {
    let c = corpus().await;
    let issuer = Issuer::start().await;
    let doctor = issuer.token("dr-h", &[]);
    let gw = hardening::hardened_gateway(&sqlite_url("hardening"), &issuer).await;
    hardening::rebinding_is_misdirected(&gw).await;
    hardening::origins_are_compared_whole(&gw).await;
    hardening::the_pacs_address_is_never_shown(&gw, &c, &doctor).await;
    // A fresh gateway: the rate counted from a full allowance.
    let gw = hardening::hardened_gateway(&sqlite_url("hardening-rate"), &issuer).await;
    hardening::anonymous_failures_are_bounded(&gw, &c, &doctor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and the outage PostgreSQL of scripts/gateway_tests.sh"]
async fn a_database_outage_is_survived() {
    outage::database_outage(&corpus().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the PACS and the small file system of scripts/gateway_tests.sh"]
async fn a_full_disk_is_survived() {
    outage::full_disk(&corpus().await).await;
}
