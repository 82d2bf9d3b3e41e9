//! Rows of `oidc_session_clients` (which clients a sign-in reached, for back-channel
//! logout), and the sign-ins of a customer (`sessions`). Whether a refresh's sign-in is
//! still live is read with its grant (`grants::refresh_context`).

use super::Tx;
use crate::{Result, UnixMillis};

/// Remembers that the sign-in `sid` reached the client (or that it did again, at `now`).
pub async fn record_reach(tx: &mut Tx, sid: &str, client_id: &str, customer_id: &str, now: UnixMillis) -> Result<()> {
    sqlx::query(
        "INSERT INTO oidc_session_clients (sid, client_id, customer_id, first_at, last_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (sid, client_id) DO UPDATE SET last_at = $4",
    )
    .bind(sid)
    .bind(client_id)
    .bind(customer_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `(client id, customer id)` of each client the sign-in reached.
pub async fn reached_by_sid(tx: &mut Tx, sid: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT client_id, customer_id FROM oidc_session_clients WHERE sid = $1").bind(sid).fetch_all(&mut **tx).await?)
}

/// Forgets what the sign-in reached.
pub async fn forget_sid(tx: &mut Tx, sid: &str) -> Result<()> {
    sqlx::query("DELETE FROM oidc_session_clients WHERE sid = $1").bind(sid).execute(&mut **tx).await?;
    Ok(())
}

/// The sign-ins of the customer that reached the client.
pub async fn sids_reaching(tx: &mut Tx, client_id: &str, customer_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT sid FROM oidc_session_clients WHERE client_id = $1 AND customer_id = $2")
        .bind(client_id)
        .bind(customer_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Forgets that any sign-in of the customer reached the client.
pub async fn forget_client_customer(tx: &mut Tx, client_id: &str, customer_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM oidc_session_clients WHERE client_id = $1 AND customer_id = $2").bind(client_id).bind(customer_id).execute(&mut **tx).await?;
    Ok(())
}

/// The sign-in ids of the customer's sessions, except the session `keep` (an id hash).
pub async fn sids_of_customer(tx: &mut Tx, customer_id: &str, keep: Option<&str>) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT sid FROM sessions WHERE customer_id = $1 AND id_hash <> $2 AND sid IS NOT NULL")
        .bind(customer_id)
        .bind(keep.unwrap_or(""))
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}
