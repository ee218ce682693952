//! A person's studies across sites by national identity (INS): found only where the clinician
//! reaches them (here through the other site's patient's consent), grouped by establishment
//! and local ID, with the traits on which the groups differ named, never merged silently.

use serde_json::{json, Value};

use super::common::Issuer;
use super::consent::record_consent;
use super::{get_json, regional_gateway, token, Region};

/// `GET /api/ins/studies` for `study` as `bearer`: the status and the answer.
async fn by_ins(gw: &str, bearer: &str, study: &str) -> (u16, Value) {
    get_json(&format!("{gw}/api/ins/studies?study_uid={study}"), bearer).await
}

/// Each group's (site, local ID, studies).
fn groups(answer: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut groups: Vec<_> = answer["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let mut studies: Vec<String> = g["studies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            studies.sort();
            (
                g["site_id"].as_str().unwrap_or_default().to_string(),
                g["patient_id"].as_str().unwrap().to_string(),
                studies,
            )
        })
        .collect();
    groups.sort();
    groups
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn a_persons_studies_are_linked_across_sites_by_ins_only() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("national", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    let sud = token(&issuer, "dr-sud", Some(json!("sud")));
    let uid = |key: &str| region.studies[key].study.clone();
    // The walk through the archive ends (the test PACS is small).
    for _ in 0..300 {
        if by_ins(&gw.url, &nord, &uid("n1")).await.1["index_complete"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Before any consent: the other site's study of the same INS is out of reach.
    let (status, answer) = by_ins(&gw.url, &nord, &uid("n1")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["index_complete"], true);
    assert_eq!(
        answer["ins"],
        region.studies["n1"].ins.clone().unwrap().as_str()
    );
    assert_eq!(answer["ins_oid"], "1.2.250.1.213.1.4.10");
    assert_eq!(
        groups(&answer),
        [("nord".into(), "RGN-N1".into(), vec![uid("n1")])]
    );
    // Sud's patient consents: both sites' studies, each under its own local ID, no conflict.
    assert_eq!(record_consent(&gw, &sud, &uid("s9"), "given").await.0, 200);
    let (_, answer) = by_ins(&gw.url, &nord, &uid("n1")).await;
    assert_eq!(
        groups(&answer),
        [
            ("nord".into(), "RGN-N1".into(), vec![uid("n1")]),
            ("sud".into(), "RGN-S9".into(), vec![uid("s9")]),
        ]
    );
    assert_eq!(answer["differences"], json!([]));
    // Sud's own clinician sees the same person from the other side once nord's consents.
    assert_eq!(record_consent(&gw, &nord, &uid("n1"), "given").await.0, 200);
    assert_eq!(groups(&by_ins(&gw.url, &sud, &uid("s9")).await.1).len(), 2);
    // One INS, two sites, other traits: both identities, the differing traits named.
    assert_eq!(record_consent(&gw, &sud, &uid("s2"), "given").await.0, 200);
    let (_, answer) = by_ins(&gw.url, &nord, &uid("n2")).await;
    assert_eq!(groups(&answer).len(), 2, "{answer}");
    assert_eq!(
        answer["differences"],
        json!(["first_given_name", "birth_date"])
    );
    // No INS, an invalid one; a study the clinician does not reach.
    let (_, answer) = by_ins(&gw.url, &nord, &uid("n4")).await;
    assert_eq!(
        (answer["ins"].clone(), answer["ins_problem"].clone()),
        (Value::Null, Value::Null)
    );
    let (_, answer) = by_ins(&gw.url, &nord, &uid("n3")).await;
    assert_eq!(answer["ins_problem"], "invalid");
    assert_eq!(by_ins(&gw.url, &nord, &uid("s1")).await.0, 404);
    assert_eq!(by_ins(&gw.url, &nord, "1.2.x").await.0, 400);
}
