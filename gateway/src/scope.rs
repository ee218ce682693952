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

/// A search query with every study selector replaced by the share's study.
pub fn restrict_query(query: Option<&str>, study: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if !selects_study(&key) {
            out.append_pair(&key, &value);
        }
    }
    out.append_pair("StudyInstanceUID", study);
    out.finish()
}

/// The study, series and instance a WADO-URI query names (`studyUID`, `seriesUID`,
/// `objectUID`), when all three are UIDs.
pub fn wado_uri_target(query: Option<&str>) -> Option<(String, String, String)> {
    let (mut study, mut series, mut object) = (None, None, None);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
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
        let q = restrict_query(
            Some("PatientName=DOE*&StudyInstanceUID=9.9&0020000d=8.8&limit=5"),
            A,
        );
        assert_eq!(q, "PatientName=DOE*&limit=5&StudyInstanceUID=1.2.3");
        assert_eq!(restrict_query(None, A), "StudyInstanceUID=1.2.3");
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
    }
}
