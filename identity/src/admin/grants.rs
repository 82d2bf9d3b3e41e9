//! Who a staff member is, as the core decides it: the principal built from the `staff`
//! row on every request (so a role change applies at the next one), and the brands a
//! brand administrator is granted (`foyer admin grant-brand`).

use crate::audit::{self, AuditEvent};
use crate::domain::{BrandSlug, Email, ParseError, unknown_brand};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::staff::StaffRole;
use crate::store::staff as rows;
use crate::{Error, Identity, Result};

impl Identity {
    /// The principal of the staff member `staff_id`, read now (role and brands), or
    /// `None` when no such (enrolled) staff member exists. `ticket`: the ticket the
    /// request works, if any.
    pub async fn staff_principal(&self, staff_id: &str, ticket: Option<String>) -> Result<Option<Principal>> {
        let Some(row) = self.store.staff_by_id(staff_id).await?.filter(|r| r.enrolled_at.is_some()) else { return Ok(None) };
        let role = StaffRole::parse(&row.role).map_err(|_| Error::Internal("a staff row with an unknown role".into()))?;
        let mut conn = self.store.pool().acquire().await?;
        let brands = if role == StaffRole::BrandAdmin { rows::brands_of(&mut conn, &row.id).await? } else { Vec::new() };
        Ok(Some(Principal::Staff { id: row.id, role, ticket, brands }))
    }

    /// Grants the brand administrator `email` the brand `brand_slug`. Only brand
    /// administrators hold brands; granting twice changes nothing. Audited
    /// (`staff.brand_granted`). Returns whether it was new.
    pub async fn grant_staff_brand(&self, principal: &Principal, email: &str, brand_slug: &str) -> Result<bool> {
        let email = Email::parse(email).map_err(Error::Invalid)?;
        let slug = BrandSlug::parse(brand_slug).map_err(Error::Invalid)?;
        let staff = self.store.staff_by_email(email.normalized()).await?.ok_or(Error::NotFound("staff account"))?;
        authorize(principal, Action::ManageStaff, Subject::Staff(&staff.id))?;
        if staff.role != StaffRole::BrandAdmin.as_str() {
            return Err(Error::Invalid(ParseError::Malformed { field: "Role", reason: "only a brand_admin is granted brands" }));
        }
        let brand = self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(&slug))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let new = rows::grant_brand(&mut tx, &staff.id, &brand.id, now).await?;
        if new {
            audit::record(&mut tx, &AuditEvent {
                at: now,
                actor: principal.actor(),
                subject: Some(format!("staff:{}", staff.id)),
                action: "staff.brand_granted",
                reason: None,
                detail: serde_json::json!({ "brand": brand.id }),
            })
            .await?;
        }
        tx.commit().await?;
        Ok(new)
    }
}
