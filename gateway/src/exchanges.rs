//! Exchanges (échanges) in the database: a study (whole, or chosen series of it) sent to a
//! professional or a site's team, written with its audit row; what a clinician received and
//! sent; the first opening.

use std::collections::{BTreeSet, HashMap};

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
    /// The series sent, when not the whole study.
    pub series: Option<Vec<String>>,
}

/// What of a study a clinician was sent, all their exchanges of it together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The whole study.
    Study,
    /// These series of it only.
    Series(BTreeSet<String>),
}

impl Sent {
    /// From the `series` column: NULL for the whole study, else the series' UIDs separated by
    /// spaces (a UID holds none).
    fn of_column(series: Option<String>) -> Sent {
        match series {
            None => Sent::Study,
            Some(list) => Sent::Series(list.split_whitespace().map(str::to_string).collect()),
        }
    }

    /// Two exchanges of one study to one reader: the whole study if either is, else every
    /// series of both.
    fn and(self, other: Sent) -> Sent {
        match (self, other) {
            (Sent::Series(mut a), Sent::Series(b)) => {
                a.extend(b);
                Sent::Series(a)
            }
            _ => Sent::Study,
        }
    }

    /// Whether series `series` was sent.
    pub fn includes(&self, series: &str) -> bool {
        match self {
            Sent::Study => true,
            Sent::Series(chosen) => chosen.contains(series),
        }
    }
}

const COLUMNS: &str = "id, study_uid, patient_id, from_actor, from_name, from_site, to_kind, \
                       to_id, message, urgency, sent_at_ms, opened_at_ms, series";

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
        series: row
            .try_get::<Option<String>, _>("series")?
            .map(|list| list.split_whitespace().map(str::to_string).collect()),
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

    /// What of `study` was sent to this clinician or to one of their sites' teams (`None`:
    /// nothing): one indexed lookup, asked on every request a recipient makes.
    pub async fn sent_to(
        &self,
        study: &str,
        actor: &str,
        sites: &[String],
    ) -> Result<Option<Sent>, StoreError> {
        let sql = format!(
            "SELECT series FROM exchanges WHERE study_uid = $1 AND ({}) LIMIT 1000",
            addressed_to(2, sites.len())
        );
        let rows = addressed(sqlx::query(&sql).bind(study), actor, sites)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        let mut sent: Option<Sent> = None;
        for row in &rows {
            let series: Option<String> =
                row.try_get("series").map_err(failed("reading exchanges"))?;
            let this = Sent::of_column(series);
            sent = Some(match sent {
                Some(before) => before.and(this),
                None => this,
            });
        }
        Ok(sent)
    }

    /// Every study sent to this clinician or to one of their sites' teams, with what of it
    /// (what one search lets through besides their own sites' studies).
    pub async fn studies_sent_to(
        &self,
        actor: &str,
        sites: &[String],
    ) -> Result<HashMap<String, Sent>, StoreError> {
        let sql = format!(
            "SELECT study_uid, series FROM exchanges WHERE {}",
            addressed_to(1, sites.len())
        );
        let rows = addressed(sqlx::query(&sql), actor, sites)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("reading exchanges"))?;
        let mut sent: HashMap<String, Sent> = HashMap::new();
        for row in &rows {
            let study: String = row
                .try_get("study_uid")
                .map_err(failed("reading exchanges"))?;
            let series: Option<String> =
                row.try_get("series").map_err(failed("reading exchanges"))?;
            let this = Sent::of_column(series);
            let merged = match sent.remove(&study) {
                Some(before) => before.and(this),
                None => this,
            };
            sent.insert(study, merged);
        }
        Ok(sent)
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
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
            .bind(e.series.as_ref().map(|list| list.join(" ")))
            .execute(&mut *act)
            .await
            .map_err(failed("recording an exchange"))?;
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(list: &[&str]) -> Sent {
        Sent::Series(list.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn what_was_sent_of_a_study_adds_up() {
        assert_eq!(Sent::of_column(None), Sent::Study);
        assert_eq!(
            Sent::of_column(Some("1.2 1.3".into())),
            series(&["1.2", "1.3"])
        );
        assert_eq!(
            series(&["1.2"]).and(series(&["1.3"])),
            series(&["1.2", "1.3"])
        );
        assert_eq!(series(&["1.2"]).and(Sent::Study), Sent::Study);
        assert_eq!(Sent::Study.and(series(&["1.2"])), Sent::Study);
        let sent = series(&["1.2", "1.3"]);
        assert!(sent.includes("1.3"));
        assert!(!sent.includes("1.4"));
        assert!(!sent.includes("1.2 1.3"));
        assert!(Sent::Study.includes("1.4"));
    }
}
