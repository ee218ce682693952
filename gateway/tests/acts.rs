//! Acts and their audit rows are written together: with the audit trail unwritable (its table
//! taken away under the gateway), no share is made, revoked, given a new code or opened and no
//! one signs in; with it back, every act is written with its row.
#![allow(clippy::unwrap_used)]

mod common;

use gateway::audit::{Action, AuditEvent, Outcome};
use gateway::secret;
use gateway::store::{NewSession, Store};
use sqlx::{AnyConnection, Connection, Executor};

const STUDY: &str = "1.2.250.1.59.3.1";

fn event(action: Action, share_id: &str) -> AuditEvent {
    AuditEvent::new(action, Outcome::Success, "clinician:alice", "127.0.0.1", 1)
        .study(STUDY, Some("P1"))
        .share(share_id)
}

fn session<'a>(id_hash: &'a str, share_id: Option<&'a str>) -> NewSession<'a> {
    let now = gateway::now_ms();
    NewSession {
        id_hash,
        kind: if share_id.is_some() { "share" } else { "oidc" },
        subject: share_id.unwrap_or("alice"),
        share_id,
        name: None,
        roles: None,
        sites: None,
        created_at_ms: now,
        expires_at_ms: now + 60_000,
    }
}

async fn audit_rows(store: &Store) -> Vec<String> {
    let events = store.audit_events(None, None, 100).await.unwrap();
    events.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn an_act_is_written_with_its_audit_row_or_not_at_all() {
    let url = common::sqlite_url("acts");
    let store = Store::open(&url).await.unwrap();
    let kept = common::share_record("s-kept", &secret::new_token(), Some("123456"), STUDY);
    store
        .create_share(&kept, &event(Action::ShareCreate, "s-kept"))
        .await
        .unwrap();
    assert_eq!(audit_rows(&store).await, ["share.create"]);

    let mut admin = AnyConnection::connect(&url).await.unwrap();
    admin
        .execute("ALTER TABLE audit RENAME TO audit_away")
        .await
        .unwrap();

    let refused = common::share_record("s-refused", &secret::new_token(), None, STUDY);
    let made = event(Action::ShareCreate, "s-refused");
    assert!(store.create_share(&refused, &made).await.is_err());
    assert!(store.share("s-refused").await.unwrap().is_none());

    let revoked = event(Action::ShareRevoke, "s-kept");
    assert!(store
        .revoke_share_recorded("s-kept", 5, &revoked)
        .await
        .is_err());
    let code = secret::code_hash("s-kept", "654321");
    let new_code = event(Action::ShareNewCode, "s-kept");
    assert!(store
        .replace_code_recorded("s-kept", &code, &new_code)
        .await
        .is_err());
    let link_session = secret::token_hash(&secret::new_token());
    let (used, link) = (
        event(Action::ShareUse, "s-kept"),
        session(&link_session, Some("s-kept")),
    );
    assert!(store
        .open_share_session("s-kept", &link, &used)
        .await
        .is_err());
    let sign_in = secret::token_hash(&secret::new_token());
    let (login, signed_in) = (event(Action::Login, ""), session(&sign_in, None));
    assert!(store.open_session(&signed_in, &login).await.is_err());

    let now = gateway::now_ms();
    let unchanged = store.share("s-kept").await.unwrap().unwrap();
    assert_eq!(unchanged.revoked_at_ms, None);
    assert_eq!(unchanged.code_hash, kept.code_hash);
    assert_eq!(unchanged.uses, 0);
    assert!(store.session(&link_session, now).await.unwrap().is_none());
    assert!(store.session(&sign_in, now).await.unwrap().is_none());

    admin
        .execute("ALTER TABLE audit_away RENAME TO audit")
        .await
        .unwrap();
    store
        .open_share_session("s-kept", &link, &used)
        .await
        .unwrap();
    let replaced = store.replace_code_recorded("s-kept", &code, &new_code);
    assert!(replaced.await.unwrap());
    assert!(store
        .revoke_share_recorded("s-kept", 5, &revoked)
        .await
        .unwrap());
    store.open_session(&signed_in, &login).await.unwrap();
    let after = store.share("s-kept").await.unwrap().unwrap();
    assert_eq!((after.revoked_at_ms, after.uses), (Some(5), 1));
    assert_eq!(after.code_hash, Some(code));
    assert!(store.session(&sign_in, now).await.unwrap().is_some());
    let mut rows = audit_rows(&store).await;
    rows.sort();
    assert_eq!(
        rows,
        [
            "login",
            "share.create",
            "share.new_code",
            "share.revoke",
            "share.use"
        ]
    );
}
