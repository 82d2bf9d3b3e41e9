//! Rows of households: `households`, `household_members`, `household_invitations`
//! (rules in [`crate::households::household`]). Guardianships and hand-over claims are in
//! `store::guardians`, delegations in `store::delegations`.

use sqlx::{AnyConnection, FromRow};

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// A customer's membership: which household, in which role.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MembershipRow {
    pub household_id: String,
    pub name: String,
    pub role: String,
    pub joined_at: UnixMillis,
}

/// A member as the household page lists them (names are the member's own profile).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MemberRow {
    pub customer_id: String,
    pub role: String,
    pub joined_at: UnixMillis,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub email: String,
    pub birth_date: Option<String>,
}

/// An invitation as stored (the token only as its hash).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub household_id: String,
    pub email_normalized: String,
    pub invited_by: Option<String>,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub accepted_at: Option<UnixMillis>,
    pub revoked_at: Option<UnixMillis>,
}

const INVITATION: &str = "id, household_id, email_normalized, invited_by, created_at, expires_at, accepted_at, revoked_at";

/// The customer's memberships, oldest first (one by default: `FOYER_HOUSEHOLDS_PER_CUSTOMER`).
pub async fn memberships_of(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<MembershipRow>> {
    Ok(sqlx::query_as(
        "SELECT m.household_id, h.name, m.role, m.joined_at FROM household_members m \
         JOIN households h ON h.id = m.household_id WHERE m.customer_id = $1 ORDER BY m.joined_at, m.household_id",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?)
}

/// The customer's role in one household, if a member.
pub async fn role_in(conn: &mut AnyConnection, household_id: &str, customer_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT role FROM household_members WHERE household_id = $1 AND customer_id = $2")
        .bind(household_id)
        .bind(customer_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(r,)| r))
}

/// Every member of a household with the names their profile holds, owner first.
pub async fn members(conn: &mut AnyConnection, household_id: &str) -> Result<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT m.customer_id, m.role, m.joined_at, c.given_name, c.family_name, c.display_name, c.email, c.birth_date \
         FROM household_members m JOIN customers c ON c.id = m.customer_id WHERE m.household_id = $1 \
         ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'adult' THEN 1 ELSE 2 END, m.joined_at, m.customer_id",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_household(tx: &mut Tx, id: &str, name: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO households (id, name, created_at) VALUES ($1, $2, $3)").bind(id).bind(name).bind(now).execute(&mut **tx).await?;
    Ok(())
}

pub async fn rename(tx: &mut Tx, household_id: &str, name: &str) -> Result<()> {
    sqlx::query("UPDATE households SET name = $1 WHERE id = $2").bind(name).bind(household_id).execute(&mut **tx).await?;
    Ok(())
}

/// Deletes a household left without members (invitations and delegations go with it).
pub async fn delete_if_empty(tx: &mut Tx, household_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM households WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM household_members WHERE household_id = $1)")
        .bind(household_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(done == 1)
}

pub async fn insert_member(tx: &mut Tx, household_id: &str, customer_id: &str, role: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO household_members (household_id, customer_id, role, joined_at) VALUES ($1, $2, $3, $4)")
        .bind(household_id)
        .bind(customer_id)
        .bind(role)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_role(tx: &mut Tx, household_id: &str, customer_id: &str, role: &str) -> Result<()> {
    sqlx::query("UPDATE household_members SET role = $1 WHERE household_id = $2 AND customer_id = $3")
        .bind(role)
        .bind(household_id)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes one membership; whether there was one.
pub async fn delete_member(tx: &mut Tx, household_id: &str, customer_id: &str) -> Result<bool> {
    let n = sqlx::query("DELETE FROM household_members WHERE household_id = $1 AND customer_id = $2")
        .bind(household_id)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn insert_invitation(tx: &mut Tx, row: &InvitationRow, token_hash: &str) -> Result<()> {
    sqlx::query(&format!("INSERT INTO household_invitations ({INVITATION}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
        .bind(&row.id)
        .bind(&row.household_id)
        .bind(&row.email_normalized)
        .bind(&row.invited_by)
        .bind(row.created_at)
        .bind(row.expires_at)
        .bind(row.accepted_at)
        .bind(row.revoked_at)
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The invitation a link's hash names, whatever its state (the caller says why it fails).
pub async fn invitation_by_hash(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<InvitationRow>> {
    Ok(sqlx::query_as(&format!("SELECT {INVITATION} FROM household_invitations WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(conn)
        .await?)
}

/// The household's invitations still open at `now` (not accepted, revoked or expired).
pub async fn open_invitations(conn: &mut AnyConnection, household_id: &str, now: UnixMillis) -> Result<Vec<InvitationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INVITATION} FROM household_invitations WHERE household_id = $1 AND accepted_at IS NULL \
         AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at"
    ))
    .bind(household_id)
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Takes an invitation for `customer_id`: only while open, exactly once (a conditional
/// update, so two acceptances in parallel cannot both win).
pub async fn accept_invitation(tx: &mut Tx, id: &str, customer_id: &str, now: UnixMillis) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE household_invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(customer_id)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Revokes an open invitation of the household; whether one was open.
pub async fn revoke_invitation(tx: &mut Tx, household_id: &str, id: &str, now: UnixMillis) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE household_invitations SET revoked_at = $1 WHERE id = $2 AND household_id = $3 \
         AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(household_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

impl Store {
    /// How many open invitations a household has (a cap against mail flooding).
    pub async fn open_invitation_count(&self, household_id: &str, now: UnixMillis) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM household_invitations WHERE household_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(household_id)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }
}

/// A live guardianship as the household needs it: who looks after whom.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GuardianLink {
    pub managed_id: String,
    pub guardian_id: String,
}

/// The live guardianships over the household's managed members.
pub async fn guardian_links(conn: &mut AnyConnection, household_id: &str) -> Result<Vec<GuardianLink>> {
    Ok(sqlx::query_as(
        "SELECT g.managed_id, g.guardian_id FROM guardianships g JOIN household_members m ON m.customer_id = g.managed_id \
         WHERE m.household_id = $1 AND g.ended_at IS NULL ORDER BY g.created_at, g.id",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_guardianship(tx: &mut Tx, id: &str, managed_id: &str, guardian_id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO guardianships (id, managed_id, guardian_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(managed_id)
        .bind(guardian_id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| if super::is_unique_violation(&e) { crate::Error::Conflict("this guardian") } else { e.into() })?;
    Ok(())
}

/// Ends the guardian's live guardianships (all, or over one member); how many ended.
pub async fn end_guardianships(tx: &mut Tx, guardian_id: &str, managed_id: Option<&str>, reason: &str, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE guardianships SET ended_at = $1, end_reason = $2 WHERE guardian_id = $3 AND ended_at IS NULL \
         AND ($4 IS NULL OR managed_id = $4)",
    )
    .bind(now)
    .bind(reason)
    .bind(guardian_id)
    .bind(managed_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// A delegation that was live and is now revoked (ids for events and grants).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct EndedDelegation {
    pub id: String,
    pub principal_id: String,
    pub delegate_id: String,
}

/// Revokes every live delegation of the household that `customer_id` gave or holds
/// (leaving, removal); returns them so their grants end too.
pub async fn revoke_delegations_involving(tx: &mut Tx, household_id: &str, customer_id: &str, reason: &str, now: UnixMillis) -> Result<Vec<EndedDelegation>> {
    tx.revokes();
    Ok(sqlx::query_as(
        "UPDATE delegations SET revoked_at = $1, revoke_reason = $2 WHERE household_id = $3 AND revoked_at IS NULL \
         AND (principal_id = $4 OR delegate_id = $4) RETURNING id, principal_id, delegate_id",
    )
    .bind(now)
    .bind(reason)
    .bind(household_id)
    .bind(customer_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// The household's name, if it exists.
pub async fn household_name(conn: &mut AnyConnection, household_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM households WHERE id = $1").bind(household_id).fetch_optional(conn).await?;
    Ok(row.map(|(n,)| n))
}

/// Forgets invitations that ended (accepted, withdrawn or expired) more than 30 days
/// before `now`: they name an invited address. Returns how many went.
pub async fn prune_invitations(tx: &mut Tx, now: UnixMillis) -> Result<u64> {
    const KEEP_MS: i64 = 30 * 24 * 3_600_000;
    let before = now - KEEP_MS;
    Ok(sqlx::query(
        "DELETE FROM household_invitations WHERE expires_at < $1 OR accepted_at < $1 OR revoked_at < $1",
    )
    .bind(before)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// The members of the household who granted the group purpose `purpose_key` (its whole,
/// not a channel) and have not withdrawn it.
pub async fn members_sharing_names(conn: &mut AnyConnection, household_id: &str, purpose_key: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT m.customer_id FROM household_members m JOIN consent_state s ON s.customer_id = m.customer_id \
         JOIN purposes p ON p.id = s.purpose_id WHERE m.household_id = $1 AND p.brand_id IS NULL AND p.key = $2 \
         AND s.channel = '' AND s.decision = 'granted'",
    )
    .bind(household_id)
    .bind(purpose_key)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
