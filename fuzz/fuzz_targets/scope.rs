//! Any path and query of a share session's DICOMweb request (the input: the share's study,
//! a UID, a newline, the path, `?`, the query). Checked against how the PACS will read them, not
//! against the gateway's own parser:
//! - a request allowed as it is names the share's study as its `studies/{uid}` segment;
//! - a query rebuilt for the session selects exactly one study, the share's, once the PACS
//!   splits and decodes it (`&`, `=`, percent escapes, `+`);
//! - WADO-URI's three UIDs, when accepted, are the only ones the PACS decodes from the query,
//!   and the query rebuilt from them names those and nothing else.
#![no_main]

use gateway::scope::{self, Decision};
use libfuzzer_sys::fuzz_target;

/// The values of `key` (compared as the PACS compares keys) once the query is decoded.
fn decoded(query: &str, is_key: impl Fn(&str) -> bool) -> Vec<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| is_key(k))
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn selects_study(key: &str) -> bool {
    key.eq_ignore_ascii_case("StudyInstanceUID") || key.eq_ignore_ascii_case("0020000D")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((study, request)) = text.split_once('\n') else {
        return;
    };
    // A share's study is a UID, checked when the share is made.
    if !viewer_core::dicom_json::is_uid(study) {
        return;
    }
    let (path, query) = match request.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (request, None),
    };
    let target = scope::parse(path);
    match scope::decide(&target, study) {
        Decision::Allow => {
            let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
            assert_eq!(segments.get(..2), Some(&["studies", study][..]));
            assert_eq!(scope::study_of(&target).as_deref(), Some(study));
        }
        Decision::CheckMembership { series, instance } => {
            assert!(series.is_some() || instance.is_some());
            assert_eq!(scope::study_of(&target).as_deref(), Some(study));
        }
        Decision::RestrictQuery | Decision::Deny => {}
    }
    for force in [false, true] {
        if let Some(rebuilt) = scope::share_query(query, study, force) {
            let studies = decoded(&rebuilt, selects_study);
            if force {
                assert_eq!(studies, [study]);
            } else {
                assert!(studies.is_empty());
            }
        }
    }
    if let Some((st, se, obj)) = scope::wado_uri_target(query) {
        let q = query.unwrap_or("");
        assert_eq!(decoded(q, |k| k == "studyUID"), [st.as_str()]);
        assert_eq!(decoded(q, |k| k == "seriesUID"), [se.as_str()]);
        assert_eq!(decoded(q, |k| k == "objectUID"), [obj.as_str()]);
        let rebuilt = scope::wado_uri_query(query, &st, &se, &obj);
        assert_eq!(decoded(&rebuilt, |k| k == "studyUID"), [st.as_str()]);
        assert_eq!(decoded(&rebuilt, |k| k == "objectUID"), [obj.as_str()]);
        assert!(decoded(&rebuilt, |k| k.is_empty()).is_empty());
    }
});
