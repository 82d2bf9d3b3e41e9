//! Rows of the append-only `audit_log` table (rules in [`crate::audit`]): inserts, and
//! a customer's own activity. The database refuses updates and deletes (triggers).

use sqlx::FromRow;

use super::{Store, Tx, values_placeholders};
use crate::{Result, UnixMillis};

/// One audit row as written; `actor` and `subject` are labels (`customer:<id>`).
#[derive(Debug, Clone)]
pub struct AuditRow<'a> {
    pub at: UnixMillis,
    pub actor: &'a str,
    pub subject: Option<&'a str>,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    /// JSON text.
    pub detail: &'a str,
}

/// An event in a customer's activity list.
#[derive(Debug, Clone, FromRow)]
pub struct ActivityRow {
    pub at: UnixMillis,
    pub action: String,
    pub detail: String,
    /// `customer:<id>` and the like: who acted (a delegate, on the principal's rows).
    pub actor: String,
    /// Whom it was about: the customer, or the principal a delegate acted for.
    pub subject: Option<String>,
}

pub async fn insert(tx: &mut Tx, row: &AuditRow<'_>) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, subject, action, reason, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(row.at)
        .bind(row.actor)
        .bind(row.subject)
        .bind(row.action)
        .bind(row.reason)
        .bind(row.detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Inserts several rows in one statement (the caller keeps the batch under the
/// engines' parameter limits). `reason` is not written (it stays NULL).
pub async fn insert_many(tx: &mut Tx, rows: &[AuditRow<'_>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("INSERT INTO audit_log (at, actor, subject, action, detail) VALUES {}", values_placeholders(rows.len(), 5));
    let mut insert = sqlx::query(&sql);
    for r in rows {
        insert = insert.bind(r.at).bind(r.actor).bind(r.subject).bind(r.action).bind(r.detail);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// The newest `limit` events whose subject is the customer, and those the customer
    /// did for someone else as their delegate or guardian (`on_behalf` in the detail,
    /// written by `audit::record` for a delegate actor): both sides see delegate actions.
    pub async fn activity_of(&self, customer_id: &str, limit: i64) -> Result<Vec<ActivityRow>> {
        Ok(sqlx::query_as(
            "SELECT at, action, detail, actor, subject FROM audit_log WHERE subject = $1 \
             OR (actor = $1 AND subject <> $1 AND detail LIKE '%\"on_behalf\":true%') ORDER BY id DESC LIMIT $2",
        )
            .bind(format!("customer:{customer_id}"))
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }
}

// Reading the log back with its actors: who acted on one subject (tests today, the
// support view next). The customer's activity page reads only actions (`activity_of`).

/// One audit row as stored (ids and outcomes only: the log never holds personal data).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditTrailRow {
    pub at: UnixMillis,
    /// `kind:id`, as [`crate::audit::Actor::label`] writes it.
    pub actor: String,
    pub action: String,
    /// Why, where the actor gave a reason (support acts).
    pub reason: Option<String>,
    pub detail: String,
}

impl Store {
    /// How many rows the log holds (tests of "exactly one row").
    pub async fn audit_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// How many `action` rows each actor wrote since `since`, most first.
    pub async fn audit_counts_by_actor(&self, action: &str, since: UnixMillis) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT actor, COUNT(*) AS n FROM audit_log WHERE action = $1 AND at >= $2 GROUP BY actor ORDER BY n DESC, actor")
            .bind(action)
            .bind(since)
            .fetch_all(self.pool())
            .await?)
    }

    /// The `detail` of the `action` rows `actor` wrote about `subject` since `since`,
    /// newest first (what a staff member revealed a moment ago).
    pub async fn audit_details_since(&self, actor: &str, subject: &str, action: &str, since: UnixMillis) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT detail FROM audit_log WHERE subject = $1 AND at >= $2 AND actor = $3 AND action = $4 ORDER BY id DESC LIMIT 20")
            .bind(subject)
            .bind(since)
            .bind(actor)
            .bind(action)
            .fetch_all(self.pool())
            .await?)
    }

    /// The rows about `subject` (`kind:id`), oldest first.
    pub async fn audit_trail(&self, subject: &str) -> Result<Vec<AuditTrailRow>> {
        Ok(sqlx::query_as("SELECT at, actor, action, reason, detail FROM audit_log WHERE subject = $1 ORDER BY id")
            .bind(subject)
            .fetch_all(self.pool())
            .await?)
    }
}

impl Store {
    /// Every row's actor, subject and action, oldest first (tests of who acted).
    #[cfg(test)]
    pub(crate) async fn audit_log_for_tests(&self) -> Result<Vec<(String, Option<String>, String)>> {
        Ok(sqlx::query_as("SELECT actor, subject, action FROM audit_log ORDER BY id").fetch_all(self.pool()).await?)
    }
}
