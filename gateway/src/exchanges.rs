//! Exchanges (échanges) in the database: a study sent to a professional or a site's team,
//! written with its audit row; what a clinician received and sent; the first opening.

use std::collections::HashSet;

use sqlx::Row;

use crate::audit::AuditEvent;
use crate::store::{failed, insert_audit_on, Store, StoreError};

/// One study sent.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exchange {
    pub id: String,
    pub study_uid: String,
    pub patient_id: String,
    pub from_actor: String,
    pub from_name: Option<String>,
    pub from_site: String,
    /// `professional` (a subject) or `team` (a site id).
    pub to_kind: String,
    pub to_id: String,
    pub message: String,
    /// `routine` or `urgent`.
    pub urgency: String,
    pub sent_at_ms: i64,
    pub opened_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, study_uid, patient_id, from_actor, from_name, from_site, to_kind, \
                       to_id, message, urgency, sent_at_ms, opened_at_ms";

fn exchange_of(row: &sqlx::any::AnyRow) -> Result<Exchange, sqlx::Error> {
    Ok(Exchange {
        id: row.try_get("id")?,
        study_uid: row.try_get("study_uid")?,
        patient_id: row.try_get("patient_id")?,
        from_actor: row.try_get("from_actor")?,
        from_name: row.try_get("from_name")?,
        from_site: row.try_get("from_site")?,
        to_kind: row.try_get("to_kind")?,
        to_id: row.try_get("to_id")?,
        message: row.try_get("message")?,
        urgency: row.try_get("urgency")?,
        sent_at_ms: row.try_get("sent_at_ms")?,
        opened_at_ms: row.try_get("opened_at_ms")?,
    })
}

/// The condition "addressed to the subject bound at `$first` or to the team of one of the
/// `sites` sites bound right after it".
fn addressed_to(first: usize, sites: usize) -> String {
    let teams = if sites == 0 {
        "1 = 0".to_string()
    } else {
        let places: Vec<String> = (0..sites).map(|i| format!("${}", first + 1 + i)).collect();
        format!("(to_kind = 'team' AND to_id IN ({}))", places.join(", "))
    };
    format!("(to_kind = 'professional' AND to_id = ${first}) OR {teams}")
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `query` with the values of [`addressed_to`]'s condition bound after its own: the subject of
/// `actor`, then the ids of `sites`.
fn addressed<'q>(query: AnyQuery<'q>, actor: &'q str, sites: &'q [String]) -> AnyQuery<'q> {
    sites
        .iter()
        .fold(query.bind(subject_of(actor)), |query, site| {
            query.bind(site)
        })
}

/// The subject of a signed-in clinician's actor (`clinician:<sub>`).
fn subject_of(actor: &str) -> &str {
    actor.strip_prefix("clinician:").unwrap_or(actor)
}

impl Store {
    /// Exchanges to this clinician (by subject) or to one of their sites' teams, newest first.
    pub async fn exchanges_to(
        &self,
        actor: &str,
        sites: &[String],
    ) -> Result<Vec<Exchange>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM exchanges WHERE {} ORDER BY sent_at_ms DESC, id LIMIT 1000",
            addressed_to(1, sites.len())
        );
        let rows = addressed(sqlx::query(&sql), actor, sites)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        rows.iter()
            .map(exchange_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading exchanges"))
    }

    /// Whether `study` was sent to this clinician or to one of their sites' teams: one
    /// indexed lookup (asked on every request a recipient makes).
    pub async fn exchanged_to(
        &self,
        study: &str,
        actor: &str,
        sites: &[String],
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT id FROM exchanges WHERE study_uid = $1 AND ({}) LIMIT 1",
            addressed_to(2, sites.len())
        );
        let row = addressed(sqlx::query(&sql).bind(study), actor, sites)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        Ok(row.is_some())
    }

    /// Every study sent to this clinician or to one of their sites' teams (what one search
    /// lets through besides their own sites' studies).
    pub async fn studies_exchanged_to(
        &self,
        actor: &str,
        sites: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let sql = format!(
            "SELECT DISTINCT study_uid FROM exchanges WHERE {}",
            addressed_to(1, sites.len())
        );
        let rows = addressed(sqlx::query(&sql), actor, sites)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        rows.iter()
            .map(|row| row.try_get::<String, _>("study_uid"))
            .collect::<Result<_, _>>()
            .map_err(failed("reading exchanges"))
    }

    /// Exchanges this clinician sent, newest first.
    pub async fn exchanges_from(&self, actor: &str) -> Result<Vec<Exchange>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM exchanges WHERE from_actor = $1 \
             ORDER BY sent_at_ms DESC, id LIMIT 1000"
        );
        let rows = sqlx::query(&sql)
            .bind(actor)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        rows.iter()
            .map(exchange_of)
            .collect::<Result<_, _>>()
            .map_err(failed("reading exchanges"))
    }

    /// The first reading of an exchanged study by a recipient: the exchanges of it to them
    /// marked opened (once), with the audit row.
    pub async fn mark_exchange_opened(
        &self,
        study: &str,
        actor: &str,
        sites: &[String],
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let unopened: Vec<Exchange> = self
            .exchanges_to(actor, sites)
            .await?
            .into_iter()
            .filter(|e| e.study_uid == study && e.opened_at_ms.is_none())
            .collect();
        if unopened.is_empty() {
            return self.insert_audit(event).await;
        }
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        for exchange in &unopened {
            sqlx::query(
                "UPDATE exchanges SET opened_at_ms = $1, opened_by = $2 \
                 WHERE id = $3 AND opened_at_ms IS NULL",
            )
            .bind(event.at_ms)
            .bind(actor)
            .bind(&exchange.id)
            .execute(&mut *act)
            .await
            .map_err(failed("marking an exchange opened"))?;
        }
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }

    pub(crate) async fn send_exchange(
        &self,
        e: &Exchange,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let sql = format!(
            "INSERT INTO exchanges ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        sqlx::query(&sql)
            .bind(&e.id)
            .bind(&e.study_uid)
            .bind(&e.patient_id)
            .bind(&e.from_actor)
            .bind(&e.from_name)
            .bind(&e.from_site)
            .bind(&e.to_kind)
            .bind(&e.to_id)
            .bind(&e.message)
            .bind(&e.urgency)
            .bind(e.sent_at_ms)
            .bind(e.opened_at_ms)
            .execute(&mut *act)
            .await
            .map_err(failed("recording an exchange"))?;
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }
}
