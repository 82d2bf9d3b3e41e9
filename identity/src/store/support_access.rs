//! Rows of `support_access` (rules in [`crate::admin::access`]): an agent's request for
//! ticket-scoped access to one customer's portal, its approval or refusal, its end.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// One request as stored (`requested`, `granted`: JSON arrays of permission names).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AccessRow {
    pub id: String,
    pub staff_id: String,
    pub customer_id: String,
    pub ticket: String,
    pub reason: String,
    pub requested: String,
    pub granted: Option<String>,
    pub status: String,
    pub requested_at: UnixMillis,
    pub decided_at: Option<UnixMillis>,
    pub expires_at: UnixMillis,
    pub ended_at: Option<UnixMillis>,
    pub ended_by: Option<String>,
}

/// A request with the agent's name, as the customer's page and the 360 list it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ListedAccess {
    #[sqlx(flatten)]
    pub row: AccessRow,
    pub staff_name: Option<String>,
}

const COLUMNS: &str = "id, staff_id, customer_id, ticket, reason, requested, granted, status, requested_at, decided_at, expires_at, ended_at, ended_by";

pub async fn insert(tx: &mut Tx, row: &AccessRow) -> Result<()> {
    sqlx::query(&format!("INSERT INTO support_access ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"))
        .bind(&row.id)
        .bind(&row.staff_id)
        .bind(&row.customer_id)
        .bind(&row.ticket)
        .bind(&row.reason)
        .bind(&row.requested)
        .bind(&row.granted)
        .bind(&row.status)
        .bind(row.requested_at)
        .bind(row.decided_at)
        .bind(row.expires_at)
        .bind(row.ended_at)
        .bind(&row.ended_by)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The row, on one connection (inside the change's transaction, or the token
/// endpoint's read).
pub async fn by_id_tx(conn: &mut super::AnyConnection, id: &str) -> Result<Option<AccessRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM support_access WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await?)
}

/// An open request or live approval of `staff_id` on `customer_id` at `now`, if any.
pub async fn open_of_tx(tx: &mut Tx, staff_id: &str, customer_id: &str, now: UnixMillis) -> Result<Option<AccessRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM support_access WHERE staff_id = $1 AND customer_id = $2 AND status IN ('requested', 'approved') AND expires_at > $3 LIMIT 1"
    ))
    .bind(staff_id)
    .bind(customer_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The customer approves (`granted`, until `expires_at`) or refuses a request still open
/// at `now`; `false` when it was no longer open (decided, ended or lapsed meanwhile).
pub async fn decide(tx: &mut Tx, id: &str, customer_id: &str, granted: Option<&str>, expires_at: Option<UnixMillis>, now: UnixMillis) -> Result<bool> {
    let status = if granted.is_some() { "approved" } else { "refused" };
    let done = sqlx::query(
        "UPDATE support_access SET status = $1, granted = $2, decided_at = $3, expires_at = COALESCE($4, expires_at) \
         WHERE id = $5 AND customer_id = $6 AND status = 'requested' AND expires_at > $3",
    )
    .bind(status)
    .bind(granted)
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends an open request or a live approval (`ended_by`: `customer` or `staff`); `false`
/// when there was nothing open to end.
pub async fn end(tx: &mut Tx, id: &str, ended_by: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE support_access SET status = 'ended', ended_at = $1, ended_by = $2 WHERE id = $3 AND status IN ('requested', 'approved') AND expires_at > $1",
    )
    .bind(now)
    .bind(ended_by)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the one-time entry into the portal (`hash` of the token, live until `until`).
pub async fn set_entry(tx: &mut Tx, id: &str, hash: &str, until: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE support_access SET entry_hash = $1, entry_expires_at = $2 WHERE id = $3").bind(hash).bind(until).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Takes the entry whose token hashes to `hash`, once: the row if it was live at `now`.
pub async fn take_entry(tx: &mut Tx, hash: &str, now: UnixMillis) -> Result<Option<AccessRow>> {
    let row: Option<AccessRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM support_access WHERE entry_hash = $1 AND entry_expires_at > $2"))
        .bind(hash)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let taken = sqlx::query("UPDATE support_access SET entry_hash = NULL, entry_expires_at = NULL WHERE id = $1 AND entry_hash = $2").bind(&row.id).bind(hash).execute(&mut **tx).await?;
    Ok((taken.rows_affected() == 1).then_some(row))
}

impl Store {
    /// One row, outside a transaction (the per-request check of a support session).
    pub async fn support_access(&self, id: &str) -> Result<Option<AccessRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM support_access WHERE id = $1")).bind(id).fetch_optional(self.pool()).await?)
    }

    /// The customer's requests since `since` (decided or not), newest first, with the
    /// agents' names; `staff_id` narrows them to one agent's.
    pub async fn support_accesses_of(&self, customer_id: &str, staff_id: Option<&str>, since: UnixMillis) -> Result<Vec<ListedAccess>> {
        let columns = COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        Ok(sqlx::query_as(&format!(
            "SELECT {columns}, s.name AS staff_name FROM support_access a JOIN staff s ON s.id = a.staff_id \
             WHERE a.customer_id = $1 AND a.staff_id = COALESCE($2, a.staff_id) AND (a.requested_at >= $3 OR a.expires_at >= $3) ORDER BY a.requested_at DESC LIMIT 20"
        ))
        .bind(customer_id)
        .bind(staff_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }
}
