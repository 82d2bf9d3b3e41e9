//! Rows of the staff tables: `staff` (support agents and administrators), their
//! one-time enrolment links, their authenticator apps and their sessions.

use sqlx::FromRow;

use super::{Store, Tx, is_unique_violation};
use crate::{Error, Result, UnixMillis};

#[derive(Clone, FromRow)]
pub struct StaffRow {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub name: Option<String>,
    pub role: String,
    /// `None` until the staff member enrols from the link.
    pub password_hash: Option<String>,
    pub created_at: UnixMillis,
    pub enrolled_at: Option<UnixMillis>,
    /// Set when the staff member was disabled (`foyer admin disable`).
    #[sqlx(default)]
    pub disabled_at: Option<UnixMillis>,
}

impl std::fmt::Debug for StaffRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffRow").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, email, email_normalized, name, role, password_hash, created_at, enrolled_at, disabled_at";

pub async fn insert(tx: &mut Tx, row: &StaffRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff (id, email, email_normalized, name, role, password_hash, created_at, enrolled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.id)
    .bind(&row.email)
    .bind(&row.email_normalized)
    .bind(&row.name)
    .bind(&row.role)
    .bind(&row.password_hash)
    .bind(row.created_at)
    .bind(row.enrolled_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { Error::Conflict("a staff account with this email") } else { e.into() })?;
    Ok(())
}

/// Stores an enrolment link (its hash) for `staff_id`.
pub async fn insert_enrolment(tx: &mut Tx, token_hash: &str, staff_id: &str, now: UnixMillis, expires_at: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO staff_enrolments (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(staff_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Spends a live enrolment link: its staff id, or `None` when it is unknown, used or
/// expired. Conditional, so two concurrent uses cannot both win.
pub async fn spend_enrolment(tx: &mut Tx, token_hash: &str, now: UnixMillis) -> Result<Option<String>> {
    let spent: Option<(String,)> = sqlx::query_as(
        "UPDATE staff_enrolments SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING staff_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(spent.map(|(id,)| id))
}

/// Sets the password and marks the account enrolled.
pub async fn set_enrolled(tx: &mut Tx, staff_id: &str, password_hash: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE staff SET password_hash = $1, enrolled_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(staff_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A staff member's authenticator app (sealed secret).
#[derive(FromRow)]
pub struct StaffTotpRow {
    pub secret_sealed: String,
    pub confirmed_at: Option<UnixMillis>,
    pub last_used_step: i64,
}

impl std::fmt::Debug for StaffTotpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffTotpRow").field("confirmed_at", &self.confirmed_at).finish_non_exhaustive()
    }
}

pub async fn totp_tx(tx: &mut Tx, staff_id: &str) -> Result<Option<StaffTotpRow>> {
    Ok(sqlx::query_as("SELECT secret_sealed, confirmed_at, last_used_step FROM staff_totp WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Confirms the app with its first accepted step.
pub async fn confirm_totp(tx: &mut Tx, staff_id: &str, step: i64, now: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE staff_totp SET confirmed_at = $1, last_used_step = $2 WHERE staff_id = $3 AND confirmed_at IS NULL")
        .bind(now)
        .bind(step)
        .bind(staff_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Spends time step `step` of a confirmed app; `false` when it (or a later one) was
/// already used: two concurrent uses of one code cannot both win.
pub async fn use_totp_step(tx: &mut Tx, staff_id: &str, step: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE staff_totp SET last_used_step = $1 WHERE staff_id = $2 AND confirmed_at IS NOT NULL AND last_used_step < $1")
        .bind(step)
        .bind(staff_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The columns of a staff session record the store writes besides its data.
#[derive(Debug, Clone, Copy)]
pub struct StaffSessionWrite<'a> {
    pub id_hash: &'a str,
    pub data: &'a str,
    pub expires_at: UnixMillis,
    pub staff_id: Option<&'a str>,
    pub now: UnixMillis,
}

/// A stored staff session record.
#[derive(Debug, FromRow)]
pub struct StoredStaffSession {
    pub data: String,
    pub expires_at: UnixMillis,
}

impl Store {
    pub async fn staff_by_email(&self, normalized: &str) -> Result<Option<StaffRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE email_normalized = $1"))
            .bind(normalized)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn staff_by_id(&self, id: &str) -> Result<Option<StaffRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE id = $1")).bind(id).fetch_optional(self.pool()).await?)
    }

    pub async fn count_staff(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff").fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// The staff member a live (unused, unexpired) enrolment link names.
    pub async fn staff_enrolment(&self, token_hash: &str, now: UnixMillis) -> Result<Option<StaffRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM staff WHERE id = (SELECT staff_id FROM staff_enrolments \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn staff_totp(&self, staff_id: &str) -> Result<Option<StaffTotpRow>> {
        Ok(sqlx::query_as("SELECT secret_sealed, confirmed_at, last_used_step FROM staff_totp WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Stores a new unconfirmed app secret, unless one is stored already; returns the
    /// sealed secret in place (so showing the enrolment page twice shows one secret).
    pub async fn staff_totp_start(&self, staff_id: &str, sealed: &str, now: UnixMillis) -> Result<StaffTotpRow> {
        self.write(
            sqlx::query("INSERT INTO staff_totp (staff_id, secret_sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (staff_id) DO NOTHING")
                .bind(staff_id.to_owned())
                .bind(sealed.to_owned())
                .bind(now),
        )
        .await?;
        self.staff_totp(staff_id).await?.ok_or(Error::NotFound("authenticator app"))
    }

    /// Inserts a new staff session record; `false` when the id is taken.
    pub async fn staff_session_create(&self, w: StaffSessionWrite<'_>) -> Result<bool> {
        let sql = "INSERT INTO staff_sessions (id_hash, data, expires_at, staff_id, created_at, last_seen_at) \
                   VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id_hash) DO NOTHING";
        Ok(self.staff_session_bind(sql, w).await? == 1)
    }

    /// Replaces a live record only: a session ended (signed out, expired) while a
    /// request ran stays ended.
    pub async fn staff_session_save(&self, w: StaffSessionWrite<'_>) -> Result<bool> {
        let sql = "UPDATE staff_sessions SET data = $2, expires_at = $3, staff_id = $4, last_seen_at = $5 \
                   WHERE id_hash = $1 AND expires_at > $5";
        Ok(self.staff_session_bind(sql, w).await? == 1)
    }

    async fn staff_session_bind(&self, sql: &'static str, w: StaffSessionWrite<'_>) -> Result<u64> {
        self.write(sqlx::query(sql).bind(w.id_hash.to_owned()).bind(w.data.to_owned()).bind(w.expires_at).bind(w.staff_id.map(str::to_owned)).bind(w.now))
            .await
    }

    /// The record, unless missing or past its deadline.
    pub async fn staff_session_load(&self, id_hash: &str, now: UnixMillis) -> Result<Option<StoredStaffSession>> {
        Ok(sqlx::query_as("SELECT data, expires_at FROM staff_sessions WHERE id_hash = $1 AND expires_at > $2")
            .bind(id_hash)
            .bind(now)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn staff_session_delete(&self, id_hash: &str) -> Result<()> {
        self.write(sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1").bind(id_hash.to_owned())).await?;
        Ok(())
    }

    /// Deletes staff sessions past their deadline.
    pub async fn staff_sessions_sweep(&self, now: UnixMillis) -> Result<u64> {
        self.write(sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1").bind(now)).await
    }
}

/// Grants a brand administrator a brand; `false` when they already had it.
/// Changes the role; a role other than brand administrator holds no brands.
pub async fn set_role(tx: &mut Tx, staff_id: &str, role: &str) -> Result<()> {
    sqlx::query("UPDATE staff SET role = $1 WHERE id = $2").bind(role).bind(staff_id).execute(&mut **tx).await?;
    if role != "brand_admin" {
        sqlx::query("DELETE FROM staff_brands WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Disables the staff member and ends their sessions; `false` if already disabled.
pub async fn disable(tx: &mut Tx, staff_id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE staff SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL").bind(now).bind(staff_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn grant_brand(tx: &mut Tx, staff_id: &str, brand_id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("INSERT INTO staff_brands (staff_id, brand_id, granted_at) VALUES ($1, $2, $3) ON CONFLICT (staff_id, brand_id) DO NOTHING")
        .bind(staff_id)
        .bind(brand_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The ids of the brands granted to a staff member.
pub async fn brands_of(conn: &mut sqlx::AnyConnection, staff_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT brand_id FROM staff_brands WHERE staff_id = $1 ORDER BY brand_id").bind(staff_id).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(b,)| b).collect())
}
