//! Emergency accesses ("bris de glace") in the database: one row per access (who, study,
//! patient, owning site, reason, start, end), written with its audit row in one transaction;
//! the access in force of a clinician for a study; the list for review.

use std::collections::HashSet;

use sqlx::Row;

use crate::audit::AuditEvent;
use crate::store::{failed, insert_audit_on, Store, StoreError};

/// One emergency access, as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EmergencyAccess {
    pub id: String,
    pub actor: String,
    pub actor_name: Option<String>,
    pub study_uid: String,
    pub patient_id: Option<String>,
    /// The site that owns the study (none: a study of no site).
    pub site_id: Option<String>,
    pub category: String,
    pub reason: String,
    pub started_at_ms: i64,
    pub expires_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, actor, actor_name, study_uid, patient_id, site_id, category, reason, \
                       started_at_ms, expires_at_ms, ended_at_ms";

fn access_of(row: &sqlx::any::AnyRow) -> Result<EmergencyAccess, sqlx::Error> {
    Ok(EmergencyAccess {
        id: row.try_get("id")?,
        actor: row.try_get("actor")?,
        actor_name: row.try_get("actor_name")?,
        study_uid: row.try_get("study_uid")?,
        patient_id: row.try_get("patient_id")?,
        site_id: row.try_get("site_id")?,
        category: row.try_get("category")?,
        reason: row.try_get("reason")?,
        started_at_ms: row.try_get("started_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        ended_at_ms: row.try_get("ended_at_ms")?,
    })
}

impl Store {
    /// The actor's emergency access to `study` in force at `now_ms`, if any.
    pub async fn emergency_in_force(
        &self,
        actor: &str,
        study: &str,
        now_ms: i64,
    ) -> Result<Option<EmergencyAccess>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM emergency_accesses WHERE actor = $1 AND study_uid = $2 \
             AND expires_at_ms > $3 AND ended_at_ms IS NULL ORDER BY expires_at_ms DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(actor)
            .bind(study)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("reading an emergency access"))?;
        row.as_ref()
            .map(access_of)
            .transpose()
            .map_err(failed("reading an emergency access"))
    }

    /// The studies this actor holds an emergency access to at `now_ms` (what one search lets
    /// through besides their own sites' studies).
    pub async fn emergency_studies_in_force(
        &self,
        actor: &str,
        now_ms: i64,
    ) -> Result<HashSet<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT study_uid FROM emergency_accesses WHERE actor = $1 \
             AND expires_at_ms > $2 AND ended_at_ms IS NULL",
        )
        .bind(actor)
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("reading emergency accesses"))?;
        rows.iter()
            .map(|row| row.try_get::<String, _>("study_uid"))
            .collect::<Result<_, _>>()
            .map_err(failed("reading emergency accesses"))
    }

    /// Emergency accesses, newest first, for review.
    pub async fn emergency_accesses(&self, limit: i64) -> Result<Vec<EmergencyAccess>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM emergency_accesses ORDER BY started_at_ms DESC, id LIMIT $1"
        );
        let rows = sqlx::query(&sql)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading emergency accesses"))?;
        rows.iter()
            .map(access_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading emergency accesses"))
    }

    /// A new emergency access with its audit row, together.
    pub(crate) async fn open_emergency(
        &self,
        access: &EmergencyAccess,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let sql = format!(
            "INSERT INTO emergency_accesses ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        sqlx::query(&sql)
            .bind(&access.id)
            .bind(&access.actor)
            .bind(&access.actor_name)
            .bind(&access.study_uid)
            .bind(&access.patient_id)
            .bind(&access.site_id)
            .bind(&access.category)
            .bind(&access.reason)
            .bind(access.started_at_ms)
            .bind(access.expires_at_ms)
            .bind(access.ended_at_ms)
            .execute(&mut *act)
            .await
            .map_err(failed("recording an emergency access"))?;
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }

    /// Ends the actor's emergency access `id` (once) with its audit row; whether it was in
    /// force.
    pub(crate) async fn end_emergency(
        &self,
        id: &str,
        actor: &str,
        now_ms: i64,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let ended = sqlx::query(
            "UPDATE emergency_accesses SET ended_at_ms = $1 WHERE id = $2 AND actor = $3 \
             AND ended_at_ms IS NULL AND expires_at_ms > $1",
        )
        .bind(now_ms)
        .bind(id)
        .bind(actor)
        .execute(&mut *act)
        .await
        .map_err(failed("ending an emergency access"))?
        .rows_affected()
            == 1;
        if !ended {
            return Ok(false);
        }
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))?;
        Ok(true)
    }
}
