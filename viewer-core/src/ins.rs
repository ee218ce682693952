//! The French national health identifier (INS, "identifiant national de santé"): a matricule
//! (the NIR, or the NIA while a NIR is pending: 13 characters and a 2-digit key) qualified by
//! the OID of its domain, and the patient's strict traits ("traits stricts") that go with it.
//!
//! DICOM carries the INS as Patient ID (0010,0020) when its issuer is the INS domain, or as an
//! item of Other Patient IDs Sequence (0010,1002); the domain is named by Issuer of Patient ID
//! (0010,0021, e.g. `ASIP-SANTE-INS-NIR`) and, authoritatively, by the Universal Entity ID
//! (0040,0032) of the Issuer of Patient ID Qualifiers Sequence (0010,0024).
//!
//! Studies of one person across sites are linked by the INS only: never by name or birth
//! date. Nothing here writes patient data into an error.

use dicom_core::Tag;
use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;

/// INS built on the NIR (1.2.250.1.213.1.4.8).
pub const OID_INS_NIR: &str = "1.2.250.1.213.1.4.8";
/// INS built on the NIA (1.2.250.1.213.1.4.9).
pub const OID_INS_NIA: &str = "1.2.250.1.213.1.4.9";
/// INS-NIR of test patients (1.2.250.1.213.1.4.10).
pub const OID_INS_NIR_TEST: &str = "1.2.250.1.213.1.4.10";
/// INS-NIA of test patients (1.2.250.1.213.1.4.11).
pub const OID_INS_NIA_TEST: &str = "1.2.250.1.213.1.4.11";

/// The arc under which the national identity domains are registered: an OID under it that
/// is none of the four above (the retired computed INS-C, say) is refused, not ignored.
const INS_ARC: &str = "1.2.250.1.213.1.4.";

/// Issuer of Patient ID names that mean the INS domain when no OID qualifies them.
const INS_ISSUERS: &[(&str, InsKind)] = &[
    ("ASIP-SANTE-INS-NIR", InsKind::Nir),
    ("ASIP-SANTE-INS-NIA", InsKind::Nia),
    ("INS-NIR", InsKind::Nir),
    ("INS-NIA", InsKind::Nia),
];

const ISSUER_QUALIFIERS: Tag = tags::ISSUER_OF_PATIENT_ID_QUALIFIERS_SEQUENCE;

/// Which domain an INS belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsKind {
    Nir,
    Nia,
    TestNir,
    TestNia,
}

impl InsKind {
    /// The domain of `oid` (bare, or as a `urn:oid:` URI).
    pub fn of_oid(oid: &str) -> Option<Self> {
        match oid.trim().strip_prefix("urn:oid:").unwrap_or(oid.trim()) {
            OID_INS_NIR => Some(Self::Nir),
            OID_INS_NIA => Some(Self::Nia),
            OID_INS_NIR_TEST => Some(Self::TestNir),
            OID_INS_NIA_TEST => Some(Self::TestNia),
            _ => None,
        }
    }

    pub fn oid(self) -> &'static str {
        match self {
            Self::Nir => OID_INS_NIR,
            Self::Nia => OID_INS_NIA,
            Self::TestNir => OID_INS_NIR_TEST,
            Self::TestNia => OID_INS_NIA_TEST,
        }
    }

    /// A test patient's identity (never a real person's).
    pub fn is_test(self) -> bool {
        matches!(self, Self::TestNir | Self::TestNia)
    }
}

/// A qualified INS: its matricule checked against its key, and its domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ins {
    /// 15 characters: 13 (digits, or `2A`/`2B` for a Corsican birth) and the 2-digit key.
    pub matricule: String,
    pub kind: InsKind,
}

/// Why an identifier of the INS domain is not a usable INS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InsError {
    #[error("the identity domain's OID is not one of the national identity's")]
    UnknownOid,
    #[error("the matricule is not 13 characters and a 2-digit key")]
    MalformedMatricule,
    #[error("the matricule's key does not match its 13 characters")]
    WrongKey,
}

impl Ins {
    /// A matricule qualified by `oid` (bare, or `urn:oid:…`), checked.
    pub fn parse(matricule: &str, oid: &str) -> Result<Ins, InsError> {
        let kind = InsKind::of_oid(oid).ok_or(InsError::UnknownOid)?;
        Self::of_kind(matricule, kind)
    }

    fn of_kind(matricule: &str, kind: InsKind) -> Result<Ins, InsError> {
        let matricule = matricule.trim().to_ascii_uppercase();
        let bytes = matricule.as_bytes();
        if bytes.len() != 15 {
            return Err(InsError::MalformedMatricule);
        }
        // Sex (1, 2; 3, 4 and 7, 8 for provisional and NIA numbers), then year and month.
        let well_formed = matches!(bytes[0], b'1'..=b'4' | b'7' | b'8')
            && bytes[1..5].iter().all(u8::is_ascii_digit)
            && (bytes[5..7].iter().all(u8::is_ascii_digit)
                || matches!(&bytes[5..7], b"2A" | b"2B"))
            && bytes[7..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(InsError::MalformedMatricule);
        }
        // The key: 97 minus the 13-digit number modulo 97, Corsica's 2A and 2B counted as
        // 19 and 18.
        let number: String = match &bytes[5..7] {
            b"2A" => format!("{}19{}", &matricule[..5], &matricule[7..13]),
            b"2B" => format!("{}18{}", &matricule[..5], &matricule[7..13]),
            _ => matricule[..13].to_string(),
        };
        let number: u64 = number.parse().map_err(|_| InsError::MalformedMatricule)?;
        let key: u64 = matricule[13..]
            .parse()
            .map_err(|_| InsError::MalformedMatricule)?;
        if key != 97 - number % 97 {
            return Err(InsError::WrongKey);
        }
        Ok(Ins { matricule, kind })
    }

    pub fn oid(&self) -> &'static str {
        self.kind.oid()
    }

    /// One string per identity, for joining studies across sites.
    pub fn key(&self) -> String {
        format!("{}@{}", self.matricule, self.oid())
    }
}

/// The INS domain an identifier's issuer names, if any: by OID when the qualifiers give one
/// (`Err` for an OID under the national arc that is none of its domains), else by name.
fn issuer_domain(ds: &JsonDataset) -> Option<Result<InsKind, InsError>> {
    let oid = ds.items(ISSUER_QUALIFIERS).iter().find_map(|q| {
        q.string(tags::UNIVERSAL_ENTITY_ID)
            .filter(|v| !v.is_empty())
    });
    if let Some(oid) = oid {
        return match InsKind::of_oid(&oid) {
            Some(kind) => Some(Ok(kind)),
            None if oid.trim().starts_with(INS_ARC) || named_domain(ds).is_some() => {
                Some(Err(InsError::UnknownOid))
            }
            None => None,
        };
    }
    named_domain(ds).map(Ok)
}

fn named_domain(ds: &JsonDataset) -> Option<InsKind> {
    let issuer = ds.string(tags::ISSUER_OF_PATIENT_ID)?;
    let issuer = issuer.trim();
    INS_ISSUERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(issuer))
        .map(|(_, kind)| *kind)
}

/// What a dataset says of its patient's INS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsFinding {
    /// No identifier of the INS domain.
    Absent,
    /// A checked INS.
    Found(Ins),
    /// An identifier of the INS domain that is not a valid INS (shown as such, never used).
    Invalid(InsError),
}

impl InsFinding {
    /// The patient's INS as a dataset carries it: its Patient ID when the issuer is the INS
    /// domain, else the first INS-domain item of Other Patient IDs Sequence. A valid INS wins
    /// over an invalid one met before it.
    pub fn of_dataset(ds: &JsonDataset) -> InsFinding {
        let mut candidates = vec![ds.clone()];
        candidates.extend(ds.items(tags::OTHER_PATIENT_I_DS_SEQUENCE));
        let mut invalid = None;
        for candidate in &candidates {
            let Some(domain) = issuer_domain(candidate) else {
                continue;
            };
            let checked = domain.and_then(|kind| {
                let matricule = candidate.string(tags::PATIENT_ID).unwrap_or_default();
                Ins::of_kind(&matricule, kind)
            });
            match checked {
                Ok(ins) => return InsFinding::Found(ins),
                Err(e) => invalid = invalid.or(Some(e)),
            }
        }
        invalid.map_or(InsFinding::Absent, InsFinding::Invalid)
    }

    pub fn ins(&self) -> Option<&Ins> {
        match self {
            InsFinding::Found(ins) => Some(ins),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "ins_tests.rs"]
mod tests;
