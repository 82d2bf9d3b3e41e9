//! Rows of the credential tables: `totp_credentials`, `recovery_codes` and `passkeys`
//! (rules in [`crate::accounts::mfa`] and [`crate::accounts::passkeys`]). Secrets are
//! stored sealed (TOTP) or hashed (recovery codes); nothing here is `Serialize`.

use sqlx::FromRow;

use super::{Store, Tx};
use crate::{Result, UnixMillis};

// --- counts over every factor -------------------------------------------------------

/// How many of each factor an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactorCounts {
    /// A confirmed authenticator app.
    pub totp: bool,
    pub recovery_codes_left: i64,
    /// Passkeys not flagged.
    pub passkeys: i64,
    pub password: bool,
}

impl Store {
    /// Every factor count in one round trip (this runs on every sign-in whose first
    /// step passed).
    pub async fn factor_counts(&self, customer_id: &str) -> Result<FactorCounts> {
        let (totp, recovery_codes_left, passkeys, password): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM totp_credentials WHERE customer_id = $1 AND confirmed_at IS NOT NULL), \
             (SELECT COUNT(*) FROM recovery_codes WHERE customer_id = $1 AND used_at IS NULL), \
             (SELECT COUNT(*) FROM passkeys WHERE customer_id = $1 AND flagged_at IS NULL), \
             (SELECT COUNT(*) FROM customers WHERE id = $1 AND password_hash IS NOT NULL)",
        )
        .bind(customer_id)
        .fetch_one(self.pool())
        .await?;
        Ok(FactorCounts { totp: totp > 0, recovery_codes_left, passkeys, password: password == 1 })
    }
}

/// Confirmed authenticator apps plus passkeys (flagged ones too) of the customer.
pub async fn count_second_factors(tx: &mut Tx, customer_id: &str) -> Result<i64> {
    let (factors,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM totp_credentials WHERE customer_id = $1 AND confirmed_at IS NOT NULL) \
         + (SELECT COUNT(*) FROM passkeys WHERE customer_id = $1)",
    )
    .bind(customer_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(factors)
}

// --- TOTP ---------------------------------------------------------------------------

#[derive(Debug, FromRow)]
pub struct TotpRow {
    pub secret_sealed: String,
    pub confirmed_at: Option<UnixMillis>,
    pub last_used_step: i64,
}

impl Store {
    /// Stores a new, unconfirmed secret, replacing any earlier one.
    pub async fn totp_start(&self, customer_id: &str, secret_sealed: &str, now: UnixMillis) -> Result<()> {
        self.write(
            sqlx::query(
                "INSERT INTO totp_credentials (customer_id, secret_sealed, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (customer_id) DO UPDATE SET secret_sealed = $2, created_at = $3, confirmed_at = NULL, last_used_step = 0",
            )
            .bind(customer_id.to_owned())
            .bind(secret_sealed.to_owned())
            .bind(now),
        )
        .await?;
        Ok(())
    }
}

pub async fn totp_load(tx: &mut Tx, customer_id: &str) -> Result<Option<TotpRow>> {
    Ok(sqlx::query_as("SELECT secret_sealed, confirmed_at, last_used_step FROM totp_credentials WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?)
}

pub async fn totp_confirm(tx: &mut Tx, customer_id: &str, step: i64, now: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE totp_credentials SET confirmed_at = $1, last_used_step = $2 WHERE customer_id = $3")
        .bind(now)
        .bind(step)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves the last accepted step to `step` if it is newer; `true` when this call did
/// (conditional on the old step, so two concurrent uses of one code cannot both win).
pub async fn totp_advance(tx: &mut Tx, customer_id: &str, step: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE totp_credentials SET last_used_step = $1 WHERE customer_id = $2 AND last_used_step < $1")
        .bind(step)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirmed authenticator apps of the customer (0 or 1).
pub async fn totp_count_confirmed(tx: &mut Tx, customer_id: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM totp_credentials WHERE customer_id = $1 AND confirmed_at IS NOT NULL")
        .bind(customer_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

pub async fn totp_delete(tx: &mut Tx, customer_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM totp_credentials WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?.rows_affected())
}

// --- recovery codes -----------------------------------------------------------------

pub async fn recovery_insert(tx: &mut Tx, id: &str, customer_id: &str, code_hash: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO recovery_codes (id, customer_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(customer_id)
        .bind(code_hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Spends the unused code with this hash; `true` when this call did.
pub async fn recovery_use(tx: &mut Tx, customer_id: &str, code_hash: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE customer_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now)
        .bind(customer_id)
        .bind(code_hash)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the customer has this recovery code and it was already used.
pub async fn recovery_spent(tx: &mut Tx, customer_id: &str, code_hash: &str) -> Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM recovery_codes WHERE customer_id = $1 AND code_hash = $2 AND used_at IS NOT NULL")
        .bind(customer_id)
        .bind(code_hash)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// Deletes the customer's unused codes; how many went.
pub async fn recovery_delete_unused(tx: &mut Tx, customer_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM recovery_codes WHERE customer_id = $1 AND used_at IS NULL")
        .bind(customer_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Deletes every code of the customer, used or not; how many went.
pub async fn recovery_delete_all(tx: &mut Tx, customer_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM recovery_codes WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?.rows_affected())
}

// --- passkeys -----------------------------------------------------------------------

/// A stored passkey. `passkey` is webauthn-rs's JSON of the credential (public key and
/// counter: no secret).
#[derive(Debug, Clone)]
pub struct PasskeyRow {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub passkey: String,
    pub aaguid: Option<String>,
    /// Synced by its provider (stored as 0 or 1).
    pub backup_eligible: bool,
    pub created_at: UnixMillis,
    pub last_used_at: Option<UnixMillis>,
    pub flagged_at: Option<UnixMillis>,
}

/// [`PasskeyRow`] as the database holds it.
#[derive(FromRow)]
struct StoredPasskey {
    id: String,
    customer_id: String,
    name: String,
    passkey: String,
    aaguid: Option<String>,
    backup_eligible: i64,
    created_at: UnixMillis,
    last_used_at: Option<UnixMillis>,
    flagged_at: Option<UnixMillis>,
}

impl From<StoredPasskey> for PasskeyRow {
    fn from(r: StoredPasskey) -> Self {
        Self {
            id: r.id,
            customer_id: r.customer_id,
            name: r.name,
            passkey: r.passkey,
            aaguid: r.aaguid,
            backup_eligible: r.backup_eligible == 1,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            flagged_at: r.flagged_at,
        }
    }
}

const PASSKEY_COLUMNS: &str = "id, customer_id, name, passkey, aaguid, backup_eligible, created_at, last_used_at, flagged_at";

/// A passkey to store (`credential_id` base64url, unique across accounts).
#[derive(Debug, Clone)]
pub struct NewPasskey<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub credential_id: &'a str,
    pub name: &'a str,
    pub passkey: &'a str,
    pub aaguid: Option<&'a str>,
    pub created_at: UnixMillis,
}

impl Store {
    /// The customer's passkeys, oldest first.
    pub async fn passkeys_of_customer(&self, customer_id: &str) -> Result<Vec<PasskeyRow>> {
        let rows: Vec<StoredPasskey> = sqlx::query_as(&format!("SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE customer_id = $1 ORDER BY created_at"))
            .bind(customer_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(PasskeyRow::from).collect())
    }

    /// The passkey with this credential id (base64url), whoever owns it.
    pub async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRow>> {
        let row: Option<StoredPasskey> = sqlx::query_as(&format!("SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE credential_id = $1"))
            .bind(credential_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(PasskeyRow::from))
    }

    /// Records a successful assertion: the updated credential (its counter), the time,
    /// and whether its provider syncs it.
    pub async fn passkey_used(&self, id: &str, passkey: &str, backup_eligible: bool, now: UnixMillis) -> Result<()> {
        self.write(
            sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2, backup_eligible = $3 WHERE id = $4")
                .bind(passkey.to_owned())
                .bind(now)
                .bind(i64::from(backup_eligible))
                .bind(id.to_owned()),
        )
        .await?;
        Ok(())
    }
}

/// Stores a passkey unless its credential id is registered already (to any account);
/// `true` when stored.
pub async fn passkey_insert(tx: &mut Tx, p: &NewPasskey<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO passkeys (id, customer_id, credential_id, name, passkey, aaguid, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(p.id)
    .bind(p.customer_id)
    .bind(p.credential_id)
    .bind(p.name)
    .bind(p.passkey)
    .bind(p.aaguid)
    .bind(p.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Flags a passkey (refused from then on) unless it is flagged already.
pub async fn passkey_flag(tx: &mut Tx, id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("UPDATE passkeys SET flagged_at = $1 WHERE id = $2 AND flagged_at IS NULL").bind(now).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Renames one of the customer's passkeys; `false` when it has no such passkey.
pub async fn passkey_rename(tx: &mut Tx, customer_id: &str, id: &str, name: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND customer_id = $3")
        .bind(name)
        .bind(id)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Id, name and flag time of each of the customer's passkeys.
pub async fn passkey_summaries(tx: &mut Tx, customer_id: &str) -> Result<Vec<(String, String, Option<UnixMillis>)>> {
    Ok(sqlx::query_as("SELECT id, name, flagged_at FROM passkeys WHERE customer_id = $1").bind(customer_id).fetch_all(&mut **tx).await?)
}

/// Deletes one of the customer's passkeys.
pub async fn passkey_delete(tx: &mut Tx, customer_id: &str, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM passkeys WHERE id = $1 AND customer_id = $2").bind(id).bind(customer_id).execute(&mut **tx).await?;
    Ok(())
}

/// Deletes every passkey of the customer; how many went.
pub async fn passkeys_delete_all(tx: &mut Tx, customer_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM passkeys WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?.rows_affected())
}
