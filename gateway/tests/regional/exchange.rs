//! Échange: a study sent by its site to a named professional or to another site's team is
//! read by its recipients only (that study, nothing else of the site), found in their inbox,
//! and the sender sees when it was opened.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::Issuer;
use super::{found, get, post, regional_gateway, token, Region, FRAMES, JSON, SUD};

async fn send(gw: &str, bearer: &str, body: Value) -> (u16, Value) {
    post(&format!("{gw}/api/exchanges"), bearer, &body).await
}

async fn list(gw: &str, bearer: &str, which: &str) -> Vec<Value> {
    get(
        &format!("{gw}/api/exchanges/{which}"),
        bearer,
        "application/json",
    )
    .await
    .json()
    .await
    .unwrap()
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn a_study_sent_is_read_by_its_recipients_only() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("exchange", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    let sud = token(&issuer, "dr-sud", Some(json!("sud")));
    let sud_2 = token(&issuer, "dr-sud-2", Some(json!("sud")));
    let (n2, n3) = (region.studies["n2"].clone(), region.studies["n3"].clone());
    let d = format!("{}/dicom-web", gw.url);
    let metadata =
        |s: &super::Study| format!("{d}/studies/{}/series/{}/metadata", s.study, s.series);
    let to = |kind: &str, id: &str, study: &str| {
        json!({ "study_uid": study, "to_kind": kind, "to_id": id,
                "message": "Avis sur ce nodule, merci", "urgency": "urgent" })
    };
    // Refused: an unknown recipient, a bad urgency, another site's study.
    let (status, body) = send(&gw.url, &nord, to("professional", "dr-nobody", &n2.study)).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("to")));
    let mut bad = to("professional", "dr-sud", &n2.study);
    bad["urgency"] = json!("whenever");
    assert_eq!(send(&gw.url, &nord, bad).await.1["field"], "urgency");
    let s1 = &region.studies["s1"].study;
    assert_eq!(
        send(&gw.url, &nord, to("professional", "dr-sud", s1))
            .await
            .0,
        404
    );
    assert_eq!(get(&metadata(&n2), &sud, JSON).await.status().as_u16(), 404);
    // Sent to Dr Sud by name: in their inbox, read by them, not by their colleague.
    let (status, sent) = send(&gw.url, &nord, to("professional", "dr-sud", &n2.study)).await;
    assert_eq!(status, 201, "{sent}");
    let inbox = list(&gw.url, &sud, "inbox").await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["study_uid"], n2.study.as_str());
    assert_eq!(inbox[0]["from_site"], "Centre hospitalier du Nord (test)");
    assert_eq!(inbox[0]["from_name"], "Dr dr-nord");
    assert_eq!(inbox[0]["urgency"], "urgent");
    assert_eq!(inbox[0]["opened_at"], Value::Null);
    assert!(list(&gw.url, &sud_2, "inbox").await.is_empty());
    assert_eq!(
        get(&metadata(&n2), &sud_2, JSON).await.status().as_u16(),
        404
    );
    let frame = format!(
        "{d}/studies/{}/series/{}/instances/{}/frames/1",
        n2.study, n2.series, n2.instance
    );
    assert_eq!(get(&metadata(&n2), &sud, JSON).await.status().as_u16(), 200);
    assert_eq!(get(&frame, &sud, FRAMES).await.status().as_u16(), 200);
    // That study only.
    assert_eq!(get(&metadata(&n3), &sud, JSON).await.status().as_u16(), 404);
    let listed: BTreeSet<String> = found(&format!("{d}/studies?PatientName=REGION*"), &sud)
        .await
        .into_iter()
        .collect();
    assert_eq!(listed, &region.uids(SUD) | &region.uids(&["n2"]));
    // The sender sees it opened.
    let outbox = list(&gw.url, &nord, "sent").await;
    assert_eq!(outbox[0]["to_name"], "Dr Sud (test)");
    assert!(outbox[0]["opened_at"].as_i64().is_some(), "{outbox:?}");
    // Sent to the other site's team: every clinician of it reads it.
    assert_eq!(
        send(&gw.url, &nord, to("team", "sud", &n3.study)).await.0,
        201
    );
    assert_eq!(
        get(&metadata(&n3), &sud_2, JSON).await.status().as_u16(),
        200
    );
    assert_eq!(
        list(&gw.url, &sud_2, "inbox").await[0]["to_name"],
        "Clinique du Sud (test)"
    );
    // The directory the sender chooses from.
    let directory: Value = get(
        &format!("{}/api/directory", gw.url),
        &nord,
        "application/json",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        directory["sites"][1]["professionals"][0]["name"],
        "Dr Sud (test)"
    );
    // The trail: sent, opened.
    let events = gw
        .state
        .store
        .audit_events(None, Some(&n2.study), 1000)
        .await
        .unwrap();
    let has = |action: &str, actor: &str| {
        events
            .iter()
            .any(|e| e.action == action && e.actor == actor)
    };
    assert!(has("exchange.send", "clinician:dr-nord"));
    assert!(has("exchange.open", "clinician:dr-sud"));
    assert!(!has("study.open", "clinician:dr-sud"));
}

/// The UIDs of `tag` in a search's or metadata's rows.
async fn column(url: &str, bearer: &str, tag: &str) -> BTreeSet<String> {
    let r = get(url, bearer, JSON).await;
    assert_eq!(r.status().as_u16(), 200, "{url}");
    let rows: Vec<Value> = r.json().await.unwrap();
    rows.iter()
        .filter_map(|d| d[tag]["Value"][0].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn chosen_series_sent_are_read_and_the_others_are_not() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("exchange-series", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    let sud = token(&issuer, "dr-sud", Some(json!("sud")));
    let n7 = region.studies["n7"].clone();
    let (a, a_image) = (n7.series.clone(), n7.instance.clone());
    let (b, b_image) = (
        n7.other_series.clone().unwrap(),
        n7.other_instance.clone().unwrap(),
    );
    let d = format!("{}/dicom-web", gw.url);
    let study = format!("{d}/studies/{}", n7.study);
    let status = |url: String, accept: &'static str| {
        let sud = sud.clone();
        async move { get(&url, &sud, accept).await.status().as_u16() }
    };
    let exchange = |series: Value| {
        json!({ "study_uid": n7.study, "to_kind": "professional", "to_id": "dr-sud",
                "message": "La série osseuse n'est pas utile", "urgency": "routine",
                "series": series })
    };
    // Refused: no series, a bad UID, a series of another study.
    let n2_series = &region.studies["n2"].series;
    for bad in [json!([]), json!(["1.2.x"]), json!([n2_series])] {
        let (code, body) = send(&gw.url, &nord, exchange(bad.clone())).await;
        assert_eq!(
            (code, body["field"].as_str()),
            (400, Some("series")),
            "{bad}"
        );
    }
    let (code, sent) = send(&gw.url, &nord, exchange(json!([a]))).await;
    assert_eq!(code, 201, "{sent}");
    assert_eq!(list(&gw.url, &sud, "inbox").await[0]["series"], json!([a]));

    // The series sent: its metadata, its frames, its objects by WADO-URI.
    let wado = |series: &str, object: &str| {
        format!(
            "{}/wado?requestType=WADO&studyUID={}&seriesUID={series}&objectUID={object}\
             &contentType=application/dicom",
            gw.url, n7.study
        )
    };
    assert_eq!(
        status(format!("{study}/series/{a}/metadata"), JSON).await,
        200
    );
    let frame =
        |series: &str, image: &str| format!("{study}/series/{series}/instances/{image}/frames/1");
    assert_eq!(status(frame(&a, &a_image), FRAMES).await, 200);
    assert_eq!(status(wado(&a, &a_image), "*/*").await, 200);
    // The other series, by every path: as missing as a study the reader does not reach.
    assert_eq!(
        status(format!("{study}/series/{b}/metadata"), JSON).await,
        404
    );
    assert_eq!(status(frame(&b, &b_image), FRAMES).await, 404);
    assert_eq!(
        status(frame(&a, &b_image), FRAMES).await,
        404,
        "through the sent series"
    );
    assert_eq!(status(wado(&b, &b_image), "*/*").await, 404);
    assert_eq!(status(wado(&a, &b_image), "*/*").await, 404);
    assert_eq!(
        status(format!("{study}/instances/{b_image}/metadata"), JSON).await,
        404
    );
    for whole in ["", "/rendered", "/thumbnail", "/bulkdata/series"] {
        let code = status(format!("{study}{whole}"), "*/*").await;
        assert_eq!(code, 404, "the whole study{whole}");
    }
    // The study's searches and metadata hold the sent series only.
    let sent_only = BTreeSet::from([a.clone()]);
    assert_eq!(
        column(&format!("{study}/series"), &sud, "0020000E").await,
        sent_only
    );
    assert_eq!(
        column(&format!("{study}/instances"), &sud, "00080018").await,
        BTreeSet::from([a_image.clone()])
    );
    assert_eq!(
        column(&format!("{study}/metadata"), &sud, "0020000E").await,
        sent_only
    );
    let across = format!("{d}/series?StudyInstanceUID={}", n7.study);
    assert_eq!(column(&across, &sud, "0020000E").await, sent_only);
    let across = format!("{d}/instances?StudyInstanceUID={}", n7.study);
    assert_eq!(
        column(&across, &sud, "00080018").await,
        BTreeSet::from([a_image.clone()])
    );
    // The study's row is listed, without the counts of series not sent.
    let r = get(
        &format!(
            "{d}/studies?StudyInstanceUID={}&includefield=00201206",
            n7.study
        ),
        &sud,
        JSON,
    )
    .await;
    let rows: Vec<Value> = r.json().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].get("00201206").is_none(), "{}", rows[0]);
    // Its sender's site reads it all, as before.
    assert_eq!(
        column(&format!("{study}/series"), &nord, "0020000E").await,
        BTreeSet::from([a.clone(), b.clone()])
    );

    // The whole study sent to the reader's team later: every series.
    let mut whole = exchange(Value::Null);
    whole["to_kind"] = json!("team");
    whole["to_id"] = json!("sud");
    whole.as_object_mut().unwrap().remove("series");
    assert_eq!(send(&gw.url, &nord, whole).await.0, 201);
    assert_eq!(
        status(format!("{study}/series/{b}/metadata"), JSON).await,
        200
    );
    assert_eq!(
        column(&format!("{study}/series"), &sud, "0020000E").await,
        BTreeSet::from([a, b])
    );
    let events = gw
        .state
        .store
        .audit_events(None, Some(&n7.study), 1000)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "exchange.send"
                && e.detail == "chosen series sent to a professional")
    );
}
