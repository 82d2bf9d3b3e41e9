//! Rows of the `staff` table (support agents and administrators).

use sqlx::FromRow;

use super::{Store, Tx, is_unique_violation};
use crate::{Error, Result, UnixMillis};

#[derive(Clone, FromRow)]
pub struct StaffRow {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: UnixMillis,
}

impl std::fmt::Debug for StaffRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffRow").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

pub async fn insert(tx: &mut Tx, row: &StaffRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff (id, email, email_normalized, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&row.id)
    .bind(&row.email)
    .bind(&row.email_normalized)
    .bind(&row.role)
    .bind(&row.password_hash)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { Error::Conflict("a staff account with this email") } else { e.into() })?;
    Ok(())
}

impl Store {
    pub async fn staff_by_email(&self, normalized: &str) -> Result<Option<StaffRow>> {
        Ok(sqlx::query_as(
            "SELECT id, email, email_normalized, role, password_hash, created_at FROM staff WHERE email_normalized = $1",
        )
        .bind(normalized)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn count_staff(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff").fetch_one(self.pool()).await?;
        Ok(n)
    }
}
