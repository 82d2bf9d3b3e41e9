//! Rows of the `brands` table.

use sqlx::FromRow;

use super::{AnyConnection, Store, Tx, is_unique_violation};
use crate::{Error, Result, UnixMillis};

/// A brand without its logo bytes and pairwise key (those have their own reads).
#[derive(Debug, Clone, FromRow)]
pub struct BrandRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub website_url: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// JSON object of checked colours (`{"primary": "#rrggbb", …}`).
    pub theme: Option<String>,
    /// `image/png` or `image/svg+xml` when a logo is stored.
    pub logo_type: Option<String>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

const COLUMNS: &str =
    "id, slug, name, website_url, support_email, support_url, terms_url, privacy_url, theme, logo_type, created_at, updated_at";

pub async fn insert(tx: &mut Tx, row: &BrandRow, pairwise_key_sealed: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO brands (id, slug, name, website_url, support_email, support_url, terms_url, privacy_url, \
         created_at, updated_at, pairwise_key_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&row.id)
    .bind(&row.slug)
    .bind(&row.name)
    .bind(&row.website_url)
    .bind(&row.support_email)
    .bind(&row.support_url)
    .bind(&row.terms_url)
    .bind(&row.privacy_url)
    .bind(row.created_at)
    .bind(row.updated_at)
    .bind(pairwise_key_sealed)
    .execute(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { Error::Conflict("a brand with this slug") } else { e.into() })?;
    Ok(())
}

/// Replaces the theme JSON and, when given, the logo; `false` when no brand has the id.
pub async fn update_theme(tx: &mut Tx, id: &str, theme: &str, logo: Option<(&[u8], &str)>, now: UnixMillis) -> Result<bool> {
    let done = match logo {
        Some((bytes, kind)) => {
            sqlx::query("UPDATE brands SET theme = $1, logo = $2, logo_type = $3, updated_at = $4 WHERE id = $5")
                .bind(theme)
                .bind(bytes.to_vec())
                .bind(kind)
                .bind(now)
                .bind(id)
                .execute(&mut **tx)
                .await?
        }
        None => {
            sqlx::query("UPDATE brands SET theme = $1, updated_at = $2 WHERE id = $3")
                .bind(theme)
                .bind(now)
                .bind(id)
                .execute(&mut **tx)
                .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// Replaces a brand's name and public details (the brand administration page); `false`
/// when no brand has the id.
pub async fn update_details(tx: &mut Tx, row: &BrandRow, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE brands SET name = $1, website_url = $2, support_email = $3, support_url = $4, terms_url = $5, \
         privacy_url = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&row.name)
    .bind(&row.website_url)
    .bind(&row.support_email)
    .bind(&row.support_url)
    .bind(&row.terms_url)
    .bind(&row.privacy_url)
    .bind(now)
    .bind(&row.id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores a pairwise key for a brand that has none yet; `false` when it already had one.
pub async fn fill_pairwise_key(tx: &mut Tx, id: &str, sealed: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE brands SET pairwise_key_sealed = $1 WHERE id = $2 AND pairwise_key_sealed IS NULL")
        .bind(sealed)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The sealed pairwise key, read inside a write transaction.
async fn pairwise_key_sealed_tx(conn: &mut AnyConnection, brand_id: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as("SELECT pairwise_key_sealed FROM brands WHERE id = $1").bind(brand_id).fetch_optional(&mut *conn).await?;
    Ok(row.and_then(|(k,)| k))
}

impl Store {
    pub async fn list_brands(&self) -> Result<Vec<BrandRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM brands ORDER BY slug")).fetch_all(self.pool()).await?)
    }

    pub async fn brand_by_slug(&self, slug: &str) -> Result<Option<BrandRow>> {
        Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM brands WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The stored logo and its media type.
    pub async fn brand_logo(&self, slug: &str) -> Result<Option<(Vec<u8>, String)>> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> =
            sqlx::query_as("SELECT logo, logo_type FROM brands WHERE slug = $1").bind(slug).fetch_optional(self.pool()).await?;
        Ok(row.and_then(|(logo, kind)| logo.zip(kind)))
    }

    /// The sealed pairwise key (associated data `pairwise:<brand id>`).
    /// A brand's sealed pairwise key. It is set once and never changed (only where it
    /// is missing, above), so each node keeps the keys it has read: the token path reads
    /// it on every answer.
    pub async fn brand_pairwise_key_sealed(&self, brand_id: &str) -> Result<Option<String>> {
        if let Some(sealed) = self.brand_keys.known(brand_id) {
            return Ok(Some(sealed));
        }
        let mut conn = self.conn().await?;
        self.brand_pairwise_key_sealed_on(&mut conn, brand_id).await
    }

    /// [`Self::brand_pairwise_key_sealed`] on a connection the caller holds (inside a
    /// transaction, say).
    pub async fn brand_pairwise_key_sealed_on(&self, conn: &mut AnyConnection, brand_id: &str) -> Result<Option<String>> {
        if let Some(sealed) = self.brand_keys.known(brand_id) {
            return Ok(Some(sealed));
        }
        let sealed = pairwise_key_sealed_tx(conn, brand_id).await?;
        if let Some(sealed) = &sealed {
            self.brand_keys.remember(brand_id, sealed);
        }
        Ok(sealed)
    }

    /// Ids of brands created before pairwise keys existed.
    pub async fn brands_without_pairwise_key(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM brands WHERE pairwise_key_sealed IS NULL ORDER BY id").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}

/// The sealed pairwise keys this node has read, by brand id (a handful of brands; a
/// key never changes once set).
#[derive(Debug, Default)]
pub(crate) struct BrandKeys(std::sync::RwLock<std::collections::HashMap<String, String>>);

impl BrandKeys {
    fn known(&self, brand_id: &str) -> Option<String> {
        self.0.read().ok()?.get(brand_id).cloned()
    }

    fn remember(&self, brand_id: &str, sealed: &str) {
        if let Ok(mut keys) = self.0.write() {
            keys.insert(brand_id.to_owned(), sealed.to_owned());
        }
    }
}
