//! Loyalty programmes: a brand's programme as the operator declares it (`foyer
//! loyalty-programme create`), and the list the customer page offers.
//!
//! Operator input: each refusal names the field in an English sentence; nothing is
//! written unless everything is valid.

use super::{NumberFormat, Verification, parse_name, parse_tiers};
use crate::audit::{self, AuditEvent};
use crate::domain::{BrandSlug, ParseError, unknown_brand};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::loyalty::{self as rows, ListedProgramme, ProgrammeRow};
use crate::store::AnyConnection;
use crate::{Error, Identity, Result, UnixMillis};

/// A programme as the pages, the CLI and the API see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub id: String,
    /// The API's `{programme}`: lower-case letters, digits and dashes.
    pub slug: String,
    pub brand_id: String,
    pub brand_slug: String,
    pub brand_name: String,
    pub name: String,
    pub number_pattern: String,
    pub luhn: bool,
    pub tiers: Vec<String>,
    pub verification: Verification,
    pub pooling: bool,
    pub created_at: UnixMillis,
}

impl Programme {
    fn from_row(row: ProgrammeRow, brand_slug: String, brand_name: String) -> Self {
        Self {
            tiers: serde_json::from_str(&row.tiers).unwrap_or_default(),
            // The column's CHECK admits the four names only.
            verification: Verification::parse(&row.verification).unwrap_or(Verification::Support),
            luhn: row.luhn == 1,
            pooling: row.pooling == 1,
            id: row.id,
            slug: row.slug,
            brand_id: row.brand_id,
            brand_slug,
            brand_name,
            name: row.name,
            number_pattern: row.number_pattern,
            created_at: row.created_at,
        }
    }

    /// The member-number format (checked when the programme was created).
    pub fn format(&self) -> Result<NumberFormat> {
        NumberFormat::new(&self.number_pattern, self.luhn).map_err(Error::Invalid)
    }
}

impl From<ListedProgramme> for Programme {
    fn from(p: ListedProgramme) -> Self {
        Self::from_row(p.programme, p.brand_slug, p.brand_name)
    }
}

/// A programme to create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewProgramme {
    /// The brand's slug.
    pub brand: String,
    /// The programme's slug; the brand's when empty.
    pub slug: Option<String>,
    pub name: String,
    pub number_pattern: String,
    pub luhn: bool,
    pub tiers: Vec<String>,
    /// `email`, `code`, `brand-api` or `support`.
    pub verification: String,
    pub pooling: bool,
}

impl Identity {
    /// Declares a brand's programme. Audited (`loyalty.programme_created`).
    pub async fn create_programme(&self, principal: &Principal, new: &NewProgramme) -> Result<Programme> {
        let brand_slug = BrandSlug::parse(&new.brand).map_err(Error::Invalid)?;
        let brand = self.store.brand_by_slug(brand_slug.as_str()).await?.ok_or_else(|| unknown_brand(&brand_slug))?;
        authorize(principal, Action::ManageBrands, Subject::Brand(&brand.id))?;
        let mut errors = Vec::new();
        let slug = match new.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => BrandSlug::parse(slug).map(|s| s.as_str().to_owned()).map_err(|_| ParseError::Malformed {
                field: "Slug",
                reason: "use 2 to 40 lower-case letters, digits or dashes",
            }),
            None => Ok(brand.slug.clone()),
        };
        let name = parse_name(&new.name);
        let format = NumberFormat::new(&new.number_pattern, new.luhn);
        let tiers = parse_tiers(&new.tiers);
        let verification = Verification::parse(new.verification.trim())
            .ok_or(ParseError::Malformed { field: "Verification", reason: "use email, code, brand-api or support" });
        let (slug, name, tiers, verification) = match (slug, name, format, tiers, verification) {
            (Ok(slug), Ok(name), Ok(_), Ok(tiers), Ok(verification)) => (slug, name, tiers, verification),
            (slug, name, format, tiers, verification) => {
                errors.extend([slug.err(), name.err(), format.err(), tiers.err(), verification.err()].into_iter().flatten());
                return Err(Error::Fields(errors));
            }
        };
        let now = self.clock.now();
        let row = ProgrammeRow {
            id: self.new_id(),
            slug,
            brand_id: brand.id.clone(),
            name,
            number_pattern: new.number_pattern.trim().to_owned(),
            luhn: i64::from(new.luhn),
            tiers: serde_json::to_string(&tiers)?,
            verification: verification.as_str().to_owned(),
            pooling: i64::from(new.pooling),
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        if !rows::insert_programme(&mut tx, &row).await? {
            return Err(Error::Conflict("A loyalty programme with this slug"));
        }
        let detail = serde_json::json!({
            "programme": row.id, "slug": row.slug, "verification": row.verification, "pooling": new.pooling, "luhn": new.luhn,
        });
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Some(format!("brand:{}", brand.id)),
            action: "loyalty.programme_created",
            reason: None,
            detail,
        })
        .await?;
        tx.commit().await?;
        Ok(Programme::from_row(row, brand.slug, brand.name))
    }

    /// Every programme (of one brand, by slug), by name: what a customer may link and
    /// what the operator lists. Programmes are public facts about brands.
    pub async fn programmes(&self, brand: Option<&str>) -> Result<Vec<Programme>> {
        let brand_id = match brand {
            Some(slug) => {
                let slug = BrandSlug::parse(slug).map_err(Error::Invalid)?;
                Some(self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(&slug))?.id)
            }
            None => None,
        };
        let mut conn = self.store.pool().acquire().await?;
        Ok(rows::programmes(&mut conn, brand_id.as_deref()).await?.into_iter().map(Programme::from).collect())
    }

    /// The programme called `slug`, or `NotFound`.
    pub(crate) async fn programme_on(&self, conn: &mut AnyConnection, slug: &str) -> Result<Programme> {
        Ok(rows::programme_by_slug(conn, slug).await?.ok_or(Error::NotFound("loyalty programme"))?.into())
    }
}
