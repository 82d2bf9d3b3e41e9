//! Rows of the code flow's short-lived state: `oauth_requests` (a checked authorization
//! request behind its handle, by SHA-256 hash) and `authorization_codes` (by hash).

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// A pending request as stored: `params` is the checked request as JSON.
#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    pub params: String,
    pub customer_id: Option<String>,
    pub sid: Option<String>,
    pub created_at: UnixMillis,
    pub denied_at: Option<UnixMillis>,
    pub consented_at: Option<UnixMillis>,
    /// The chooser's answer: `self`, or the delegation the delegate acts under.
    pub act_choice: Option<String>,
}

/// What a redeemed code carried.
#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub client_id: String,
    pub customer_id: String,
    pub sid: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: UnixMillis,
    pub acr: String,
    pub amr: String,
    pub actor_id: Option<String>,
    pub delegation_id: Option<String>,
    /// A support agent's sign-in for the customer: the access it rests on (`actor_id`
    /// is then the staff id).
    pub support_access_id: Option<String>,
}

/// A new code: the request's binding (client, redirect URI, PKCE challenge, nonce) and
/// the sign-in that authorized it.
#[derive(Debug, Clone, Copy)]
pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub customer_id: &'a str,
    pub sid: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub auth_time: UnixMillis,
    pub acr: &'a str,
    pub amr: &'a str,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// A delegated sign-in: the delegate (the code's customer is the principal) and the
    /// delegation.
    pub actor_id: Option<&'a str>,
    pub delegation_id: Option<&'a str>,
    /// A support agent's sign-in for the customer: the access (`actor_id` the staff id).
    pub support_access_id: Option<&'a str>,
}

pub async fn insert_request(tx: &mut Tx, id_hash: &str, client_id: &str, params: &str, now: UnixMillis, expires_at: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO oauth_requests (id_hash, client_id, params, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id_hash)
        .bind(client_id)
        .bind(params)
        .bind(now)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The unexpired, unfinished request behind a handle's hash.
pub async fn live_request(store: &Store, id_hash: &str, now: UnixMillis) -> Result<Option<RequestRow>> {
    Ok(sqlx::query_as(
        "SELECT params, customer_id, sid, created_at, denied_at, consented_at, act_choice FROM oauth_requests \
         WHERE id_hash = $1 AND expires_at > $2 AND completed_at IS NULL",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(store.pool())
    .await?)
}

/// Ties an unfinished request to a customer and sign-in. Another customer than before
/// ("Use another account") starts without the previous one's chooser answer.
pub async fn bind_request(tx: &mut Tx, id_hash: &str, customer_id: &str, sid: &str) -> Result<()> {
    sqlx::query(
        "UPDATE oauth_requests SET act_choice = CASE WHEN customer_id = $2 THEN act_choice ELSE NULL END, \
         customer_id = $2, sid = $3 WHERE id_hash = $1 AND completed_at IS NULL",
    )
        .bind(id_hash)
        .bind(customer_id)
        .bind(sid)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records the customer's answer on the consent page (Allow: `consented_at`, else `denied_at`).
pub async fn set_consent_answer(tx: &mut Tx, id_hash: &str, allow: bool, now: UnixMillis) -> Result<()> {
    let sql = if allow {
        "UPDATE oauth_requests SET consented_at = $2 WHERE id_hash = $1"
    } else {
        "UPDATE oauth_requests SET denied_at = $2 WHERE id_hash = $1"
    };
    sqlx::query(sql).bind(id_hash).bind(now).execute(&mut **tx).await?;
    Ok(())
}

/// Records the chooser's answer on an unfinished request bound to `customer_id`.
pub async fn set_act_choice(tx: &mut Tx, id_hash: &str, customer_id: &str, choice: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_requests SET act_choice = $2 WHERE id_hash = $1 AND customer_id = $3 AND completed_at IS NULL")
        .bind(id_hash)
        .bind(choice)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a request finished; `false` if it was finished already.
pub async fn complete_request(tx: &mut Tx, id_hash: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_requests SET completed_at = $2 WHERE id_hash = $1 AND completed_at IS NULL")
        .bind(id_hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_code(tx: &mut Tx, code: &NewCode<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO authorization_codes (code_hash, client_id, customer_id, sid, redirect_uri, scope, nonce, code_challenge, \
         auth_time, acr, amr, created_at, expires_at, actor_id, delegation_id, support_access_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(code.code_hash)
    .bind(code.client_id)
    .bind(code.customer_id)
    .bind(code.sid)
    .bind(code.redirect_uri)
    .bind(code.scope)
    .bind(code.nonce)
    .bind(code.code_challenge)
    .bind(code.auth_time)
    .bind(code.acr)
    .bind(code.amr)
    .bind(code.created_at)
    .bind(code.expires_at)
    .bind(code.actor_id)
    .bind(code.delegation_id)
    .bind(code.support_access_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const CODE_COLUMNS: &str = "client_id, customer_id, sid, redirect_uri, scope, nonce, code_challenge, auth_time, acr, amr, actor_id, delegation_id, support_access_id";

/// An unredeemed, unexpired code as it stands (a read: the redemption is
/// [`redeem_code`], inside the write transaction).
pub async fn unredeemed_code(store: &Store, code_hash: &str, now: UnixMillis) -> Result<Option<CodeRow>> {
    Ok(sqlx::query_as(&format!("SELECT {CODE_COLUMNS} FROM authorization_codes WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > $2"))
        .bind(code_hash)
        .bind(now)
        .fetch_optional(store.pool())
        .await?)
}

pub async fn redeem_code(tx: &mut Tx, code_hash: &str, now: UnixMillis) -> Result<Option<CodeRow>> {
    Ok(sqlx::query_as(&format!(
        "UPDATE authorization_codes SET redeemed_at = $2 WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > $2 RETURNING {CODE_COLUMNS}"
    ))
    .bind(code_hash)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?)
}

/// For a code already redeemed: the grant it gave (if any) and its customer.
pub async fn redeemed_code(tx: &mut Tx, code_hash: &str) -> Result<Option<(Option<String>, String)>> {
    Ok(sqlx::query_as("SELECT grant_id, customer_id FROM authorization_codes WHERE code_hash = $1 AND redeemed_at IS NOT NULL")
        .bind(code_hash)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Remembers which grant a code gave (so its replay can revoke it).
pub async fn set_code_grant(tx: &mut Tx, code_hash: &str, grant_id: &str) -> Result<()> {
    sqlx::query("UPDATE authorization_codes SET grant_id = $2 WHERE code_hash = $1").bind(code_hash).bind(grant_id).execute(&mut **tx).await?;
    Ok(())
}

/// Drops requests expired at `now` and codes expired at `codes_before`; returns how many.
pub async fn prune(tx: &mut Tx, now: UnixMillis, codes_before: UnixMillis) -> Result<u64> {
    let requests = sqlx::query("DELETE FROM oauth_requests WHERE expires_at <= $1").bind(now).execute(&mut **tx).await?.rows_affected();
    let codes = sqlx::query("DELETE FROM authorization_codes WHERE expires_at <= $1").bind(codes_before).execute(&mut **tx).await?.rows_affected();
    Ok(requests + codes)
}
