//! IHE Invoke Image Display (RAD-106): the query string of `/IHEInvokeImageDisplay`, as a
//! patient record sends it to open a patient's studies or given studies, and the DRIMbox
//! report-link variant of it.
//!
//! Parameter names are matched without regard to case; list values are separated by `,` (the
//! profile) or `;` (seen in the field). Every value is checked here, so the app only ever
//! builds queries from well-formed identifiers and dates.

use std::collections::HashMap;

use crate::dicom_json::is_uid;

/// Longest value accepted for any parameter (a patient record builds short links).
const MAX_VALUE_CHARS: usize = 1024;
/// Most identifiers in one list.
const MAX_LIST: usize = 50;

/// A Patient ID as HL7 CX sends it: `id^^^namespace&universal id&type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientId {
    pub id: String,
    /// Assigning authority: namespace (DICOM Issuer of Patient ID) and universal id.
    pub namespace: Option<String>,
    pub universal_id: Option<String>,
    pub universal_id_type: Option<String>,
}

/// A study asked for by UID or by accession number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StudyKey {
    Uid(String),
    AccessionNumber(String),
}

/// How the display is asked to behave.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisplayOptions {
    /// `viewerType` (e.g. `IHE_BIR`, the basic image review viewer).
    pub viewer_type: Option<String>,
    pub diagnostic_quality: bool,
    pub key_images_only: bool,
    /// The DRIMbox link's `idCDA`: the report document the link comes from.
    pub report_document_id: Option<String>,
}

/// A date (and time) bound, as `YYYYMMDD` plus `HHMMSS` when the link gave a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeBound {
    pub date: String,
    pub time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IidRequest {
    /// Open these studies (side by side when several). `patient`, when given, must own them.
    Study {
        studies: Vec<StudyKey>,
        patient: Option<PatientId>,
        options: DisplayOptions,
    },
    /// Open the patient's timeline, filtered as asked.
    Patient {
        patient: PatientId,
        patient_name: Option<String>,
        birth_date: Option<String>,
        lower: Option<DateTimeBound>,
        upper: Option<DateTimeBound>,
        most_recent: Option<u32>,
        modalities: Vec<String>,
        options: DisplayOptions,
    },
}

/// Why a link cannot be followed. Values are never echoed (they may identify a patient).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IidError {
    #[error("requestType is missing")]
    MissingRequestType,
    #[error("requestType is neither STUDY nor PATIENT")]
    UnknownRequestType,
    #[error("a PATIENT request needs patientID")]
    MissingPatientId,
    #[error("a STUDY request needs studyUID or accessionNumber")]
    MissingStudy,
    #[error("{0} is malformed")]
    Malformed(&'static str),
    #[error("{0} is given twice")]
    Repeated(&'static str),
    #[error("{0} lists too many values")]
    TooMany(&'static str),
}

/// The parameters the profile (and the DRIMbox link) define, by lower-case name.
const KNOWN: &[(&str, &str)] = &[
    ("requesttype", "requestType"),
    ("patientid", "patientID"),
    ("patientname", "patientName"),
    ("patientbirthdate", "patientBirthDate"),
    ("lowerdatetime", "lowerDateTime"),
    ("upperdatetime", "upperDateTime"),
    ("mostrecentresults", "mostRecentResults"),
    ("modalitiesinstudy", "modalitiesInStudy"),
    ("studyuid", "studyUID"),
    ("accessionnumber", "accessionNumber"),
    ("viewertype", "viewerType"),
    ("diagnosticquality", "diagnosticQuality"),
    ("keyimagesonly", "keyImagesOnly"),
    ("idcda", "idCDA"),
];

/// Parses the query string of an IID link (with or without its leading `?`).
pub fn parse_query(query: &str) -> Result<IidRequest, IidError> {
    let params = parameters(query)?;
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let options = DisplayOptions {
        viewer_type: get("viewerType").map(str::to_string),
        diagnostic_quality: boolean(get("diagnosticQuality"), "diagnosticQuality")?,
        key_images_only: boolean(get("keyImagesOnly"), "keyImagesOnly")?,
        report_document_id: get("idCDA").map(str::to_string),
    };
    let patient = get("patientID").map(patient_id).transpose()?;
    let studies = study_keys(get("studyUID"), get("accessionNumber"))?;
    // The DRIMbox report link names its study without a requestType.
    let request_type = match get("requestType") {
        Some(t) => t.to_ascii_uppercase(),
        None if !studies.is_empty() => "STUDY".to_string(),
        None => return Err(IidError::MissingRequestType),
    };
    match request_type.as_str() {
        "STUDY" => {
            if studies.is_empty() {
                return Err(IidError::MissingStudy);
            }
            Ok(IidRequest::Study {
                studies,
                patient,
                options,
            })
        }
        "PATIENT" => Ok(IidRequest::Patient {
            patient: patient.ok_or(IidError::MissingPatientId)?,
            patient_name: get("patientName").map(str::to_string),
            birth_date: get("patientBirthDate").map(birth_date).transpose()?,
            lower: get("lowerDateTime")
                .map(|v| date_time(v, "lowerDateTime"))
                .transpose()?,
            upper: get("upperDateTime")
                .map(|v| date_time(v, "upperDateTime"))
                .transpose()?,
            most_recent: get("mostRecentResults")
                .map(|v| {
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(IidError::Malformed("mostRecentResults"))
                })
                .transpose()?,
            modalities: list(get("modalitiesInStudy"), "modalitiesInStudy")?
                .into_iter()
                .map(|m| {
                    let m = m.to_ascii_uppercase();
                    let valid = !m.is_empty()
                        && m.len() <= 16
                        && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    valid
                        .then_some(m)
                        .ok_or(IidError::Malformed("modalitiesInStudy"))
                })
                .collect::<Result<_, _>>()?,
            options,
        }),
        _ => Err(IidError::UnknownRequestType),
    }
}

/// Known parameters by their canonical name, decoded; unknown ones are ignored.
fn parameters(query: &str) -> Result<HashMap<&'static str, String>, IidError> {
    let mut params = HashMap::new();
    for pair in query.trim_start_matches('?').split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Some(&(_, canonical)) = KNOWN.iter().find(|(lower, _)| *lower == name) else {
            continue;
        };
        let value = percent_decode(value).ok_or(IidError::Malformed(canonical))?;
        if value.chars().count() > MAX_VALUE_CHARS || value.chars().any(char::is_control) {
            return Err(IidError::Malformed(canonical));
        }
        if params.insert(canonical, value.trim().to_string()).is_some() {
            return Err(IidError::Repeated(canonical));
        }
    }
    Ok(params)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte, UTF-8 result.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn list(value: Option<&str>, name: &'static str) -> Result<Vec<String>, IidError> {
    let items: Vec<String> = value
        .unwrap_or_default()
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if items.len() > MAX_LIST {
        return Err(IidError::TooMany(name));
    }
    Ok(items)
}

fn study_keys(uids: Option<&str>, accessions: Option<&str>) -> Result<Vec<StudyKey>, IidError> {
    let mut keys = Vec::new();
    for uid in list(uids, "studyUID")? {
        if !is_uid(&uid) {
            return Err(IidError::Malformed("studyUID"));
        }
        keys.push(StudyKey::Uid(uid));
    }
    for accession in list(accessions, "accessionNumber")? {
        // SH: at most 16 characters, no backslash (it would be a DICOM value separator) and
        // no QIDO wildcard.
        if accession.chars().count() > 16 || accession.contains(['\\', '*', '?']) {
            return Err(IidError::Malformed("accessionNumber"));
        }
        keys.push(StudyKey::AccessionNumber(accession));
    }
    if keys.len() > MAX_LIST {
        return Err(IidError::TooMany("studyUID"));
    }
    Ok(keys)
}

/// HL7 CX: the ID, then (after three `^`) the assigning authority `namespace&id&type`.
fn patient_id(value: &str) -> Result<PatientId, IidError> {
    let mut components = value.split('^');
    let id = components.next().unwrap_or_default().trim().to_string();
    let authority = components.nth(2).unwrap_or_default();
    // LO: at most 64 characters, no backslash, no QIDO wildcard.
    if id.is_empty() || id.chars().count() > 64 || id.contains(['\\', '*', '?']) {
        return Err(IidError::Malformed("patientID"));
    }
    let mut parts = authority.split('&').map(|p| {
        let p = p.trim();
        (!p.is_empty()).then(|| p.to_string())
    });
    Ok(PatientId {
        id,
        namespace: parts.next().flatten(),
        universal_id: parts.next().flatten(),
        universal_id_type: parts.next().flatten(),
    })
}

fn boolean(value: Option<&str>, name: &'static str) -> Result<bool, IidError> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(IidError::Malformed(name)),
    }
}

/// A DICOM DA date `YYYYMMDD` (the profile's patientBirthDate), also accepted as `YYYY-MM-DD`.
fn birth_date(value: &str) -> Result<String, IidError> {
    let digits: String = value.chars().filter(|c| *c != '-').collect();
    valid_date(&digits)
        .then_some(digits)
        .ok_or(IidError::Malformed("patientBirthDate"))
}

/// An XML Schema dateTime (`YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`), or a date alone. The zone
/// is not applied: studies are dated in the hospital's local time.
fn date_time(value: &str, name: &'static str) -> Result<DateTimeBound, IidError> {
    let malformed = IidError::Malformed(name);
    let (date, time) = match value.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (value, None),
    };
    let date: String = match date.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{y}{m}{d}"),
        _ => return Err(malformed),
    };
    if !valid_date(&date) {
        return Err(malformed);
    }
    let time = match time {
        None => None,
        Some(t) => {
            let clock = t
                .split(['Z', '+', '-'])
                .next()
                .unwrap_or_default()
                .split('.')
                .next()
                .unwrap_or_default();
            match clock.split(':').collect::<Vec<_>>().as_slice() {
                [h, m, s]
                    if [h, m, s]
                        .iter()
                        .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())) =>
                {
                    let (h, m, s): (u32, u32, u32) = (
                        h.parse().unwrap_or(99),
                        m.parse().unwrap_or(99),
                        s.parse().unwrap_or(99),
                    );
                    if h > 23 || m > 59 || s > 60 {
                        return Err(malformed);
                    }
                    Some(format!("{h:02}{m:02}{s:02}"))
                }
                _ => return Err(malformed),
            }
        }
    };
    Ok(DateTimeBound { date, time })
}

fn valid_date(digits: &str) -> bool {
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (y, m, d): (u32, u32, u32) = (
        digits[..4].parse().unwrap_or(0),
        digits[4..6].parse().unwrap_or(0),
        digits[6..].parse().unwrap_or(0),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1800 && (1..=days).contains(&d)
}

impl IidRequest {
    pub fn options(&self) -> &DisplayOptions {
        match self {
            IidRequest::Study { options, .. } | IidRequest::Patient { options, .. } => options,
        }
    }
}

mod select;
pub use select::{IidMismatch, STUDY_FIELDS};

#[cfg(test)]
mod tests {
    use super::*;

    fn study(query: &str) -> (Vec<StudyKey>, Option<PatientId>, DisplayOptions) {
        match parse_query(query) {
            Ok(IidRequest::Study {
                studies,
                patient,
                options,
            }) => (studies, patient, options),
            other => panic!("not a STUDY request: {other:?}"),
        }
    }

    #[test]
    fn a_study_by_uid_with_any_casing_and_both_separators() {
        let (keys, patient, options) =
            study("?REQUESTTYPE=study&StudyUID=1.2.3,1.2.4;%201.2.5&viewertype=IHE_BIR");
        assert_eq!(
            keys,
            vec![
                StudyKey::Uid("1.2.3".into()),
                StudyKey::Uid("1.2.4".into()),
                StudyKey::Uid("1.2.5".into())
            ]
        );
        assert_eq!(patient, None);
        assert_eq!(options.viewer_type.as_deref(), Some("IHE_BIR"));
        assert!(!options.diagnostic_quality && !options.key_images_only);
    }

    #[test]
    fn a_study_by_accession_number_with_its_patient_and_options() {
        let (keys, patient, options) = study(
            "requestType=STUDY&accessionNumber=A%2012;B7&patientID=123%5E%5E%5EHOSP%261.2.250.1%26ISO\
             &diagnosticQuality=TRUE&keyImagesOnly=true",
        );
        assert_eq!(
            keys,
            vec![
                StudyKey::AccessionNumber("A 12".into()),
                StudyKey::AccessionNumber("B7".into())
            ]
        );
        let patient = patient.expect("patient");
        assert_eq!(patient.id, "123");
        assert_eq!(patient.namespace.as_deref(), Some("HOSP"));
        assert_eq!(patient.universal_id.as_deref(), Some("1.2.250.1"));
        assert_eq!(patient.universal_id_type.as_deref(), Some("ISO"));
        assert!(options.diagnostic_quality && options.key_images_only);
    }

    #[test]
    fn the_drimbox_report_link_is_a_study_request() {
        let (keys, _, options) = study("Accessionnumber=CTREAL1&idCDA=1.2.250.1.213.4.1.1.1.9");
        assert_eq!(keys, vec![StudyKey::AccessionNumber("CTREAL1".into())]);
        assert_eq!(
            options.report_document_id.as_deref(),
            Some("1.2.250.1.213.4.1.1.1.9")
        );
    }

    #[test]
    fn a_patient_request_with_every_filter() {
        let request = parse_query(
            "requestType=PATIENT&patientID=CT-REAL-1&patientName=LUNG%5ECT&patientBirthDate=19700131\
             &lowerDateTime=1999-12-31T23:00:00Z&upperDateTime=2000-01-02T08:30:15.250%2B01:00\
             &mostRecentResults=3&modalitiesInStudy=ct,MR&unknownParameter=ignored",
        );
        let Ok(IidRequest::Patient {
            patient,
            patient_name,
            birth_date,
            lower,
            upper,
            most_recent,
            modalities,
            ..
        }) = request
        else {
            panic!("not a PATIENT request: {request:?}");
        };
        assert_eq!(patient.id, "CT-REAL-1");
        assert_eq!(patient.namespace, None);
        assert_eq!(patient_name.as_deref(), Some("LUNG^CT"));
        assert_eq!(birth_date.as_deref(), Some("19700131"));
        assert_eq!(
            lower,
            Some(DateTimeBound {
                date: "19991231".into(),
                time: Some("230000".into())
            })
        );
        assert_eq!(
            upper,
            Some(DateTimeBound {
                date: "20000102".into(),
                time: Some("083015".into())
            })
        );
        assert_eq!(most_recent, Some(3));
        assert_eq!(modalities, vec!["CT".to_string(), "MR".to_string()]);
    }

    #[test]
    fn malformed_and_missing_values_are_named_without_echoing_them() {
        let cases: &[(&str, IidError)] = &[
            ("", IidError::MissingRequestType),
            (
                "requestType=SERIES&studyUID=1.2",
                IidError::UnknownRequestType,
            ),
            ("requestType=PATIENT", IidError::MissingPatientId),
            ("requestType=STUDY&patientID=1", IidError::MissingStudy),
            (
                "requestType=STUDY&studyUID=1.2.x",
                IidError::Malformed("studyUID"),
            ),
            (
                "requestType=STUDY&studyUID=1.2&studyuid=1.3",
                IidError::Repeated("studyUID"),
            ),
            (
                "requestType=STUDY&accessionNumber=A*",
                IidError::Malformed("accessionNumber"),
            ),
            (
                "requestType=PATIENT&patientID=%5E%5E%5EHOSP",
                IidError::Malformed("patientID"),
            ),
            (
                "requestType=PATIENT&patientID=1&mostRecentResults=-2",
                IidError::Malformed("mostRecentResults"),
            ),
            (
                "requestType=PATIENT&patientID=1&mostRecentResults=0",
                IidError::Malformed("mostRecentResults"),
            ),
            (
                "requestType=PATIENT&patientID=1&lowerDateTime=2020-02-30",
                IidError::Malformed("lowerDateTime"),
            ),
            (
                "requestType=PATIENT&patientID=1&upperDateTime=2020-01-01T25:00:00",
                IidError::Malformed("upperDateTime"),
            ),
            (
                "requestType=PATIENT&patientID=1&patientBirthDate=1970",
                IidError::Malformed("patientBirthDate"),
            ),
            (
                "requestType=PATIENT&patientID=1&modalitiesInStudy=C%20T",
                IidError::Malformed("modalitiesInStudy"),
            ),
            (
                "requestType=STUDY&studyUID=1.2&keyImagesOnly=yes",
                IidError::Malformed("keyImagesOnly"),
            ),
            (
                "requestType=STUDY&studyUID=1.2%ZZ",
                IidError::Malformed("studyUID"),
            ),
            (
                "requestType=STUDY&studyUID=1.2%0A",
                IidError::Malformed("studyUID"),
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(parse_query(query).as_ref(), Err(expected), "{query}");
        }
        let long = format!("requestType=STUDY&studyUID={}", ["1.2"; 51].join(","));
        assert_eq!(parse_query(&long), Err(IidError::TooMany("studyUID")));
        let error = parse_query("requestType=PATIENT&patientID=SECRET*NAME").expect_err("refused");
        assert!(!error.to_string().contains("SECRET"));
    }

    #[test]
    fn dates_accept_the_profile_forms_and_only_real_days() {
        assert!(valid_date("20000229"));
        assert!(!valid_date("19000229"));
        assert!(!valid_date("20001301"));
        let bound = date_time("2024-02-29", "lowerDateTime").expect("a date alone");
        assert_eq!(bound.time, None);
        assert!(date_time("2024-02-29T10:00", "lowerDateTime").is_err());
        assert!(date_time("24-02-29T10:00:00", "lowerDateTime").is_err());
    }
}
