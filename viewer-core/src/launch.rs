//! The DRIMbox "appel contextuel": the patient record (DPI, RIS) opens the portal with an
//! HTML form POST (`application/x-www-form-urlencoded`) naming the patient by INS, strict
//! traits and local ID, and optionally a study. Every parameter is checked here; an unknown,
//! missing, repeated or malformed one is refused by its name (never by its value, which may
//! be patient data).

use crate::dicom_json::is_uid;
use crate::identity::{Sex, StrictTraits};
use crate::ins::{Ins, InsError};

/// The parameters a launch must carry.
pub const MANDATORY: &[&str] = &[
    "Patient.identifier.value",
    "Patient.identifier.system",
    "Patient.name.family",
    "Patient.name.given",
    "Patient.gender",
    "Patient.birthDate",
    "Address.district",
    "InformationEtOppositionConsultation",
    "PatientID",
    "PatientIDIssuer",
];

/// The parameters a launch may carry.
pub const OPTIONAL: &[&str] = &[
    "StudyInstanceUID",
    "Modality",
    "AccessionNumber",
    "AccessionNumberIssuer",
    "StudyDate",
    "AnatomicRegion",
    "Situation",
];

/// The longest value any parameter may have.
const VALUE_LIMIT_CHARS: usize = 256;

/// Why a launch is refused, naming the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    #[error("unknown parameter {0}")]
    Unknown(String),
    #[error("missing parameter {0}")]
    Missing(&'static str),
    #[error("parameter {0} given twice")]
    Repeated(&'static str),
    #[error("parameter {0} is malformed")]
    Invalid(&'static str),
    #[error("the INS ({0}) is not valid: {1}")]
    Ins(&'static str, InsError),
}

/// A checked launch.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContextualLaunch {
    /// Matricule and domain OID.
    pub ins_matricule: String,
    pub ins_oid: String,
    pub traits: StrictTraits,
    /// The patient record's word on the patient's information: `true` when the patient was
    /// informed and did not oppose the consultation of their images; `false` refuses it.
    pub consultation_allowed: bool,
    pub patient_id: String,
    pub patient_id_issuer: String,
    pub study_uid: Option<String>,
    pub modality: Option<String>,
    pub accession_number: Option<String>,
    pub accession_number_issuer: Option<String>,
    /// DA (`YYYYMMDD`) or a DA range (`YYYYMMDD-YYYYMMDD`, either end open).
    pub study_date: Option<String>,
    pub anatomic_region: Option<String>,
    pub situation: Option<String>,
}

impl ContextualLaunch {
    /// Checks the decoded form fields (name, value), in the order they came.
    pub fn from_fields(fields: &[(String, String)]) -> Result<Self, LaunchError> {
        let mut values: Vec<(&'static str, &str)> = Vec::new();
        for (name, value) in fields {
            let known = MANDATORY
                .iter()
                .chain(OPTIONAL)
                .find(|k| **k == name.as_str())
                .ok_or_else(|| LaunchError::Unknown(printable(name)))?;
            if values.iter().any(|(n, _)| n == known) {
                return Err(LaunchError::Repeated(known));
            }
            if value.chars().count() > VALUE_LIMIT_CHARS || value.chars().any(char::is_control) {
                return Err(LaunchError::Invalid(known));
            }
            values.push((known, value.trim()));
        }
        let get = |name: &'static str| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
        };
        let need = |name: &'static str| get(name).ok_or(LaunchError::Missing(name));
        for name in MANDATORY {
            need(name)?;
        }
        let ins = Ins::parse(
            need("Patient.identifier.value")?,
            need("Patient.identifier.system")?,
        )
        .map_err(|e| match e {
            InsError::UnknownOid => LaunchError::Ins("Patient.identifier.system", e),
            _ => LaunchError::Ins("Patient.identifier.value", e),
        })?;
        let checked = |name: &'static str, ok: fn(&str) -> bool| match get(name) {
            Some(v) if ok(v) => Ok(Some(v.to_string())),
            Some(_) => Err(LaunchError::Invalid(name)),
            None => Ok(None),
        };
        let birth_date =
            date(need("Patient.birthDate")?).ok_or(LaunchError::Invalid("Patient.birthDate"))?;
        let traits = StrictTraits {
            birth_name: Some(need("Patient.name.family")?.to_string()),
            first_given_name: need("Patient.name.given")?
                .split_whitespace()
                .next()
                .map(str::to_string),
            birth_date: Some(birth_date),
            sex: Some(
                Sex::parse(need("Patient.gender")?)
                    .ok_or(LaunchError::Invalid("Patient.gender"))?,
            ),
            birth_place_code: checked("Address.district", is_place_code)?,
        };
        let consultation_allowed = match need("InformationEtOppositionConsultation")? {
            "true" => true,
            "false" => false,
            _ => return Err(LaunchError::Invalid("InformationEtOppositionConsultation")),
        };
        let study_date = match get("StudyDate") {
            Some(v) => Some(date_range(v).ok_or(LaunchError::Invalid("StudyDate"))?),
            None => None,
        };
        Ok(ContextualLaunch {
            ins_matricule: ins.matricule.clone(),
            ins_oid: ins.oid().to_string(),
            traits,
            consultation_allowed,
            patient_id: checked("PatientID", is_lo)?.unwrap_or_default(),
            patient_id_issuer: checked("PatientIDIssuer", is_lo)?.unwrap_or_default(),
            study_uid: checked("StudyInstanceUID", is_uid)?,
            modality: checked("Modality", is_modality)?,
            accession_number: checked("AccessionNumber", is_short)?,
            accession_number_issuer: checked("AccessionNumberIssuer", is_lo)?,
            study_date,
            anatomic_region: checked("AnatomicRegion", is_lo)?,
            situation: checked("Situation", is_lo)?,
        })
    }

    /// The INS the launch names (checked when the launch was).
    pub fn ins(&self) -> Option<Ins> {
        Ins::parse(&self.ins_matricule, &self.ins_oid).ok()
    }
}

/// A parameter name as an error may print it: visible ASCII, at most 64 characters.
fn printable(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect()
}

/// LO: at most 64 characters, no backslash (the value separator).
fn is_lo(v: &str) -> bool {
    v.chars().count() <= 64 && !v.contains('\\')
}

/// SH (an accession number): at most 16 characters, no backslash.
fn is_short(v: &str) -> bool {
    v.chars().count() <= 16 && !v.contains('\\')
}

/// A modality code: 1 to 16 capitals, digits or underscores.
fn is_modality(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 16
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// An INSEE place code: 5 characters, digits or Corsica's `2A`/`2B` (99xxx abroad).
fn is_place_code(v: &str) -> bool {
    v.len() == 5
        && (v.bytes().all(|b| b.is_ascii_digit())
            || (matches!(&v[..2], "2A" | "2B") && v[2..].bytes().all(|b| b.is_ascii_digit())))
}

/// A calendar date written `YYYY-MM-DD` (FHIR) or `YYYYMMDD` (DICOM), as DA.
fn date(v: &str) -> Option<String> {
    let digits: String = match v.len() {
        10 if v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' => v.replace('-', ""),
        8 => v.to_string(),
        _ => return None,
    };
    crate::text::format_da(&digits).map(|_| digits)
}

/// A date or a range of dates (`from-to`, either end open), as DA.
fn date_range(v: &str) -> Option<String> {
    if v.len() == 10 && v.contains('-') {
        return date(v);
    }
    match v.split_once('-') {
        None => date(v),
        Some((from, to)) if !(from.is_empty() && to.is_empty()) => {
            let end = |s: &str| {
                if s.is_empty() {
                    Some(String::new())
                } else {
                    date(s)
                }
            };
            Some(format!("{}-{}", end(from)?, end(to)?))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
#[path = "launch_tests.rs"]
mod tests;
