//! Rows of `consent_ledger` (append-only: the database refuses updates and deletes but
//! erasure's pseudonymisation) and of `consent_state`, its projection, written in the
//! same transaction as each ledger row.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// One decision, as recorded.
#[derive(Debug, Clone, FromRow)]
pub struct LedgerRow {
    pub seq: i64,
    pub receipt_id: String,
    pub customer_id: String,
    pub purpose_id: Option<String>,
    pub version: Option<i64>,
    pub scopes: Option<String>,
    pub brand_id: Option<String>,
    pub decision: String,
    pub channel: Option<String>,
    pub at: UnixMillis,
    pub collection: String,
    pub actor: String,
    pub ticket: Option<String>,
    pub request_id: Option<String>,
    pub user_agent: Option<String>,
    pub jurisdiction: String,
    pub receipt_jws: String,
}

const COLUMNS: &str = "seq, receipt_id, customer_id, purpose_id, version, scopes, brand_id, decision, channel, at, collection, actor, \
                       ticket, request_id, user_agent, jurisdiction, receipt_jws";

/// A ledger row to append (`seq` is assigned by the database).
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub receipt_id: &'a str,
    pub customer_id: &'a str,
    pub purpose_id: Option<&'a str>,
    pub version: Option<i64>,
    pub scopes: Option<&'a str>,
    pub brand_id: Option<&'a str>,
    pub decision: &'a str,
    pub channel: Option<&'a str>,
    pub at: UnixMillis,
    pub collection: &'a str,
    pub actor: &'a str,
    pub ticket: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub jurisdiction: &'a str,
    pub receipt_jws: &'a str,
}

/// Appends a record and moves the projection to it (a purpose's record only); returns
/// its `seq`.
pub async fn append(tx: &mut Tx, r: &NewRecord<'_>) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO consent_ledger (receipt_id, customer_id, purpose_id, version, scopes, brand_id, decision, channel, at, collection, \
         actor, ticket, request_id, user_agent, jurisdiction, receipt_jws) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING seq",
    )
    .bind(r.receipt_id)
    .bind(r.customer_id)
    .bind(r.purpose_id)
    .bind(r.version)
    .bind(r.scopes)
    .bind(r.brand_id)
    .bind(r.decision)
    .bind(r.channel)
    .bind(r.at)
    .bind(r.collection)
    .bind(r.actor)
    .bind(r.ticket)
    .bind(r.request_id)
    .bind(r.user_agent)
    .bind(r.jurisdiction)
    .bind(r.receipt_jws)
    .fetch_one(&mut **tx)
    .await?;
    if let (Some(purpose_id), Some(version)) = (r.purpose_id, r.version) {
        sqlx::query(
            "INSERT INTO consent_state (customer_id, purpose_id, channel, version, decision, at, ledger_seq) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (customer_id, purpose_id, channel) DO UPDATE SET version = excluded.version, decision = excluded.decision, \
             at = excluded.at, ledger_seq = excluded.ledger_seq",
        )
        .bind(r.customer_id)
        .bind(purpose_id)
        .bind(r.channel.unwrap_or(""))
        .bind(version)
        .bind(r.decision)
        .bind(r.at)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    }
    Ok(seq)
}

/// What is in force for one (purpose, channel) of a customer.
#[derive(Debug, Clone, FromRow)]
pub struct StateRow {
    pub purpose_id: String,
    /// `""`: the purpose as a whole.
    pub channel: String,
    pub version: i64,
    pub decision: String,
    pub at: UnixMillis,
}

/// Everything in force for the customer.
pub async fn state_of(store: &Store, customer_id: &str) -> Result<Vec<StateRow>> {
    Ok(sqlx::query_as("SELECT purpose_id, channel, version, decision, at FROM consent_state WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_all(store.pool())
        .await?)
}

/// The channels' states of one purpose, read inside a decision's transaction (after
/// the record just appended moved its channel).
pub async fn channel_states_in(tx: &mut Tx, customer_id: &str, purpose_id: &str) -> Result<Vec<StateRow>> {
    Ok(sqlx::query_as(
        "SELECT purpose_id, channel, version, decision, at FROM consent_state WHERE customer_id = $1 AND purpose_id = $2 AND channel <> ''",
    )
    .bind(customer_id)
    .bind(purpose_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// What is in force for one (purpose, channel; `""` = as a whole), read inside a
/// transaction (a guardian's approval checks the grant is still pending).
pub async fn state_in(tx: &mut Tx, customer_id: &str, purpose_id: &str, channel: &str) -> Result<Option<StateRow>> {
    Ok(sqlx::query_as(
        "SELECT purpose_id, channel, version, decision, at FROM consent_state WHERE customer_id = $1 AND purpose_id = $2 AND channel = $3",
    )
    .bind(customer_id)
    .bind(purpose_id)
    .bind(channel)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Moves the projection of the purpose as a whole (derived from its channels).
pub async fn set_whole(tx: &mut Tx, customer_id: &str, purpose_id: &str, version: i64, decision: &str, at: UnixMillis, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO consent_state (customer_id, purpose_id, channel, version, decision, at, ledger_seq) VALUES ($1, $2, '', $3, $4, $5, $6) \
         ON CONFLICT (customer_id, purpose_id, channel) DO UPDATE SET version = excluded.version, decision = excluded.decision, \
         at = excluded.at, ledger_seq = excluded.ledger_seq",
    )
    .bind(customer_id)
    .bind(purpose_id)
    .bind(version)
    .bind(decision)
    .bind(at)
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The customer's records, newest first, at most `limit`.
pub async fn history(store: &Store, customer_id: &str, limit: i64) -> Result<Vec<LedgerRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM consent_ledger WHERE customer_id = $1 ORDER BY seq DESC LIMIT $2"))
        .bind(customer_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?)
}

/// One of the customer's records by its receipt id.
pub async fn by_receipt(store: &Store, customer_id: &str, receipt_id: &str) -> Result<Option<LedgerRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM consent_ledger WHERE customer_id = $1 AND receipt_id = $2"))
        .bind(customer_id)
        .bind(receipt_id)
        .fetch_optional(store.pool())
        .await?)
}
