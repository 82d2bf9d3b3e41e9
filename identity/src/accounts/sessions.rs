//! Sessions as the customer sees them ("Your devices") and as the session layer stores
//! them, plus the customer's own activity.
//!
//! Session records are keyed by SHA-256 of the session id, so the database never holds
//! a usable cookie. The customer id and a device label are copied out of the record
//! into columns so a customer's sessions can be listed and ended.

use sqlx::FromRow;

use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::{Store, Tx};
use crate::{Identity, Result, UnixMillis};

/// "Firefox on Linux", "Safari on iPhone", or "Unknown browser".
pub fn describe_user_agent(user_agent: &str) -> String {
    let Some(ua) = woothee::parser::Parser::new().parse(user_agent) else { return "Unknown browser".into() };
    let browser = if ua.name == "UNKNOWN" { "Unknown browser" } else { ua.name };
    if ua.os == "UNKNOWN" { browser.to_owned() } else { format!("{browser} on {}", ua.os) }
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub device: Option<String>,
    pub created_at: UnixMillis,
    pub last_seen_at: UnixMillis,
}

#[derive(Debug, Clone, FromRow)]
pub struct ActivityRow {
    pub at: UnixMillis,
    pub action: String,
    pub detail: String,
}

/// A stored session record.
#[derive(Debug, Clone, FromRow)]
pub struct StoredSession {
    pub data: String,
    pub expires_at: UnixMillis,
}

/// One session row as the session layer writes it.
struct SessionWrite<'a> {
    id_hash: &'a str,
    data: &'a str,
    expires_at: UnixMillis,
    customer_id: Option<&'a str>,
    device: Option<&'a str>,
    sid: Option<&'a str>,
    now: UnixMillis,
}

/// The columns copied out of a session's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionColumns<'a> {
    pub customer_id: Option<&'a str>,
    pub device: Option<&'a str>,
    /// The sign-in id (OIDC `sid`).
    pub sid: Option<&'a str>,
}

impl Store {
    /// Inserts a new record; `false` if the id is taken (the caller picks another).
    pub async fn session_create(&self, id_hash: &str, data: &str, expires_at: UnixMillis, columns: SessionColumns<'_>, now: UnixMillis) -> Result<bool> {
        let row = SessionWrite { id_hash, data, expires_at, customer_id: columns.customer_id, device: columns.device, sid: columns.sid, now };
        let sql = "INSERT INTO sessions (id_hash, data, expires_at, customer_id, device, created_at, last_seen_at, sid) \
                   VALUES ($1, $2, $3, $4, $5, $6, $6, $7) ON CONFLICT (id_hash) DO NOTHING";
        Ok(self.session_bind(sql, &row).await? == 1)
    }

    /// Replaces a live record, moving its last-seen time; `false` (and nothing written)
    /// when the record is gone or expired. Records are born only in
    /// [`Store::session_create`]: a request that loaded a session before sign-out, "sign
    /// out other devices" or a password reset ended it must not write it back when it
    /// finishes.
    pub async fn session_save(&self, id_hash: &str, data: &str, expires_at: UnixMillis, columns: SessionColumns<'_>, now: UnixMillis) -> Result<bool> {
        let row = SessionWrite { id_hash, data, expires_at, customer_id: columns.customer_id, device: columns.device, sid: columns.sid, now };
        let sql = "UPDATE sessions SET data = $2, expires_at = $3, customer_id = $4, device = $5, last_seen_at = $6, sid = $7 \
                   WHERE id_hash = $1 AND expires_at > $6";
        Ok(self.session_bind(sql, &row).await? == 1)
    }

    /// Runs `sql` with the row bound as `$1` id hash … `$6` now, `$7` sid.
    async fn session_bind(&self, sql: &str, row: &SessionWrite<'_>) -> Result<u64> {
        Ok(sqlx::query(sql)
            .bind(row.id_hash)
            .bind(row.data)
            .bind(row.expires_at)
            .bind(row.customer_id)
            .bind(row.device)
            .bind(row.now)
            .bind(row.sid)
            .execute(self.pool())
            .await?
            .rows_affected())
    }

    /// The record, unless missing or expired.
    pub async fn session_load(&self, id_hash: &str, now: UnixMillis) -> Result<Option<StoredSession>> {
        Ok(sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2")
            .bind(id_hash)
            .bind(now)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn session_delete(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool()).await?;
        Ok(())
    }


    pub async fn sessions_of(&self, customer_id: &str, now: UnixMillis) -> Result<Vec<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT id_hash, device, created_at, last_seen_at FROM sessions WHERE customer_id = $1 AND expires_at > $2 \
             ORDER BY last_seen_at DESC",
        )
        .bind(customer_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn activity_of(&self, customer_id: &str, limit: i64) -> Result<Vec<ActivityRow>> {
        Ok(sqlx::query_as("SELECT at, action, detail FROM audit_log WHERE subject = $1 ORDER BY id DESC LIMIT $2")
            .bind(format!("customer:{customer_id}"))
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }
}

impl Identity {
    /// Ends the customer's sessions inside `tx`, except `keep` (an id hash), and
    /// forgets every remembered device: a device skips the second step only while the
    /// sessions it belongs with live.
    pub(crate) async fn end_sessions_tx(&self, tx: &mut Tx, customer_id: &str, keep: Option<&str>) -> Result<u64> {
        let sids = self.sids_of_tx(tx, customer_id, keep).await?;
        self.end_oidc_sessions_tx(tx, &sids, self.clock.now()).await?;
        let done = sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND id_hash <> $2")
            .bind(customer_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM remembered_devices WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?;
        Ok(done.rows_affected())
    }

    /// The sweep: deletes expired sessions (idle or absolute) and logs their sign-ins out
    /// of the brands they reached, as an explicit sign-out would.
    pub async fn end_expired_sessions(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let sids: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT sid FROM sessions WHERE expires_at <= $1 AND sid IS NOT NULL")
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
        let sids: Vec<String> = sids.into_iter().map(|(s,)| s).collect();
        self.end_oidc_sessions_tx(&mut tx, &sids, now).await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(ended)
    }

    /// The customer's live sessions ("devices"), most recently used first.
    pub async fn devices(&self, principal: &Principal, customer_id: &str) -> Result<Vec<SessionRow>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        self.store.sessions_of(customer_id, self.clock.now()).await
    }

    /// The customer's own security events (the audit rows about them), newest first.
    pub async fn activity(&self, principal: &Principal, customer_id: &str, limit: i64) -> Result<Vec<ActivityRow>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        self.store.activity_of(customer_id, limit).await
    }

    /// Ends one of the customer's own sessions (never another customer's).
    pub async fn end_session(&self, principal: &Principal, customer_id: &str, id_hash: &str) -> Result<bool> {
        authorize(principal, Action::ManageSessions, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let sid: Option<(Option<String>,)> = sqlx::query_as("SELECT sid FROM sessions WHERE customer_id = $1 AND id_hash = $2")
            .bind(customer_id)
            .bind(id_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((Some(sid),)) = sid {
            self.end_oidc_sessions_tx(&mut tx, &[sid], now).await?;
        }
        let done = sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND id_hash = $2")
            .bind(customer_id)
            .bind(id_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done == 1 {
            self.audit_customer(&mut tx, principal.actor(), customer_id, "session.ended", serde_json::json!({}), now)
                .await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Ends all the customer's sessions but `keep`.
    pub async fn end_other_sessions(&self, principal: &Principal, customer_id: &str, keep: &str) -> Result<u64> {
        authorize(principal, Action::ManageSessions, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let ended = self.end_sessions_tx(&mut tx, customer_id, Some(keep)).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "sessions.ended_others", serde_json::json!({ "ended": ended }), now)
            .await?;
        tx.commit().await?;
        Ok(ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_common_browsers() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_user_agent(firefox), "Firefox on Linux");
        assert_eq!(describe_user_agent(""), "Unknown browser");
    }
}
