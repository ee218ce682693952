//! A patient's strict traits ("traits stricts" of the national identity: birth name, first
//! given name, birth date, sex, place-of-birth code) as a dataset or a launch carries them,
//! and how two of them differ. Compared after the national identity's own normalisation:
//! capitals without diacritics, hyphens, apostrophes and spaces alike.

use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;
use crate::ins::InsFinding;

/// Administrative sex as the national identity knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "O")]
    Other,
}

impl Sex {
    /// From DICOM's Patient's Sex (M, F, O) or FHIR's administrative gender.
    pub fn parse(code: &str) -> Option<Sex> {
        match code.trim() {
            "M" | "male" => Some(Sex::Male),
            "F" | "female" => Some(Sex::Female),
            "O" | "other" => Some(Sex::Other),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Other => "O",
        }
    }
}

/// One strict trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trait {
    BirthName,
    FirstGivenName,
    BirthDate,
    Sex,
    BirthPlace,
}

/// The strict traits known of a patient (each may be unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StrictTraits {
    pub birth_name: Option<String>,
    pub first_given_name: Option<String>,
    /// DA (`YYYYMMDD`).
    pub birth_date: Option<String>,
    pub sex: Option<Sex>,
    /// The INSEE code of the place of birth (5 characters), when known.
    pub birth_place_code: Option<String>,
}

impl StrictTraits {
    /// The traits a dataset carries: the birth name from Patient's Birth Name (0010,1005),
    /// else the family name of Patient's Name; the first given name of Patient's Name; birth
    /// date and sex. DICOM has no place of birth.
    pub fn of_dataset(ds: &JsonDataset) -> StrictTraits {
        let components = |tag| {
            let raw = ds.string(tag).unwrap_or_default();
            let alphabetic = raw.split('=').next().unwrap_or_default().to_string();
            alphabetic
                .split('^')
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>()
        };
        let name = components(tags::PATIENT_NAME);
        let birth = components(tags::PATIENT_BIRTH_NAME);
        let non_empty = |s: Option<&String>| s.filter(|s| !s.is_empty()).cloned();
        StrictTraits {
            birth_name: non_empty(birth.first()).or_else(|| non_empty(name.first())),
            first_given_name: name
                .get(1)
                .and_then(|given| given.split_whitespace().next())
                .map(str::to_string),
            birth_date: ds
                .string(tags::PATIENT_BIRTH_DATE)
                .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit())),
            sex: ds.string(tags::PATIENT_SEX).as_deref().and_then(Sex::parse),
            birth_place_code: None,
        }
    }

    /// The traits known on both sides that differ.
    pub fn differences(&self, other: &StrictTraits) -> Vec<Trait> {
        let mut differ = Vec::new();
        let names = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => normalised(a) != normalised(b),
            _ => false,
        };
        if names(&self.birth_name, &other.birth_name) {
            differ.push(Trait::BirthName);
        }
        if names(&self.first_given_name, &other.first_given_name) {
            differ.push(Trait::FirstGivenName);
        }
        if matches!((&self.birth_date, &other.birth_date), (Some(a), Some(b)) if a != b) {
            differ.push(Trait::BirthDate);
        }
        if matches!((self.sex, other.sex), (Some(a), Some(b)) if a != b) {
            differ.push(Trait::Sex);
        }
        if names(&self.birth_place_code, &other.birth_place_code) {
            differ.push(Trait::BirthPlace);
        }
        differ
    }
}

/// A name as the national identity compares it: capitals, no diacritics, hyphens,
/// apostrophes and runs of spaces as one space.
pub fn normalised(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                'A'
            }
            'ç' | 'Ç' => 'C',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'E',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
            'ñ' | 'Ñ' => 'N',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
            'ý' | 'ÿ' | 'Ý' | 'Ÿ' => 'Y',
            '-' | '\'' | '’' | '^' => ' ',
            'æ' | 'Æ' => {
                out.push_str("AE");
                continue;
            }
            'œ' | 'Œ' => {
                out.push_str("OE");
                continue;
            }
            c => c.to_uppercase().next().unwrap_or(c),
        };
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A patient as one dataset identifies them.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientIdentity {
    pub ins: InsFinding,
    pub traits: StrictTraits,
    /// The local ID (0010,0020) and its issuer (0010,0021).
    pub patient_id: Option<String>,
    pub issuer: Option<String>,
}

impl PatientIdentity {
    pub fn of_dataset(ds: &JsonDataset) -> PatientIdentity {
        PatientIdentity {
            ins: InsFinding::of_dataset(ds),
            traits: StrictTraits::of_dataset(ds),
            patient_id: ds.string(tags::PATIENT_ID).filter(|s| !s.is_empty()),
            issuer: ds
                .string(tags::ISSUER_OF_PATIENT_ID)
                .filter(|s| !s.is_empty()),
        }
    }
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
