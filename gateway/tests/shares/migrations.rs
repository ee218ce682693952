//! A database written by an earlier gateway (the first schema, before the sharer's name was
//! kept) is brought up to date when a newer gateway opens it, keeps its shares, opens again
//! unchanged, and a database from a newer gateway is refused rather than misread.

use gateway::store::{Store, StoreError};
use sqlx::any::AnyPoolOptions;

/// The `shares` table as the first gateways created it, with one share in it.
const FIRST_SCHEMA: &[&str] = &[
    "CREATE TABLE shares (
        id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, study_uid TEXT NOT NULL,
        patient_id TEXT NOT NULL, recipient TEXT NOT NULL, created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL, expires_at_ms BIGINT NOT NULL, revoked_at_ms BIGINT,
        code_kind TEXT NOT NULL, code_hash TEXT, failed_attempts BIGINT NOT NULL,
        last_attempt_ms BIGINT, locked_at_ms BIGINT, uses BIGINT NOT NULL,
        consent_given_by TEXT NOT NULL, consent_name TEXT, consent_method TEXT NOT NULL,
        consent_at_ms BIGINT NOT NULL
    )",
    "INSERT INTO shares VALUES ('s-old', 'hash-old', '1.2.3', 'P1', 'patient', 1000, \
     'clinician:a', 9000000000000, NULL, 'none', NULL, 0, NULL, NULL, 2, 'patient', NULL, \
     'oral', 1000)",
];

pub async fn old_database_is_brought_up_to_date(url: &str) {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    for statement in FIRST_SCHEMA {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::open(url).await.expect("an old database opens");
    let old = store
        .share("s-old")
        .await
        .unwrap()
        .expect("the old share is kept");
    assert_eq!((old.created_by_name, old.uses), (None, 2));
    let new_share = crate::common::share_record("s-new", "token-new", None, "1.2.4");
    store.insert_share(&new_share).await.unwrap();
    drop(store);
    // Opened again: nothing to do, nothing lost.
    let store = Store::open(url).await.expect("opens again");
    let new = store.share("s-new").await.unwrap().expect("the new share");
    assert_eq!(new, new_share);
    drop(store);

    // A newer gateway's database: refused, not misread.
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    sqlx::query("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (999, 0)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    match Store::open(url).await {
        Err(StoreError::TooNew(e)) => assert_eq!(e.found, 999),
        Err(e) => panic!("expected a refusal of the newer schema, got {e}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}

/// A fresh database on the test PostgreSQL server, for one test (the server's user may
/// create databases).
pub async fn fresh_postgres(server_url: &str, name: &str) -> String {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(server_url)
        .await
        .unwrap();
    let database = format!("{name}_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database}"))
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let mut url = url::Url::parse(server_url).unwrap();
    url.set_path(&format!("/{database}"));
    url.to_string()
}
