//! Each study's patient as its files name them, in the database: the national identity (INS)
//! when valid (or why not), the local ID and its issuer, the strict traits. Read from the
//! PACS by [`crate::national`] (on demand, and by its walk through the archive), so that a
//! person's studies are found across sites by INS.

use std::collections::HashSet;

use sqlx::Row;
use viewer_core::identity::{PatientIdentity, StrictTraits};
use viewer_core::ins::InsFinding;

use crate::store::{failed, Store, StoreError};

/// One study's patient as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyIdentity {
    pub study_uid: String,
    /// `matricule@oid` of a valid INS.
    pub ins_key: Option<String>,
    /// `invalid` for an INS-domain identifier that does not check, else nothing.
    pub ins_problem: Option<String>,
    pub patient_id: String,
    pub issuer: Option<String>,
    pub traits: StrictTraits,
    pub read_at_ms: i64,
}

impl StudyIdentity {
    pub fn of(study_uid: &str, identity: &PatientIdentity, read_at_ms: i64) -> StudyIdentity {
        StudyIdentity {
            study_uid: study_uid.to_string(),
            ins_key: identity.ins.ins().map(|i| i.key()),
            ins_problem: matches!(identity.ins, InsFinding::Invalid(_)).then(|| "invalid".into()),
            patient_id: identity.patient_id.clone().unwrap_or_default(),
            issuer: identity.issuer.clone(),
            traits: identity.traits.clone(),
            read_at_ms,
        }
    }
}

const COLUMNS: &str = "study_uid, ins_key, ins_problem, patient_id, issuer, traits, read_at_ms";

fn identity_of(row: &sqlx::any::AnyRow) -> Result<StudyIdentity, sqlx::Error> {
    let traits: String = row.try_get("traits")?;
    Ok(StudyIdentity {
        study_uid: row.try_get("study_uid")?,
        ins_key: row.try_get("ins_key")?,
        ins_problem: row.try_get("ins_problem")?,
        patient_id: row.try_get("patient_id")?,
        issuer: row.try_get("issuer")?,
        traits: serde_json::from_str(&traits).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        read_at_ms: row.try_get("read_at_ms")?,
    })
}

impl Store {
    /// Keeps (or replaces) what a study's files say of its patient.
    pub async fn put_study_identity(&self, identity: &StudyIdentity) -> Result<(), StoreError> {
        let traits = serde_json::to_string(&identity.traits)
            .map_err(|e| failed("writing a study's identity")(sqlx::Error::Decode(Box::new(e))))?;
        sqlx::query(&format!(
            "INSERT INTO study_identities ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (study_uid) DO UPDATE SET ins_key = excluded.ins_key, \
             ins_problem = excluded.ins_problem, patient_id = excluded.patient_id, \
             issuer = excluded.issuer, traits = excluded.traits, read_at_ms = excluded.read_at_ms"
        ))
        .bind(&identity.study_uid)
        .bind(&identity.ins_key)
        .bind(&identity.ins_problem)
        .bind(&identity.patient_id)
        .bind(&identity.issuer)
        .bind(traits)
        .bind(identity.read_at_ms)
        .execute(&self.pool)
        .await
        .map_err(failed("writing a study's identity"))?;
        Ok(())
    }

    /// What was kept of `study`'s patient, if anything.
    pub async fn study_identity(&self, study: &str) -> Result<Option<StudyIdentity>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM study_identities WHERE study_uid = $1"
        ))
        .bind(study)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("reading a study's identity"))?;
        row.as_ref()
            .map(identity_of)
            .transpose()
            .map_err(failed("reading a study's identity"))
    }

    /// The studies kept under one INS (`matricule@oid`), at most 1000.
    pub async fn studies_of_ins(&self, ins_key: &str) -> Result<Vec<StudyIdentity>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM study_identities WHERE ins_key = $1 \
             ORDER BY study_uid LIMIT 1000"
        ))
        .bind(ins_key)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("reading studies' identities"))?;
        rows.iter()
            .map(identity_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading studies' identities"))
    }

    /// Of `studies`, those whose identity was read at or after `since_ms`.
    pub async fn identities_read_since(
        &self,
        studies: &[String],
        since_ms: i64,
    ) -> Result<HashSet<String>, StoreError> {
        if studies.is_empty() {
            return Ok(HashSet::new());
        }
        let places: Vec<String> = (0..studies.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT study_uid FROM study_identities WHERE read_at_ms >= $1 AND study_uid IN ({})",
            places.join(", ")
        );
        let query = studies
            .iter()
            .fold(sqlx::query(&sql).bind(since_ms), |q, uid| q.bind(uid));
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading studies' identities"))?;
        rows.iter()
            .map(|row| row.try_get::<String, _>("study_uid"))
            .collect::<Result<_, _>>()
            .map_err(failed("reading studies' identities"))
    }
}
