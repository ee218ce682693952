//! The patient's consent to regional sharing (partage), as the patient's own establishment
//! recorded it: given or refused (opposition), by whom, how, when, and who recorded it. One
//! record per patient (site + local patient ID, until the national identity links one person
//! across sites); a change replaces it, with immediate effect, and each change is an audit row
//! written in the same transaction. No record means not shared.

use sqlx::Row;

use crate::audit::AuditEvent;
use crate::store::{failed, insert_audit_on, Store, StoreError};

/// A patient's consent to regional sharing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Consent {
    pub site_id: String,
    pub patient_id: String,
    /// Given (`true`) or refused: opposition.
    pub given: bool,
    /// `patient` or `representative`.
    pub given_by: String,
    /// `oral`, `written` or `electronic`.
    pub method: String,
    /// When the patient said it (milliseconds since the epoch).
    pub said_at_ms: i64,
    /// The clinician who recorded it (the audit trail's actor) and their name.
    pub recorded_by: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at_ms: i64,
}

impl Store {
    /// The consent on record for a patient of a site.
    pub async fn consent(
        &self,
        site_id: &str,
        patient_id: &str,
    ) -> Result<Option<Consent>, StoreError> {
        let row = sqlx::query(
            "SELECT site_id, patient_id, given, given_by, method, said_at_ms, recorded_by, \
             recorded_by_name, recorded_at_ms FROM consents WHERE site_id = $1 AND patient_id = $2",
        )
        .bind(site_id)
        .bind(patient_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("reading a consent"))?;
        let Some(row) = row else { return Ok(None) };
        let get = |e| failed("reading a consent")(e);
        Ok(Some(Consent {
            site_id: row.try_get("site_id").map_err(get)?,
            patient_id: row.try_get("patient_id").map_err(get)?,
            given: row.try_get::<i64, _>("given").map_err(get)? == 1,
            given_by: row.try_get("given_by").map_err(get)?,
            method: row.try_get("method").map_err(get)?,
            said_at_ms: row.try_get("said_at_ms").map_err(get)?,
            recorded_by: row.try_get("recorded_by").map_err(get)?,
            recorded_by_name: row.try_get("recorded_by_name").map_err(get)?,
            recorded_at_ms: row.try_get("recorded_at_ms").map_err(get)?,
        }))
    }

    /// Whether the patient's consent to regional sharing stands (given, not refused).
    pub async fn shared_by_consent(
        &self,
        site_id: &str,
        patient_id: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT given FROM consents WHERE site_id = $1 AND patient_id = $2 AND given = 1",
        )
        .bind(site_id)
        .bind(patient_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("reading a consent"))?;
        Ok(row.is_some())
    }

    /// Records a consent (replacing the patient's earlier one) with its audit row, together.
    pub async fn record_consent(
        &self,
        consent: &Consent,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        sqlx::query(
            "INSERT INTO consents (site_id, patient_id, given, given_by, method, said_at_ms, \
             recorded_by, recorded_by_name, recorded_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (site_id, patient_id) DO UPDATE SET given = excluded.given, \
             given_by = excluded.given_by, method = excluded.method, \
             said_at_ms = excluded.said_at_ms, recorded_by = excluded.recorded_by, \
             recorded_by_name = excluded.recorded_by_name, \
             recorded_at_ms = excluded.recorded_at_ms",
        )
        .bind(&consent.site_id)
        .bind(&consent.patient_id)
        .bind(i64::from(consent.given))
        .bind(&consent.given_by)
        .bind(&consent.method)
        .bind(consent.said_at_ms)
        .bind(&consent.recorded_by)
        .bind(&consent.recorded_by_name)
        .bind(consent.recorded_at_ms)
        .execute(&mut *act)
        .await
        .map_err(failed("recording a consent"))?;
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }
}
