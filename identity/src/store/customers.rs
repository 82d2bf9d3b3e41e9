//! Rows of the `customers` table.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// Every column, in [`CustomerRow`] order.
pub const COLUMNS: &str = "id, email, email_normalized, given_name, family_name, password_hash, email_verified, \
     created_at, updated_at, display_name, preferred_language, phone, birth_date, address_street, address_locality, \
     address_region, address_postal_code, address_country, password_version, failed_logins, locked_at, terms_accepted_at";

/// A customer record as stored. The password hash never leaves the core: this type is
/// not `Serialize` and its `Debug` hides personal data.
#[derive(Clone, Default, FromRow)]
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
    pub display_name: Option<String>,
    pub preferred_language: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub address_street: Option<String>,
    pub address_locality: Option<String>,
    pub address_region: Option<String>,
    pub address_postal_code: Option<String>,
    pub address_country: Option<String>,
    pub password_version: i64,
    pub failed_logins: i64,
    pub locked_at: Option<UnixMillis>,
    pub terms_accepted_at: Option<UnixMillis>,
}

impl std::fmt::Debug for CustomerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerRow")
            .field("id", &self.id)
            .field("has_password", &self.password_hash.is_some())
            .field("email_verified", &(self.email_verified == 1))
            .field("locked", &self.locked_at.is_some())
            .finish_non_exhaustive()
    }
}

/// Inserts unless the normalised email exists; returns whether a row was written.
pub async fn insert_if_absent(tx: &mut Tx, row: &CustomerRow) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO customers (id, email, email_normalized, given_name, family_name, password_hash, \
         email_verified, created_at, updated_at, terms_accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
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
    .bind(row.terms_accepted_at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_id_tx(tx: &mut Tx, id: &str) -> Result<Option<CustomerRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1")).bind(id).fetch_optional(&mut **tx).await?)
}

/// Sets a new password hash and bumps the password version.
pub async fn set_password(tx: &mut Tx, id: &str, hash: &str, now: UnixMillis) -> Result<()> {
    sqlx::query(
        "UPDATE customers SET password_hash = $1, password_version = password_version + 1, failed_logins = 0, \
         locked_at = NULL, updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn customer_by_email(&self, normalized: &str) -> Result<Option<CustomerRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE email_normalized = $1"))
            .bind(normalized)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn customer_by_id(&self, id: &str) -> Result<Option<CustomerRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1")).bind(id).fetch_optional(self.pool()).await?)
    }

    pub async fn count_customers(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(self.pool()).await?;
        Ok(n)
    }
}
