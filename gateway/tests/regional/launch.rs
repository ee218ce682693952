//! The DRIMbox contextual launch: the patient record posts a form from its own origin; the
//! gateway refuses it by the parameter's name when a parameter is unknown, missing or
//! malformed, or when the origin is not configured; the signed-in clinician's browser then
//! reads what it opens: nothing when the patient opposed, nothing until confirmed when the
//! identity differs from the archive's, else the study or the patient's timeline.

use serde_json::{json, Value};

use super::common::{client, Issuer};
use super::{get_json, post, regional_gateway, token, Region, LAUNCH_ORIGIN};

/// A launch of study `key` of the regional PACS (`None`: the patient only), for its patient
/// as the fixtures write them (RGN-N1's identity).
fn form(region: &Region, key: Option<&str>) -> Vec<(String, String)> {
    let n1 = &region.studies["n1"];
    let mut fields = vec![
        ("Patient.identifier.value", n1.ins.clone().unwrap()),
        ("Patient.identifier.system", "1.2.250.1.213.1.4.10".into()),
        ("Patient.name.family", "REGION".into()),
        ("Patient.name.given", "NORD1".into()),
        ("Patient.gender", "male".into()),
        ("Patient.birthDate", "1970-01-01".into()),
        ("Address.district", "75056".into()),
        ("InformationEtOppositionConsultation", "true".into()),
        ("PatientID", "RGN-N1".into()),
        ("PatientIDIssuer", "REGION-NORD".into()),
    ];
    if let Some(key) = key {
        fields.push(("StudyInstanceUID", region.studies[key].study.clone()));
    }
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_string(), value.to_string()));
    fields
}

/// Posts `fields` as the record's page would from `origin`: the status, the `Location` and
/// the body.
async fn launch(gw: &str, origin: &str, fields: &[(String, String)]) -> (u16, String, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{gw}/launch/drimbox"))
        .header("Origin", origin)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

/// A launch accepted: its id (from `/launch/{id}`).
async fn accepted(gw: &str, fields: &[(String, String)]) -> String {
    let (status, location, body) = launch(gw, LAUNCH_ORIGIN, fields).await;
    assert_eq!(status, 303, "{body}");
    location.strip_prefix("/launch/").unwrap().to_string()
}

async fn read(gw: &str, id: &str, bearer: &str) -> (u16, Value) {
    get_json(&format!("{gw}/api/launch/{id}"), bearer).await
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn a_launch_is_refused_by_the_name_of_its_bad_parameter() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("launch-refusals", &region, Some(&issuer), false).await;
    let good = form(&region, Some("n1"));
    let mut unknown = good.clone();
    unknown.push(("Patient.nickname".into(), "<b>x</b>".into()));
    let cases = [
        (unknown, "Patient.nickname"),
        (
            good.iter()
                .filter(|(k, _)| k != "PatientID")
                .cloned()
                .collect(),
            "PatientID",
        ),
        (
            with(good.clone(), "StudyInstanceUID", "1.2.x"),
            "StudyInstanceUID",
        ),
        (
            with(good.clone(), "Patient.birthDate", "1970-02-30"),
            "Patient.birthDate",
        ),
        (
            with(good.clone(), "Patient.gender", "homme"),
            "Patient.gender",
        ),
        (
            with(good.clone(), "Patient.identifier.system", "1.2.3.4"),
            "Patient.identifier.system",
        ),
        (
            with(
                good.clone(),
                "Patient.identifier.value",
                &region.studies["n3"].ins.clone().unwrap(),
            ),
            "Patient.identifier.value",
        ),
    ];
    for (fields, name) in cases {
        let (status, _, body) = launch(&gw.url, LAUNCH_ORIGIN, &fields).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert!(body.contains(name), "{name}: {body}");
        assert!(!body.contains("RGN-N1") && !body.contains("<b>"), "{body}");
    }
    // Only the configured record's origin posts.
    let (status, _, _) = launch(&gw.url, "http://elsewhere.example", &good).await;
    assert_eq!(status, 403);
    let (status, _, _) = launch(&gw.url, "null", &good).await;
    assert_eq!(status, 403);
    // An accepted launch is read by a signed-in clinician only.
    let id = accepted(&gw.url, &good).await;
    let r = client()
        .get(format!("{}/api/launch/{id}", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn a_launch_opens_the_study_once_the_identity_matches() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("launch-open", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    let n1 = &region.studies["n1"];
    // The identity matches (INS, local ID, traits): the study opens.
    let id = accepted(&gw.url, &form(&region, Some("n1"))).await;
    let (status, answer) = read(&gw.url, &id, &nord).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"], "study", "{answer}");
    assert_eq!(answer["study_uid"], n1.study.as_str());
    assert_eq!(answer["archive"]["ins"], n1.ins.clone().unwrap().as_str());
    assert_eq!(answer["archive"]["ins_oid"], "1.2.250.1.213.1.4.10");
    assert_eq!(answer["archive"]["traits"]["birth_date"], "19700101");
    // Claimed: another clinician does not get it.
    let other = token(&issuer, "dr-nord-2", Some(json!("nord")));
    assert_eq!(read(&gw.url, &id, &other).await.0, 404);
    // Without a study: the patient's timeline.
    let id = accepted(&gw.url, &form(&region, None)).await;
    let (_, answer) = read(&gw.url, &id, &nord).await;
    assert_eq!(answer["outcome"], "timeline", "{answer}");
    assert_eq!(answer["archive"]["patient_id"], "RGN-N1");
    // Another site's clinician reaches nothing of this patient.
    let sud = token(&issuer, "dr-sud", Some(json!("sud")));
    let id = accepted(&gw.url, &form(&region, Some("n1"))).await;
    assert_eq!(read(&gw.url, &id, &sud).await.1["outcome"], "no_study");
    // The patient opposed: nothing opens, and it is recorded.
    let opposed = with(
        form(&region, Some("n1")),
        "InformationEtOppositionConsultation",
        "false",
    );
    let id = accepted(&gw.url, &opposed).await;
    let (_, answer) = read(&gw.url, &id, &nord).await;
    assert_eq!(answer, json!({ "outcome": "opposition" }));
    let events = gw
        .state
        .store
        .audit_events(Some("RGN-N1"), None, 100)
        .await
        .unwrap();
    let has = |action: &str, actor: &str| {
        events
            .iter()
            .any(|e| e.action == action && e.actor == format!("clinician:{actor}"))
    };
    assert!(has("launch.open", "dr-nord"));
    assert!(has("launch.refused", "dr-nord") && has("launch.refused", "dr-sud"));
}

#[tokio::test]
#[ignore = "needs the PACS and regional studies loaded by scripts/gateway_tests.sh"]
async fn a_differing_identity_opens_nothing_until_the_clinician_confirms() {
    let region = Region::load();
    let issuer = Issuer::start().await;
    let gw = regional_gateway("launch-mismatch", &region, Some(&issuer), false).await;
    let nord = token(&issuer, "dr-nord", Some(json!("nord")));
    // Another birth date and sex than the archive's.
    let fields = with(form(&region, Some("n1")), "Patient.birthDate", "1971-01-01");
    let fields = with(fields, "Patient.gender", "female");
    let id = accepted(&gw.url, &fields).await;
    let (_, answer) = read(&gw.url, &id, &nord).await;
    assert_eq!(answer["outcome"], "mismatch", "{answer}");
    assert_eq!(answer["differences"], json!(["birth_date", "sex"]));
    assert_eq!(answer["sent"]["traits"]["birth_date"], "19710101");
    assert_eq!(answer["archive"]["traits"]["birth_date"], "19700101");
    // Another INS than the study's: a difference too (RGN-N2's INS on RGN-N1's study).
    let other_ins = with(
        form(&region, Some("n1")),
        "Patient.identifier.value",
        &region.studies["n2"].ins.clone().unwrap(),
    );
    let other = accepted(&gw.url, &other_ins).await;
    let (_, answer) = read(&gw.url, &other, &nord).await;
    assert_eq!(answer["differences"], json!(["ins"]), "{answer}");
    // Confirmed (JSON from this origin, as the app sends it): the study opens, said so.
    let confirm = format!("{}/api/launch/{id}/confirm", gw.url);
    assert_eq!(post(&confirm, &nord, &json!({})).await.0, 204);
    let (_, answer) = read(&gw.url, &id, &nord).await;
    assert_eq!(answer["outcome"], "study");
    assert_eq!(answer["confirmed"], true);
    // Nobody else confirms it.
    let other_clinician = token(&issuer, "dr-nord-2", Some(json!("nord")));
    assert_eq!(post(&confirm, &other_clinician, &json!({})).await.0, 404);
    let events = gw
        .state
        .store
        .audit_events(None, Some(&region.studies["n1"].study), 100)
        .await
        .unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!(count("launch.identity_mismatch"), 2);
    assert_eq!(count("launch.open"), 1);
    let confirmed = gw.state.store.audit_events(None, None, 100).await.unwrap();
    assert!(confirmed
        .iter()
        .any(|e| e.action == "launch.identity_confirmed" && e.actor == "clinician:dr-nord"));
}
