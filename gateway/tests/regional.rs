//! A regional PACS shared by two sites, against the real PACS: the test PACS holds the
//! regional studies of `e2e/fixtures/make_regional.py` (site "nord", site "sud", and studies of
//! no site) among the shared corpus, and the gateway reads that script's site file. Run with
//! `--ignored` by `scripts/gateway_tests.sh`, which provides `GATEWAY_TEST_PACS_URL` and
//! `GATEWAY_TEST_REGIONAL` (the script's output folder).
//!
//! Clinicians of each site find and read their own site's studies by every path and nothing
//! of the other site's or of no site's; searches page without leaking or skipping; a token
//! without a known site reads nothing and is told why; stores and shares stay inside the site.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "regional/consent.rs"]
mod consent;
#[path = "regional/emergency.rs"]
mod emergency;
#[path = "regional/exchange.rs"]
mod exchange;
#[path = "regional/launch.rs"]
mod launch;
#[path = "regional/national.rs"]
mod national;
#[path = "regional/remote.rs"]
mod remote;

use std::collections::{BTreeSet, HashMap};

use common::{client, sqlite_url, start_gateway, Gateway, Issuer, Options, Signer};
use serde::Deserialize;
use serde_json::{json, Value};

const JSON: &str = "application/dicom+json";
const FRAMES: &str = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";

#[derive(Deserialize, Clone)]
struct Study {
    study: String,
    series: String,
    instance: String,
    /// The INS matricule the study's patient carries, if any.
    ins: Option<String>,
    /// A second series of the study, and its instance (n7 only).
    #[serde(default)]
    other_series: Option<String>,
    #[serde(default)]
    other_instance: Option<String>,
}

struct Region {
    dir: std::path::PathBuf,
    studies: HashMap<String, Study>,
}

impl Region {
    fn load() -> Region {
        let dir: std::path::PathBuf = std::env::var("GATEWAY_TEST_REGIONAL")
            .expect("GATEWAY_TEST_REGIONAL: run scripts/gateway_tests.sh")
            .into();
        let text = std::fs::read_to_string(dir.join("studies.json")).unwrap();
        Region {
            studies: serde_json::from_str(&text).unwrap(),
            dir,
        }
    }

    fn sites_file(&self) -> String {
        self.dir.join("sites.json").display().to_string()
    }

    fn uids(&self, keys: &[&str]) -> BTreeSet<String> {
        keys.iter()
            .map(|k| self.studies[*k].study.clone())
            .collect()
    }

    fn file(&self, key: &str) -> Vec<u8> {
        std::fs::read(self.dir.join("dicom").join(format!("{key}.dcm"))).unwrap()
    }
}

/// The patient record whose pages may launch the test gateways.
const LAUNCH_ORIGIN: &str = "http://dpi.test:8081";

const NORD: &[&str] = &["n1", "n2", "n3", "n4", "n5", "n6", "n7"];
const SUD: &[&str] = &["s1", "s2", "s3", "s4", "s5", "s9"];

async fn regional_gateway(
    name: &str,
    region: &Region,
    issuer: Option<&Issuer>,
    dev_login: bool,
) -> Gateway {
    start_gateway(Options {
        database_url: &sqlite_url(&format!("regional-{name}")),
        pacs_url: &common::pacs_url(),
        issuer,
        dev_login,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: Some(&region.sites_file()),
        launch_origins: Some(LAUNCH_ORIGIN),
    })
    .await
}

/// A clinician's token naming `site` (a JSON value: a string, a list, or nothing).
fn token(issuer: &Issuer, subject: &str, site: Option<Value>) -> String {
    let mut claims = issuer.claims(subject, &[]);
    if let Some(site) = site {
        claims["site"] = site;
    }
    issuer.sign(Signer::Rsa, &claims)
}

async fn get(url: &str, bearer: &str, accept: &str) -> reqwest::Response {
    client()
        .get(url)
        .bearer_auth(bearer)
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

/// A GET as `bearer` of an API answering JSON: the status and the JSON (`null` when none).
async fn get_json(url: &str, bearer: &str) -> (u16, Value) {
    let r = get(url, bearer, "application/json").await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A JSON POST as `bearer`: the status and the answer's JSON (`null` when it has none).
async fn post(url: &str, bearer: &str, body: &Value) -> (u16, Value) {
    let r = client()
        .post(url)
        .bearer_auth(bearer)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The studies (by UID, in order) a search answers.
async fn found(url: &str, bearer: &str) -> Vec<String> {
    let r = get(url, bearer, JSON).await;
    assert_eq!(r.status().as_u16(), 200, "{url}");
    let rows: Vec<Value> = r.json().await.unwrap();
    rows.iter()
        .map(|d| d["0020000D"]["Value"][0].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn each_site_reads_its_own_studies_only() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("sites", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    let sud = token(&issuer, "dr-sud", Some(json!(["sud"])));
    searches_hold_the_site_only(&gw, &region, &nord, NORD).await;
    searches_hold_the_site_only(&gw, &region, &sud, SUD).await;
    pages_never_leak_nor_skip(&gw, &region, &nord).await;
    every_path_of_another_site_is_missing(&gw, &region, &nord).await;
    stores_stay_in_the_site(&gw, &region, &nord).await;
    shares_stay_in_the_site(&gw, &region, &nord).await;
    refusals_are_audited(&gw, &region).await;
}

async fn searches_hold_the_site_only(gw: &Gateway, region: &Region, bearer: &str, own: &[&str]) {
    let d = format!("{}/dicom-web", gw.url);
    let expected = region.uids(own);
    let listed: BTreeSet<String> = found(&format!("{d}/studies?PatientName=REGION*"), bearer)
        .await
        .into_iter()
        .collect();
    assert_eq!(listed, expected);
    // The whole archive holds the shared corpus too (no issuer): none of it is listed.
    let everything: BTreeSet<String> = found(&format!("{d}/studies"), bearer)
        .await
        .into_iter()
        .collect();
    assert_eq!(everything, expected);
    // A search for another site's patient, or a study of no site, finds nothing.
    for query in [
        format!("studies?StudyInstanceUID={}", region.studies["x1"].study),
        format!("studies?StudyInstanceUID={}", region.studies["x2"].study),
        "studies?PatientID=RGN-*&PatientName=REGION^AILLEURS".to_string(),
    ] {
        assert!(
            found(&format!("{d}/{query}"), bearer).await.is_empty(),
            "{query}"
        );
    }
    // Series and instances across the archive: only the site's.
    for level in ["series", "instances"] {
        let rows: BTreeSet<String> = found(&format!("{d}/{level}?PatientName=REGION*"), bearer)
            .await
            .into_iter()
            .collect();
        assert_eq!(rows, expected, "{level}");
    }
}

/// Every page but the last is full, pages never overlap, and together they are the site's
/// studies, at every page size.
async fn pages_never_leak_nor_skip(gw: &Gateway, region: &Region, bearer: &str) {
    let d = format!("{}/dicom-web", gw.url);
    for filter in ["PatientName=REGION*&", ""] {
        for limit in [1usize, 2, 3, 5, 7] {
            let mut seen: Vec<String> = Vec::new();
            for page in 0.. {
                let offset = page * limit;
                let url = format!("{d}/studies?{filter}limit={limit}&offset={offset}");
                let rows = found(&url, bearer).await;
                assert!(rows.len() <= limit, "{url}");
                seen.extend(rows.iter().cloned());
                if rows.len() < limit {
                    break;
                }
            }
            let unique: BTreeSet<String> = seen.iter().cloned().collect();
            assert_eq!(unique.len(), seen.len(), "a study counted twice ({limit})");
            assert_eq!(
                unique,
                region.uids(NORD),
                "limit {limit}, filter {filter:?}"
            );
        }
    }
}

async fn every_path_of_another_site_is_missing(gw: &Gateway, region: &Region, bearer: &str) {
    let d = format!("{}/dicom-web", gw.url);
    let paths = |s: &Study| {
        let (st, se, i) = (&s.study, &s.series, &s.instance);
        vec![
            (format!("studies/{st}/metadata"), JSON),
            (format!("studies/{st}/series"), JSON),
            (format!("studies/{st}/series/{se}/instances"), JSON),
            (format!("studies/{st}/series/{se}/metadata"), JSON),
            (
                format!("studies/{st}/series/{se}/instances/{i}/metadata"),
                JSON,
            ),
            (
                format!("studies/{st}/series/{se}/instances/{i}/frames/1"),
                FRAMES,
            ),
            (
                format!("studies/{st}/series/{se}/instances/{i}/rendered"),
                "image/png",
            ),
            (
                format!("studies/{st}/series/{se}/instances/{i}/frames/1/rendered"),
                "image/png",
            ),
            (
                format!("studies/{st}/series/{se}/instances/{i}/bulk/7fe00010"),
                "multipart/related; type=\"application/octet-stream\"",
            ),
        ]
    };
    let own = &region.studies["n1"];
    for (path, accept) in paths(own) {
        let status = get(&format!("{d}/{path}"), bearer, accept).await.status();
        assert!(status.is_success(), "own {path}: {status}");
    }
    for other in ["s1", "s9", "x1", "x2"] {
        for (path, accept) in paths(&region.studies[other]) {
            let status = get(&format!("{d}/{path}"), bearer, accept).await.status();
            assert_eq!(status.as_u16(), 404, "{other}: {path}");
        }
    }
    // The own study's path naming another site's series or instance.
    let (s1, n1) = (&region.studies["s1"], &own.study);
    for path in [
        format!("studies/{n1}/series/{}/metadata", s1.series),
        format!(
            "studies/{n1}/series/{}/instances/{}/frames/1",
            s1.series, s1.instance
        ),
        format!("studies/{n1}/instances/{}/metadata", s1.instance),
    ] {
        let status = get(&format!("{d}/{path}"), bearer, FRAMES).await.status();
        assert_eq!(status.as_u16(), 404, "{path}");
    }
    // WADO-URI: the own object, then the other site's.
    let wado = |s: &Study| {
        format!(
            "{}/wado?requestType=WADO&studyUID={}&seriesUID={}&objectUID={}&contentType=application/dicom",
            gw.url, s.study, s.series, s.instance
        )
    };
    assert_eq!(get(&wado(own), bearer, "*/*").await.status().as_u16(), 200);
    assert_eq!(get(&wado(s1), bearer, "*/*").await.status().as_u16(), 404);
}

async fn stow(gw: &Gateway, bearer: &str, path: &str, file: Vec<u8>) -> (u16, Value) {
    let boundary = "regional-test-boundary";
    let mut body = format!("--{boundary}\r\nContent-Type: application/dicom\r\n\r\n").into_bytes();
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let r = client()
        .post(format!("{}/dicom-web/{path}", gw.url))
        .bearer_auth(bearer)
        .header(
            "Content-Type",
            format!("multipart/related; type=\"application/dicom\"; boundary={boundary}"),
        )
        .header("Accept", JSON)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A store goes through only for instances of the site's patients, into the site's studies.
async fn stores_stay_in_the_site(gw: &Gateway, region: &Region, bearer: &str) {
    let (n1, s1) = (&region.studies["n1"].study, &region.studies["s1"].study);
    // The site's own instance again (the PACS already holds it: nothing changes).
    let (status, _) = stow(gw, bearer, &format!("studies/{n1}"), region.file("n1")).await;
    assert_eq!(status, 200);
    for (path, key) in [
        (format!("studies/{s1}"), "s1"),
        ("studies".to_string(), "s1"),
        (format!("studies/{s1}"), "n1"),
        ("studies".to_string(), "x2"),
    ] {
        let (status, body) = stow(gw, bearer, &path, region.file(key)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("store_outside_site")),
            "{key} into {path}"
        );
    }
    // Not DICOM: refused before the PACS sees it.
    let (status, _) = stow(gw, bearer, &format!("studies/{n1}"), b"not dicom".to_vec()).await;
    assert_eq!(status, 400);
}

async fn shares_stay_in_the_site(gw: &Gateway, region: &Region, bearer: &str) {
    let share = |study: &str| {
        json!({ "study_uid": study, "recipient": "patient", "expires_in_days": 7,
                "access_code": "code", "consent": { "given_by": "patient", "method": "oral",
                "given_at": gateway::now_ms() / 1000 } })
    };
    let post = |study: &str| {
        client()
            .post(format!("{}/api/shares", gw.url))
            .bearer_auth(bearer)
            .json(&share(study))
            .send()
    };
    let r = post(&region.studies["n1"].study).await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = post(&region.studies["s1"].study).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let list = client()
        .get(format!(
            "{}/api/shares?study_uid={}",
            gw.url, region.studies["s1"].study
        ))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status().as_u16(), 404);
}

/// Another site's study asked for is a refusal in the audit trail; a token without a known
/// site is told why on every path.
async fn refusals_are_audited(gw: &Gateway, region: &Region) {
    let events = gw
        .state
        .store
        .audit_events(None, Some(&region.studies["s1"].study), 1000)
        .await
        .unwrap();
    assert!(events
        .iter()
        .any(|e| e.actor == "clinician:dr-nord" && e.detail == "outside the clinician's sites"));
    assert!(events
        .iter()
        .all(|e| e.actor != "clinician:dr-nord" || e.outcome != "success"));
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn tokens_without_a_known_site_read_nothing() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("no-site", &region, Some(&issuer), false).await;
    let n1 = &region.studies["n1"];
    for (site, code) in [
        (None, "no_site"),
        (Some(json!([])), "no_site"),
        (Some(json!(42)), "no_site"),
        (Some(json!("elsewhere")), "unknown_site"),
        (Some(json!(["nord", "elsewhere"])), "unknown_site"),
    ] {
        let bearer = token(&issuer, "dr-x", site.clone());
        for path in [
            "studies".to_string(),
            format!("studies/{}/metadata", n1.study),
        ] {
            let r = get(&format!("{}/dicom-web/{path}", gw.url), &bearer, JSON).await;
            assert_eq!(r.status().as_u16(), 403, "{site:?} {path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"], code, "{site:?}");
        }
        let me: Value = get(
            &format!("{}/api/session", gw.url),
            &bearer,
            "application/json",
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(me["site_refusal"], code, "{site:?}");
    }
    let both = token(&issuer, "dr-both", Some(json!(["nord", "sud"])));
    let me: Value = get(
        &format!("{}/api/session", gw.url),
        &both,
        "application/json",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        me["sites"],
        json!([{"id": "nord", "name": "Centre hospitalier du Nord (test)"},
                                   {"id": "sud", "name": "Clinique du Sud (test)"}])
    );
    let listed: BTreeSet<String> = found(
        &format!("{}/dicom-web/studies?PatientName=REGION*", gw.url),
        &both,
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(listed, &region.uids(NORD) | &region.uids(SUD));
    studies_are_counted_by_site(&gw, &issuer, &both).await;
}

/// The audit role sees how the archive's studies fall to the sites, and how many to none.
async fn studies_are_counted_by_site(gw: &Gateway, issuer: &Issuer, not_audit: &str) {
    let url = format!("{}/api/sites", gw.url);
    let r = get(&url, not_audit, "application/json").await;
    assert_eq!(r.status().as_u16(), 403);
    let mut claims = issuer.claims("dpo", &["audit"]);
    claims["site"] = json!("nord");
    let auditor = issuer.sign(Signer::Rsa, &claims);
    let census: Value = get(&url, &auditor, "application/json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(census["sites"][0]["studies"], 7, "{census}");
    assert_eq!(census["sites"][1]["studies"], 6, "{census}");
    // The shared corpus and the two regional studies of no site.
    let no_site = census["no_site"].as_u64().unwrap();
    assert!(no_site >= 2, "{census}");
    assert_eq!(
        census["studies"].as_u64().unwrap(),
        13 + no_site,
        "{census}"
    );
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn the_development_login_signs_in_as_a_site() {
    let region = Region::load();
    let gw = regional_gateway("dev", &region, None, true).await;
    let site: Value = client()
        .get(format!("{}/api/site", gw.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(site["dev_sites"][1]["id"], "sud");
    assert!(site["dev_sites"][0].get("issuers").is_none());
    let login = |body: Value| {
        let browser = common::browser();
        let url = format!("{}/api/dev-login", gw.url);
        let origin = gw.url.clone();
        async move {
            let r = browser
                .post(url)
                .header("Origin", origin)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), browser)
        }
    };
    assert_eq!(login(json!({})).await.0, 400);
    assert_eq!(login(json!({"site": "elsewhere"})).await.0, 400);
    let (status, browser) = login(json!({"site": "sud"})).await;
    assert_eq!(status, 204);
    let r = browser
        .get(format!("{}/dicom-web/studies?PatientName=REGION*", gw.url))
        .header("Accept", JSON)
        .send()
        .await
        .unwrap();
    let rows: Vec<Value> = r.json().await.unwrap();
    let listed: BTreeSet<String> = rows
        .iter()
        .map(|d| d["0020000D"]["Value"][0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, region.uids(SUD));
}
