//! Rows of the `sessions` table: the session layer's records (keyed by SHA-256 of the
//! session id) and the columns copied out of them so a customer's sessions can be
//! listed and ended (meaning in [`crate::accounts::sessions`]).

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub device: Option<String>,
    pub created_at: UnixMillis,
    pub last_seen_at: UnixMillis,
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
    async fn session_bind(&self, sql: &'static str, row: &SessionWrite<'_>) -> Result<u64> {
        self.write(
            sqlx::query(sql)
                .bind(row.id_hash.to_owned())
                .bind(row.data.to_owned())
                .bind(row.expires_at)
                .bind(row.customer_id.map(str::to_owned))
                .bind(row.device.map(str::to_owned))
                .bind(row.now)
                .bind(row.sid.map(str::to_owned)),
        )
        .await
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
        self.write(sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash.to_owned())).await?;
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

}

/// Deletes the customer's sessions except `keep` (an id hash); how many went.
pub async fn delete_of_customer_except(tx: &mut Tx, customer_id: &str, keep: Option<&str>) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND id_hash <> $2")
        .bind(customer_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// The sign-in ids (`sid`) of the expired sessions.
pub async fn expired_sids(tx: &mut Tx, now: UnixMillis) -> Result<Vec<String>> {
    let sids: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT sid FROM sessions WHERE expires_at <= $1 AND sid IS NOT NULL")
        .bind(now)
        .fetch_all(&mut **tx)
        .await?;
    Ok(sids.into_iter().map(|(s,)| s).collect())
}

/// Deletes the expired sessions; how many went.
pub async fn delete_expired(tx: &mut Tx, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&mut **tx).await?.rows_affected())
}

/// The sign-in id of one of the customer's sessions, if it has one.
pub async fn sid_of(tx: &mut Tx, customer_id: &str, id_hash: &str) -> Result<Option<String>> {
    let sid: Option<(Option<String>,)> = sqlx::query_as("SELECT sid FROM sessions WHERE customer_id = $1 AND id_hash = $2")
        .bind(customer_id)
        .bind(id_hash)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(sid.and_then(|(s,)| s))
}

/// Deletes one of the customer's sessions (never another customer's); `true` if it existed.
pub async fn delete_one(tx: &mut Tx, customer_id: &str, id_hash: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND id_hash = $2")
        .bind(customer_id)
        .bind(id_hash)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
