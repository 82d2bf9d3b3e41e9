//! Rows of the `outbox` table: events that leave Foyer, written in the same transaction
//! as the change that caused them, claimed by workers on any node.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

pub async fn insert(tx: &mut Tx, kind: &str, payload: &str, now: UnixMillis) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Queues `(kind, payload)` rows in one statement.
pub async fn insert_many(tx: &mut Tx, rows: &[(&str, String)], now: UnixMillis) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES {}", super::values_placeholders(rows.len(), 4));
    let mut insert = sqlx::query(&sql);
    for (kind, payload) in rows {
        insert = insert.bind(*kind).bind(payload).bind(now).bind(now);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}

/// Where a queued row stands, for tests and the admin view.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxStatus {
    pub attempts: i64,
    pub delivered_at: Option<UnixMillis>,
    pub failed_at: Option<UnixMillis>,
    pub next_attempt_at: UnixMillis,
    pub last_error: Option<String>,
}

/// A finished farewell mail (to an erased customer) keeps no payload: the address
/// and the words go, the row's bookkeeping stays until the prune. (A macro, so the
/// statements below are `&'static str` constants.)
macro_rules! forget_farewell {
    () => {
        ", payload = CASE WHEN kind = 'email.farewell' THEN '{\"type\":\"forgotten\"}' ELSE payload END"
    };
}

/// Marks a row delivered: `$1` now, `$2` id.
const DELIVERED: &str = concat!("UPDATE outbox SET delivered_at = $1, locked_until = NULL, last_error = NULL", forget_farewell!(), " WHERE id = $2");
/// Gives a row up for good: `$1` error, `$2` now, `$3` id.
const GIVEN_UP: &str = concat!("UPDATE outbox SET locked_until = NULL, last_error = $1, failed_at = $2", forget_farewell!(), " WHERE id = $3");

/// How long a delivered row is kept.
pub const DELIVERED_KEPT_MS: i64 = 86_400_000;
/// How long a row that was given up on is kept.
pub const FAILED_KEPT_MS: i64 = 7 * 86_400_000;

impl Store {
    /// Claims up to `limit` due rows for `lease_ms`: they are invisible to other
    /// workers until the lease ends, so a crashed worker's rows come back by themselves.
    pub async fn outbox_claim(&self, now: UnixMillis, lease_ms: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        let sql = format!(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                   AND (locked_until IS NULL OR locked_until <= $2) \
                 ORDER BY id LIMIT $3 {}) \
             RETURNING id, kind, payload, attempts",
            self.skip_locked()
        );
        let mut tx = self.begin().await?;
        let mut rows: Vec<OutboxRow> =
            sqlx::query_as(&sql).bind(now + lease_ms).bind(now).bind(limit).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    pub async fn outbox_delivered(&self, id: i64, now: UnixMillis) -> Result<()> {
        self.write(sqlx::query(DELIVERED).bind(now).bind(id)).await?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or given up for good with `None`.
    pub async fn outbox_failed(&self, id: i64, now: UnixMillis, error: &str, retry_at: Option<UnixMillis>) -> Result<()> {
        let query = match retry_at {
            Some(at) => sqlx::query("UPDATE outbox SET locked_until = NULL, last_error = $1, next_attempt_at = $2 WHERE id = $3").bind(error.to_owned()).bind(at),
            None => sqlx::query(GIVEN_UP).bind(error.to_owned()).bind(now),
        };
        self.write(query.bind(id)).await?;
        Ok(())
    }

    /// Forgets finished rows: delivered ones after a day, given-up ones after a week (kept
    /// that long for investigation). Payloads hold mail bodies, so they should not stay.
    pub async fn outbox_prune(&self, now: UnixMillis) -> Result<u64> {
        self.write(sqlx::query("DELETE FROM outbox WHERE delivered_at < $1 OR failed_at < $2").bind(now - DELIVERED_KEPT_MS).bind(now - FAILED_KEPT_MS))
            .await
    }

    /// Rows not yet delivered and not given up on.
    pub async fn outbox_backlog(&self) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL")
                .fetch_one(self.pool())
                .await?;
        Ok(n)
    }

    /// Rows given up on (`failed_at` set: a permanent failure, or the retries ran out),
    /// still held for investigation until the prune (a week). A partial index keeps the
    /// count to those rows.
    pub async fn outbox_dead_letters(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL").fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// The kind of every row still held, oldest first (events a scenario caused).
    pub async fn outbox_kinds(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT kind FROM outbox ORDER BY id").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(k,)| k).collect())
    }

    pub async fn outbox_status(&self, id: i64) -> Result<Option<OutboxStatus>> {
        Ok(sqlx::query_as(
            "SELECT attempts, delivered_at, failed_at, next_attempt_at, last_error FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }
}
