//! Launches from a patient record in the database: the checked parameters of a contextual
//! launch (`launch.rs`) kept for a short while, claimed by the first clinician who reads them
//! (nobody else may), and the clinician's confirmation of an identity that did not match,
//! written with its audit row.

use sqlx::Row;
use viewer_core::launch::ContextualLaunch;

use crate::audit::AuditEvent;
use crate::store::{failed, insert_audit_on, Store, StoreError};

/// How long a launch waits for its clinician's browser, and stays readable by them.
pub const LAUNCH_LIFETIME_MS: i64 = 30 * 60 * 1000;

/// One launch as kept.
#[derive(Debug, Clone)]
pub struct Launch {
    pub id: String,
    pub launch: ContextualLaunch,
    pub claimed_by: Option<String>,
    pub confirmed_at_ms: Option<i64>,
}

impl Store {
    /// Keeps a received launch (and forgets the expired ones).
    pub async fn receive_launch(
        &self,
        id: &str,
        launch: &ContextualLaunch,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(launch)
            .map_err(|e| failed("writing a launch")(sqlx::Error::Decode(Box::new(e))))?;
        sqlx::query("DELETE FROM launches WHERE expires_at_ms < $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await
            .map_err(failed("forgetting launches"))?;
        sqlx::query(
            "INSERT INTO launches (id, launch, received_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(json)
        .bind(now_ms)
        .bind(now_ms + LAUNCH_LIFETIME_MS)
        .execute(&self.pool)
        .await
        .map_err(failed("recording a launch"))?;
        Ok(())
    }

    /// The launch `id` for `actor`: claimed by them if nobody had it yet; `None` when it does
    /// not exist, expired, or another clinician claimed it.
    pub async fn claim_launch(
        &self,
        id: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<Option<Launch>, StoreError> {
        sqlx::query(
            "UPDATE launches SET claimed_by = $1 \
             WHERE id = $2 AND claimed_by IS NULL AND expires_at_ms >= $3",
        )
        .bind(actor)
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(failed("claiming a launch"))?;
        let row = sqlx::query(
            "SELECT launch, claimed_by, confirmed_at_ms FROM launches \
             WHERE id = $1 AND claimed_by = $2 AND expires_at_ms >= $3",
        )
        .bind(id)
        .bind(actor)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("reading a launch"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let read = || -> Result<Launch, sqlx::Error> {
            let text: String = row.try_get("launch")?;
            Ok(Launch {
                id: id.to_string(),
                launch: serde_json::from_str(&text)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                claimed_by: row.try_get("claimed_by")?,
                confirmed_at_ms: row.try_get("confirmed_at_ms")?,
            })
        };
        read().map(Some).map_err(failed("reading a launch"))
    }

    /// The clinician's confirmation that the patient is the one meant despite a differing
    /// identity, with its audit row.
    pub async fn confirm_launch(
        &self,
        id: &str,
        actor: &str,
        now_ms: i64,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut act = self.pool.begin().await.map_err(failed("starting an act"))?;
        let done = sqlx::query(
            "UPDATE launches SET confirmed_at_ms = $1 \
             WHERE id = $2 AND claimed_by = $3 AND expires_at_ms >= $1",
        )
        .bind(now_ms)
        .bind(id)
        .bind(actor)
        .execute(&mut *act)
        .await
        .map_err(failed("confirming a launch"))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))?;
        Ok(true)
    }
}
