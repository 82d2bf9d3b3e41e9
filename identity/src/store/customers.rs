//! Rows of the `customers` table, and every statement that reads or changes one.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row as _};

use super::{AnyConnection, Store, Tx, is_unique_violation};
use crate::domain::profile::ProfileForm;
use crate::{Result, UnixMillis};

/// `lock_kind` of a lock after too many failed sign-ins.
pub const LOCK_FAILURES: &str = "failures";
/// `lock_kind` of a lock by a support lead.
pub const LOCK_SUPPORT: &str = "support";

/// Keeps a support lock where a statement lifts the failures lock (a reset, a removed
/// password): only a support lead lifts a support lock.
const KEEP_SUPPORT_LOCK: &str = "locked_at = CASE WHEN lock_kind = 'support' THEN locked_at ELSE NULL END, \
     lock_kind = CASE WHEN lock_kind = 'support' THEN lock_kind ELSE NULL END";

/// Every column, in [`CustomerRow`] order.
pub const COLUMNS: &str = "id, email, email_normalized, given_name, family_name, password_hash, email_verified, \
     created_at, updated_at, display_name, preferred_language, phone, birth_date, address_street, address_locality, \
     address_region, address_postal_code, address_country, password_version, failed_logins, locked_at, terms_accepted_at, zoneinfo, managed, lock_kind";

/// A customer record as stored. The password hash never leaves the core: this type is
/// not `Serialize` and its `Debug` hides personal data.
#[derive(Clone, Default)]
pub struct CustomerRow {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub password_hash: Option<String>,
    /// Stored as 0 or 1 (see the migrations); the store converts.
    pub email_verified: bool,
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
    /// What locked the account: [`LOCK_FAILURES`] (too many failed sign-ins: the mailed
    /// unlock link, a reset or a support lead lifts it) or [`LOCK_SUPPORT`] (a support
    /// lead: only a support lead lifts it). `None` while unlocked.
    pub lock_kind: Option<String>,
    pub terms_accepted_at: Option<UnixMillis>,
    /// The IANA time zone the customer chose (`zoneinfo` claim), if any.
    pub zoneinfo: Option<String>,
    /// A managed household member: no address, no sign-in (`docs/design/household.md`).
    pub managed: bool,
}

impl std::fmt::Debug for CustomerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerRow")
            .field("id", &self.id)
            .field("has_password", &self.password_hash.is_some())
            .field("email_verified", &self.email_verified)
            .field("locked", &self.locked_at.is_some())
            .finish_non_exhaustive()
    }
}

/// Reads the row in [`COLUMNS`] order; `email_verified` is 0 or 1 in the database.
impl FromRow<'_, AnyRow> for CustomerRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            email_normalized: row.try_get("email_normalized")?,
            given_name: row.try_get("given_name")?,
            family_name: row.try_get("family_name")?,
            password_hash: row.try_get("password_hash")?,
            email_verified: row.try_get::<i64, _>("email_verified")? == 1,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            display_name: row.try_get("display_name")?,
            preferred_language: row.try_get("preferred_language")?,
            phone: row.try_get("phone")?,
            birth_date: row.try_get("birth_date")?,
            address_street: row.try_get("address_street")?,
            address_locality: row.try_get("address_locality")?,
            address_region: row.try_get("address_region")?,
            address_postal_code: row.try_get("address_postal_code")?,
            address_country: row.try_get("address_country")?,
            password_version: row.try_get("password_version")?,
            failed_logins: row.try_get("failed_logins")?,
            locked_at: row.try_get("locked_at")?,
            lock_kind: row.try_get("lock_kind")?,
            terms_accepted_at: row.try_get("terms_accepted_at")?,
            zoneinfo: row.try_get("zoneinfo")?,
            managed: row.try_get::<i64, _>("managed")? == 1,
        })
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
    .bind(i64::from(row.email_verified))
    .bind(row.created_at)
    .bind(row.updated_at)
    .bind(row.terms_accepted_at)
    .execute(&mut **tx)
    .await?;
    let written = done.rows_affected() == 1;
    if written {
        super::search::index_new(tx, std::slice::from_ref(&row.id)).await?;
    }
    Ok(written)
}

pub async fn by_id_tx(conn: &mut AnyConnection, id: &str) -> Result<Option<CustomerRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await?)
}

/// The customer and the scopes they approved for `brand_id`, in one statement (UserInfo
/// reads both on every call; two statements were two more round trips). `None` when
/// there is no such customer.
pub async fn with_approved_scopes(conn: &mut AnyConnection, id: &str, brand_id: &str) -> Result<Option<(CustomerRow, Vec<String>)>> {
    // string_agg: PostgreSQL, and SQLite since 3.44. Scope tokens never contain a space.
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT string_agg(scope, ' ') FROM brand_consents WHERE customer_id = $1 AND brand_id = $2) \
         AS approved_scopes FROM customers WHERE id = $3"
    );
    let Some(row) = sqlx::query(&sql).bind(id).bind(brand_id).bind(id).fetch_optional(&mut *conn).await? else { return Ok(None) };
    let approved: Option<String> = row.try_get("approved_scopes")?;
    let approved = approved.map(|s| s.split(' ').map(str::to_owned).collect()).unwrap_or_default();
    Ok(Some((CustomerRow::from_row(&row)?, approved)))
}

/// Sets a new password hash and bumps the password version; lifts a failures lock
/// (never a support lock).
pub async fn set_password(tx: &mut Tx, id: &str, hash: &str, now: UnixMillis) -> Result<()> {
    sqlx::query(&format!(
        "UPDATE customers SET password_hash = $1, password_version = password_version + 1, failed_logins = 0, \
         {KEEP_SUPPORT_LOCK}, updated_at = $2 WHERE id = $3"
    ))
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts the rows whose normalised email is new, in one statement (the caller keeps
/// the batch under the engines' parameter limits); returns the ids written.
pub async fn insert_many_if_absent(tx: &mut Tx, rows: &[CustomerRow]) -> Result<Vec<String>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO customers (id, email, email_normalized, given_name, family_name, phone, password_hash, \
         email_verified, created_at, updated_at) VALUES {} \
         ON CONFLICT (email_normalized) DO NOTHING RETURNING id",
        super::values_placeholders(rows.len(), 10)
    );
    let mut insert = sqlx::query_as::<_, (String,)>(&sql);
    for r in rows {
        insert = insert
            .bind(r.id.clone())
            .bind(r.email.clone())
            .bind(r.email_normalized.clone())
            .bind(r.given_name.clone())
            .bind(r.family_name.clone())
            .bind(r.phone.clone())
            .bind(r.password_hash.clone())
            .bind(i64::from(r.email_verified))
            .bind(r.created_at)
            .bind(r.updated_at);
    }
    let ids: Vec<String> = insert.fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect();
    super::search::index_new(tx, &ids).await?;
    Ok(ids)
}

/// `(email_normalized, id, email_verified)` of the customers among `normalized` addresses.
pub async fn ids_by_emails(conn: &mut sqlx::AnyConnection, normalized: &[&str]) -> Result<Vec<(String, String, bool)>> {
    if normalized.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT email_normalized, id, email_verified FROM customers WHERE email_normalized IN ({})", super::list_placeholders(1, normalized.len()));
    let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
    for email in normalized {
        query = query.bind(*email);
    }
    Ok(query.fetch_all(conn).await?.into_iter().map(|(email, id, verified)| (email, id, verified == 1)).collect())
}

/// Replaces the password hash without a new password version (a rehash on sign-in:
/// reset links stay valid).
pub async fn rehash_password(tx: &mut Tx, id: &str, hash: &str) -> Result<()> {
    sqlx::query("UPDATE customers SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Removes the password (a new version, so reset and unlock links bound to the old one
/// die) and a failures lock (never a support lock); `false` when the account had none.
pub async fn remove_password(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(&format!(
        "UPDATE customers SET password_hash = NULL, password_version = password_version + 1, failed_logins = 0, \
         {KEEP_SUPPORT_LOCK}, updated_at = $1 WHERE id = $2 AND password_hash IS NOT NULL"
    ))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends the count of consecutive failed sign-ins.
pub async fn reset_failures(tx: &mut Tx, id: &str) -> Result<()> {
    sqlx::query("UPDATE customers SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0").bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Counts one more failed sign-in; the new count, or `None` when no such account (the
/// statement runs all the same, so an unknown address costs the same write).
pub async fn count_failure(tx: &mut Tx, id: Option<&str>) -> Result<Option<i64>> {
    let failures: Option<(i64,)> =
        sqlx::query_as("UPDATE customers SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
            .bind(id.unwrap_or(""))
            .fetch_optional(&mut **tx)
            .await?;
    Ok(failures.map(|(f,)| f))
}

/// Locks the account after too many failed sign-ins, unless it is locked already.
pub async fn lock(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE customers SET locked_at = $1, lock_kind = 'failures' WHERE id = $2 AND locked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Lifts a failures lock (the mailed unlock link) and ends the failure count; `false`
/// (nothing written) when a support lead locked the account: only a lead lifts that.
pub async fn unlock(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE customers SET locked_at = NULL, lock_kind = NULL, failed_logins = 0, updated_at = $1 \
         WHERE id = $2 AND (lock_kind IS NULL OR lock_kind <> 'support')",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A support lead's lock (over a failures lock too, keeping its time); `false` (nothing
/// written) when the account is support-locked already.
pub async fn support_lock(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE customers SET locked_at = COALESCE(locked_at, $1), lock_kind = 'support', updated_at = $1 \
         WHERE id = $2 AND (lock_kind IS NULL OR lock_kind <> 'support')",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A support lead lifts any lock and ends the failure count; `false` (nothing written)
/// when the account is not locked.
pub async fn support_unlock(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE customers SET locked_at = NULL, lock_kind = NULL, failed_logins = 0, updated_at = $1 \
         WHERE id = $2 AND locked_at IS NOT NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Saves the (checked) profile fields.
pub async fn update_profile(tx: &mut Tx, id: &str, p: &ProfileForm, now: UnixMillis) -> Result<()> {
    sqlx::query(
        "UPDATE customers SET given_name = $1, family_name = $2, display_name = $3, preferred_language = $4, \
         phone = $5, birth_date = $6, address_street = $7, address_locality = $8, address_region = $9, \
         address_postal_code = $10, address_country = $11, zoneinfo = $12, updated_at = $13 WHERE id = $14",
    )
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.display_name)
    .bind(&p.preferred_language)
    .bind(&p.phone)
    .bind(&p.birth_date)
    .bind(&p.street)
    .bind(&p.locality)
    .bind(&p.region)
    .bind(&p.postal_code)
    .bind(&p.country)
    .bind(&p.zoneinfo)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    super::search::refresh(tx, &[id.to_owned()]).await
}

/// The id of the account with this normalised email, if any.
pub async fn id_by_email_tx(tx: &mut Tx, normalized: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM customers WHERE email_normalized = $1").bind(normalized).fetch_optional(&mut **tx).await?;
    Ok(row.map(|(id,)| id))
}

/// Sets a confirmed email address; `false` (nothing written) when another account
/// holds it.
pub async fn set_email(tx: &mut Tx, id: &str, email: &str, normalized: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE customers SET email = $1, email_normalized = $2, email_verified = 1, updated_at = $3 WHERE id = $4")
        .bind(email)
        .bind(normalized)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await;
    match done {
        Ok(_) => {
            super::search::refresh(tx, &[id.to_owned()]).await?;
            Ok(true)
        }
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Marks the address confirmed.
pub async fn mark_verified(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE customers SET email_verified = 1, updated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Records the hash of the browser that created the account.
pub async fn set_created_device(tx: &mut Tx, id: &str, device_hash: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE customers SET created_device_hash = $1 WHERE id = $2").bind(device_hash).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// The hash of the browser that created the account, if recorded.
pub async fn created_device(tx: &mut Tx, id: &str) -> Result<Option<String>> {
    let created: Option<(Option<String>,)> =
        sqlx::query_as("SELECT created_device_hash FROM customers WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(created.and_then(|(h,)| h))
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
