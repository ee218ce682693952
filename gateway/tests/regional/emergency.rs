//! Emergency access ("bris de glace"): a study no rule lets the clinician read is opened only
//! with a reason, for a limited time, recorded for review; it ends, and reads are refused again.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{client, Issuer, Signer};
use super::{found, get, post, regional_gateway, token, Region, FRAMES, JSON, NORD};

async fn ask(gw: &str, bearer: &str, body: Value) -> (u16, Value) {
    post(&format!("{gw}/api/emergency"), bearer, &body).await
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn an_emergency_access_opens_one_study_with_a_reason_until_it_ends() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("emergency", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-urgence", Some(json!("nord")));
    let (s1, n1) = (region.studies["s1"].clone(), &region.studies["n1"]);
    let d = format!("{}/dicom-web", gw.url);
    let metadata = format!("{d}/studies/{}/series/{}/metadata", s1.study, s1.series);
    let frame = format!(
        "{d}/studies/{}/series/{}/instances/{}/frames/1",
        s1.study, s1.series, s1.instance
    );
    assert_eq!(get(&metadata, &nord, JSON).await.status().as_u16(), 404);
    // A reason is required: a category of the list and the clinician's own words.
    let asked = |category: &str, reason: &str, study: &str| json!({ "study_uid": study, "category": category, "reason": reason });
    for (body, field) in [
        (asked("urgence_vitale", "  ", &s1.study), "reason"),
        (
            asked("curiosité", "patient inconscient", &s1.study),
            "category",
        ),
        (asked("autre", &"x".repeat(501), &s1.study), "reason"),
        (asked("autre", "ligne\u{7}", &s1.study), "reason"),
    ] {
        let (status, answer) = ask(&gw.url, &nord, body).await;
        assert_eq!((status, answer["field"].as_str()), (400, Some(field)));
    }
    // Not for a study a rule already opens, nor one the PACS does not have.
    let (status, answer) = ask(&gw.url, &nord, asked("autre", "test", &n1.study)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("not_needed"))
    );
    assert_eq!(
        ask(&gw.url, &nord, asked("autre", "test", "1.2.3.4.5.6"))
            .await
            .0,
        404
    );
    let reason = "Patient inconscient aux urgences, scanner antérieur à consulter";
    let (status, opened) = ask(&gw.url, &nord, asked("urgence_vitale", reason, &s1.study)).await;
    assert_eq!(status, 201, "{opened}");
    let lasts = opened["expires_at"].as_i64().unwrap() - opened["started_at"].as_i64().unwrap();
    assert_eq!(lasts, 4 * 3600, "four hours by default");
    // Opened: this study by every path, found by searches, nothing else of its site.
    assert_eq!(get(&metadata, &nord, JSON).await.status().as_u16(), 200);
    assert_eq!(get(&frame, &nord, FRAMES).await.status().as_u16(), 200);
    let listed: BTreeSet<String> = found(&format!("{d}/studies?PatientName=REGION*"), &nord)
        .await
        .into_iter()
        .collect();
    assert_eq!(listed, &region.uids(NORD) | &region.uids(&["s1"]));
    let s2 = &region.studies["s2"];
    let other = format!("{d}/studies/{}/series/{}/metadata", s2.study, s2.series);
    assert_eq!(get(&other, &nord, JSON).await.status().as_u16(), 404);
    let current: Value = get(
        &format!("{}/api/emergency?study_uid={}", gw.url, s1.study),
        &nord,
        "application/json",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(current["active"], true);
    ends_in_time(&gw, &s1.study, &opened).await;
    // A study of no site, too.
    let x2 = &region.studies["x2"];
    assert_eq!(
        ask(
            &gw.url,
            &nord,
            asked("autre", "identité à vérifier", &x2.study)
        )
        .await
        .0,
        201
    );
    // The data-protection officer's review: who, which study, why, until when.
    let review_url = format!("{}/api/emergency/review", gw.url);
    assert_eq!(
        get(&review_url, &nord, "application/json")
            .await
            .status()
            .as_u16(),
        403
    );
    let mut claims = issuer.claims("dpo", &["audit"]);
    claims["site"] = json!("sud");
    let dpo = issuer.sign(Signer::Rsa, &claims);
    let review: Vec<Value> = get(&review_url, &dpo, "application/json")
        .await
        .json()
        .await
        .unwrap();
    let row = review
        .iter()
        .find(|r| r["study_uid"] == s1.study.as_str())
        .expect("the access under review");
    assert_eq!(row["actor"], "clinician:dr-urgence");
    assert_eq!(row["reason"], reason);
    assert_eq!(row["category"], "urgence_vitale");
    assert_eq!(row["site_id"], "sud");
    assert_eq!(row["patient_id"], "RGN-S1");
    // Ended by the clinician: refused again at once; ending twice is not found.
    let id = opened["id"].as_str().unwrap();
    let end = |id: String| {
        client()
            .post(format!("{}/api/emergency/{id}/end", gw.url))
            .bearer_auth(&nord)
            .json(&json!({}))
            .send()
    };
    assert_eq!(end(id.to_string()).await.unwrap().status().as_u16(), 204);
    assert_eq!(end(id.to_string()).await.unwrap().status().as_u16(), 404);
    assert_eq!(get(&metadata, &nord, JSON).await.status().as_u16(), 404);
    assert_eq!(get(&frame, &nord, FRAMES).await.status().as_u16(), 404);
    // The trail: opened (to review), read through it, ended.
    let events = gw
        .state
        .store
        .audit_events(None, Some(&s1.study), 1000)
        .await
        .unwrap();
    let has = |action: &str| {
        events
            .iter()
            .any(|e| e.action == action && e.actor == "clinician:dr-urgence")
    };
    assert!(has("emergency.open") && has("study.emergency_open"));
    assert!(events
        .iter()
        .filter(|e| e.action == "emergency.open")
        .all(|e| e.detail == "emergency access opened (to review)"));
    assert!(
        !events.iter().any(|e| e.detail.contains("inconscient")),
        "the reason stays in its row"
    );
}

/// Past its end an access is over, for one request and for a search alike: the store's
/// decision at the last millisecond of the access, then at its end.
async fn ends_in_time(gw: &super::common::Gateway, study: &str, opened: &Value) {
    let (actor, store) = ("clinician:dr-urgence", &gw.state.store);
    let started_ms = opened["started_at"].as_i64().unwrap() * 1000;
    let access = store.emergency_in_force(actor, study, started_ms).await;
    let ends_ms = access.unwrap().unwrap().expires_at_ms;
    let in_force = |at_ms: i64| async move {
        let one = store.emergency_in_force(actor, study, at_ms).await.unwrap();
        let all = store
            .emergency_studies_in_force(actor, at_ms)
            .await
            .unwrap();
        (one.is_some(), all.contains(study))
    };
    assert_eq!(in_force(ends_ms - 1).await, (true, true));
    assert_eq!(in_force(ends_ms).await, (false, false));
}
