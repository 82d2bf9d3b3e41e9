//! Rows of the `account_tokens` table: the one-time links and codes that mail carries
//! (rules in [`crate::accounts::tokens`]). Only hashes are stored.

use sqlx::FromRow;

use super::Tx;
use crate::{Result, UnixMillis};

/// A redeemed (or about to be redeemed) token.
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: String,
    pub customer_id: String,
    pub code_hash: Option<String>,
    pub bound_version: i64,
    pub new_email: Option<String>,
    pub attempts: i64,
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub purpose: &'a str,
    pub token_hash: &'a str,
    pub code_hash: Option<&'a str>,
    pub bound_version: i64,
    pub new_email: Option<&'a str>,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// Retires the customer's live tokens of `purpose`; how many there were.
pub async fn retire(tx: &mut Tx, customer_id: &str, purpose: &str, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE customer_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(customer_id)
        .bind(purpose)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

pub async fn insert(tx: &mut Tx, t: &NewToken<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_tokens (id, customer_id, purpose, token_hash, code_hash, bound_version, new_email, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(t.id)
    .bind(t.customer_id)
    .bind(t.purpose)
    .bind(t.token_hash)
    .bind(t.code_hash)
    .bind(t.bound_version)
    .bind(t.new_email)
    .bind(t.created_at)
    .bind(t.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks the live, unexpired token with this hash used and returns it: one atomic
/// statement, so two redemptions cannot both succeed.
pub async fn redeem_by_hash(tx: &mut Tx, token_hash: &str, purpose: &str, now: UnixMillis) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL \
         AND expires_at > $1 RETURNING id, customer_id, code_hash, bound_version, new_email, attempts",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The customer's newest live token of `purpose` that carries a code.
pub async fn live_code(tx: &mut Tx, customer_id: &str, purpose: &str, now: UnixMillis) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as(
        "SELECT id, customer_id, code_hash, bound_version, new_email, attempts FROM account_tokens \
         WHERE customer_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND code_hash IS NOT NULL \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(customer_id)
    .bind(purpose)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The customer's latest code of `purpose`, live or not, with its state (why a
/// refused code was refused).
#[derive(Debug, Clone, FromRow)]
pub struct CodeState {
    pub id: String,
    pub code_hash: Option<String>,
    pub used_at: Option<UnixMillis>,
    pub expires_at: UnixMillis,
    pub attempts: i64,
}

pub async fn latest_code(tx: &mut Tx, customer_id: &str, purpose: &str) -> Result<Option<CodeState>> {
    Ok(sqlx::query_as(
        "SELECT id, code_hash, used_at, expires_at, attempts FROM account_tokens \
         WHERE customer_id = $1 AND purpose = $2 AND code_hash IS NOT NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(customer_id)
    .bind(purpose)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Marks the token used unless it was already; `true` when this call did.
pub async fn use_once(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL").bind(now).bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a wrong code; the token dies at `max_attempts`.
pub async fn count_wrong_code(tx: &mut Tx, id: &str, max_attempts: i64, now: UnixMillis) -> Result<()> {
    sqlx::query(
        "UPDATE account_tokens SET attempts = attempts + 1, \
         used_at = CASE WHEN attempts + 1 >= $1 THEN $2 ELSE used_at END WHERE id = $3",
    )
    .bind(max_attempts)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
