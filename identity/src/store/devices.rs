//! Rows of `known_devices` (browsers an account signed in from, for the new-device
//! notice) and `remembered_devices` (browsers that skip the second step for a while;
//! rules in [`crate::accounts::remember`]). Only hashes of the cookies are stored.

use sqlx::Row;

use super::{Backend, Store, Tx};
use crate::{Result, UnixMillis};

/// The bookkeeping of a completed sign-in, written at once by
/// [`Store::record_sign_in`]: the browser noted as known, the failure count and throttles
/// ended, the audit row, and the new-device mail when the browser was new.
#[derive(Debug)]
pub struct SignInRecord<'a> {
    pub customer_id: &'a str,
    pub device_hash: &'a str,
    pub at: UnixMillis,
    /// A sign-in as strong as the account allows: it also ends the failure count.
    pub strong: bool,
    /// The throttle keys it clears (the address's; when strong, the second step's too:
    /// otherwise the address's twice).
    pub clears: [&'a str; 2],
    /// The customer as the audit row (`login.succeeded`) names them, its actor and its
    /// subject alike (`customer:<id>`).
    pub audited_as: &'a str,
    /// The audit detail as written when the browser was new, and when it was known.
    pub detail_new: String,
    pub detail_known: String,
    /// The new-device notice, rendered (an outbox `email` payload), queued only when the
    /// browser was new; `None` for an account without an address.
    pub mail: Option<String>,
}

impl Store {
    /// Writes a completed sign-in's bookkeeping in one round trip
    /// ([`Store::write_batch`]; `docs/design/peaks.md` "Round 7"): on PostgreSQL one
    /// statement of data-modifying CTEs, on SQLite one batch of six statements in one
    /// write transaction. Whether the browser was new is decided by the insert into
    /// `known_devices` itself (two sign-ins of a new browser at once: one of them is
    /// new), and picks the audit detail and whether the mail is queued. Returns when
    /// the account is to be erased, if its deletion is scheduled (read in the same
    /// round trip: such a sign-in is held at the page that offers to cancel it).
    pub async fn record_sign_in(&self, r: &SignInRecord<'_>) -> Result<Option<UnixMillis>> {
        let sql = match self.backend() {
            Backend::Postgres => SIGN_IN_POSTGRES,
            Backend::Sqlite => SIGN_IN_SQLITE,
        };
        let batch = sqlx::query(sql)
            .bind(r.customer_id.to_owned())
            .bind(r.device_hash.to_owned())
            .bind(r.at)
            .bind(r.audited_as.to_owned())
            .bind(r.detail_new.clone())
            .bind(r.detail_known.clone())
            .bind(r.mail.clone())
            .bind(i64::from(r.strong))
            .bind(r.clears[0].to_owned())
            .bind(r.clears[1].to_owned());
        let rows = self.write_batch(batch).await?;
        Ok(match rows.first() {
            Some(row) => row.try_get::<Option<UnixMillis>, _>(0)?,
            None => None,
        })
    }
}

/// [`Store::record_sign_in`] on PostgreSQL: every CTE runs once, whether read or not;
/// the audit row and the mail read the device insert's own row (present only when the
/// browser was new); the answer is the scheduled deletion's time, if any. $1 customer,
/// $2 device hash, $3 now, $4 the audit row's actor and subject, $5/$6 detail new/known,
/// $7 mail payload, $8 strong (1/0), $9/$10 throttle keys.
const SIGN_IN_POSTGRES: &str = "WITH device AS (\
     INSERT INTO known_devices (customer_id, device_hash, first_seen_at) VALUES ($1, $2, $3) \
     ON CONFLICT (customer_id, device_hash) DO NOTHING RETURNING 1), \
     audit AS (INSERT INTO audit_log (at, actor, subject, action, detail) \
     SELECT $3, $4, $4, 'login.succeeded', CASE WHEN EXISTS (SELECT 1 FROM device) THEN $5 ELSE $6 END), \
     mail AS (INSERT INTO outbox (kind, payload, created_at, next_attempt_at) \
     SELECT 'email', $7, $3, $3 WHERE $7 IS NOT NULL AND EXISTS (SELECT 1 FROM device)), \
     reset AS (UPDATE customers SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0 AND $8 = 1), \
     cleared AS (DELETE FROM throttle WHERE key = $9 OR key = $10) \
     SELECT (SELECT erase_at FROM deletion_requests WHERE customer_id = $1)";

/// [`Store::record_sign_in`] on SQLite (no data-modifying CTEs): one write transaction
/// sent as one batch. `changes()` right after the device insert says whether it was new
/// and picks the audit detail; the mail is queued when the audit row just written
/// (`last_insert_rowid()`, this connection's) has the new-browser detail. The one row
/// returned, if any, is the scheduled deletion's.
const SIGN_IN_SQLITE: &str = "BEGIN IMMEDIATE; \
     INSERT INTO known_devices (customer_id, device_hash, first_seen_at) VALUES ($1, $2, $3) \
     ON CONFLICT (customer_id, device_hash) DO NOTHING; \
     INSERT INTO audit_log (at, actor, subject, action, detail) \
     SELECT $3, $4, $4, 'login.succeeded', CASE WHEN changes() = 1 THEN $5 ELSE $6 END; \
     INSERT INTO outbox (kind, payload, created_at, next_attempt_at) \
     SELECT 'email', $7, $3, $3 WHERE $7 IS NOT NULL AND (SELECT detail FROM audit_log WHERE id = last_insert_rowid()) = $5; \
     UPDATE customers SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0 AND $8 = 1; \
     DELETE FROM throttle WHERE key = $9 OR key = $10; \
     SELECT erase_at FROM deletion_requests WHERE customer_id = $1; \
     COMMIT";

/// A device to remember.
#[derive(Debug, Clone)]
pub struct NewRemembered<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub token_hash: &'a str,
    pub device: &'a str,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// Forgets the customer's expired remembered devices.
pub async fn prune_remembered(tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("DELETE FROM remembered_devices WHERE customer_id = $1 AND expires_at <= $2").bind(customer_id).bind(now).execute(&mut **tx).await?;
    Ok(())
}

pub async fn remember(tx: &mut Tx, d: &NewRemembered<'_>) -> Result<()> {
    sqlx::query("INSERT INTO remembered_devices (id, customer_id, token_hash, device, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(d.id)
        .bind(d.customer_id)
        .bind(d.token_hash)
        .bind(d.device)
        .bind(d.created_at)
        .bind(d.expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets every remembered device of the customer.
pub async fn forget_remembered(tx: &mut Tx, customer_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM remembered_devices WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?;
    Ok(())
}

/// How many remembered devices of the customer are still live.
pub async fn count_live_remembered(tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM remembered_devices WHERE customer_id = $1 AND expires_at > $2")
        .bind(customer_id)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

impl Store {
    /// Whether `token_hash` is a live remembered device of the customer.
    pub async fn is_remembered(&self, customer_id: &str, token_hash: &str, now: UnixMillis) -> Result<bool> {
        let live: Option<(String,)> =
            sqlx::query_as("SELECT id FROM remembered_devices WHERE customer_id = $1 AND token_hash = $2 AND expires_at > $3")
                .bind(customer_id)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
        Ok(live.is_some())
    }
}
