//! Rows of `oauth_grants` and the tokens a grant gives: `access_tokens` (by `jti`) and
//! `refresh_tokens` (by SHA-256 hash). The lifecycle's rules are `oidc::grants`; the
//! token endpoint's are `oidc::tokens`.

use sqlx::FromRow;

use super::{AnyConnection, Tx};
use crate::{Result, UnixMillis};

/// A grant: one authorization of one client by one customer.
#[derive(Debug, Clone, FromRow)]
pub struct GrantRow {
    pub id: String,
    pub client_id: String,
    pub customer_id: String,
    pub sid: Option<String>,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: UnixMillis,
    pub acr: String,
    pub amr: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub revoked_at: Option<UnixMillis>,
    /// A delegated grant: the delegate who acted (`act`) and the delegation it rests on.
    pub actor_id: Option<String>,
    pub delegation_id: Option<String>,
    /// A support agent's sign-in for the customer: the access it rests on (`actor_id`
    /// is then the staff id; the grant ends with the access).
    pub support_access_id: Option<String>,
}

const GRANT_COLUMNS: &str =
    "id, client_id, customer_id, sid, scope, nonce, auth_time, acr, amr, created_at, expires_at, revoked_at, actor_id, delegation_id, support_access_id";

/// An `access_tokens` row that is live (not revoked, not expired, its grant not revoked).
#[derive(Debug, Clone, FromRow)]
pub struct AccessRow {
    pub jti: String,
    pub client_id: String,
    pub customer_id: Option<String>,
    pub scope: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// The delegate of a delegated grant.
    pub actor_id: Option<String>,
}

/// A new `access_tokens` row (`grant_id` and `customer_id` are `None` for client_credentials).
#[derive(Debug, Clone, Copy)]
pub struct NewAccessToken<'a> {
    pub jti: &'a str,
    pub grant_id: Option<&'a str>,
    pub client_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub scope: &'a str,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

pub async fn insert_grant(tx: &mut Tx, grant: &GrantRow) -> Result<()> {
    sqlx::query(&format!("INSERT INTO oauth_grants ({GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"))
        .bind(&grant.id)
        .bind(&grant.client_id)
        .bind(&grant.customer_id)
        .bind(&grant.sid)
        .bind(&grant.scope)
        .bind(&grant.nonce)
        .bind(grant.auth_time)
        .bind(&grant.acr)
        .bind(&grant.amr)
        .bind(grant.created_at)
        .bind(grant.expires_at)
        .bind(grant.revoked_at)
        .bind(&grant.actor_id)
        .bind(&grant.delegation_id)
        .bind(&grant.support_access_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn grant_by_id_tx(conn: &mut AnyConnection, id: &str) -> Result<Option<GrantRow>> {
    Ok(sqlx::query_as(&format!("SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await?)
}

/// Revokes a grant (keeping the first reason) and its access tokens. Its refresh tokens
/// die with it: a refresh token is honoured only while its grant is unrevoked.
pub async fn revoke_grant(tx: &mut Tx, grant_id: &str, reason: &str, now: UnixMillis) -> Result<()> {
    tx.revokes();
    sqlx::query("UPDATE oauth_grants SET revoked_at = $2, revoke_reason = $3 WHERE id = $1 AND revoked_at IS NULL")
        .bind(grant_id)
        .bind(now)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE access_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL").bind(grant_id).bind(now).execute(&mut **tx).await?;
    Ok(())
}

/// The unrevoked grants held through the sign-in `sid` (online grants).
pub async fn live_grant_ids_of_sid(tx: &mut Tx, sid: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE sid = $1 AND revoked_at IS NULL").bind(sid).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// `(grant id, client id)` of every unrevoked grant of the customer, by grant id.
pub async fn live_grants_of_customer(tx: &mut Tx, customer_id: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT id, client_id FROM oauth_grants WHERE customer_id = $1 AND revoked_at IS NULL ORDER BY id")
        .bind(customer_id)
        .fetch_all(&mut **tx)
        .await?)
}

/// The unrevoked grants issued under a support access: (grant id, client id, customer id, sid).
pub async fn live_grants_of_support_access(tx: &mut Tx, access_id: &str) -> Result<Vec<(String, String, String, Option<String>)>> {
    live_grants_resting_on(tx, "support_access_id", access_id).await
}

/// The unrevoked grants issued under a delegation: (grant id, client id, customer id, sid).
pub async fn live_grants_of_delegation(tx: &mut Tx, delegation_id: &str) -> Result<Vec<(String, String, String, Option<String>)>> {
    live_grants_resting_on(tx, "delegation_id", delegation_id).await
}

/// The unrevoked grants whose `column` (a fixed name: `delegation_id` or
/// `support_access_id`) is `id`, by grant id.
async fn live_grants_resting_on(tx: &mut Tx, column: &'static str, id: &str) -> Result<Vec<(String, String, String, Option<String>)>> {
    Ok(sqlx::query_as(&format!("SELECT id, client_id, customer_id, sid FROM oauth_grants WHERE {column} = $1 AND revoked_at IS NULL ORDER BY id"))
        .bind(id)
        .fetch_all(&mut **tx)
        .await?)
}

/// The unrevoked delegated grants a client holds (it opted out of delegation).
pub async fn live_delegated_grant_ids_of_client(tx: &mut Tx, client_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE client_id = $1 AND delegation_id IS NOT NULL AND revoked_at IS NULL")
        .bind(client_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The unrevoked grants the customer gave one client.
pub async fn live_grant_ids_of_client_customer(tx: &mut Tx, client_id: &str, customer_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE client_id = $1 AND customer_id = $2 AND revoked_at IS NULL")
        .bind(client_id)
        .bind(customer_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The unrevoked grants a client holds.
pub async fn live_grant_ids_of_client(tx: &mut Tx, client_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_grants WHERE client_id = $1 AND revoked_at IS NULL").bind(client_id).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Revokes every access token issued to a client (client_credentials ones included).
pub async fn revoke_client_access_tokens(tx: &mut Tx, client_id: &str, now: UnixMillis) -> Result<()> {
    tx.revokes();
    sqlx::query("UPDATE access_tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL").bind(client_id).bind(now).execute(&mut **tx).await?;
    Ok(())
}

pub async fn insert_access_token(tx: &mut Tx, token: &NewAccessToken<'_>) -> Result<()> {
    sqlx::query("INSERT INTO access_tokens (jti, grant_id, client_id, customer_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(token.jti)
        .bind(token.grant_id)
        .bind(token.client_id)
        .bind(token.customer_id)
        .bind(token.scope)
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Revokes one access token by its `jti`.
pub async fn revoke_access_token(tx: &mut Tx, jti: &str, now: UnixMillis) -> Result<()> {
    tx.revokes();
    sqlx::query("UPDATE access_tokens SET revoked_at = $2 WHERE jti = $1 AND revoked_at IS NULL").bind(jti).bind(now).execute(&mut **tx).await?;
    Ok(())
}

/// The access token `jti` if it is live at `now`: not revoked, not expired, its grant
/// (if any) not revoked, the delegation a delegated grant rests on neither revoked
/// nor expired, and the support access a support agent's grant rests on approved and
/// not past its end.
pub async fn live_access_token(conn: &mut AnyConnection, jti: &str, now: UnixMillis) -> Result<Option<AccessRow>> {
    Ok(sqlx::query_as(
        "SELECT t.jti, t.client_id, t.customer_id, t.scope, t.created_at, t.expires_at, g.actor_id FROM access_tokens t \
         LEFT JOIN oauth_grants g ON g.id = t.grant_id LEFT JOIN delegations d ON d.id = g.delegation_id \
         LEFT JOIN support_access s ON s.id = g.support_access_id \
         WHERE t.jti = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND (t.grant_id IS NULL OR g.revoked_at IS NULL) \
         AND (g.delegation_id IS NULL OR (d.revoked_at IS NULL AND d.expires_at > $2)) \
         AND (g.support_access_id IS NULL OR (s.status = 'approved' AND s.expires_at > $2))",
    )
    .bind(jti)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Drops access-token rows expired at `now`; returns how many.
pub async fn prune_access_tokens(tx: &mut Tx, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM access_tokens WHERE expires_at <= $1").bind(now).execute(&mut **tx).await?.rows_affected())
}

pub async fn insert_refresh_token(tx: &mut Tx, token_hash: &str, grant_id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO refresh_tokens (token_hash, grant_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(grant_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks an unused refresh token used (one conditional statement: a parallel second use
/// waits for the row and then finds it used): its grant id and whether that grant is
/// still unrevoked (read in the same statement), or `None` if it was not unused.
pub async fn use_refresh_token(tx: &mut Tx, token_hash: &str, now: UnixMillis) -> Result<Option<(String, bool)>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
         RETURNING grant_id, (SELECT COUNT(*) FROM oauth_grants g WHERE g.id = refresh_tokens.grant_id AND g.revoked_at IS NULL)",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(grant_id, live)| (grant_id, live > 0)))
}

/// The grant of a refresh token that was used already (a second use is reuse).
pub async fn used_refresh_token_grant_id(tx: &mut Tx, token_hash: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT grant_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL")
        .bind(token_hash)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(g,)| g))
}

/// The live grant of an unused refresh token (by hash), at `now`.
pub async fn live_grant_of_refresh_token(conn: &mut AnyConnection, token_hash: &str, now: UnixMillis) -> Result<Option<GrantRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE revoked_at IS NULL AND expires_at > $2 \
         AND id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NULL)"
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}
