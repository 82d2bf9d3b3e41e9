//! Rows of the `signing_keys` table (the JOSE keys of `jose`): one row per key, its
//! private half sealed with the master key. Writes that race between nodes (first
//! start, rotation) are conditional, so the loser's statement changes nothing.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// A key's row without its secret (for listings and tests).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: String,
    pub created_at: UnixMillis,
    pub activates_at: UnixMillis,
    pub retires_at: Option<UnixMillis>,
    pub expires_at: Option<UnixMillis>,
}

/// A row as stored; `private_key_sealed` is ciphertext.
#[derive(Debug, FromRow)]
pub(crate) struct KeyRow {
    pub kid: String,
    pub alg: String,
    pub private_key_sealed: String,
    pub public_jwk: String,
    pub activates_at: UnixMillis,
    pub retires_at: Option<UnixMillis>,
    pub expires_at: Option<UnixMillis>,
}

/// A new key to insert: `sealed` is the private key sealed to its kid and alg.
pub(crate) struct NewKeyRow<'a> {
    pub kid: &'a str,
    pub alg: &'a str,
    pub sealed: &'a str,
    pub public_jwk: &'a str,
    pub created_at: UnixMillis,
    pub activates_at: UnixMillis,
}

/// Every key not expired at `now`, latest activation first.
pub(crate) async fn unexpired(store: &Store, now: UnixMillis) -> Result<Vec<KeyRow>> {
    Ok(sqlx::query_as(
        "SELECT kid, alg, private_key_sealed, public_jwk, activates_at, retires_at, expires_at FROM signing_keys \
         WHERE expires_at IS NULL OR expires_at > $1 ORDER BY activates_at DESC, kid",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?)
}

/// Every key, newest first, without secrets.
pub async fn list(store: &Store) -> Result<Vec<KeyInfo>> {
    Ok(sqlx::query_as(
        "SELECT kid, alg, created_at, activates_at, retires_at, expires_at FROM signing_keys \
         ORDER BY created_at DESC, kid",
    )
    .fetch_all(store.pool())
    .await?)
}

/// The current (unretired) keys: at most one per algorithm (a partial unique index).
pub async fn current(store: &Store) -> Result<Vec<KeyInfo>> {
    Ok(sqlx::query_as(
        "SELECT kid, alg, created_at, activates_at, retires_at, expires_at FROM signing_keys WHERE retires_at IS NULL",
    )
    .fetch_all(store.pool())
    .await?)
}

/// What a node's loaded key set depends on besides the time: every row's kid and times
/// (a kid's key material never changes). Nodes compare it every
/// [`crate::jose::KEY_CHECK_MS`] and reload when it moved.
pub(crate) async fn version(store: &Store) -> Result<String> {
    let rows: Vec<(String, UnixMillis, Option<UnixMillis>, Option<UnixMillis>)> =
        sqlx::query_as("SELECT kid, activates_at, retires_at, expires_at FROM signing_keys ORDER BY kid").fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|(kid, activates, retires, expires)| format!("{kid}:{activates}:{retires:?}:{expires:?};")).collect())
}

/// Withdraws a key at `now` (retires and expires it, unless already earlier); `false`
/// when no key has the kid. When it was signing and its successor is waiting to
/// activate (`keys rotate --now` a moment ago), the successor signs from `now`: a
/// withdrawal never leaves an algorithm without a key.
pub(crate) async fn expire(tx: &mut Tx, kid: &str, now: UnixMillis) -> Result<bool> {
    // The waiting successor of `kid` if `kid` signs now (the signing key itself has
    // `activates_at <= now`, so it is never the one brought forward).
    sqlx::query(
        "UPDATE signing_keys SET activates_at = $1 WHERE retires_at IS NULL AND activates_at > $1 AND alg = \
         (SELECT s.alg FROM signing_keys s WHERE s.kid = $2 AND s.activates_at <= $1 AND (s.retires_at IS NULL OR s.retires_at > $1))",
    )
    .bind(now)
    .bind(kid)
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query(
        "UPDATE signing_keys SET \
         retires_at = CASE WHEN retires_at IS NULL OR retires_at > $1 THEN $1 ELSE retires_at END, \
         expires_at = CASE WHEN expires_at IS NULL OR expires_at > $1 THEN $1 ELSE expires_at END \
         WHERE kid = $2",
    )
    .bind(now)
    .bind(kid)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes keys whose `expires_at` has passed; returns how many.
pub(crate) async fn remove_expired(store: &Store, now: UnixMillis) -> Result<u64> {
    let done = sqlx::query("DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1")
        .bind(now)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Retires `kid` at `retires_at` (and expires it at `expires_at`) if it is still
/// current; `false` when another node rotated it first.
pub(crate) async fn retire_if_current(tx: &mut Tx, kid: &str, retires_at: UnixMillis, expires_at: UnixMillis) -> Result<bool> {
    let retired = sqlx::query("UPDATE signing_keys SET retires_at = $1, expires_at = $2 WHERE kid = $3 AND retires_at IS NULL")
        .bind(retires_at)
        .bind(expires_at)
        .bind(kid)
        .execute(&mut **tx)
        .await?;
    Ok(retired.rows_affected() == 1)
}

/// Inserts a key unless another current key for its algorithm exists (the index);
/// `false` when another node created it first.
pub(crate) async fn insert_unless_current(tx: &mut Tx, row: &NewKeyRow<'_>) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO signing_keys (kid, alg, private_key_sealed, public_jwk, created_at, activates_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(row.kid)
    .bind(row.alg)
    .bind(row.sealed)
    .bind(row.public_jwk)
    .bind(row.created_at)
    .bind(row.activates_at)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Raw access for the key tests: an attacker who can write to the database.
#[cfg(test)]
pub(crate) mod tamper {
    use super::Store;

    /// `(kid, alg, private_key_sealed, public_jwk)` of every row, by kid.
    pub(crate) async fn raw_rows(store: &Store) -> Vec<(String, String, String, String)> {
        sqlx::query_as("SELECT kid, alg, private_key_sealed, public_jwk FROM signing_keys ORDER BY kid")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    pub(crate) async fn set_sealed(store: &Store, kid: &str, sealed: &str) {
        sqlx::query("UPDATE signing_keys SET private_key_sealed = $1 WHERE kid = $2").bind(sealed).bind(kid).execute(store.pool()).await.unwrap();
    }

    pub(crate) async fn set_public_jwk(store: &Store, kid: &str, jwk: &str) {
        sqlx::query("UPDATE signing_keys SET public_jwk = $1 WHERE kid = $2").bind(jwk).bind(kid).execute(store.pool()).await.unwrap();
    }

    /// Runs one statement on the administrative connection (create or drop a test database).
    pub(crate) async fn admin(store: &Store, sql: &str) {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
    }
}
