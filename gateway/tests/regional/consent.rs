//! Partage: a patient's consent, recorded by their own site, opens their studies there to
//! the region's other sites; an opposition closes them again at once, on every copy.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{self, client, start_gateway, Gateway, Issuer, Options};
use super::{found, get, post, regional_gateway, stow, token, Region, FRAMES, JSON, SUD};

pub(super) async fn record_consent(
    gw: &Gateway,
    bearer: &str,
    study: &str,
    status: &str,
) -> (u16, Value) {
    let body = json!({ "study_uid": study, "status": status, "given_by": "patient",
                       "method": "written", "given_at": gateway::now_ms() / 1000 - 60 });
    post(&format!("{}/api/consent", gw.url), bearer, &body).await
}

/// The studies a search finds, page by page (`limit` each), all together.
async fn paged(d: &str, bearer: &str, limit: usize) -> BTreeSet<String> {
    let mut seen = Vec::new();
    for page in 0.. {
        let url = format!(
            "{d}/studies?PatientName=REGION*&limit={limit}&offset={}",
            page * limit
        );
        let rows = found(&url, bearer).await;
        seen.extend(rows.iter().cloned());
        if rows.len() < limit {
            break;
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a study counted twice");
    unique
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn consent_opens_a_patient_to_the_region_and_opposition_closes_it() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("consent", &region, Some(&issuer), false).await;
    consent_journey(&region, &issuer, &gw, &gw).await;
}

/// Two gateway copies on one PostgreSQL: the consent, an exchange and an emergency access
/// recorded through one decide through the other, at once.
#[tokio::test]
#[ignore = "needs the PACS, PostgreSQL and regional studies of scripts/gateway_tests.sh"]
async fn two_copies_agree_on_every_decision() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let (database_url, pacs_url) = (common::postgres_url(), common::pacs_url());
    let sites_file = region.sites_file();
    let copy = || {
        start_gateway(Options {
            database_url: &database_url,
            pacs_url: &pacs_url,
            issuer: Some(&issuer),
            dev_login: false,
            sign_in: false,
            anonymous_per_minute: None,
            sites_file: Some(&sites_file),
            launch_origins: None,
        })
    };
    let (one, two) = (copy().await, copy().await);
    consent_journey(&region, &issuer, &one, &two).await;
    exchange_and_emergency_across_copies(&region, &issuer, &one, &two).await;
}

/// A study sent through one copy is read through the other; an emergency access opened through
/// one is in force on the other, and ended on the other, refused again on the first.
async fn exchange_and_emergency_across_copies(
    region: &Region,
    issuer: &Issuer,
    one: &Gateway,
    two: &Gateway,
) {
    let nord = token(issuer, "dr-nord", Some(json!("nord")));
    let sud = token(issuer, "dr-sud", Some(json!("sud")));
    let metadata = |gw: &Gateway, key: &str| {
        let s = &region.studies[key];
        format!(
            "{}/dicom-web/studies/{}/series/{}/metadata",
            gw.url, s.study, s.series
        )
    };
    let status = |gw: &Gateway, key: &str, bearer: &str| {
        let url = metadata(gw, key);
        let bearer = bearer.to_string();
        async move { get(&url, &bearer, JSON).await.status().as_u16() }
    };
    assert_eq!(status(two, "n5", &sud).await, 404);
    let exchange = json!({ "study_uid": region.studies["n5"].study, "to_kind": "professional",
                           "to_id": "dr-sud", "message": "", "urgency": "routine" });
    let sent = post(&format!("{}/api/exchanges", one.url), &nord, &exchange).await;
    assert_eq!(sent.0, 201);
    assert_eq!(status(two, "n5", &sud).await, 200);

    let emergency = json!({ "study_uid": region.studies["s3"].study, "category": "urgence_vitale",
                            "reason": "arrêt cardiaque, antécédents à voir" });
    let (_, opened) = post(&format!("{}/api/emergency", one.url), &nord, &emergency).await;
    assert_eq!(status(two, "s3", &nord).await, 200);
    let id = opened["id"].as_str().unwrap();
    let ended = post(
        &format!("{}/api/emergency/{id}/end", two.url),
        &nord,
        &json!({}),
    )
    .await;
    assert_eq!(ended.0, 204);
    assert_eq!(status(one, "s3", &nord).await, 404);
}

/// The patient's own site records through `gw`; the other site reads through `other`.
async fn consent_journey(region: &Region, issuer: &Issuer, gw: &Gateway, other: &Gateway) {
    let nord = token(issuer, "dr-nord", Some(json!("nord")));
    let sud = token(issuer, "dr-sud", Some(json!("sud")));
    let d = format!("{}/dicom-web", other.url);
    let n1 = region.studies["n1"].clone();
    let metadata = format!("{d}/studies/{}/series/{}/metadata", n1.study, n1.series);
    let frame = format!(
        "{d}/studies/{}/series/{}/instances/{}/frames/1",
        n1.study, n1.series, n1.instance
    );
    // No consent on record: not shared.
    assert_eq!(get(&metadata, &sud, JSON).await.status().as_u16(), 404);
    let consent: Value = get(
        &format!("{}/api/consent?study_uid={}", gw.url, n1.study),
        &nord,
        "application/json",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(consent["status"], Value::Null);
    // Only the patient's own site records the consent; a bad one is refused by its field.
    assert_eq!(record_consent(gw, &sud, &n1.study, "given").await.0, 404);
    let (status, body) = record_consent(gw, &nord, &n1.study, "maybe").await;
    assert_eq!((status, body["field"].as_str()), (400, Some("status")));
    let (status, body) = record_consent(gw, &nord, &n1.study, "given").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("given")),
        "{body}"
    );
    // Shared: the other site finds it (pages still full and disjoint) and reads it.
    let with_n1: BTreeSet<String> = &region.uids(SUD) | &region.uids(&["n1"]);
    for limit in [1, 2, 4] {
        assert_eq!(paged(&d, &sud, limit).await, with_n1, "limit {limit}");
    }
    assert_eq!(get(&metadata, &sud, JSON).await.status().as_u16(), 200);
    assert_eq!(get(&frame, &sud, FRAMES).await.status().as_u16(), 200);
    // The patient's other studies at the site are not this patient's: still out of reach.
    let n2 = &region.studies["n2"];
    let n2_metadata = format!("{d}/studies/{}/series/{}/metadata", n2.study, n2.series);
    assert_eq!(get(&n2_metadata, &sud, JSON).await.status().as_u16(), 404);
    // Read, not owned: no store into it, no share of it, no consent recorded from it.
    let (status, _) = stow(
        other,
        &sud,
        &format!("studies/{}", n1.study),
        region.file("n1"),
    )
    .await;
    assert_eq!(status, 403);
    let share = client()
        .get(format!("{}/api/shares?study_uid={}", other.url, n1.study))
        .bearer_auth(&sud)
        .send()
        .await
        .unwrap();
    assert_eq!(share.status().as_u16(), 404);
    // Opposition: out of the other site's reach at the next request.
    let (status, _) = record_consent(gw, &nord, &n1.study, "refused").await;
    assert_eq!(status, 200);
    assert_eq!(get(&metadata, &sud, JSON).await.status().as_u16(), 404);
    assert_eq!(get(&frame, &sud, FRAMES).await.status().as_u16(), 404);
    assert_eq!(paged(&d, &sud, 3).await, region.uids(SUD));
    // The trail: both records, the regional opening, the refusals after the opposition.
    let events = other
        .state
        .store
        .audit_events(None, Some(&n1.study), 1000)
        .await
        .unwrap();
    let count = |action: &str, actor: &str| {
        events
            .iter()
            .filter(|e| e.action == action && e.actor == actor)
            .count()
    };
    assert_eq!(count("consent.record", "clinician:dr-nord"), 2);
    assert_eq!(count("study.regional_open", "clinician:dr-sud"), 1);
    assert_eq!(count("study.open", "clinician:dr-sud"), 0);
    assert!(count("access.denied", "clinician:dr-sud") >= 2);
}
