//! Rows of managed members: the `customers` row of a managed member (no address, no
//! password), live `guardianships`, the coming-of-age notice (`majority_notice_at`) and
//! the hand-over claims (`household_claims`). Rules in [`crate::households::managed`]
//! and [`crate::households::handover`].

use sqlx::{AnyConnection, FromRow};

use super::Tx;
use crate::{Result, UnixMillis};

/// A managed member as its guardian creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewManaged<'a> {
    pub id: &'a str,
    /// `managed:<id>`: not an address.
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: Option<&'a str>,
    pub birth_date: &'a str,
    pub now: UnixMillis,
}

/// Inserts the `customers` row of a managed member: no password, address unconfirmed.
pub async fn insert_managed(tx: &mut Tx, m: &NewManaged<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO customers (id, email, email_normalized, given_name, family_name, birth_date, password_hash, \
         email_verified, managed, created_at, updated_at) VALUES ($1, $2, $2, $3, $4, $5, NULL, 0, 1, $6, $6)",
    )
    .bind(m.id)
    .bind(m.email)
    .bind(m.given_name)
    .bind(m.family_name)
    .bind(m.birth_date)
    .bind(m.now)
    .execute(&mut **tx)
    .await?;
    super::search::index_new(tx, &[m.id.to_owned()]).await
}

/// Takes the managed member's row lock for the rest of `tx` (PostgreSQL; SQLite's
/// writers take turns anyway), so changes to one member's guardians, approvals and the
/// hand-over happen one after the other: two guardians removing each other at once
/// cannot leave the member with none. `false` when the member is no longer managed.
pub async fn lock_member(tx: &mut Tx, managed_id: &str) -> Result<bool> {
    let n = sqlx::query("UPDATE customers SET managed = managed WHERE id = $1 AND managed = 1").bind(managed_id).execute(&mut **tx).await?.rows_affected();
    Ok(n == 1)
}

/// The id of the live guardianship of `guardian_id` over `managed_id`, while the member
/// is still managed (a hand-over ends both at once; either is enough to refuse).
pub async fn live_guardianship(conn: &mut AnyConnection, guardian_id: &str, managed_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT g.id FROM guardianships g JOIN customers c ON c.id = g.managed_id \
         WHERE g.guardian_id = $1 AND g.managed_id = $2 AND g.ended_at IS NULL AND c.managed = 1",
    )
    .bind(guardian_id)
    .bind(managed_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Whether guardianship `id` is live and is `guardian_id`'s over the managed `managed_id`.
pub async fn guardianship_is_live(conn: &mut AnyConnection, id: &str, guardian_id: &str, managed_id: &str) -> Result<bool> {
    Ok(live_guardianship(conn, guardian_id, managed_id).await?.is_some_and(|live| live == id))
}

/// The live guardians of a managed member (customer ids), oldest first.
pub async fn guardians_of(conn: &mut AnyConnection, managed_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT guardian_id FROM guardianships WHERE managed_id = $1 AND ended_at IS NULL ORDER BY created_at, id")
            .bind(managed_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(g,)| g).collect())
}

/// Ends every live guardianship over the member (the hand-over); returns the guardians.
pub async fn end_all_over(tx: &mut Tx, managed_id: &str, reason: &str, now: UnixMillis) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "UPDATE guardianships SET ended_at = $1, end_reason = $2 WHERE managed_id = $3 AND ended_at IS NULL RETURNING guardian_id",
    )
    .bind(now)
    .bind(reason)
    .bind(managed_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(g,)| g).collect())
}

/// A managed member the coming-of-age sweep looks at.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AgeRow {
    pub id: String,
    pub birth_date: Option<String>,
    pub address_country: Option<String>,
}

/// Managed members not yet noticed, with a birth date, at most `limit`.
pub async fn awaiting_notice(conn: &mut AnyConnection, limit: i64) -> Result<Vec<AgeRow>> {
    Ok(sqlx::query_as(
        "SELECT id, birth_date, address_country FROM customers WHERE managed = 1 AND majority_notice_at IS NULL \
         AND birth_date IS NOT NULL ORDER BY birth_date, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Marks the notice sent, once: `false` when another sweep did it first.
pub async fn mark_noticed(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let n = sqlx::query("UPDATE customers SET majority_notice_at = $1 WHERE id = $2 AND managed = 1 AND majority_notice_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Ends the managed state: the member's own confirmed address and password. `false`
/// (nothing written) when the member is no longer managed.
pub async fn complete_handover(tx: &mut Tx, id: &str, email: &str, normalized: &str, password_hash: &str, now: UnixMillis) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE customers SET email = $1, email_normalized = $2, email_verified = 1, password_hash = $3, \
         password_version = password_version + 1, failed_logins = 0, locked_at = NULL, lock_kind = NULL, managed = 0, updated_at = $4 WHERE id = $5 AND managed = 1",
    )
    .bind(email)
    .bind(normalized)
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 {
        super::search::refresh(tx, &[id.to_owned()]).await?;
    }
    Ok(n == 1)
}

/// A hand-over claim as stored (the link and the code only as hashes). `Debug` hides
/// the address and the password hash.
#[derive(Clone, PartialEq, Eq, FromRow)]
pub struct ClaimRow {
    pub id: String,
    pub managed_id: String,
    pub issued_by: Option<String>,
    pub new_email: Option<String>,
    pub password_hash: Option<String>,
    pub code_hash: Option<String>,
    pub attempts: i64,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub used_at: Option<UnixMillis>,
    pub code_sent_at: Option<UnixMillis>,
    pub code_sends: i64,
}

impl std::fmt::Debug for ClaimRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimRow")
            .field("id", &self.id)
            .field("managed_id", &self.managed_id)
            .field("attempts", &self.attempts)
            .field("expires_at", &self.expires_at)
            .field("used_at", &self.used_at)
            .field("code_sends", &self.code_sends)
            .finish_non_exhaustive()
    }
}

const CLAIM: &str = "id, managed_id, issued_by, new_email, password_hash, code_hash, attempts, created_at, expires_at, used_at, code_sent_at, code_sends";

/// Retires the member's open claims (a new link replaces the old; the hand-over spends
/// them all).
pub async fn retire_claims(tx: &mut Tx, managed_id: &str, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("UPDATE household_claims SET used_at = $1 WHERE managed_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(managed_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

pub async fn insert_claim(tx: &mut Tx, id: &str, managed_id: &str, issued_by: &str, token_hash: &str, now: UnixMillis, expires_at: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO household_claims (id, managed_id, issued_by, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(managed_id)
        .bind(issued_by)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The claim a link's hash names, whatever its state.
pub async fn claim_by_hash(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<ClaimRow>> {
    Ok(sqlx::query_as(&format!("SELECT {CLAIM} FROM household_claims WHERE token_hash = $1")).bind(token_hash).fetch_optional(conn).await?)
}

/// The address, password hash and code hash the member chose, with a fresh code: only
/// while the claim is open and fewer than `max_sends` codes were sent. The attempts are
/// not reset (a new code is no new budget of guesses).
#[expect(clippy::too_many_arguments, reason = "the columns of one update")]
pub async fn set_claim_code(
    tx: &mut Tx,
    id: &str,
    email: &str,
    password_hash: &str,
    code_hash: &str,
    max_sends: i64,
    max_attempts: i64,
    now: UnixMillis,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE household_claims SET new_email = $1, password_hash = $2, code_hash = $3, code_sent_at = $4, code_sends = code_sends + 1 \
         WHERE id = $5 AND used_at IS NULL AND expires_at > $4 AND code_sends < $6 AND attempts < $7",
    )
    .bind(email)
    .bind(password_hash)
    .bind(code_hash)
    .bind(now)
    .bind(id)
    .bind(max_sends)
    .bind(max_attempts)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Counts a wrong code, atomically; the claim is spent at `max_attempts`. Returns the
/// attempts so far (`None`: the claim was no longer open).
pub async fn count_wrong_code(tx: &mut Tx, id: &str, max_attempts: i64, now: UnixMillis) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE household_claims SET attempts = attempts + 1, \
         used_at = CASE WHEN attempts + 1 >= $1 THEN $2 ELSE used_at END \
         WHERE id = $3 AND used_at IS NULL RETURNING attempts",
    )
    .bind(max_attempts)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(n,)| n))
}

/// Spends the claim, exactly once.
pub async fn use_claim(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<bool> {
    let n = sqlx::query("UPDATE household_claims SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}
