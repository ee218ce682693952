//! The scope of a share session: one study, by every path, and nothing else.

use super::support::{status, studies_seen, Corpus, FRAMES, JSON};

/// A share session reads its study by every DICOMweb path, and nothing else: searches across
/// the archive find only that study, every path to another study (or to another study's
/// series and instances under the shared study's) is not found, and nothing can be stored.
pub async fn scope_is_one_study(gw: &str, c: &Corpus, patient: &reqwest::Client) {
    shared_study_by_every_path(gw, c, patient).await;
    other_study_by_no_path(gw, c, patient).await;
}

async fn shared_study_by_every_path(gw: &str, c: &Corpus, patient: &reqwest::Client) {
    let d = format!("{gw}/dicom-web");
    // Searches across the archive return the shared study only, whatever they ask.
    for query in [
        "studies",
        "studies?limit=100",
        &format!("studies?StudyInstanceUID={}", c.b),
        "studies?PatientID=123565",
    ] {
        let seen = studies_seen(patient, &format!("{d}/{query}")).await;
        assert!(seen.iter().all(|s| *s == c.a), "{query}: {seen:?}");
    }
    assert_eq!(
        studies_seen(patient, &format!("{d}/studies")).await,
        vec![c.a.clone()]
    );
    for query in [
        "series",
        &format!("series?StudyInstanceUID={}", c.b),
        &format!("instances?SOPInstanceUID={}", c.b_instance),
    ] {
        let seen = studies_seen(patient, &format!("{d}/{query}")).await;
        assert!(seen.iter().all(|s| *s == c.a), "{query}: {seen:?}");
    }
    // The shared study, by every path.
    let (a, sa, ia) = (&c.a, &c.a_series, &c.a_instance);
    for (path, accept) in [
        (format!("studies/{a}/series"), JSON),
        (format!("studies/{a}/series/{sa}/instances"), JSON),
        (format!("studies/{a}/series/{sa}/metadata"), JSON),
        (
            format!("studies/{a}/series/{sa}/instances/{ia}/metadata"),
            JSON,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ia}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ia}/rendered"),
            "image/png",
        ),
    ] {
        assert_eq!(
            status(patient, &format!("{d}/{path}"), accept).await,
            200,
            "{path}"
        );
    }
    let wado = format!("{gw}/wado?requestType=WADO&studyUID={a}&seriesUID={sa}&objectUID={ia}&contentType=application/dicom");
    assert_eq!(
        status(patient, &wado, "*/*").await,
        200,
        "WADO-URI of the shared study"
    );
}

async fn other_study_by_no_path(gw: &str, c: &Corpus, patient: &reqwest::Client) {
    let d = format!("{gw}/dicom-web");
    let (a, sa, ia) = (&c.a, &c.a_series, &c.a_instance);
    // Another study, by every path, and the shared study's paths naming its series or instances.
    let (b, sb, ib) = (&c.b, &c.b_series, &c.b_instance);
    for (path, accept) in [
        (
            format!("studies/{b}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (format!("studies/{b}/metadata"), JSON),
        (format!("studies/{b}/series"), JSON),
        (format!("studies/{b}/series/{sb}/metadata"), JSON),
        (format!("studies/{b}/series/{sb}/instances"), JSON),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/metadata"),
            JSON,
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/rendered"),
            "image/png",
        ),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/thumbnail"),
            "image/png",
        ),
        (format!("studies/{b}/series/{sb}/rendered"), "image/png"),
        (format!("studies/{b}/thumbnail"), "image/png"),
        (
            format!("studies/{b}/series/{sb}/instances/{ib}/bulk/7fe00010"),
            "multipart/related",
        ),
        (
            format!("studies/{b}/instances/{ib}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (format!("studies/{a}/series/{sb}/metadata"), JSON),
        (
            format!("studies/{a}/series/{sb}/instances/{ib}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ib}/metadata"),
            JSON,
        ),
        (
            format!("studies/{a}/series/{sa}/instances/{ib}/frames/1"),
            FRAMES,
        ),
        (
            format!("studies/{a}/instances/{ib}"),
            "multipart/related; type=\"application/dicom\"",
        ),
        (format!("studies/{a}/series/{sa}/../../{b}/metadata"), JSON),
        (format!("studies/{a}/series/%2e%2e/%2e%2e/{b}"), JSON),
        ("workitems".to_string(), JSON),
        ("servers".to_string(), JSON),
        (format!("studies/{a}/series?StudyInstanceUI%44={b}"), JSON),
        (format!("studies?0020,000D={b}"), JSON),
        (format!("series?StudyInstanceUID+={b}"), JSON),
    ] {
        assert_eq!(
            status(patient, &format!("{d}/{path}"), accept).await,
            404,
            "{path}"
        );
    }
    for query in [
        format!("requestType=WADO&studyUID={b}&seriesUID={sb}&objectUID={ib}&contentType=application/dicom"),
        format!("requestType=WADO&studyUID={a}&seriesUID={sb}&objectUID={ib}&contentType=application/dicom"),
        format!("requestType=WADO&studyUID={a}&seriesUID={sa}&objectUID={ib}&contentType=application/dicom"),
        format!("requestType=WADO&studyUID={a}&studyUID={b}&seriesUID={sb}&objectUID={ib}"),
        format!("requestType=WADO&objectUID={ib}&contentType=application/dicom"),
        // Keys the PACS would decode ("%K4" reads "D" to Orthanc) into a second objectUID.
        format!("requestType=WADO&contentType=application/dicom&studyUID={a}&seriesUID={sa}&objectUID={ia}&studyUI%K4=&seriesUI%K4=&objectUI%K4={ib}"),
        format!("requestType=WADO&studyUID={a}&seriesUID={sa}&objectUID={ia}&objectUI%44={ib}"),
    ] {
        assert_eq!(status(patient, &format!("{gw}/wado?{query}"), "*/*").await, 404, "WADO-URI {query}");
    }
    // Read only: no STOW-RS.
    let stow = patient
        .post(format!("{d}/studies"))
        .header(
            "Content-Type",
            "multipart/related; type=\"application/dicom\"; boundary=x",
        )
        .body("--x--")
        .send()
        .await
        .unwrap();
    assert_eq!(stow.status().as_u16(), 405);
}
