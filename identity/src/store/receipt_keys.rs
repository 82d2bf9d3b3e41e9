//! Rows of `receipt_keys`: the keys that sign consent receipts. Never deleted (the
//! database refuses it): a receipt signed years ago must still verify.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

#[derive(Clone, FromRow)]
pub struct ReceiptKeyRow {
    pub kid: String,
    pub alg: String,
    pub private_key_sealed: String,
    pub public_jwk: String,
    pub created_at: UnixMillis,
    pub retired_at: Option<UnixMillis>,
}

/// Sealed key material: `Debug` shows the kid only.
impl std::fmt::Debug for ReceiptKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptKeyRow").field("kid", &self.kid).field("retired_at", &self.retired_at).finish_non_exhaustive()
    }
}

const COLUMNS: &str = "kid, alg, private_key_sealed, public_jwk, created_at, retired_at";

/// Every receipt key, oldest first.
pub async fn all(store: &Store) -> Result<Vec<ReceiptKeyRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM receipt_keys ORDER BY created_at, kid")).fetch_all(store.pool()).await?)
}

/// The key that signs now, if any.
pub async fn current(store: &Store) -> Result<Option<ReceiptKeyRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM receipt_keys WHERE retired_at IS NULL")).fetch_optional(store.pool()).await?)
}

/// Inserts a new current key unless another node did first (the partial unique index);
/// `true` when this one was kept.
pub async fn insert_current(tx: &mut Tx, row: &ReceiptKeyRow) -> Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO receipt_keys (kid, alg, private_key_sealed, public_jwk, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, NULL) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&row.kid)
    .bind(&row.alg)
    .bind(&row.private_key_sealed)
    .bind(&row.public_jwk)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Retires the current key (it signs no more; it stays published).
pub async fn retire_current(tx: &mut Tx, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("UPDATE receipt_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(now).execute(&mut **tx).await?.rows_affected())
}
