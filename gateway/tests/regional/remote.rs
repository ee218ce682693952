//! A DMP-style manifest naming studies of other PACS by Retrieve URL: only a declared remote
//! source is ever asked (with its credentials, kept by the gateway), and only for the study or
//! series a URL names; a URL to an undeclared host or out of the declared root is refused and
//! recorded, never fetched; the remote study is read under the portal's own root by the
//! clinician whose manifest named it, and its answers never name the remote's address.

use serde_json::{json, Value};

use super::common::client;
use super::common::Issuer;
use super::{get, post, regional_gateway, token, Region, FRAMES, JSON};

/// Every Retrieve URL of the evidence of a manifest's metadata.
fn retrieve_urls(metadata: &Value) -> Vec<String> {
    let mut urls = Vec::new();
    for study in metadata[0]["0040A375"]["Value"].as_array().unwrap() {
        urls.extend(study["00081190"]["Value"][0].as_str().map(str::to_string));
        for series in study["00081115"]["Value"].as_array().unwrap() {
            urls.extend(series["00081190"]["Value"][0].as_str().map(str::to_string));
        }
    }
    urls
}

#[tokio::test]
#[ignore = "needs the PACS, the remote PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn a_manifest_reaches_its_declared_source_and_nothing_else() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("remote", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    let d = format!("{}/dicom-web", gw.url);
    let (m, r) = (&region.studies["manifest"], &region.studies["remote"]);
    let manifest = format!(
        "{d}/studies/{}/series/{}/instances/{}/metadata",
        m.study, m.series, m.instance
    );
    let metadata: Value = get(&manifest, &nord, JSON).await.json().await.unwrap();
    let urls = retrieve_urls(&metadata);
    assert_eq!(urls.len(), 6, "{urls:?}");
    let remote_metadata = format!("{d}/studies/{}/series/{}/metadata", r.study, r.series);
    assert_eq!(
        get(&remote_metadata, &nord, JSON).await.status().as_u16(),
        404
    );

    let (status, answer) = post(
        &format!("{}/api/remote/resolve", gw.url),
        &nord,
        &json!({ "urls": urls }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let references = answer["references"].as_array().unwrap();
    let outcome = |r: &Value| {
        (
            r["status"].as_str().unwrap().to_string(),
            r["reason"]
                .as_str()
                .or(r["site_id"].as_str())
                .unwrap()
                .to_string(),
        )
    };
    let outcomes: Vec<(String, String)> = references.iter().map(outcome).collect();
    let expected: Vec<(String, String)> = [
        ("resolved", "voisine"),
        ("resolved", "voisine"),
        ("refused", "undeclared_host"),
        ("refused", "undeclared_host"),
        ("refused", "outside_root"),
        ("refused", "outside_root"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(outcomes, expected);
    assert_eq!(references[0]["study_uid"], r.study.as_str());
    assert_eq!(references[1]["series_uid"], r.series.as_str());
    assert_eq!(references[2]["host"], "pacs.inconnu.example");

    // Named: read under the portal's root, with the source's credentials, by every path.
    let answer = get(&remote_metadata, &nord, JSON).await;
    assert_eq!(answer.status().as_u16(), 200);
    let text = answer.text().await.unwrap();
    let remote_root = urls[0].split("/studies/").next().unwrap().to_string();
    let remote_host = remote_root.split('/').nth(2).unwrap();
    assert!(
        !text.contains(remote_host),
        "the remote's address reached the browser"
    );
    let instances: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(instances.len(), 2);
    assert_eq!(instances[0]["00100020"]["Value"][0], "VOI-1");
    let frame = format!(
        "{d}/studies/{}/series/{}/instances/{}/frames/1",
        r.study, r.series, r.instance
    );
    assert_eq!(get(&frame, &nord, FRAMES).await.status().as_u16(), 200);
    let search = format!(
        "{d}/studies?StudyInstanceUID={}&includefield=00081030",
        r.study
    );
    let found = get(&search, &nord, JSON).await.text().await.unwrap();
    assert!(
        found.contains(&format!("{}/dicom-web/studies/{}", gw.url, r.study)),
        "{found}"
    );
    assert!(!found.contains(remote_host));
    let series = format!("{d}/studies/{}/series", r.study);
    assert_eq!(get(&series, &nord, JSON).await.status().as_u16(), 200);
    // Said to the page, for this clinician only.
    let source = format!("{}/api/remote/source?study_uid={}", gw.url, r.study);
    let said: Value = get(&source, &nord, "application/json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(said["site_name"], "PACS de la région voisine (test)");
    let colleague = token(&issuer, "dr-nord-2", Some(json!("nord")));
    assert_eq!(
        get(&remote_metadata, &colleague, JSON)
            .await
            .status()
            .as_u16(),
        404
    );
    let said: Value = get(&source, &colleague, "application/json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(said, json!({ "site_id": null, "site_name": null }));
    // Requests the gateway does not take.
    let resolve = format!("{}/api/remote/resolve", gw.url);
    assert_eq!(post(&resolve, &nord, &json!({ "urls": "x" })).await.0, 400);
    let many: Vec<String> = (0..201).map(|i| format!("https://h/{i}")).collect();
    assert_eq!(post(&resolve, &nord, &json!({ "urls": many })).await.0, 400);
    let anonymous = client()
        .post(&resolve)
        .json(&json!({ "urls": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    // The trail: the refused URLs, the remote study's reading.
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "remote.refused"));
    assert!(events
        .iter()
        .any(|e| e.action == "remote.open" && e.study_uid.as_deref() == Some(r.study.as_str())));
}
