//! What a DICOMweb request reaches, and whether a share session may make it.
//!
//! A share session reads one study. Every path is parsed here (PS3.18 resource paths: QIDO-RS
//! searches, WADO-RS study/series/instance/frame/metadata/rendered/thumbnail/bulk data, and
//! WADO-URI's query), and anything that is not recognisably inside that study is refused. A
//! path that names the share's study but a series or instance of another study is not trusted
//! to the PACS's own hierarchy check: the series or instance must be found under the study by
//! a QIDO-RS query first ([`Decision::CheckMembership`]).

use viewer_core::dicom_json::is_uid;

/// The QIDO-RS levels that can be searched from the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Studies,
    Series,
    Instances,
}

/// A DICOMweb path under the root, as far as access goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// `studies`, `series` or `instances` with a query (QIDO-RS across the archive).
    Search(Level),
    /// Anything under `studies/{study}`.
    Study {
        study: &'a str,
        series: Option<&'a str>,
        instance: Option<&'a str>,
    },
    /// Not a path this gateway lets anyone but a clinician use (or not DICOMweb at all).
    Other,
}

/// What a share session may do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Inside the study; send it as it is.
    Allow,
    /// A search across the archive: send it with the study forced into the query.
    RestrictQuery,
    /// Inside the study if the PACS finds this series (and instance) under it.
    CheckMembership {
        series: Option<String>,
        instance: Option<String>,
    },
    /// Outside the study: answered 404, as if it did not exist.
    Deny,
}

/// A value inside a resource (a frame list, a bulk data tag path): safe characters only.
fn is_safe_value(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b',' | b'.' | b'-' | b'_'))
}

/// What may follow a resource's UIDs (PS3.18 10.4): none of it changes which resource is read.
fn is_known_tail(tail: &[&str]) -> bool {
    match tail {
        [] | ["series"] | ["instances"] => true,
        ["metadata" | "rendered" | "thumbnail" | "pixeldata"] => true,
        ["frames", list, rest @ ..] => {
            is_safe_value(list) && matches!(rest, [] | ["rendered"] | ["thumbnail"])
        }
        ["bulk" | "bulkdata", rest @ ..] => {
            !rest.is_empty() && rest.iter().all(|s| is_safe_value(s))
        }
        _ => false,
    }
}

/// Parses a path under the DICOMweb root (`studies/1.2/series/3.4/metadata`, no leading `/`).
pub fn parse(path: &str) -> Target<'_> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["studies"] => Target::Search(Level::Studies),
        ["series"] => Target::Search(Level::Series),
        ["instances"] => Target::Search(Level::Instances),
        ["studies", study, rest @ ..] if is_uid(study) => parse_in_study(study, rest),
        _ => Target::Other,
    }
}

fn parse_in_study<'a>(study: &'a str, rest: &[&'a str]) -> Target<'a> {
    let (series, instance, tail) = match rest {
        ["series", series, "instances", instance, tail @ ..] => {
            (Some(*series), Some(*instance), tail)
        }
        ["series", series, tail @ ..] => (Some(*series), None, tail),
        ["instances", instance, tail @ ..] => (None, Some(*instance), tail),
        tail => (None, None, tail),
    };
    // `studies/{s}/series` alone is the study's series search: a keyword, not a UID.
    let uids_ok = series.is_none_or(is_uid) && instance.is_none_or(is_uid);
    if !uids_ok || !is_known_tail(tail) {
        return Target::Other;
    }
    Target::Study {
        study,
        series,
        instance,
    }
}

/// Whether a share session on `study` may make a request for `target`.
pub fn decide(target: &Target<'_>, share_study: &str) -> Decision {
    match target {
        Target::Search(_) => Decision::RestrictQuery,
        Target::Study { study, .. } if *study != share_study => Decision::Deny,
        Target::Study {
            series: None,
            instance: None,
            ..
        } => Decision::Allow,
        Target::Study {
            series, instance, ..
        } => Decision::CheckMembership {
            series: series.map(str::to_string),
            instance: instance.map(str::to_string),
        },
        Target::Other => Decision::Deny,
    }
}

/// The query keys that select a study (its keyword and its tag).
fn selects_study(key: &str) -> bool {
    key.eq_ignore_ascii_case("StudyInstanceUID") || key.eq_ignore_ascii_case("0020000D")
}

/// A share session's query, rebuilt from what the gateway read: `None` (refused) when it
/// holds escapes or `+` (which a PACS may decode into keys the gateway did not see, such as
/// a second `studyUID`) or a key that is not plain letters and digits (`0020,000D`); study
/// selectors are dropped, and the share's study added when `force_study`.
pub fn share_query(query: Option<&str>, study: &str, force_study: bool) -> Option<String> {
    let raw = query.unwrap_or("");
    if raw.contains('%') || raw.contains('+') {
        return None;
    }
    // Without escapes, each `key=value` is exactly what the PACS will read: kept as written.
    let mut kept: Vec<&str> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        if !selects_study(key) {
            kept.push(pair);
        }
    }
    let forced = format!("StudyInstanceUID={study}");
    if force_study {
        kept.push(&forced);
    }
    Some(kept.join("&"))
}

/// The content types a share session may ask of WADO-URI.
const WADO_URI_CONTENT_TYPES: &[&str] = &["application/dicom", "image/jpeg", "image/png"];

/// A share session's WADO-URI query, rebuilt from its three checked UIDs and an allowed
/// content type (anything else the client sent is not passed on).
pub fn wado_uri_query(query: Option<&str>, study: &str, series: &str, object: &str) -> String {
    let content_type = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "contentType")
        .map(|(_, v)| v.into_owned())
        .filter(|v| WADO_URI_CONTENT_TYPES.contains(&v.as_str()));
    // UIDs and the allowed types need no escaping (Orthanc reads `%2F` literally).
    let mut out =
        format!("requestType=WADO&studyUID={study}&seriesUID={series}&objectUID={object}");
    if let Some(content_type) = content_type {
        out.push_str("&contentType=");
        out.push_str(&content_type);
    }
    out
}

/// The study, series and instance a WADO-URI query names (`studyUID`, `seriesUID`,
/// `objectUID`), when all three are UIDs and the query holds no escape the PACS could
/// decode into another key.
pub fn wado_uri_target(query: Option<&str>) -> Option<(String, String, String)> {
    let raw = query.unwrap_or("");
    if raw.contains('%') || raw.contains('+') {
        return None;
    }
    let (mut study, mut series, mut object) = (None, None, None);
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let slot = match key.as_ref() {
            "studyUID" => &mut study,
            "seriesUID" => &mut series,
            "objectUID" => &mut object,
            _ => continue,
        };
        // A repeated key is ambiguous: refuse rather than guess which one the PACS reads.
        if slot.replace(value.into_owned()).is_some() {
            return None;
        }
    }
    let (study, series, object) = (study?, series?, object?);
    (is_uid(&study) && is_uid(&series) && is_uid(&object)).then_some((study, series, object))
}

/// The study a request concerns, for the audit trail (`None` for archive-wide searches).
pub fn study_of(target: &Target<'_>) -> Option<String> {
    match target {
        Target::Study { study, .. } => Some(study.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1.2.3";

    #[test]
    fn paths_inside_the_study_are_allowed_or_checked() {
        assert_eq!(decide(&parse("studies/1.2.3"), A), Decision::Allow);
        assert_eq!(decide(&parse("studies/1.2.3/metadata"), A), Decision::Allow);
        assert_eq!(decide(&parse("studies/1.2.3/series"), A), Decision::Allow);
        assert_eq!(decide(&parse("studies/1.2.3/rendered"), A), Decision::Allow);
        assert_eq!(
            decide(
                &parse("studies/1.2.3/series/4.5/instances/6.7/frames/1,2"),
                A
            ),
            Decision::CheckMembership {
                series: Some("4.5".into()),
                instance: Some("6.7".into())
            }
        );
        assert_eq!(
            decide(&parse("studies/1.2.3/instances/6.7/bulk/7fe00010"), A),
            Decision::CheckMembership {
                series: None,
                instance: Some("6.7".into())
            }
        );
    }

    #[test]
    fn paths_outside_the_study_are_denied() {
        for path in [
            "studies/1.2.4",
            "studies/1.2.4/series/4.5/metadata",
            "studies/1.2.3.0/metadata",
            "studies/1.2.3/series/../../1.2.4",
            "studies/1.2.3/series/4.5/instances/%2e%2e",
            "studies/1.2.3/series/4.5/instances/6.7/frames/..",
            "studies/1.2.3/series/4.5/instances/6.7/frames/1%2F..",
            "studies/1.2.3/1.2.4/metadata",
            "studies/1.2.3/series/4.5/anything",
            "studies/1.2.3/series/4.5/instances/6.7/frames/1/extra",
            "studies//series",
            "workitems",
            "",
            "studies/abc",
        ] {
            assert_eq!(decide(&parse(path), A), Decision::Deny, "{path}");
        }
    }

    #[test]
    fn archive_searches_are_restricted_to_the_study() {
        for path in ["studies", "series", "instances", "studies/"] {
            assert_eq!(decide(&parse(path), A), Decision::RestrictQuery, "{path}");
        }
        let q = share_query(
            Some("PatientName=DOE*&StudyInstanceUID=9.9&0020000d=8.8&limit=5"),
            A,
            true,
        );
        assert_eq!(
            q.as_deref(),
            Some("PatientName=DOE*&limit=5&StudyInstanceUID=1.2.3")
        );
        assert_eq!(
            share_query(None, A, true).as_deref(),
            Some("StudyInstanceUID=1.2.3")
        );
        assert_eq!(
            share_query(Some("includefield=00200013&StudyInstanceUID=9.9"), A, false).as_deref(),
            Some("includefield=00200013")
        );
        // Escapes, plus signs and odd keys could be read by the PACS as a study selector.
        for bad in [
            "StudyInstanceUI%44=9.9",
            "0020,000D=9.9",
            "a+b=1",
            "%30020000D=9.9",
            "=x",
        ] {
            assert_eq!(share_query(Some(bad), A, true), None, "{bad}");
        }
    }

    #[test]
    fn wado_uri_needs_three_uids_once_each() {
        let q = "requestType=WADO&studyUID=1.2&seriesUID=3.4&objectUID=5.6&contentType=application/dicom";
        assert_eq!(
            wado_uri_target(Some(q)),
            Some(("1.2".into(), "3.4".into(), "5.6".into()))
        );
        assert_eq!(wado_uri_target(Some("studyUID=1.2&seriesUID=3.4")), None);
        assert_eq!(
            wado_uri_target(Some(&format!("{q}&studyUID=1.2.3"))),
            None,
            "repeated key"
        );
        assert_eq!(
            wado_uri_target(Some("studyUID=1.2&seriesUID=3.4&objectUID=x")),
            None
        );
        // Orthanc decodes "%K4" in a key as "D": a second objectUID the gateway cannot see.
        assert_eq!(
            wado_uri_target(Some(&format!("{q}&objectUI%K4=9.9"))),
            None,
            "escaped key"
        );
        assert_eq!(
            wado_uri_query(
                Some("contentType=text/html&frameNumber=3"),
                "1.2",
                "3.4",
                "5.6"
            ),
            "requestType=WADO&studyUID=1.2&seriesUID=3.4&objectUID=5.6"
        );
        assert_eq!(
            wado_uri_query(Some(q), "1.2", "3.4", "5.6"),
            "requestType=WADO&studyUID=1.2&seriesUID=3.4&objectUID=5.6&contentType=application/dicom"
        );
    }
}
