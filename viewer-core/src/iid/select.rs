//! From an IID request to the studies to show: the QIDO-RS queries to send, then the checks
//! on what comes back. The link's patient must own every study it opens (a wrong-patient
//! display is worse than none), and the PATIENT filters the server may not apply exactly
//! (issuer, times, modalities, most recent) are applied here.

use dicom_dictionary_std::tags;

use super::{DateTimeBound, IidRequest, PatientId, StudyKey};
use crate::dicom_json::JsonDataset;
use crate::study::StudySummary;

/// The study attributes asked beside the defaults: description, modalities, birth date, sex,
/// issuer of the patient ID, study time, number of series and of instances.
pub const STUDY_FIELDS: &[&str] = &[
    "00081030", "00080061", "00100030", "00100040", "00100021", "00080030", "00201206", "00201208",
];

/// Why the studies found cannot be shown for this link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IidMismatch {
    #[error("no study matches the link")]
    NotFound,
    /// A study found belongs to another patient than the link names.
    #[error("a study belongs to another patient than the link names")]
    OtherPatient,
    /// The patient's birth date differs from the link's.
    #[error("the patient's birth date differs from the link's")]
    BirthDate,
}

/// A link's value, matched exactly (no wildcard survives encoding).
fn encode(value: &str) -> String {
    crate::dicom_json::query_value(value, false)
}

impl IidRequest {
    /// The QIDO-RS `studies` queries (without `?`) whose answers [`IidRequest::select`] takes.
    pub fn qido_queries(&self) -> Vec<String> {
        let fields: String = STUDY_FIELDS
            .iter()
            .map(|t| format!("&includefield={t}"))
            .collect();
        match self {
            IidRequest::Study { studies, .. } => studies
                .iter()
                .map(|key| match key {
                    StudyKey::Uid(uid) => format!("StudyInstanceUID={}{fields}", encode(uid)),
                    StudyKey::AccessionNumber(n) => {
                        format!("AccessionNumber={}{fields}", encode(n))
                    }
                })
                .collect(),
            IidRequest::Patient {
                patient,
                lower,
                upper,
                ..
            } => {
                let mut query = format!("PatientID={}", encode(&patient.id));
                if lower.is_some() || upper.is_some() {
                    let day = |b: &Option<DateTimeBound>| {
                        b.as_ref().map(|b| b.date.clone()).unwrap_or_default()
                    };
                    query.push_str(&format!("&StudyDate={}-{}", day(lower), day(upper)));
                }
                vec![query + &fields]
            }
        }
    }

    /// The studies to show from the answers to [`IidRequest::qido_queries`], newest first.
    pub fn select(&self, found: &[JsonDataset]) -> Result<Vec<StudySummary>, IidMismatch> {
        let mut studies: Vec<(StudySummary, &JsonDataset)> = Vec::new();
        for ds in found {
            if let Some(s) = StudySummary::from_qido(ds) {
                if !studies
                    .iter()
                    .any(|(o, _)| o.study_instance_uid == s.study_instance_uid)
                {
                    studies.push((s, ds));
                }
            }
        }
        match self {
            IidRequest::Study {
                studies: keys,
                patient,
                ..
            } => {
                // Only what was asked (a server may match loosely), and all of one patient.
                studies.retain(|(s, _)| {
                    keys.iter().any(|key| match key {
                        StudyKey::Uid(uid) => &s.study_instance_uid == uid,
                        StudyKey::AccessionNumber(n) => s.accession_number.as_ref() == Some(n),
                    })
                });
                // A study UID is unique: one of another patient refuses the link. An accession
                // number is unique only within its issuer: the named patient's studies are
                // kept, and the link is refused only when it found none of theirs.
                if let Some(patient) = patient {
                    for key in keys {
                        let matched: Vec<bool> = studies
                            .iter()
                            .filter(|(s, _)| match key {
                                StudyKey::Uid(uid) => &s.study_instance_uid == uid,
                                StudyKey::AccessionNumber(n) => {
                                    s.accession_number.as_ref() == Some(n)
                                }
                            })
                            .map(|(s, ds)| owned_by(s, ds, patient))
                            .collect();
                        let refused = match key {
                            StudyKey::Uid(_) => matched.contains(&false),
                            StudyKey::AccessionNumber(_) => {
                                !matched.is_empty() && !matched.contains(&true)
                            }
                        };
                        if refused {
                            return Err(IidMismatch::OtherPatient);
                        }
                    }
                    studies.retain(|(s, ds)| owned_by(s, ds, patient));
                }
            }
            IidRequest::Patient {
                patient,
                birth_date,
                lower,
                upper,
                modalities,
                ..
            } => {
                studies.retain(|(s, ds)| owned_by(s, ds, patient));
                if let Some(born) = birth_date {
                    if studies
                        .iter()
                        .any(|(s, _)| s.patient_birth_date.as_ref().is_some_and(|b| b != born))
                    {
                        return Err(IidMismatch::BirthDate);
                    }
                }
                studies.retain(|(s, ds)| {
                    (modalities.is_empty() || s.modalities.iter().any(|m| modalities.contains(m)))
                        && within(s, ds, lower.as_ref(), upper.as_ref())
                });
            }
        }
        let mut summaries: Vec<StudySummary> = studies.into_iter().map(|(s, _)| s).collect();
        StudySummary::sort_newest_first(&mut summaries);
        // Studies named by the link keep the link's order (the first is the one it is about);
        // a patient's are newest first.
        if let IidRequest::Study { studies: keys, .. } = self {
            summaries.sort_by_key(|s| {
                keys.iter().position(|key| match key {
                    StudyKey::Uid(uid) => &s.study_instance_uid == uid,
                    StudyKey::AccessionNumber(n) => s.accession_number.as_ref() == Some(n),
                })
            });
        }
        if let IidRequest::Patient {
            most_recent: Some(n),
            ..
        } = self
        {
            summaries.truncate(*n as usize);
        }
        if summaries.is_empty() {
            return Err(IidMismatch::NotFound);
        }
        Ok(summaries)
    }
}

impl IidRequest {
    /// What a STUDY link named that none of `shown` is: study UIDs and accession numbers as
    /// written in the link, in its order (a PATIENT link names no study).
    pub fn missing(&self, shown: &[StudySummary]) -> Vec<String> {
        let IidRequest::Study { studies: keys, .. } = self else {
            return Vec::new();
        };
        keys.iter()
            .filter(|key| {
                !shown.iter().any(|s| match key {
                    StudyKey::Uid(uid) => &s.study_instance_uid == uid,
                    StudyKey::AccessionNumber(n) => s.accession_number.as_ref() == Some(n),
                })
            })
            .map(|key| match key {
                StudyKey::Uid(v) | StudyKey::AccessionNumber(v) => v.clone(),
            })
            .collect()
    }
}

/// The study's Patient ID is the link's, and so is its issuer when both name one.
fn owned_by(study: &StudySummary, ds: &JsonDataset, patient: &PatientId) -> bool {
    let issuer = ds
        .string(tags::ISSUER_OF_PATIENT_ID)
        .filter(|i| !i.is_empty());
    let issuer_matches = match (&issuer, &patient.namespace, &patient.universal_id) {
        (Some(issuer), Some(namespace), _) if issuer == namespace => true,
        (Some(issuer), _, Some(universal)) if issuer == universal => true,
        (Some(_), None, None) | (None, _, _) => true,
        _ => false,
    };
    study.patient_id.as_deref() == Some(patient.id.as_str()) && issuer_matches
}

/// The study's date and time fall within the bounds (a study without a time is compared on
/// its date).
fn within(
    study: &StudySummary,
    ds: &JsonDataset,
    lower: Option<&DateTimeBound>,
    upper: Option<&DateTimeBound>,
) -> bool {
    let Some(date) = study.study_date.as_deref() else {
        return lower.is_none() && upper.is_none();
    };
    let time: Option<String> = ds
        .string(tags::STUDY_TIME)
        .map(|t| t.chars().take(6).collect())
        .filter(|t: &String| t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()));
    let after = lower.is_none_or(|b| match (&b.time, &time) {
        (Some(bt), Some(t)) => (date, t.as_str()) >= (b.date.as_str(), bt.as_str()),
        _ => date >= b.date.as_str(),
    });
    let before = upper.is_none_or(|b| match (&b.time, &time) {
        (Some(bt), Some(t)) => (date, t.as_str()) <= (b.date.as_str(), bt.as_str()),
        _ => date <= b.date.as_str(),
    });
    after && before
}

#[cfg(test)]
mod tests {
    use super::super::parse_query;
    use super::*;

    /// A QIDO study answer; `modalities` separated by commas.
    fn study(uid: &str, patient: &str, date: &str, time: &str, modalities: &str) -> JsonDataset {
        let modalities = modalities
            .split(',')
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(",");
        JsonDataset::parse_array(&format!(
            r#"[{{"0020000D":{{"vr":"UI","Value":["{uid}"]}},"00100020":{{"vr":"LO","Value":["{patient}"]}},
               "00080020":{{"vr":"DA","Value":["{date}"]}},"00080030":{{"vr":"TM","Value":["{time}"]}},
               "00080050":{{"vr":"SH","Value":["ACC{uid}"]}},"00100030":{{"vr":"DA","Value":["19700131"]}},
               "00080061":{{"vr":"CS","Value":[{modalities}]}}}}]"#
        ))
        .expect("valid JSON")
        .remove(0)
    }

    fn uids(studies: &[StudySummary]) -> Vec<&str> {
        studies
            .iter()
            .map(|s| s.study_instance_uid.as_str())
            .collect()
    }

    #[test]
    fn queries_encode_values_and_ask_the_fields_shown() {
        let request =
            parse_query("requestType=STUDY&studyUID=1.2.3&accessionNumber=A%2012").expect("valid");
        let queries = request.qido_queries();
        assert!(queries[0].starts_with("StudyInstanceUID=1.2.3&includefield=00081030"));
        assert!(queries[1].starts_with("AccessionNumber=A%2012&"));
        let request =
            parse_query("requestType=PATIENT&patientID=X%26Y&lowerDateTime=2000-01-01T10:00:00")
                .expect("valid");
        assert!(request.qido_queries()[0].starts_with("PatientID=X%26Y&StudyDate=20000101-&"));
    }

    #[test]
    fn a_link_naming_several_studies_says_which_were_not_found() {
        let found = [
            study("1.2", "P1", "20000101", "120000", "CT"),
            study("1.4", "P1", "20010101", "120000", "MR"),
        ];
        let link =
            parse_query("requestType=STUDY&studyUID=1.2,1.3,1.4&accessionNumber=ACC1.4,NONE")
                .expect("valid");
        let shown = link.select(&found).expect("two found");
        assert_eq!(uids(&shown), ["1.2", "1.4"]);
        assert_eq!(link.missing(&shown), ["1.3", "NONE"]);
        let patient = parse_query("requestType=PATIENT&patientID=P1").expect("valid");
        assert!(patient.missing(&[]).is_empty());
    }

    #[test]
    fn a_study_link_refuses_studies_of_another_patient() {
        let found = [study("1.2", "P1", "20000101", "120000", "CT")];
        let mine = parse_query("requestType=STUDY&studyUID=1.2&patientID=P1").expect("valid");
        assert_eq!(uids(&mine.select(&found).expect("shown")), ["1.2"]);
        let theirs = parse_query("requestType=STUDY&studyUID=1.2&patientID=P2").expect("valid");
        assert_eq!(theirs.select(&found), Err(IidMismatch::OtherPatient));
        let older = study("1.1", "P1", "19990101", "120000", "CT");
        let both = parse_query("requestType=STUDY&studyUID=1.1,1.2").expect("valid");
        let found_both = [found[0].clone(), older];
        assert_eq!(
            uids(&both.select(&found_both).expect("shown")),
            ["1.1", "1.2"]
        );
        let unknown = parse_query("requestType=STUDY&studyUID=9.9").expect("valid");
        assert_eq!(unknown.select(&found), Err(IidMismatch::NotFound));
    }

    #[test]
    fn an_accession_number_shared_by_two_patients_opens_the_named_ones_study() {
        // The helper gives study "1.x" the accession number "ACC1.x": make two share one.
        let mut other = study("2.1", "P2", "20000101", "120000", "CT");
        other.0.insert(
            "00080050".into(),
            serde_json::json!({"vr": "SH", "Value": ["ACC1.1"]}),
        );
        let found = [study("1.1", "P1", "20000101", "120000", "CT"), other];
        let p1 =
            parse_query("requestType=STUDY&accessionNumber=ACC1.1&patientID=P1").expect("valid");
        assert_eq!(uids(&p1.select(&found).expect("shown")), ["1.1"]);
        let p3 =
            parse_query("requestType=STUDY&accessionNumber=ACC1.1&patientID=P3").expect("valid");
        assert_eq!(p3.select(&found), Err(IidMismatch::OtherPatient));
        let anyone = parse_query("requestType=STUDY&accessionNumber=ACC1.1").expect("valid");
        assert_eq!(anyone.select(&found).expect("shown").len(), 2);
    }

    #[test]
    fn patient_filters_apply_to_what_the_server_returns() {
        let found = [
            study("1.1", "P1", "20000101", "080000", "CT"),
            study("1.2", "P1", "20000101", "180000", "MR"),
            study("1.3", "P1", "20000105", "090000", "CT,SR"),
            study("1.4", "P10", "20000106", "090000", "CT"),
        ];
        let all = parse_query("requestType=PATIENT&patientID=P1").expect("valid");
        assert_eq!(
            uids(&all.select(&found).expect("shown")),
            ["1.3", "1.1", "1.2"]
        );
        let ct = parse_query(
            "requestType=PATIENT&patientID=P1&modalitiesInStudy=CT&mostRecentResults=1",
        )
        .expect("valid");
        assert_eq!(uids(&ct.select(&found).expect("shown")), ["1.3"]);
        let afternoon = parse_query(
            "requestType=PATIENT&patientID=P1&lowerDateTime=2000-01-01T12:00:00&upperDateTime=2000-01-04",
        )
        .expect("valid");
        assert_eq!(uids(&afternoon.select(&found).expect("shown")), ["1.2"]);
        let born = parse_query("requestType=PATIENT&patientID=P1&patientBirthDate=19800101")
            .expect("valid");
        assert_eq!(born.select(&found), Err(IidMismatch::BirthDate));
    }

    #[test]
    fn the_issuer_must_agree_when_both_name_one() {
        let mut ds = study("1.1", "P1", "20000101", "080000", "CT");
        ds.0.insert(
            "00100021".into(),
            serde_json::json!({"vr": "LO", "Value": ["HOSP"]}),
        );
        let found = [ds];
        for (query, shown) in [
            ("patientID=P1%5E%5E%5EHOSP", true),
            ("patientID=P1%5E%5E%5E%261.2.3%26ISO", false),
            ("patientID=P1%5E%5E%5EOTHER", false),
            ("patientID=P1", true),
        ] {
            let request = parse_query(&format!("requestType=PATIENT&{query}")).expect("valid");
            assert_eq!(request.select(&found).is_ok(), shown, "{query}");
        }
    }
}
