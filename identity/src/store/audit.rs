//! Rows of the append-only `audit_log` table (rules in [`crate::audit`]): inserts, a
//! customer's own activity, the staff search ([`Store::search_audit`]) and the retention
//! sweep's statements. The database refuses updates and deletes (triggers), but for
//! erasure's pseudonyms and the deletes the retention gate lets through
//! (`migrations/*/20261211000001_audit_retention.sql`).

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

/// One audit row as the staff search reads it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: UnixMillis,
    pub actor: String,
    pub subject: Option<String>,
    pub action: String,
    pub reason: Option<String>,
    pub detail: String,
}

/// What a search filters on, already checked by the core (`admin::audit`). Bounds on
/// `at` are `from <= at < before`; `below` is the keyset cursor (ids under it).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub subject: Option<&'a str>,
    /// An exact action, or (with `true`) every action starting with it.
    pub action: Option<(&'a str, bool)>,
    pub from: Option<UnixMillis>,
    pub before: Option<UnixMillis>,
    pub below: Option<i64>,
}

enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

/// Adds `AND <condition> $n` with its value.
fn push<'a>(sql: &mut String, binds: &mut Vec<Bind<'a>>, condition: &str, value: Bind<'a>) {
    binds.push(value);
    sql.push_str(&format!(" AND {condition} ${}", binds.len()));
}

/// Past the end of every text starting with a prefix, in binary order (both engines
/// compare `action` that way: SQLite by default, PostgreSQL by the column's `"C"`).
const PREFIX_END: char = '\u{10FFFF}';

impl Store {
    /// The newest rows matching `filter` (highest id first), at most `limit`. Each filter
    /// walks its index in id order (`audit_log_actor`, `_subject`, `_action`); a search by
    /// time alone walks the log back from its newest row.
    pub async fn search_audit(&self, filter: &AuditFilter<'_>, limit: i64) -> Result<Vec<AuditRecord>> {
        let prefix_end = filter.action.filter(|(_, prefix)| *prefix).map(|(a, _)| format!("{a}{PREFIX_END}"));
        let mut sql = String::from("SELECT id, at, actor, subject, action, reason, detail FROM audit_log WHERE 1 = 1");
        let mut binds: Vec<Bind<'_>> = Vec::new();
        if let Some(actor) = filter.actor {
            push(&mut sql, &mut binds, "actor =", Bind::Text(actor));
        }
        if let Some(subject) = filter.subject {
            push(&mut sql, &mut binds, "subject =", Bind::Text(subject));
        }
        match (filter.action, prefix_end.as_deref()) {
            (Some((action, true)), Some(end)) => {
                push(&mut sql, &mut binds, "action >=", Bind::Text(action));
                push(&mut sql, &mut binds, "action <", Bind::Text(end));
            }
            (Some((action, _)), _) => push(&mut sql, &mut binds, "action =", Bind::Text(action)),
            (None, _) => {}
        }
        if let Some(from) = filter.from {
            push(&mut sql, &mut binds, "at >=", Bind::Int(from));
        }
        if let Some(before) = filter.before {
            push(&mut sql, &mut binds, "at <", Bind::Int(before));
        }
        if let Some(below) = filter.below {
            push(&mut sql, &mut binds, "id <", Bind::Int(below));
        }
        binds.push(Bind::Int(limit));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", binds.len()));
        let query = binds.iter().fold(sqlx::query_as::<_, AuditRecord>(&sql), |q, b| match b {
            Bind::Text(t) => q.bind(*t),
            Bind::Int(i) => q.bind(*i),
        });
        Ok(query.fetch_all(self.pool()).await?)
    }
}

// Retention (`FOYER_AUDIT_RETENTION_DAYS`, `crate::audit::retention`). The predicates are
// spelled exactly as the migration's partial indexes and delete trigger spell them.

/// Rows that are proof and never deleted: consent decisions, data-subject requests and
/// their answers, the sweep's own record.
const PROOF: &str = "(substr(action, 1, 8) IN ('consent.', 'privacy.') OR action = 'audit.retention_applied')";
/// Rows whose actor or subject still names a customer.
const NAMES_CUSTOMER: &str = "(substr(actor, 1, 9) = 'customer:' OR substr(subject, 1, 9) = 'customer:')";

/// Opens the retention gate for this transaction: rows older than `cutoff` that are not
/// proof may be deleted until [`close_retention_gate`]. The transaction cannot commit
/// while it is open (a deferred foreign key).
pub async fn open_retention_gate(tx: &mut Tx, cutoff: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE audit_retention_gate SET cutoff = $1, open = 2 WHERE id = 1").bind(cutoff).execute(&mut **tx).await?;
    Ok(())
}

pub async fn close_retention_gate(tx: &mut Tx) -> Result<()> {
    sqlx::query("UPDATE audit_retention_gate SET cutoff = NULL, open = NULL WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}

/// Deletes up to `limit` of the oldest rows older than `cutoff` that are not proof
/// (the gate must be open); returns how many went.
pub async fn delete_expired(tx: &mut Tx, cutoff: UnixMillis, limit: i64) -> Result<u64> {
    let sql = format!("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 AND NOT {PROOF} ORDER BY at LIMIT $2)");
    Ok(sqlx::query(&sql).bind(cutoff).bind(limit).execute(&mut **tx).await?.rows_affected())
}

/// Up to `limit` proof rows older than `cutoff` that still name a customer: (id,
/// actor, subject).
pub async fn expired_proof_naming_customers(tx: &mut Tx, cutoff: UnixMillis, limit: i64) -> Result<Vec<(i64, String, Option<String>)>> {
    let sql = format!("SELECT id, actor, subject FROM audit_log WHERE at < $1 AND {PROOF} AND {NAMES_CUSTOMER} ORDER BY at LIMIT $2");
    Ok(sqlx::query_as(&sql).bind(cutoff).bind(limit).fetch_all(&mut **tx).await?)
}

/// In the rows `ids`, an actor or subject equal to `label` (`customer:<id>`) becomes
/// `pseudonym` (`erased:<hex>`), as erasure writes it; returns the rows changed.
pub async fn pseudonymise(tx: &mut Tx, ids: &[i64], label: &str, pseudonym: &str) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE audit_log SET actor = CASE WHEN actor = $1 THEN $2 ELSE actor END, subject = CASE WHEN subject = $3 THEN $4 ELSE subject END \
         WHERE id IN ({})",
        super::list_placeholders(5, ids.len())
    );
    let query = sqlx::query(&sql).bind(label).bind(pseudonym).bind(label).bind(pseudonym);
    Ok(ids.iter().fold(query, |q, id| q.bind(*id)).execute(&mut **tx).await?.rows_affected())
}

impl Store {
    /// Every row's actor, subject and action, oldest first (tests of who acted).
    #[cfg(test)]
    pub(crate) async fn audit_log_for_tests(&self) -> Result<Vec<(String, Option<String>, String)>> {
        Ok(sqlx::query_as("SELECT actor, subject, action FROM audit_log ORDER BY id").fetch_all(self.pool()).await?)
    }
}

/// The database's side of retention, with raw SQL (SQLite here; the integration suite
/// runs the same on PostgreSQL): nothing but the open gate deletes, and the gate lets
/// only old rows that are not proof through.
#[cfg(test)]
mod tests {
    use super::*;

    async fn row(store: &Store, at: UnixMillis, action: &str) -> i64 {
        let mut tx = store.begin().await.unwrap();
        insert(&mut tx, &AuditRow { at, actor: "customer:c1", subject: Some("customer:c1"), action, reason: None, detail: "{}" }).await.unwrap();
        let id: (i64,) = sqlx::query_as("SELECT MAX(id) FROM audit_log").fetch_one(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        id.0
    }

    async fn delete(tx: &mut Tx, id: i64) -> std::result::Result<u64, sqlx::Error> {
        sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(id).execute(&mut **tx).await.map(|r| r.rows_affected())
    }

    #[tokio::test]
    async fn only_the_open_gate_deletes_and_only_old_rows_that_are_not_proof() {
        let (store, _dir) = crate::jose::test_support::sqlite_store().await;
        let old = row(&store, 100, "customer.registered").await;
        let consent = row(&store, 100, "consent.granted").await;
        let privacy = row(&store, 100, "privacy.erased").await;
        let record = row(&store, 100, "audit.retention_applied").await;
        let new = row(&store, 900, "customer.updated").await;

        let pool = store.pool();
        assert!(sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err(), "a plain delete is refused");
        assert!(sqlx::query("DELETE FROM audit_log WHERE at < 500").execute(pool).await.is_err(), "old rows too");
        assert!(sqlx::query("UPDATE audit_log SET reason = 'x'").execute(pool).await.is_err(), "and any update but a pseudonym");
        assert!(sqlx::query("UPDATE audit_log SET at = 1").execute(pool).await.is_err());
        assert!(sqlx::query("DELETE FROM audit_retention_gate").execute(pool).await.is_err(), "the gate stays");
        assert!(sqlx::query("UPDATE audit_retention_gate SET cutoff = 500").execute(pool).await.is_err(), "opened only as a pair");

        let mut tx = store.begin().await.unwrap();
        open_retention_gate(&mut tx, 500).await.unwrap();
        for (id, what) in [(consent, "consent"), (privacy, "privacy"), (record, "the sweep's record"), (new, "a row after the cutoff")] {
            assert!(delete(&mut tx, id).await.is_err(), "{what} stays, gate open or not");
        }
        assert_eq!(delete(&mut tx, old).await.unwrap(), 1, "an old plain row goes");
        assert!(tx.commit().await.is_err(), "an open gate cannot be committed");
        let left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await.unwrap();
        assert_eq!(left.0, 5, "so nothing of it happened");

        let mut tx = store.begin().await.unwrap();
        open_retention_gate(&mut tx, 500).await.unwrap();
        assert_eq!(delete_expired(&mut tx, 500, 10).await.unwrap(), 1);
        close_retention_gate(&mut tx).await.unwrap();
        let proof = expired_proof_naming_customers(&mut tx, 500, 10).await.unwrap();
        assert_eq!(proof.iter().map(|p| p.0).collect::<Vec<_>>(), vec![consent, privacy, record]);
        assert_eq!(pseudonymise(&mut tx, &[consent, privacy, record], "customer:c1", "erased:ab").await.unwrap(), 3);
        tx.commit().await.unwrap();
        assert!(expired_proof_naming_customers(&mut store.begin().await.unwrap(), 500, 10).await.unwrap().is_empty(), "done once");
        assert!(sqlx::query("DELETE FROM audit_log WHERE at < 500").execute(pool).await.is_err(), "closed again");
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, actor FROM audit_log ORDER BY id").fetch_all(pool).await.unwrap();
        assert_eq!(rows, vec![
            (consent, "erased:ab".to_owned()),
            (privacy, "erased:ab".to_owned()),
            (record, "erased:ab".to_owned()),
            (new, "customer:c1".to_owned())
        ]);
    }
}
