//! Studies of remote sources in the database: which clinician's manifest named which study of
//! which declared source ([`crate::remote_sites`]), so that the viewer reads it under the
//! portal's own DICOMweb root and the gateway knows where to fetch it, for that clinician only.

use sqlx::Row;

use crate::store::{failed, Store, StoreError};

/// How long a manifest's naming of a remote study lets its clinician read it.
pub const NAMED_FOR_MS: i64 = 12 * 3600 * 1000;

impl Store {
    /// `actor`'s manifest named `study` of remote source `site` (now).
    pub async fn name_remote_study(
        &self,
        actor: &str,
        study: &str,
        site: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO remote_studies (actor, study_uid, site_id, named_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (actor, study_uid) \
             DO UPDATE SET site_id = excluded.site_id, named_at_ms = excluded.named_at_ms",
        )
        .bind(actor)
        .bind(study)
        .bind(site)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(failed("naming a remote study"))?;
        Ok(())
    }

    /// The remote source of `study` for `actor`, when one of their manifests named it lately.
    pub async fn remote_site_of(
        &self,
        actor: &str,
        study: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT site_id FROM remote_studies WHERE actor = $1 AND study_uid = $2 \
             AND named_at_ms >= $3",
        )
        .bind(actor)
        .bind(study)
        .bind(now_ms - NAMED_FOR_MS)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("reading a remote study"))?;
        row.map(|r| r.try_get::<String, _>("site_id"))
            .transpose()
            .map_err(failed("reading a remote study"))
    }
}
