//! Rows of the `customers` table.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// A customer record as stored. The password hash never leaves the core: this type is
/// not `Serialize` and its `Debug` hides personal data.
#[derive(Clone, FromRow)]
pub struct CustomerRow {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub password_hash: Option<String>,
    /// 0 or 1 (see the migrations).
    pub email_verified: i64,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

impl std::fmt::Debug for CustomerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerRow")
            .field("id", &self.id)
            .field("has_password", &self.password_hash.is_some())
            .field("email_verified", &(self.email_verified == 1))
            .finish_non_exhaustive()
    }
}

/// Inserts unless the normalised email exists; returns whether a row was written.
pub async fn insert_if_absent(tx: &mut Tx, row: &CustomerRow) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO customers (id, email, email_normalized, given_name, family_name, password_hash, \
         email_verified, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (email_normalized) DO NOTHING",
    )
    .bind(&row.id)
    .bind(&row.email)
    .bind(&row.email_normalized)
    .bind(&row.given_name)
    .bind(&row.family_name)
    .bind(&row.password_hash)
    .bind(row.email_verified)
    .bind(row.created_at)
    .bind(row.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    pub async fn customer_by_email(&self, normalized: &str) -> Result<Option<CustomerRow>> {
        Ok(sqlx::query_as(
            "SELECT id, email, email_normalized, given_name, family_name, password_hash, email_verified, \
             created_at, updated_at FROM customers WHERE email_normalized = $1",
        )
        .bind(normalized)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn count_customers(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(self.pool()).await?;
        Ok(n)
    }
}
