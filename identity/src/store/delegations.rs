//! Rows of `delegations` (rules in [`crate::households::delegation`]): grant, renew,
//! revoke, the live delegation between two customers, the lists the household page
//! shows, and the live guardianship a guardian acts through.

use sqlx::{AnyConnection, FromRow};

use super::Tx;
use super::households::EndedDelegation;
use crate::{Result, UnixMillis};

/// A delegation as stored (`permissions`: a JSON array of names).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DelegationRow {
    pub id: String,
    pub household_id: String,
    pub principal_id: String,
    pub delegate_id: String,
    pub permissions: String,
    pub brand_id: Option<String>,
    pub created_at: UnixMillis,
    pub renewed_at: Option<UnixMillis>,
    pub expires_at: UnixMillis,
    pub revoked_at: Option<UnixMillis>,
}

const COLUMNS: &str = "id, household_id, principal_id, delegate_id, permissions, brand_id, created_at, renewed_at, expires_at, revoked_at";

/// A live delegation with what the page shows about the other party and the brand.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ListedDelegation {
    pub id: String,
    pub household_id: String,
    pub principal_id: String,
    pub delegate_id: String,
    pub permissions: String,
    pub brand_slug: Option<String>,
    pub brand_name: Option<String>,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// The other party's names and address (given: the delegate; received: the principal).
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub email: String,
}

pub async fn insert(tx: &mut Tx, row: &DelegationRow) -> Result<()> {
    sqlx::query(&format!("INSERT INTO delegations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(&row.id)
        .bind(&row.household_id)
        .bind(&row.principal_id)
        .bind(&row.delegate_id)
        .bind(&row.permissions)
        .bind(&row.brand_id)
        .bind(row.created_at)
        .bind(row.renewed_at)
        .bind(row.expires_at)
        .bind(row.revoked_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One delegation by id, whatever its state.
pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<DelegationRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM delegations WHERE id = $1")).bind(id).fetch_optional(conn).await?)
}

/// The live delegation (not revoked, not expired at `now`) from `principal_id` to
/// `delegate_id`, if any (at most one: the core refuses a second).
pub async fn live_between(conn: &mut AnyConnection, principal_id: &str, delegate_id: &str, now: UnixMillis) -> Result<Option<DelegationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM delegations WHERE principal_id = $1 AND delegate_id = $2 AND revoked_at IS NULL \
         AND expires_at > $3 ORDER BY created_at DESC, id LIMIT 1"
    ))
    .bind(principal_id)
    .bind(delegate_id)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// The live delegation `id` held by `delegate_id`, if it is live at `now`.
pub async fn live_held(conn: &mut AnyConnection, id: &str, delegate_id: &str, now: UnixMillis) -> Result<Option<DelegationRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM delegations WHERE id = $1 AND delegate_id = $2 AND revoked_at IS NULL AND expires_at > $3"))
        .bind(id)
        .bind(delegate_id)
        .bind(now)
        .fetch_optional(conn)
        .await?)
}

/// Live delegations the customer gave (`given`: the other party is the delegate) or
/// holds (the other party is the principal), soonest expiry first.
pub async fn listed(conn: &mut AnyConnection, customer_id: &str, given: bool, now: UnixMillis) -> Result<Vec<ListedDelegation>> {
    let (mine, other) = if given { ("principal_id", "delegate_id") } else { ("delegate_id", "principal_id") };
    Ok(sqlx::query_as(&format!(
        "SELECT d.id, d.household_id, d.principal_id, d.delegate_id, d.permissions, b.slug AS brand_slug, b.name AS brand_name, \
         d.created_at, d.expires_at, c.given_name, c.family_name, c.display_name, c.email FROM delegations d \
         JOIN customers c ON c.id = d.{other} LEFT JOIN brands b ON b.id = d.brand_id \
         WHERE d.{mine} = $1 AND d.revoked_at IS NULL AND d.expires_at > $2 ORDER BY d.expires_at, d.id"
    ))
    .bind(customer_id)
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Live delegations with `act_at_brand` for `brand_id` that `delegate_id` holds: the
/// consent screen's chooser.
pub async fn live_at_brand(conn: &mut AnyConnection, delegate_id: &str, brand_id: &str, now: UnixMillis) -> Result<Vec<ListedDelegation>> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.household_id, d.principal_id, d.delegate_id, d.permissions, b.slug AS brand_slug, b.name AS brand_name, \
         d.created_at, d.expires_at, c.given_name, c.family_name, c.display_name, c.email FROM delegations d \
         JOIN customers c ON c.id = d.principal_id JOIN brands b ON b.id = d.brand_id \
         WHERE d.delegate_id = $1 AND d.brand_id = $2 AND d.revoked_at IS NULL AND d.expires_at > $3 ORDER BY d.created_at, d.id",
    )
    .bind(delegate_id)
    .bind(brand_id)
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Sets a live delegation's new expiry (the principal's renewal); whether it was live.
pub async fn renew(tx: &mut Tx, id: &str, principal_id: &str, expires_at: UnixMillis, now: UnixMillis) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE delegations SET expires_at = $1, renewed_at = $2 WHERE id = $3 AND principal_id = $4 \
         AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(expires_at)
    .bind(now)
    .bind(id)
    .bind(principal_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Revokes a live delegation that `customer_id` gave or holds; the ended one, if it was.
pub async fn revoke(tx: &mut Tx, id: &str, customer_id: &str, reason: &str, now: UnixMillis) -> Result<Option<EndedDelegation>> {
    tx.revokes();
    Ok(sqlx::query_as(
        "UPDATE delegations SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL \
         AND (principal_id = $4 OR delegate_id = $4) RETURNING id, principal_id, delegate_id",
    )
    .bind(now)
    .bind(reason)
    .bind(id)
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The id of the live guardianship of `guardian_id` over `managed_id`, if any.
pub async fn live_guardianship(conn: &mut AnyConnection, guardian_id: &str, managed_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM guardianships WHERE guardian_id = $1 AND managed_id = $2 AND ended_at IS NULL")
        .bind(guardian_id)
        .bind(managed_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// The managed members `guardian_id` looks after (live guardianships), with their names.
pub async fn wards(conn: &mut AnyConnection, guardian_id: &str) -> Result<Vec<(String, Option<String>, Option<String>, Option<String>, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.given_name, c.family_name, c.display_name, c.email FROM guardianships g JOIN customers c ON c.id = g.managed_id \
         WHERE g.guardian_id = $1 AND g.ended_at IS NULL ORDER BY g.created_at, g.id",
    )
    .bind(guardian_id)
    .fetch_all(conn)
    .await?)
}
