//! The database stopped while shares are opened and made, then started again: each request in
//! between gets a clear 503 (never a 401 that would end a session in the page, never a read
//! without its audit row), nothing is half-written, and everything resumes when it is back.
//! Runs on a PostgreSQL of its own (`GATEWAY_TEST_OUTAGE_POSTGRES`: its folder, port and URL,
//! started by `scripts/gateway_tests.sh`), so that the other suites' database stays up. The
//! same for the SQLite file on a full disk.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use super::support::{gateway, open, share, share_request, Corpus, JSON};
use crate::common::{browser, client, Issuer};

struct Outage {
    dir: String,
    port: String,
    url: String,
}

fn outage_postgres() -> Outage {
    let setting = std::env::var("GATEWAY_TEST_OUTAGE_POSTGRES")
        .expect("GATEWAY_TEST_OUTAGE_POSTGRES: run scripts/gateway_tests.sh");
    let mut parts = setting.split_whitespace().map(str::to_string);
    let (Some(dir), Some(port), Some(url)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("GATEWAY_TEST_OUTAGE_POSTGRES: expected folder, port and URL")
    };
    Outage { dir, port, url }
}

fn postgres(args: &[&str]) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres.sh");
    let status = Command::new(script)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "postgres.sh {args:?}");
}

/// A clinician's DICOM JSON read.
fn bearer_read(token: &str, url: &str) -> reqwest::RequestBuilder {
    client().get(url).bearer_auth(token).header("accept", JSON)
}

async fn status_of(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn database_outage(c: &Corpus) {
    let pg = outage_postgres();
    let issuer = Issuer::start().await;
    let gw = gateway(&pg.url, &issuer).await;
    let doctor = issuer.token("dr-outage", &[]);
    let d = format!("{}/dicom-web", gw.url);
    let (_, token, _) = share(&gw.url, &doctor, &c.a, "none").await;
    let patient = browser();
    assert_eq!(open(&gw.url, &patient, &token, None).await.0, 200);
    let a_series = format!("{d}/studies/{}/series", c.a);
    let read = |who: &reqwest::Client, url: &str| who.get(url).header("accept", JSON);
    assert_eq!(status_of(read(&patient, &a_series)).await.0, 200);

    postgres(&["stop", &pg.dir]);
    let store_unavailable = json!({ "error": "store_unavailable" });
    let made = client()
        .post(format!("{}/api/shares", gw.url))
        .bearer_auth(&doctor)
        .json(&share_request(&c.a, "none"));
    assert_eq!(
        status_of(made).await,
        (503, store_unavailable.clone()),
        "a new share"
    );
    let late = browser();
    assert_eq!(
        open(&gw.url, &late, &token, None).await,
        (503, store_unavailable.clone()),
        "a link opened"
    );
    // The patient's session cannot be checked: 503, not 401 (the page keeps its session).
    assert_eq!(
        status_of(read(&patient, &a_series)).await.0,
        503,
        "a session's read"
    );
    // A study not yet recorded as opened is not read without its row; a search is.
    let b_series = format!("{d}/studies/{}/series", c.b);
    let doctor_read = |url: &str| bearer_read(&doctor, url);
    assert_eq!(
        status_of(doctor_read(&b_series)).await.0,
        503,
        "a read unrecorded"
    );
    assert_eq!(
        status_of(doctor_read(&format!("{d}/studies?limit=1")))
            .await
            .0,
        200
    );

    postgres(&["start", &pg.dir, &pg.port]);
    // Back: the pool reconnects on the next requests.
    let mut back = false;
    for _ in 0..50 {
        if status_of(read(&patient, &a_series)).await.0 == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(back, "the patient's session reads again");
    assert_eq!(status_of(doctor_read(&b_series)).await.0, 200);
    let (id_after, _, _) = share(&gw.url, &doctor, &c.a, "none").await;
    let listed: Vec<Value> = client()
        .get(format!("{}/api/shares?study_uid={}", gw.url, c.a))
        .bearer_auth(&doctor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.len(),
        2,
        "the share refused during the outage was not made"
    );
    assert!(listed.iter().any(|s| s["id"] == id_after.as_str()));
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    let opened_b = events
        .iter()
        .filter(|e| e.action == "study.open" && e.study_uid.as_deref() == Some(c.b.as_str()));
    assert_eq!(opened_b.count(), 1, "the read of B has its row, once");
}

/// Whether `status` (of a request made on a full disk) took effect: 503 when it did not; the
/// act's own status when it did (possible only if SQLite found room in pages it already had).
fn on_full_disk(status: u16, done: u16) -> bool {
    assert!(
        status == 503 || status == done,
        "{status}: a full disk is a 503 or the act done"
    );
    status == done
}

/// Fills the file system of `dir` (a small tmpfs) with one file; returns its path.
fn fill(dir: &str) -> PathBuf {
    use std::io::Write;
    let path = PathBuf::from(dir).join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    let _ = file.flush();
    path
}

/// The SQLite file on a full disk (`GATEWAY_TEST_SMALL_DISK`: a folder on a small file system
/// of its own, made by `scripts/gateway_tests.sh`): acts are 503s with nothing half-written,
/// reads already recorded go on, and all resumes once room is made.
pub async fn full_disk(c: &Corpus) {
    let dir = std::env::var("GATEWAY_TEST_SMALL_DISK")
        .expect("GATEWAY_TEST_SMALL_DISK: run scripts/gateway_tests.sh");
    let issuer = Issuer::start().await;
    let gw = gateway(&format!("sqlite://{dir}/store.sqlite?mode=rwc"), &issuer).await;
    let doctor = issuer.token("dr-full-disk", &[]);
    let (a_id, token, _) = share(&gw.url, &doctor, &c.a, "none").await;
    let patient = browser();
    assert_eq!(open(&gw.url, &patient, &token, None).await.0, 200);
    let d = format!("{}/dicom-web", gw.url);
    let read = |who: &reqwest::Client, url: &str| who.get(url).header("accept", JSON);
    let a_series = format!("{d}/studies/{}/series", c.a);
    assert_eq!(status_of(read(&patient, &a_series)).await.0, 200);

    let filler = fill(&dir);
    let mut created = 0;
    let mut refused = 0;
    for _ in 0..3 {
        let made = client()
            .post(format!("{}/api/shares", gw.url))
            .bearer_auth(&doctor)
            .json(&share_request(&c.a, "none"));
        let (status, body) = status_of(made).await;
        if on_full_disk(status, 201) {
            created += 1;
        } else {
            assert_eq!(body, json!({ "error": "store_unavailable" }));
            refused += 1;
        }
    }
    assert!(refused > 0, "a share on a full disk");
    let revoke = client()
        .post(format!("{}/api/shares/{a_id}/revoke", gw.url))
        .bearer_auth(&doctor)
        .json(&json!({}));
    let revoked = on_full_disk(status_of(revoke).await.0, 204);
    let late = browser();
    let opened = on_full_disk(open(&gw.url, &late, &token, None).await.0, 200);
    // The patient's study, already recorded as opened, is still read (a read writes nothing).
    if !revoked {
        assert_eq!(status_of(read(&patient, &a_series)).await.0, 200);
    }
    let b_series = format!("{d}/studies/{}/series", c.b);
    let doctor_read = |url: &str| bearer_read(&doctor, url);
    on_full_disk(status_of(doctor_read(&b_series)).await.0, 200);

    std::fs::remove_file(&filler).unwrap();
    assert_eq!(status_of(doctor_read(&b_series)).await.0, 200);
    let (_, after_token, _) = share(&gw.url, &doctor, &c.a, "none").await;
    assert_eq!(open(&gw.url, &browser(), &after_token, None).await.0, 200);

    // Every act that took effect has its row; none that did not.
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!(count("share.create"), 2 + created, "one row per share made");
    let listed = gw.state.store.shares_of_study(&c.a).await.unwrap();
    assert_eq!(listed.len(), 2 + created, "no share half-made");
    let a = listed.iter().find(|s| s.id == a_id).unwrap();
    assert_eq!(a.revoked_at_ms.is_some(), revoked);
    assert_eq!(count("share.revoke"), usize::from(revoked));
    assert_eq!(a.uses, 1 + i64::from(opened));
    assert_eq!(count("share.use"), 2 + usize::from(opened));
    let b_opened = events
        .iter()
        .filter(|e| e.action == "study.open" && e.study_uid.as_deref() == Some(c.b.as_str()));
    assert_eq!(b_opened.count(), 1, "the read of B has its row, once");
}
