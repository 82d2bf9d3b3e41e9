//! Brands: the sibling sites that share Foyer (theme, clients and consents come later).

use crate::audit::{self, Actor, AuditEvent};
use crate::domain::ParseError;
use crate::store::brands::{self, BrandRow};
use crate::{Identity, Result};

/// A brand's URL-safe identifier: 2–40 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandSlug(String);

impl BrandSlug {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "Brand slug";
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::Missing { field: FIELD });
        }
        if s.len() > 40 {
            return Err(ParseError::TooLong { field: FIELD, max: 40 });
        }
        let ok = s.len() >= 2
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !ok {
            return Err(ParseError::Malformed { field: FIELD, reason: "use 2-40 lower-case letters, digits and inner hyphens" });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Identity {
    /// Creates a brand, audited, in one transaction.
    pub async fn create_brand(&self, slug: &BrandSlug, name: &str, actor: Actor) -> Result<BrandRow> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ParseError::Missing { field: "Brand name" }.into());
        }
        if name.chars().count() > 80 {
            return Err(ParseError::TooLong { field: "Brand name", max: 80 }.into());
        }
        let now = self.clock.now();
        let row = BrandRow { id: self.new_id(), slug: slug.as_str().to_owned(), name: name.to_owned(), created_at: now };
        let mut tx = self.store.begin().await?;
        brands::insert(&mut tx, &row).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor,
            subject: Some(format!("brand:{}", row.id)),
            action: "brand.created",
            reason: None,
            detail: serde_json::json!({ "slug": row.slug }),
        })
        .await?;
        tx.commit().await?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(BrandSlug::parse(" northwind-air ").unwrap().as_str(), "northwind-air");
        for bad in ["", "a", "-air", "air-", "Air", "air_x", "air x"] {
            assert!(BrandSlug::parse(bad).is_err(), "{bad}");
        }
    }
}
