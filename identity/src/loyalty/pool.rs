//! Household pooling (`docs/design/loyalty.md` "Pooling"): in a programme that allows
//! it, the household owner decides which members' verified memberships pool; the
//! `loyalty` claim then shows the pool as this brand's household reference and a count.

use super::{LinkStatus, masked};
use crate::households::HouseholdAction;
use crate::households::household::member_name;
use crate::audit::{self, AuditEvent};
use crate::error::Refusal;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::households as households_rows;
use crate::store::loyalty as rows;
use crate::{Error, Identity, Result};

/// One member's verified membership the owner may pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolMember {
    pub link_id: String,
    pub customer_id: String,
    pub name: String,
    pub number_masked: String,
    pub pooled: bool,
}

/// A pooling programme in one of the owner's households, with its members' memberships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolChoice {
    pub household_id: String,
    pub household_name: String,
    pub programme_slug: String,
    pub programme_name: String,
    pub members: Vec<PoolMember>,
}

impl Identity {
    /// For each household the customer owns and each programme that allows pooling, the
    /// members' verified memberships and whether each pools. Empty for anyone else.
    pub async fn loyalty_pools(&self, principal: &Principal, customer_id: &str) -> Result<Vec<PoolChoice>> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let mut conn = self.store.pool().acquire().await?;
        let programmes: Vec<_> = rows::programmes(&mut conn, None).await?.into_iter().filter(|p| p.programme.pooling == 1).collect();
        let mut out = Vec::new();
        for household in households_rows::memberships_of(&mut conn, customer_id).await?.into_iter().filter(|m| m.role == "owner") {
            let members = households_rows::members(&mut conn, &household.household_id).await?;
            for p in &programmes {
                let links = rows::household_links(&mut conn, &household.household_id, &p.programme.id).await?;
                if links.is_empty() {
                    continue;
                }
                let members = links
                    .into_iter()
                    .map(|l| PoolMember {
                        name: members.iter().find(|m| m.customer_id == l.customer_id).map(member_name).unwrap_or_default(),
                        number_masked: masked(&l.number),
                        pooled: l.pooled == 1,
                        link_id: l.id,
                        customer_id: l.customer_id,
                    })
                    .collect();
                out.push(PoolChoice {
                    household_id: household.household_id.clone(),
                    household_name: household.name.clone(),
                    programme_slug: p.programme.slug.clone(),
                    programme_name: p.programme.name.clone(),
                    members,
                });
            }
        }
        Ok(out)
    }

    /// The owner pools (or unpools) a member's verified membership. Audited on the member.
    pub async fn set_pooled(&self, principal: &Principal, customer_id: &str, household_id: &str, link_id: &str, pooled: bool) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::DecidePooling).await?;
        let link = rows::link(&mut tx, link_id).await?.ok_or(Error::NotFound("loyalty link"))?;
        // Only a member of this household's link: anyone else's looks like no link.
        if households_rows::role_in(&mut tx, household_id, &link.link.customer_id).await?.is_none() {
            return Err(Error::NotFound("loyalty link"));
        }
        if link.pooling != 1 || link.link.status != LinkStatus::Verified.as_str() || !rows::set_pooled(&mut tx, link_id, pooled).await? {
            return Err(Error::Refused(Refusal::LoyaltyNoPooling));
        }
        let detail = serde_json::json!({ "link": link_id, "household": household_id, "programme": link.programme_slug, "pooled": pooled });
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Some(format!("customer:{}", link.link.customer_id)),
            action: "loyalty.pooling_changed",
            reason: None,
            detail,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
