//! The gateway's only state: shares, sessions and the audit trail, in SQLite (a file, zero
//! set-up) or PostgreSQL (several gateway copies behind a load balancer), chosen by URL.
//!
//! Queries are plain SQL that both engines read the same way (`$n` parameters in order of
//! first use, `BIGINT` milliseconds since the epoch, `TEXT`). Every check that must hold
//! across copies (attempt spacing, failure counts, locks, revocation) is a single conditional
//! `UPDATE` or is read from the database on every request, never from a copy's memory.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row};

pub use crate::audit::AuditEvent;

/// A database failure; the message names the operation, never the values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error while {operation}: {source}")]
    Sql {
        operation: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// Written by a newer gateway: this one does not know its schema.
    #[error(transparent)]
    TooNew(#[from] crate::schema::TooNew),
}

pub(crate) fn failed(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Sql { operation, source }
}

/// A share as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub id: String,
    pub token_hash: String,
    pub study_uid: String,
    pub patient_id: String,
    pub recipient: String,
    pub created_at_ms: i64,
    pub created_by: String,
    /// The sharer's name as they signed in (none on shares made before it was kept).
    pub created_by_name: Option<String>,
    pub expires_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
    /// `none`, `code` or `birth_date`.
    pub code_kind: String,
    pub code_hash: Option<String>,
    pub failed_attempts: i64,
    pub locked_at_ms: Option<i64>,
    pub uses: i64,
    pub consent_given_by: String,
    pub consent_name: Option<String>,
    pub consent_method: String,
    pub consent_at_ms: i64,
}

/// A live session, with its share when it is a share session.
#[derive(Debug, Clone)]
pub struct Session {
    pub kind: String,
    pub subject: String,
    /// A signed-in clinician's name and roles (a JSON array), from their token.
    pub name: Option<String>,
    pub roles: Option<String>,
    /// A clinician's site ids (a JSON array).
    pub sites: Option<String>,
    pub expires_at_ms: i64,
    pub share: Option<Share>,
}

/// A session to store.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub share_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub roles: Option<&'a str>,
    pub sites: Option<&'a str>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

const SHARE_COLUMNS: &str = "id, token_hash, study_uid, patient_id, recipient, created_at_ms, \
    created_by, created_by_name, expires_at_ms, revoked_at_ms, code_kind, code_hash, \
    failed_attempts, locked_at_ms, uses, consent_given_by, consent_name, consent_method, \
    consent_at_ms";

fn share_from(row: &AnyRow) -> Result<Share, sqlx::Error> {
    Ok(Share {
        id: row.try_get("id")?,
        token_hash: row.try_get("token_hash")?,
        study_uid: row.try_get("study_uid")?,
        patient_id: row.try_get("patient_id")?,
        recipient: row.try_get("recipient")?,
        created_at_ms: row.try_get("created_at_ms")?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        revoked_at_ms: row.try_get("revoked_at_ms")?,
        code_kind: row.try_get("code_kind")?,
        code_hash: row.try_get("code_hash")?,
        failed_attempts: row.try_get("failed_attempts")?,
        locked_at_ms: row.try_get("locked_at_ms")?,
        uses: row.try_get("uses")?,
        consent_given_by: row.try_get("consent_given_by")?,
        consent_name: row.try_get("consent_name")?,
        consent_method: row.try_get("consent_method")?,
        consent_at_ms: row.try_get("consent_at_ms")?,
    })
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
}

impl Store {
    /// Connects, creates the tables that are missing and brings an older database's schema
    /// up to date ([`crate::schema`]).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            // The database away: a request is answered 503 within seconds, not held for long.
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(failed("connecting"))?;
        let mut conn = pool.acquire().await.map_err(failed("connecting"))?;
        crate::schema::prepare(&mut conn, url.starts_with("postgres")).await?;
        drop(conn);
        Ok(Store { pool })
    }

    pub async fn insert_share(&self, s: &Share) -> Result<(), StoreError> {
        insert_share_on(&self.pool, s).await
    }

    /// The share whose `column` (a fixed column name, never input) equals `value`.
    async fn share_where(&self, column: &str, value: &str) -> Result<Option<Share>, StoreError> {
        let sql = format!("SELECT {SHARE_COLUMNS} FROM shares WHERE {column} = $1");
        let row = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("finding a share"))?;
        row.as_ref()
            .map(share_from)
            .transpose()
            .map_err(failed("reading a share"))
    }

    pub async fn share_by_token_hash(&self, hash: &str) -> Result<Option<Share>, StoreError> {
        self.share_where("token_hash", hash).await
    }

    pub async fn share(&self, id: &str) -> Result<Option<Share>, StoreError> {
        self.share_where("id", id).await
    }

    pub async fn shares_of_study(&self, study_uid: &str) -> Result<Vec<Share>, StoreError> {
        let sql = format!(
            "SELECT {SHARE_COLUMNS} FROM shares WHERE study_uid = $1 ORDER BY created_at_ms DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(study_uid)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("listing shares"))?;
        rows.iter()
            .map(share_from)
            .collect::<Result<_, _>>()
            .map_err(failed("reading a share"))
    }

    /// Revokes a share (once); its sessions stop at their next request.
    pub async fn revoke_share(&self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
        revoke_share_on(&self.pool, id, now_ms).await
    }

    /// Claims the right to try an access code now: refused when the last attempt on this
    /// share, from any gateway copy, is more recent than `interval_ms`, or when the share is
    /// locked or has used up its `max` failures (checked in the same statement, so parallel
    /// attempts cannot slip past the lock).
    pub async fn claim_attempt(
        &self,
        id: &str,
        now_ms: i64,
        interval_ms: i64,
        max: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE shares SET last_attempt_ms = $1 WHERE id = $2 \
             AND (last_attempt_ms IS NULL OR last_attempt_ms <= $3) \
             AND locked_at_ms IS NULL AND failed_attempts < $4",
        )
        .bind(now_ms)
        .bind(id)
        .bind(now_ms - interval_ms)
        .bind(max)
        .execute(&self.pool)
        .await
        .map_err(failed("recording an attempt"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts a wrong code; the share locks when the count reaches `max`. Returns the count.
    pub async fn record_failure(&self, id: &str, max: i64, now_ms: i64) -> Result<i64, StoreError> {
        sqlx::query(
            "UPDATE shares SET failed_attempts = failed_attempts + 1, \
             locked_at_ms = CASE WHEN failed_attempts + 1 >= $1 THEN $2 ELSE locked_at_ms END \
             WHERE id = $3",
        )
        .bind(max)
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(failed("counting a failure"))?;
        let row = sqlx::query("SELECT failed_attempts FROM shares WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(failed("counting a failure"))?;
        row.try_get("failed_attempts")
            .map_err(failed("counting a failure"))
    }

    /// Sets a share's expiry (tests of expiry, and a clinician shortening a share).
    pub async fn set_share_expiry(&self, id: &str, expires_at_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE shares SET expires_at_ms = $1 WHERE id = $2")
            .bind(expires_at_ms)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(failed("changing an expiry"))?;
        Ok(())
    }

    /// Forgets ended sessions and abandoned sign-ins (done as new sessions begin).
    pub(crate) async fn purge(&self, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at_ms <= $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await
            .map_err(failed("forgetting ended sessions"))?;
        sqlx::query("DELETE FROM oidc_logins WHERE created_at_ms < $1")
            .bind(now_ms - 3_600_000)
            .execute(&self.pool)
            .await
            .map_err(failed("forgetting abandoned sign-ins"))?;
        Ok(())
    }

    /// Remembers a sign-in in progress (the PKCE verifier and where to go back), by the hash
    /// of its `state`.
    pub async fn insert_login(
        &self,
        state_hash: &str,
        verifier: &str,
        return_to: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_logins (state_hash, verifier, return_to, created_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(state_hash)
        .bind(verifier)
        .bind(return_to)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(failed("storing a sign-in"))?;
        self.purge(now_ms).await
    }

    /// Takes (once) a sign-in in progress younger than `oldest_ms`: its verifier and return
    /// path.
    pub async fn take_login(
        &self,
        state_hash: &str,
        oldest_ms: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING verifier, return_to, created_at_ms",
        )
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("taking a sign-in"))?;
        let Some(row) = row else { return Ok(None) };
        let created: i64 = row
            .try_get("created_at_ms")
            .map_err(failed("reading a sign-in"))?;
        if created < oldest_ms {
            return Ok(None);
        }
        Ok(Some((
            row.try_get("verifier")
                .map_err(failed("reading a sign-in"))?,
            row.try_get("return_to")
                .map_err(failed("reading a sign-in"))?,
        )))
    }

    /// The session of a cookie, if it has not expired (its share is checked by the caller).
    pub async fn session(&self, id_hash: &str, now_ms: i64) -> Result<Option<Session>, StoreError> {
        // One round trip on every request: the session with its share, if any.
        let share_columns: Vec<String> = SHARE_COLUMNS
            .split(',')
            .map(|c| format!("sh.{0} AS {0}", c.trim()))
            .collect();
        let sql = format!(
            "SELECT s.kind, s.subject, s.share_id, s.name, s.roles, s.sites, \
             s.expires_at_ms AS session_expires_at_ms, {} FROM sessions s \
             LEFT JOIN shares sh ON sh.id = s.share_id \
             WHERE s.id_hash = $1 AND s.expires_at_ms > $2",
            share_columns.join(", ")
        );
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("finding a session"))?;
        let Some(row) = row else { return Ok(None) };
        let share_id: Option<String> = row
            .try_get("share_id")
            .map_err(failed("reading a session"))?;
        let found: Option<String> = row.try_get("id").map_err(failed("reading a session"))?;
        let share = match (share_id, found) {
            (Some(_), Some(_)) => Some(share_from(&row).map_err(failed("reading a share"))?),
            _ => None,
        };
        Ok(Some(Session {
            kind: row.try_get("kind").map_err(failed("reading a session"))?,
            subject: row
                .try_get("subject")
                .map_err(failed("reading a session"))?,
            name: row.try_get("name").map_err(failed("reading a session"))?,
            roles: row.try_get("roles").map_err(failed("reading a session"))?,
            sites: row.try_get("sites").map_err(failed("reading a session"))?,
            expires_at_ms: row
                .try_get("session_expires_at_ms")
                .map_err(failed("reading a session"))?,
            share,
        }))
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(failed("ending a session"))?;
        Ok(())
    }

    pub async fn insert_audit(&self, e: &AuditEvent) -> Result<(), StoreError> {
        insert_audit_on(&self.pool, e).await
    }

    /// Audit events, newest first, of a patient and/or a study (all when both are `None`).
    pub async fn audit_events(
        &self,
        patient_id: Option<&str>,
        study_uid: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at_ms, action, outcome, actor, source, study_uid, patient_id, share_id, \
             detail, repeats FROM audit WHERE ($1 IS NULL OR patient_id = $1) \
             AND ($2 IS NULL OR study_uid = $2) ORDER BY at_ms DESC, id LIMIT $3",
        )
        .bind(patient_id)
        .bind(study_uid)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("reading the audit trail"))?;
        rows.iter()
            .map(|row| {
                Ok(AuditEvent {
                    id: row.try_get("id")?,
                    at_ms: row.try_get("at_ms")?,
                    action: row.try_get("action")?,
                    outcome: row.try_get("outcome")?,
                    actor: row.try_get("actor")?,
                    source: row.try_get("source")?,
                    study_uid: row.try_get("study_uid")?,
                    patient_id: row.try_get("patient_id")?,
                    share_id: row.try_get("share_id")?,
                    detail: row.try_get("detail")?,
                    repeats: row.try_get("repeats")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(failed("reading the audit trail"))
    }
}

/// Stores a new share.
pub(crate) async fn insert_share_on<'c>(
    db: impl Executor<'c, Database = Any>,
    s: &Share,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO shares (id, token_hash, study_uid, patient_id, recipient, created_at_ms, \
         created_by, created_by_name, expires_at_ms, revoked_at_ms, code_kind, code_hash, \
         failed_attempts, last_attempt_ms, locked_at_ms, uses, consent_given_by, \
         consent_name, consent_method, consent_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, NULL, $10, $11, 0, NULL, NULL, 0, $12, $13, $14, $15)",
    )
    .bind(&s.id)
    .bind(&s.token_hash)
    .bind(&s.study_uid)
    .bind(&s.patient_id)
    .bind(&s.recipient)
    .bind(s.created_at_ms)
    .bind(&s.created_by)
    .bind(&s.created_by_name)
    .bind(s.expires_at_ms)
    .bind(&s.code_kind)
    .bind(&s.code_hash)
    .bind(&s.consent_given_by)
    .bind(&s.consent_name)
    .bind(&s.consent_method)
    .bind(s.consent_at_ms)
    .execute(db)
    .await
    .map_err(failed("storing a share"))?;
    Ok(())
}

pub(crate) async fn revoke_share_on<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE shares SET revoked_at_ms = $1 WHERE id = $2 AND revoked_at_ms IS NULL")
            .bind(now_ms)
            .bind(id)
            .execute(db)
            .await
            .map_err(failed("revoking a share"))?;
    Ok(done.rows_affected() == 1)
}

/// A share's new access code (its hash): failures are forgotten and a lock lifted; only
/// while the share is not revoked. Whether it was replaced.
pub(crate) async fn replace_code_on<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    code_hash: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE shares SET code_hash = $1, failed_attempts = 0, locked_at_ms = NULL \
         WHERE id = $2 AND revoked_at_ms IS NULL",
    )
    .bind(code_hash)
    .bind(id)
    .execute(db)
    .await
    .map_err(failed("replacing an access code"))?;
    Ok(done.rows_affected() == 1)
}

/// A share opened: one more use. Wrong codes are counted over the share's whole life (a
/// reset at each use would let a leaked link's holder guess between the owner's uses).
pub(crate) async fn record_use_on<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE shares SET uses = uses + 1 WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map_err(failed("recording a use"))?;
    Ok(())
}

pub(crate) async fn insert_session_on<'c>(
    db: impl Executor<'c, Database = Any>,
    new: &NewSession<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, kind, subject, share_id, name, roles, sites, \
         created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new.id_hash)
    .bind(new.kind)
    .bind(new.subject)
    .bind(new.share_id)
    .bind(new.name)
    .bind(new.roles)
    .bind(new.sites)
    .bind(new.created_at_ms)
    .bind(new.expires_at_ms)
    .execute(db)
    .await
    .map_err(failed("storing a session"))?;
    Ok(())
}

pub(crate) async fn insert_audit_on<'c>(
    db: impl Executor<'c, Database = Any>,
    e: &AuditEvent,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit (id, at_ms, action, outcome, actor, source, study_uid, patient_id, \
         share_id, detail, repeats) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&e.id)
    .bind(e.at_ms)
    .bind(&e.action)
    .bind(&e.outcome)
    .bind(&e.actor)
    .bind(&e.source)
    .bind(&e.study_uid)
    .bind(&e.patient_id)
    .bind(&e.share_id)
    .bind(&e.detail)
    .bind(e.repeats)
    .execute(db)
    .await
    .map_err(failed("writing the audit trail"))?;
    Ok(())
}
