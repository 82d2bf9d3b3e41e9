//! Rows of `brand_consents`: the scopes a customer approved for a brand (one row per
//! scope), and what "Connected brands" reads about them.

use sqlx::FromRow;

use super::{AnyConnection, Store, Tx};
use crate::{Result, UnixMillis};

/// One approved scope with its brand's public details.
#[derive(Debug, Clone, FromRow)]
pub struct ConsentRow {
    pub slug: String,
    pub name: String,
    pub website_url: Option<String>,
    pub scope: String,
    pub granted_at: UnixMillis,
}

/// The scopes the customer approved for the brand, sorted.
pub async fn approved_scopes(conn: &mut AnyConnection, customer_id: &str, brand_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT scope FROM brand_consents WHERE customer_id = $1 AND brand_id = $2 ORDER BY scope")
        .bind(customer_id)
        .bind(brand_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Approves a scope for the brand (kept as first approved if it already was).
pub async fn approve(tx: &mut Tx, customer_id: &str, brand_id: &str, scope: &str, now: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO brand_consents (customer_id, brand_id, scope, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(customer_id)
        .bind(brand_id)
        .bind(scope)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets every approval of the customer for the brand; returns how many scopes.
pub async fn forget_brand(tx: &mut Tx, customer_id: &str, brand_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM brand_consents WHERE customer_id = $1 AND brand_id = $2")
        .bind(customer_id)
        .bind(brand_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Every approved scope of the customer with its brand, by brand name then scope.
pub async fn of_customer(store: &Store, customer_id: &str) -> Result<Vec<ConsentRow>> {
    Ok(sqlx::query_as(
        "SELECT b.slug, b.name, b.website_url, c.scope, c.granted_at FROM brand_consents c JOIN brands b ON b.id = c.brand_id \
         WHERE c.customer_id = $1 ORDER BY b.name, c.scope",
    )
    .bind(customer_id)
    .fetch_all(store.pool())
    .await?)
}

/// The last time one of the brand's clients received a grant or a sign-in from the customer.
pub async fn last_used_at(store: &Store, customer_id: &str, brand_slug: &str) -> Result<Option<UnixMillis>> {
    let last: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT MAX(t) FROM (\
           SELECT g.created_at AS t FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id JOIN brands b ON b.id = c.brand_id \
           WHERE g.customer_id = $1 AND b.slug = $2 \
           UNION ALL SELECT s.last_at AS t FROM oidc_session_clients s JOIN oauth_clients c ON c.id = s.client_id JOIN brands b ON b.id = c.brand_id \
           WHERE s.customer_id = $1 AND b.slug = $2) used",
    )
    .bind(customer_id)
    .bind(brand_slug)
    .fetch_optional(store.pool())
    .await?;
    Ok(last.and_then(|(t,)| t))
}
