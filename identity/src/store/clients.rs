//! Rows of the `oauth_clients` table (the OIDC client registry in `oidc::clients`), and
//! the `client_assertion_jtis` a client's `private_key_jwt` assertions used.

use sqlx::FromRow;

use super::{AnyConnection, Store, Tx};
use crate::{Result, UnixMillis};

/// The `oauth_clients` row with the brand's slug. It holds the secret hashes: its `Debug`
/// shows only ids, and `oidc::clients` turns it into a `Client` without them.
#[derive(Clone, Default, FromRow)]
pub struct ClientRow {
    pub id: String,
    pub brand_id: String,
    pub brand_slug: String,
    pub name: String,
    pub kind: String,
    pub auth_method: String,
    pub secret_hash: Option<String>,
    pub previous_secret_hash: Option<String>,
    pub previous_secret_expires_at: Option<i64>,
    pub jwks: Option<String>,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub backchannel_logout_uri: Option<String>,
    pub allowed_scopes: String,
    pub grant_types: String,
    pub subject_type: String,
    pub id_token_alg: String,
    pub access_token_ttl_s: i64,
    pub id_token_ttl_s: i64,
    pub refresh_token_ttl_s: i64,
    pub token_rate_per_second: Option<i64>,
    pub token_burst: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub disabled_at: Option<i64>,
    /// 1: the client opted in to delegated tokens (`--allow-delegation`).
    pub allow_delegation: i64,
}

impl std::fmt::Debug for ClientRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRow").field("id", &self.id).field("brand_id", &self.brand_id).finish_non_exhaustive()
    }
}

const SELECT: &str = "SELECT c.id, c.brand_id, b.slug AS brand_slug, c.name, c.kind, c.auth_method, c.secret_hash, \
     c.previous_secret_hash, c.previous_secret_expires_at, c.jwks, c.redirect_uris, c.post_logout_redirect_uris, \
     c.backchannel_logout_uri, c.allowed_scopes, c.grant_types, c.subject_type, c.id_token_alg, c.access_token_ttl_s, \
     c.id_token_ttl_s, c.refresh_token_ttl_s, c.token_rate_per_second, c.token_burst, c.created_at, c.updated_at, c.disabled_at, \
     c.allow_delegation FROM oauth_clients c JOIN brands b ON b.id = c.brand_id";

/// Inserts a new client: `created_at` also stands for `updated_at`; the previous secret,
/// `disabled_at` and `brand_slug` (read from `brands`) are not written.
pub async fn insert_client(tx: &mut Tx, row: &ClientRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_clients (id, brand_id, name, kind, auth_method, secret_hash, jwks, redirect_uris, \
         post_logout_redirect_uris, backchannel_logout_uri, allowed_scopes, grant_types, subject_type, id_token_alg, \
         access_token_ttl_s, id_token_ttl_s, refresh_token_ttl_s, created_at, updated_at, token_rate_per_second, token_burst, allow_delegation) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $20, $21)",
    )
    .bind(&row.id)
    .bind(&row.brand_id)
    .bind(&row.name)
    .bind(&row.kind)
    .bind(&row.auth_method)
    .bind(&row.secret_hash)
    .bind(&row.jwks)
    .bind(&row.redirect_uris)
    .bind(&row.post_logout_redirect_uris)
    .bind(&row.backchannel_logout_uri)
    .bind(&row.allowed_scopes)
    .bind(&row.grant_types)
    .bind(&row.subject_type)
    .bind(&row.id_token_alg)
    .bind(row.access_token_ttl_s)
    .bind(row.id_token_ttl_s)
    .bind(row.refresh_token_ttl_s)
    .bind(row.created_at)
    .bind(row.token_rate_per_second)
    .bind(row.token_burst)
    .bind(row.allow_delegation)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets a client's own token-endpoint rate and burst (`NULL`: the server's setting);
/// `false` when no client has the id.
pub async fn set_client_token_rate(tx: &mut Tx, id: &str, per_second: Option<i64>, burst: Option<i64>, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_clients SET token_rate_per_second = $1, token_burst = $2, updated_at = $3 WHERE id = $4")
        .bind(per_second)
        .bind(burst)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores a new secret hash. The current one becomes the previous one until `keep_until`,
/// or dies now when `keep_until` is `None`. One statement: the old hash moves (or dies) and
/// the new one lands atomically. `false` when no enabled client with a secret has the id.
pub async fn rotate_client_secret(
    tx: &mut Tx,
    id: &str,
    hash: &str,
    keep_until: Option<UnixMillis>,
    now: UnixMillis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE oauth_clients SET previous_secret_hash = CASE WHEN $1 = 1 THEN secret_hash ELSE NULL END, \
         previous_secret_expires_at = $2, secret_hash = $3, updated_at = $4 \
         WHERE id = $5 AND disabled_at IS NULL AND secret_hash IS NOT NULL",
    )
    .bind(i64::from(keep_until.is_some()))
    .bind(keep_until)
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a client's redirect URIs (a JSON array); `false` when no enabled client
/// has the id.
pub async fn set_client_redirect_uris(tx: &mut Tx, id: &str, uris_json: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_clients SET redirect_uris = $1, updated_at = $2 WHERE id = $3 AND disabled_at IS NULL")
        .bind(uris_json)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets whether the client receives delegated tokens; `false` when no client has the id.
pub async fn set_client_allow_delegation(tx: &mut Tx, id: &str, allow: bool, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_clients SET allow_delegation = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(allow))
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a client disabled; `false` when no enabled client has the id.
pub async fn disable_client(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    tx.revokes();
    let done = sqlx::query("UPDATE oauth_clients SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND disabled_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The client row, read inside a write transaction (SQLite: no second connection needed).
pub async fn client_by_id_tx(conn: &mut AnyConnection, id: &str) -> Result<Option<ClientRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE c.id = $1")).bind(id).fetch_optional(&mut *conn).await?)
}

/// The ids of the brand's clients (enabled or not).
pub async fn client_ids_of_brand_tx(tx: &mut Tx, brand_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM oauth_clients WHERE brand_id = $1").bind(brand_id).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Remembers an assertion's `jti` until `expires_at`; `false` if the client used it before.
pub async fn note_assertion_jti(tx: &mut Tx, client_id: &str, jti: &str, expires_at: UnixMillis) -> Result<bool> {
    let done = sqlx::query("INSERT INTO client_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(client_id)
        .bind(jti)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets assertion ids expired at `now`; returns how many.
pub async fn prune_assertion_jtis(tx: &mut Tx, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM client_assertion_jtis WHERE expires_at <= $1").bind(now).execute(&mut **tx).await?.rows_affected())
}

impl Store {
    pub async fn client_by_id(&self, id: &str) -> Result<Option<ClientRow>> {
        Ok(sqlx::query_as(&format!("{SELECT} WHERE c.id = $1")).bind(id).fetch_optional(self.pool()).await?)
    }

    /// Every client, or those of the brand with this slug.
    pub async fn list_clients(&self, brand_slug: Option<&str>) -> Result<Vec<ClientRow>> {
        let rows = match brand_slug {
            Some(slug) => {
                sqlx::query_as(&format!("{SELECT} WHERE b.slug = $1 ORDER BY c.created_at, c.id"))
                    .bind(slug)
                    .fetch_all(self.pool())
                    .await?
            }
            None => sqlx::query_as(&format!("{SELECT} ORDER BY b.slug, c.created_at, c.id")).fetch_all(self.pool()).await?,
        };
        Ok(rows)
    }
}
