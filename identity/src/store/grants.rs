//! Rows of `oauth_grants` and the tokens a grant gives: `access_tokens` (by `jti`) and
//! `refresh_tokens` (by SHA-256 hash). The lifecycle's rules are `oidc::grants`; the
//! token endpoint's are `oidc::tokens`.

use sqlx::{FromRow, Row as _};

use super::customers::CustomerRow;
use super::{AnyConnection, Backend, Tx};
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
    token.bind(sqlx::query(INSERT_ACCESS_TOKEN)).execute(&mut **tx).await?;
    Ok(())
}

const INSERT_ACCESS_TOKEN: &str = "INSERT INTO access_tokens (jti, grant_id, client_id, customer_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl super::Store {
    /// [`insert_access_token`] as a write of its own (one statement in the write turn:
    /// [`super::Store::write_batch`]), for a token recorded with nothing else.
    pub async fn record_access_token(&self, token: &NewAccessToken<'_>) -> Result<()> {
        self.write_batch(token.bind(sqlx::query(INSERT_ACCESS_TOKEN))).await?;
        Ok(())
    }
}

impl NewAccessToken<'_> {
    /// Binds the row's seven columns, in [`INSERT_ACCESS_TOKEN`]'s order, as the next
    /// arguments of `query` (owned, so the query can go to a task of its own).
    fn bind(&self, query: super::Batch) -> super::Batch {
        query
            .bind(self.jti.to_owned())
            .bind(self.grant_id.map(str::to_owned))
            .bind(self.client_id.to_owned())
            .bind(self.customer_id.map(str::to_owned))
            .bind(self.scope.to_owned())
            .bind(self.created_at)
            .bind(self.expires_at)
    }
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

impl super::Store {
    /// Marks this grant's refresh token used if it is still unused (one conditional
    /// statement: a parallel second use waits for the row and then finds it used) and
    /// returns whether the grant is still unrevoked (read by the same statement), or
    /// `None` if it was not unused. When the grant is live, the new access token
    /// (`access`, whose `grant_id` is the grant) and the next refresh token are recorded
    /// with it: on PostgreSQL by the same statement (data-modifying CTEs, atomic without a
    /// transaction), on SQLite by one batch of the three statements in one write
    /// transaction ([`super::Store::write_batch`]). One round trip where there were five
    /// (`docs/design/peaks.md` "Round 5").
    pub async fn rotate_refresh_token(&self, token_hash: &str, now: UnixMillis, access: &NewAccessToken<'_>, next_refresh_hash: Option<&str>) -> Result<Option<bool>> {
        let sql = match self.backend() {
            Backend::Postgres => ROTATE_POSTGRES,
            Backend::Sqlite => ROTATE_SQLITE,
        };
        // $1 token hash, $2 now, $3–$9 the access token's row, $10 the next refresh token.
        let batch = access.bind(sqlx::query(sql).bind(token_hash.to_owned()).bind(now)).bind(next_refresh_hash.map(str::to_owned));
        let rows = self.write_batch(batch).await?;
        let Some(row) = rows.first() else { return Ok(None) };
        Ok(Some(row.try_get::<i64, _>(0)? > 0))
    }
}

/// [`Store::rotate_refresh_token`] on PostgreSQL: the inserts read the rotation's own row.
///
/// [`Store::rotate_refresh_token`]: super::Store::rotate_refresh_token
const ROTATE_POSTGRES: &str = "WITH rotated AS (\
     UPDATE refresh_tokens SET used_at = $2, next_hash = $10 WHERE token_hash = $1 AND used_at IS NULL AND grant_id = $4 \
     RETURNING (SELECT COUNT(*) FROM oauth_grants g WHERE g.id = refresh_tokens.grant_id AND g.revoked_at IS NULL) AS live), \
     access AS (INSERT INTO access_tokens (jti, grant_id, client_id, customer_id, scope, created_at, expires_at) \
     SELECT $3, $4, $5, $6, $7, $8, $9 FROM rotated WHERE rotated.live > 0), \
     refresh AS (INSERT INTO refresh_tokens (token_hash, grant_id, created_at) \
     SELECT $10, $4, $2 FROM rotated WHERE rotated.live > 0 AND $10 IS NOT NULL) \
     SELECT live FROM rotated";

/// [`Store::rotate_refresh_token`] on SQLite (no data-modifying CTEs): one write
/// transaction of three statements, sent as one batch. `changes()` is the row count of
/// the previous statement: the access token is recorded only if the rotation changed a
/// row and the grant is live, the refresh token only if the access token was recorded.
/// Nothing rotated commits nothing.
///
/// [`Store::rotate_refresh_token`]: super::Store::rotate_refresh_token
const ROTATE_SQLITE: &str = "BEGIN IMMEDIATE; \
     UPDATE refresh_tokens SET used_at = $2, next_hash = $10 WHERE token_hash = $1 AND used_at IS NULL AND grant_id = $4 \
     RETURNING (SELECT COUNT(*) FROM oauth_grants g WHERE g.id = refresh_tokens.grant_id AND g.revoked_at IS NULL); \
     INSERT INTO access_tokens (jti, grant_id, client_id, customer_id, scope, created_at, expires_at) \
     SELECT $3, $4, $5, $6, $7, $8, $9 WHERE changes() = 1 AND EXISTS (SELECT 1 FROM oauth_grants g WHERE g.id = $4 AND g.revoked_at IS NULL); \
     INSERT INTO refresh_tokens (token_hash, grant_id, created_at) SELECT $10, $4, $2 WHERE changes() = 1 AND $10 IS NOT NULL; \
     COMMIT";

/// The unused token that replaced `token_hash` when it was spent after `since` (a
/// retry of that refresh may set it aside: `docs/design/oidc.md` "Retrying a refresh
/// whose answer was lost"). `None` when the token is unused or unknown, was spent at or
/// before `since`, was itself set aside by a retry (no `next_hash`), or its successor has
/// been used: only the immediately previous token of a chain is ever retried.
pub async fn retry_successor(conn: &mut AnyConnection, token_hash: &str, since: UnixMillis) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT n.token_hash FROM refresh_tokens r JOIN refresh_tokens n ON n.token_hash = r.next_hash \
         WHERE r.token_hash = $1 AND r.used_at > $2 AND n.used_at IS NULL AND n.grant_id = r.grant_id",
    )
    .bind(token_hash)
    .bind(since)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(h,)| h))
}

/// A retry's write, in its transaction: sets aside the unused `successor` of `retried`
/// (marked used, with no `next_hash`, so presenting it again is reuse) and makes
/// `next_hash` of `retried` the token the retry issues. Like the rotation, the first
/// statement changes the successor only while it is unused (a parallel use or retry
/// waits for the row and then finds it used) and reads whether the grant is still
/// unrevoked: `None` when the successor was no longer unused, else whether the grant is
/// live. Nothing is changed on `retried` unless the successor was set aside here.
pub async fn set_aside_for_retry(tx: &mut Tx, successor: &str, retried: &str, grant_id: &str, next_hash: Option<&str>, now: UnixMillis) -> Result<Option<bool>> {
    let live: Option<(i64,)> = sqlx::query_as(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND grant_id = $3 \
         RETURNING (SELECT COUNT(*) FROM oauth_grants g WHERE g.id = refresh_tokens.grant_id AND g.revoked_at IS NULL)",
    )
    .bind(successor)
    .bind(now)
    .bind(grant_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((live,)) = live else { return Ok(None) };
    if live > 0 {
        sqlx::query("UPDATE refresh_tokens SET next_hash = $1 WHERE token_hash = $2 AND next_hash = $3")
            .bind(next_hash)
            .bind(retried)
            .bind(successor)
            .execute(&mut **tx)
            .await?;
    }
    Ok(Some(live > 0))
}

/// The grant of a refresh token that was used already (a second use is reuse).
pub async fn used_refresh_token_grant_id(tx: &mut Tx, token_hash: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT grant_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL")
        .bind(token_hash)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(g,)| g))
}

/// Whether a refresh token with this hash was ever recorded, used or not (tests check
/// that a write which must record nothing did not).
#[cfg(test)]
pub(crate) async fn refresh_token_recorded(conn: &mut AnyConnection, token_hash: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT grant_id FROM refresh_tokens WHERE token_hash = $1").bind(token_hash).fetch_optional(&mut *conn).await?;
    Ok(row.is_some())
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

/// What a refresh reads before it signs ([`refresh_context`]).
#[derive(Debug)]
pub struct RefreshContext {
    pub grant: GrantRow,
    /// The sign-in behind an online grant is live (always true for an offline grant).
    pub sign_in_live: bool,
    /// The grant's customer, if the account still exists.
    pub customer: Option<CustomerRow>,
}

/// [`live_grant_of_refresh_token`], whether its sign-in is live and its customer, in one
/// statement (three round trips were the larger part of a refresh's reads).
pub async fn refresh_context(conn: &mut AnyConnection, token_hash: &str, now: UnixMillis) -> Result<Option<RefreshContext>> {
    let Some(row) = sqlx::query(&REFRESH_CONTEXT).bind(token_hash).bind(now).fetch_optional(&mut *conn).await? else { return Ok(None) };
    let grant = GrantRow {
        id: row.try_get("g_id")?,
        client_id: row.try_get("g_client_id")?,
        customer_id: row.try_get("g_customer_id")?,
        sid: row.try_get("g_sid")?,
        scope: row.try_get("g_scope")?,
        nonce: row.try_get("g_nonce")?,
        auth_time: row.try_get("g_auth_time")?,
        acr: row.try_get("g_acr")?,
        amr: row.try_get("g_amr")?,
        created_at: row.try_get("g_created_at")?,
        expires_at: row.try_get("g_expires_at")?,
        revoked_at: row.try_get("g_revoked_at")?,
        actor_id: row.try_get("g_actor_id")?,
        delegation_id: row.try_get("g_delegation_id")?,
        support_access_id: row.try_get("g_support_access_id")?,
    };
    let live_sign_ins: i64 = row.try_get("live_sign_ins")?;
    let customer = match row.try_get::<Option<String>, _>("id")? {
        Some(_) => Some(CustomerRow::from_row(&row)?),
        None => None,
    };
    Ok(Some(RefreshContext { sign_in_live: grant.sid.is_none() || live_sign_ins > 0, grant, customer }))
}

/// The statement of [`refresh_context`]: the grant's columns as `g_<name>`, the
/// customer's under their own names (absent when the account is gone).
static REFRESH_CONTEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let grant: Vec<String> = GRANT_COLUMNS.split(',').map(str::trim).map(|c| format!("g.{c} AS g_{c}")).collect();
    let customer: Vec<String> = super::customers::COLUMNS.split(',').map(str::trim).map(|c| format!("c.{c} AS {c}")).collect();
    format!(
        "SELECT {}, {}, (SELECT COUNT(*) FROM sessions s WHERE s.sid = g.sid AND s.expires_at > $2) AS live_sign_ins \
         FROM refresh_tokens r JOIN oauth_grants g ON g.id = r.grant_id LEFT JOIN customers c ON c.id = g.customer_id \
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND g.revoked_at IS NULL AND g.expires_at > $2",
        grant.join(", "),
        customer.join(", ")
    )
});
