//! The database's schema: the tables as first created, then numbered migrations, each applied
//! once, in order, in a transaction with the record of its number in `schema_migrations`. A
//! database made by any earlier gateway is brought up to date when a newer one opens it.
//! Gateway copies starting together on one PostgreSQL take turns (an advisory lock held by
//! the preparing connection); SQLite serialises writers itself.

use sqlx::pool::PoolConnection;
use sqlx::{Any, Connection, Row};

use crate::store::{failed, StoreError};

/// The first schema, as the first gateways created it (`IF NOT EXISTS`: a database of any
/// version goes through it unchanged).
const BASELINE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS shares (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        study_uid TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        revoked_at_ms BIGINT,
        code_kind TEXT NOT NULL,
        code_hash TEXT,
        failed_attempts BIGINT NOT NULL,
        last_attempt_ms BIGINT,
        locked_at_ms BIGINT,
        uses BIGINT NOT NULL,
        consent_given_by TEXT NOT NULL,
        consent_name TEXT,
        consent_method TEXT NOT NULL,
        consent_at_ms BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS shares_study ON shares (study_uid)",
    "CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        share_id TEXT,
        name TEXT,
        roles TEXT,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at_ms)",
    "CREATE TABLE IF NOT EXISTS oidc_logins (
        state_hash TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        return_to TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS audit (
        id TEXT PRIMARY KEY,
        at_ms BIGINT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        actor TEXT NOT NULL,
        source TEXT NOT NULL,
        study_uid TEXT,
        patient_id TEXT,
        share_id TEXT,
        detail TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS audit_patient ON audit (patient_id, at_ms)",
    "CREATE INDEX IF NOT EXISTS audit_study ON audit (study_uid, at_ms)",
];

/// Changes after the baseline: (number, statements). Numbers only grow; a migration that has
/// landed is never edited, a change is a new one. Statements are plain SQL that SQLite and
/// PostgreSQL read the same way.
const MIGRATIONS: &[(i64, &[&str])] = &[
    // The sharer's name as they signed in, shown to the recipient (the actor stays the
    // audit trail's technical identifier).
    (2, &["ALTER TABLE shares ADD COLUMN created_by_name TEXT"]),
    // Failures counted together: how many times the row's event happened.
    (
        3,
        &["ALTER TABLE audit ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1"],
    ),
    // A clinician's sites (a JSON array of site ids), from their token or the development
    // login's choice.
    (4, &["ALTER TABLE sessions ADD COLUMN sites TEXT"]),
    // Patients' consent to regional sharing (`consents.rs`): one row per patient of a site.
    (
        5,
        &["CREATE TABLE consents (
            site_id TEXT NOT NULL,
            patient_id TEXT NOT NULL,
            given BIGINT NOT NULL,
            given_by TEXT NOT NULL,
            method TEXT NOT NULL,
            said_at_ms BIGINT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_by_name TEXT,
            recorded_at_ms BIGINT NOT NULL,
            PRIMARY KEY (site_id, patient_id)
        )"],
    ),
    // Emergency accesses ("bris de glace", `emergency.rs`), kept for review.
    (
        6,
        &[
            "CREATE TABLE emergency_accesses (
                id TEXT PRIMARY KEY,
                actor TEXT NOT NULL,
                actor_name TEXT,
                study_uid TEXT NOT NULL,
                patient_id TEXT,
                site_id TEXT,
                category TEXT NOT NULL,
                reason TEXT NOT NULL,
                started_at_ms BIGINT NOT NULL,
                expires_at_ms BIGINT NOT NULL,
                ended_at_ms BIGINT
            )",
            "CREATE INDEX emergency_by_actor ON emergency_accesses (actor, study_uid, expires_at_ms)",
        ],
    ),
    // Studies sent to a named professional or a site's team (`exchanges.rs`).
    (
        7,
        &[
            "CREATE TABLE exchanges (
                id TEXT PRIMARY KEY,
                study_uid TEXT NOT NULL,
                patient_id TEXT NOT NULL,
                from_actor TEXT NOT NULL,
                from_name TEXT,
                from_site TEXT NOT NULL,
                to_kind TEXT NOT NULL,
                to_id TEXT NOT NULL,
                message TEXT NOT NULL,
                urgency TEXT NOT NULL,
                sent_at_ms BIGINT NOT NULL,
                opened_at_ms BIGINT,
                opened_by TEXT
            )",
            "CREATE INDEX exchanges_to ON exchanges (to_kind, to_id, sent_at_ms)",
            "CREATE INDEX exchanges_from ON exchanges (from_actor, sent_at_ms)",
        ],
    ),
    // Whether one study was sent to a clinician, asked on every request (`reach.rs`).
    (
        8,
        &["CREATE INDEX exchanges_study ON exchanges (study_uid, to_kind, to_id)"],
    ),
    // Launches from a patient record (`launches.rs`): received by a form POST, read by the
    // clinician's browser right after.
    (
        9,
        &["CREATE TABLE launches (
                id TEXT PRIMARY KEY,
                launch TEXT NOT NULL,
                received_at_ms BIGINT NOT NULL,
                expires_at_ms BIGINT NOT NULL,
                claimed_by TEXT,
                confirmed_at_ms BIGINT
            )"],
    ),
    // Each study's patient as its files name them (`identities.rs`), for finding a person's
    // studies across sites by national identity (INS).
    (
        10,
        &[
            "CREATE TABLE study_identities (
                study_uid TEXT PRIMARY KEY,
                ins_key TEXT,
                ins_problem TEXT,
                patient_id TEXT NOT NULL,
                issuer TEXT,
                traits TEXT NOT NULL,
                read_at_ms BIGINT NOT NULL
            )",
            "CREATE INDEX study_identities_ins ON study_identities (ins_key)",
        ],
    ),
    // Studies of remote sources a clinician's manifest named (`remote_studies.rs`).
    (
        11,
        &["CREATE TABLE remote_studies (
                actor TEXT NOT NULL,
                study_uid TEXT NOT NULL,
                site_id TEXT NOT NULL,
                named_at_ms BIGINT NOT NULL,
                PRIMARY KEY (actor, study_uid)
            )"],
    ),
    // Exchanges of chosen series: their UIDs separated by spaces (NULL: the whole study).
    (12, &["ALTER TABLE exchanges ADD COLUMN series TEXT"]),
];

/// Any number the project has given to a migration; a database that records a higher one was
/// written by a newer gateway.
fn latest() -> i64 {
    MIGRATIONS.iter().map(|(n, _)| *n).max().unwrap_or(1)
}

/// Newer than this gateway: it would not know the columns it finds.
#[derive(Debug, thiserror::Error)]
#[error("the database's schema is version {found}, newer than this gateway's {known}")]
pub struct TooNew {
    pub found: i64,
    pub known: i64,
}

/// Creates what is missing and applies the migrations not yet recorded.
pub(crate) async fn prepare(
    conn: &mut PoolConnection<Any>,
    postgres: bool,
) -> Result<(), StoreError> {
    const LOCK: &str = "SELECT pg_advisory_lock(7340861)";
    const UNLOCK: &str = "SELECT pg_advisory_unlock(7340861)";
    if postgres {
        sqlx::query(LOCK)
            .execute(&mut **conn)
            .await
            .map_err(failed("locking the schema"))?;
    }
    let result = migrate(conn).await;
    if postgres {
        sqlx::query(UNLOCK)
            .execute(&mut **conn)
            .await
            .map_err(failed("locking the schema"))?;
    }
    result
}

async fn migrate(conn: &mut PoolConnection<Any>) -> Result<(), StoreError> {
    for statement in BASELINE.iter().chain([&MIGRATIONS_TABLE]) {
        sqlx::query(statement)
            .execute(&mut **conn)
            .await
            .map_err(failed("creating the schema"))?;
    }
    let applied: i64 = sqlx::query("SELECT COALESCE(MAX(version), 1) AS v FROM schema_migrations")
        .fetch_one(&mut **conn)
        .await
        .and_then(|row| row.try_get("v"))
        .map_err(failed("reading the schema version"))?;
    if applied > latest() {
        return Err(StoreError::from(TooNew {
            found: applied,
            known: latest(),
        }));
    }
    for (version, statements) in MIGRATIONS.iter().filter(|(n, _)| *n > applied) {
        let mut tx = conn.begin().await.map_err(failed("starting a migration"))?;
        for statement in *statements {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .map_err(failed("migrating the schema"))?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at_ms) VALUES ($1, $2)")
            .bind(*version)
            .bind(crate::now_ms())
            .execute(&mut *tx)
            .await
            .map_err(failed("recording a migration"))?;
        tx.commit()
            .await
            .map_err(failed("committing a migration"))?;
        tracing::info!("database schema migrated to version {version}");
    }
    Ok(())
}

const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    applied_at_ms BIGINT NOT NULL
)";
