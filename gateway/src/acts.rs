//! Acts that change what someone may read, each written with its audit row in one
//! transaction: a share made, revoked or given a new code, a link exchanged for a session, a
//! sign-in. Either both are in the database or neither is; a database that fails between the
//! two (stopped, disk full) cannot leave an act without its row.

use sqlx::{Any, Transaction};

use crate::audit::AuditEvent;
use crate::store::{
    failed, insert_audit_on, insert_session_on, insert_share_on, record_use_on, replace_code_on,
    revoke_share_on, NewSession, Share, Store, StoreError,
};

impl Store {
    /// Ended sessions forgotten as new ones begin; the act stands if this fails.
    async fn purge_after_act(&self, now_ms: i64) {
        if let Err(e) = self.purge(now_ms).await {
            tracing::warn!("ended sessions not purged: {e}");
        }
    }

    async fn begin_act(&self) -> Result<Transaction<'static, Any>, StoreError> {
        self.pool.begin().await.map_err(failed("starting an act"))
    }

    /// Writes the act's audit row and commits the act with it.
    async fn commit_act(
        mut act: Transaction<'static, Any>,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        insert_audit_on(&mut *act, event).await?;
        act.commit().await.map_err(failed("recording an act"))
    }

    /// A new share and its `share.create` row.
    pub async fn create_share(&self, share: &Share, event: &AuditEvent) -> Result<(), StoreError> {
        let mut act = self.begin_act().await?;
        insert_share_on(&mut *act, share).await?;
        Self::commit_act(act, event).await
    }

    /// Revokes a share (once) with its `share.revoke` row; a share already revoked is left as
    /// it is and the row still written (the clinician's act is recorded). Whether this call
    /// revoked it.
    pub async fn revoke_share_recorded(
        &self,
        id: &str,
        now_ms: i64,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut act = self.begin_act().await?;
        let revoked = revoke_share_on(&mut *act, id, now_ms).await?;
        Self::commit_act(act, event).await?;
        Ok(revoked)
    }

    /// A share's new access code with its `share.new_code` row; nothing is written when the
    /// share was revoked meanwhile (then `false`).
    pub async fn replace_code_recorded(
        &self,
        id: &str,
        code_hash: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut act = self.begin_act().await?;
        if !replace_code_on(&mut *act, id, code_hash).await? {
            return Ok(false);
        }
        Self::commit_act(act, event).await?;
        Ok(true)
    }

    /// A link exchanged for a session: the share's use counted, the session stored and the
    /// `share.use` row, together.
    pub async fn open_share_session(
        &self,
        share_id: &str,
        session: &NewSession<'_>,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut act = self.begin_act().await?;
        record_use_on(&mut *act, share_id).await?;
        insert_session_on(&mut *act, session).await?;
        Self::commit_act(act, event).await?;
        self.purge_after_act(session.created_at_ms).await;
        Ok(())
    }

    /// A clinician's session and its `login` row.
    pub async fn open_session(
        &self,
        session: &NewSession<'_>,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut act = self.begin_act().await?;
        insert_session_on(&mut *act, session).await?;
        Self::commit_act(act, event).await?;
        self.purge_after_act(session.created_at_ms).await;
        Ok(())
    }
}
