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
        let Some(row) = self.store.staff_by_id(staff_id).await?.filter(|r| r.enrolled_at.is_some() && r.disabled_at.is_none()) else { return Ok(None) };
        let role = StaffRole::parse(&row.role).map_err(|_| Error::Internal("a staff row with an unknown role".into()))?;
        let mut conn = self.store.pool().acquire().await?;
        let brands = if role == StaffRole::BrandAdmin { rows::brands_of(&mut conn, &row.id).await? } else { Vec::new() };
        Ok(Some(Principal::Staff { id: row.id, role, ticket, brands }))
    }

    /// Changes the role of the staff member `email` (an operator's act, audited
    /// `staff.role_changed`); it applies at their next request, since every request
    /// reads the role. Leaving `brand_admin` drops the brands granted. Returns the old role.
    pub async fn set_staff_role(&self, principal: &Principal, email: &str, role: StaffRole) -> Result<StaffRole> {
        let staff = self.staff_for_change(principal, email).await?;
        let old = StaffRole::parse(&staff.role).map_err(|_| Error::Internal("a staff row with an unknown role".into()))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        rows::set_role(&mut tx, &staff.id, role.as_str()).await?;
        self.audit_staff_change(&mut tx, principal, &staff.id, "staff.role_changed", serde_json::json!({ "from": old.as_str(), "to": role.as_str() }), now).await?;
        tx.commit().await?;
        Ok(old)
    }

    /// Disables the staff member `email` (someone who left): their sessions end, the next
    /// request is refused, sign-in fails like a wrong password, support accesses they hold
    /// stop working. The row stays (the audit log names it). Returns whether it was new.
    pub async fn disable_staff(&self, principal: &Principal, email: &str) -> Result<bool> {
        let staff = self.staff_for_change(principal, email).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let new = rows::disable(&mut tx, &staff.id, now).await?;
        if new {
            self.audit_staff_change(&mut tx, principal, &staff.id, "staff.disabled", serde_json::json!({}), now).await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn staff_for_change(&self, principal: &Principal, email: &str) -> Result<rows::StaffRow> {
        let email = Email::parse(email).map_err(Error::Invalid)?;
        let staff = self.store.staff_by_email(email.normalized()).await?.ok_or(Error::NotFound("staff account"))?;
        authorize(principal, Action::ManageStaff, Subject::Staff(&staff.id))?;
        Ok(staff)
    }

    async fn audit_staff_change(&self, tx: &mut crate::store::Tx, principal: &Principal, staff_id: &str, action: &str, detail: serde_json::Value, now: crate::UnixMillis) -> Result<()> {
        audit::record(tx, &AuditEvent { at: now, actor: principal.actor(), subject: Some(format!("staff:{staff_id}")), action, reason: None, detail }).await
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
