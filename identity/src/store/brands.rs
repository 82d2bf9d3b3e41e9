//! Rows of the `brands` table.

use sqlx::FromRow;

use super::{Store, Tx, is_unique_violation};
use crate::{Error, Result, UnixMillis};

#[derive(Debug, Clone, FromRow)]
pub struct BrandRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub created_at: UnixMillis,
}

pub async fn insert(tx: &mut Tx, row: &BrandRow) -> Result<()> {
    sqlx::query("INSERT INTO brands (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&row.id)
        .bind(&row.slug)
        .bind(&row.name)
        .bind(row.created_at)
        .execute(&mut **tx)
        .await
        .map_err(|e| if is_unique_violation(&e) { Error::Conflict("a brand with this slug") } else { e.into() })?;
    Ok(())
}

impl Store {
    pub async fn list_brands(&self) -> Result<Vec<BrandRow>> {
        Ok(sqlx::query_as("SELECT id, slug, name, created_at FROM brands ORDER BY slug").fetch_all(self.pool()).await?)
    }

    pub async fn brand_by_slug(&self, slug: &str) -> Result<Option<BrandRow>> {
        Ok(sqlx::query_as("SELECT id, slug, name, created_at FROM brands WHERE slug = $1")
            .bind(slug)
            .fetch_optional(self.pool())
            .await?)
    }
}
