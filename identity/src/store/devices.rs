//! Rows of `known_devices` (browsers an account signed in from, for the new-device
//! notice) and `remembered_devices` (browsers that skip the second step for a while;
//! rules in [`crate::accounts::remember`]). Only hashes of the cookies are stored.

use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// Records a browser the customer signed in from; `true` when it was new.
pub async fn note_known(tx: &mut Tx, customer_id: &str, device_hash: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO known_devices (customer_id, device_hash, first_seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (customer_id, device_hash) DO NOTHING",
    )
    .bind(customer_id)
    .bind(device_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A device to remember.
#[derive(Debug, Clone)]
pub struct NewRemembered<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub token_hash: &'a str,
    pub device: &'a str,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// Forgets the customer's expired remembered devices.
pub async fn prune_remembered(tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("DELETE FROM remembered_devices WHERE customer_id = $1 AND expires_at <= $2").bind(customer_id).bind(now).execute(&mut **tx).await?;
    Ok(())
}

pub async fn remember(tx: &mut Tx, d: &NewRemembered<'_>) -> Result<()> {
    sqlx::query("INSERT INTO remembered_devices (id, customer_id, token_hash, device, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(d.id)
        .bind(d.customer_id)
        .bind(d.token_hash)
        .bind(d.device)
        .bind(d.created_at)
        .bind(d.expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets every remembered device of the customer.
pub async fn forget_remembered(tx: &mut Tx, customer_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM remembered_devices WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?;
    Ok(())
}

/// How many remembered devices of the customer are still live.
pub async fn count_live_remembered(tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM remembered_devices WHERE customer_id = $1 AND expires_at > $2")
        .bind(customer_id)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

impl Store {
    /// Whether `token_hash` is a live remembered device of the customer.
    pub async fn is_remembered(&self, customer_id: &str, token_hash: &str, now: UnixMillis) -> Result<bool> {
        let live: Option<(String,)> =
            sqlx::query_as("SELECT id FROM remembered_devices WHERE customer_id = $1 AND token_hash = $2 AND expires_at > $3")
                .bind(customer_id)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
        Ok(live.is_some())
    }
}
