//! Delegations: named, expiring permissions one adult grants another of their household
//! (grant, renew, revoke or decline, the lists the household page shows), and the
//! principal a customer acts as when acting for someone else ([`Identity::act_for`]):
//! a live delegation's permissions, or a live guardianship's. Brand sign-ins under a
//! delegation (`act_at_brand`) are offered by [`Identity::brand_acting_options`]; the
//! tokens they give are `oidc::tokens`' (`docs/design/household.md` "Delegations").

use super::household::member_name;
use super::{HouseholdAction, MAX_DELEGATION_MS, Permission, Role, may};
use crate::audit::{self, AuditEvent};
use crate::domain::ParseError;
use crate::error::Refusal;
use crate::outbox::{OutboxEvent, enqueue};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::delegations::{self as rows, DelegationRow, ListedDelegation};
use crate::store::households::MemberRow;
use crate::store::{AnyConnection, Tx};
use crate::{Error, Identity, Result, UnixMillis};

/// The `grant` of a guardian's principal: `guardian:<guardianship id>`.
pub const GUARDIAN_GRANT_PREFIX: &str = "guardian:";

/// One delegation as the household page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationView {
    pub id: String,
    pub household_id: String,
    pub principal_id: String,
    pub delegate_id: String,
    /// The other party's name: the delegate's (given) or the principal's (received).
    pub other_name: String,
    /// Permission names ([`Permission::DELEGABLE`]).
    pub permissions: Vec<String>,
    /// The brand of `act_at_brand`.
    pub brand_slug: Option<String>,
    pub brand_name: Option<String>,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// The customer's live delegations: those they gave and those they hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delegations {
    pub given: Vec<DelegationView>,
    pub received: Vec<DelegationView>,
}

/// Through what a customer may act for another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActingVia {
    Delegation { id: String, expires_at: UnixMillis },
    /// A guardian, for a managed member.
    Guardian,
}

/// Someone the customer can act for in their account pages (the switcher).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingOption {
    pub customer_id: String,
    pub name: String,
    pub via: ActingVia,
    /// Permission names.
    pub permissions: Vec<String>,
}

/// A principal the signed-in delegate may sign in for at a brand (the consent screen's
/// chooser): a live delegation with `act_at_brand` for that brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandActing {
    pub delegation_id: String,
    pub principal_id: String,
    pub name: String,
    pub expires_at: UnixMillis,
}

/// The permission names a delegation may carry: each known ([`Permission::DELEGABLE`]),
/// none twice, at least one; `act_at_brand` exactly when a brand is named.
pub fn parse_permissions(names: &[String], brand: bool) -> Result<Vec<String>, ParseError> {
    const FIELD: &str = "Permissions";
    let mut out: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !Permission::DELEGABLE.contains(&name) {
            return Err(ParseError::Malformed { field: FIELD, reason: "a permission is not one that can be delegated" });
        }
        if out.iter().any(|o| o == name) {
            return Err(ParseError::Malformed { field: FIELD, reason: "a permission is named twice" });
        }
        out.push(name.to_owned());
    }
    if out.is_empty() {
        return Err(ParseError::Missing { field: FIELD });
    }
    let at_brand = out.iter().any(|p| p == "act_at_brand");
    if at_brand && !brand {
        return Err(ParseError::Missing { field: "Brand" });
    }
    if !at_brand && brand {
        return Err(ParseError::Malformed { field: "Brand", reason: "a brand goes only with acting on your behalf at a brand" });
    }
    Ok(out)
}

/// The permissions a stored delegation carries (`act_at_brand` with its brand id).
pub fn permissions_of(row_permissions: &str, brand_id: Option<&str>) -> Vec<Permission> {
    let names: Vec<String> = serde_json::from_str(row_permissions).unwrap_or_default();
    names
        .iter()
        .filter_map(|n| match n.as_str() {
            "view_profile" => Some(Permission::ViewProfile),
            "manage_consents" => Some(Permission::ManageConsents),
            "manage_loyalty" => Some(Permission::ManageLoyalty),
            "act_at_brand" => brand_id.map(|b| Permission::ActAtBrand(b.to_owned())),
            _ => None,
        })
        .collect()
}

fn names_of(row_permissions: &str) -> Vec<String> {
    serde_json::from_str(row_permissions).unwrap_or_default()
}

fn name_of(given: Option<String>, family: Option<String>, display: Option<String>, email: String) -> String {
    member_name(&MemberRow { customer_id: String::new(), role: String::new(), joined_at: 0, given_name: given, family_name: family, display_name: display, email, birth_date: None })
}

fn view(d: ListedDelegation) -> DelegationView {
    DelegationView {
        other_name: name_of(d.given_name, d.family_name, d.display_name, d.email),
        permissions: names_of(&d.permissions),
        id: d.id,
        household_id: d.household_id,
        principal_id: d.principal_id,
        delegate_id: d.delegate_id,
        brand_slug: d.brand_slug,
        brand_name: d.brand_name,
        created_at: d.created_at,
        expires_at: d.expires_at,
    }
}

const DAY_MS: i64 = 24 * 3_600_000;

/// The expiry a form's date (`YYYY-MM-DD`, the last day the delegation works, UTC)
/// means at `now`: the end of that day, or exactly a year from now when the day is the
/// last one allowed. A day before today or more than a year ahead is refused.
pub fn expiry_from_date(input: &str, now: UnixMillis) -> Result<UnixMillis> {
    let bad = || Error::Invalid(ParseError::Invalid { field: "Until", reason: crate::domain::Reason::Date });
    let mut parts = input.trim().split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else { return Err(bad()) };
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| bad())?;
    let start = date.midnight().assume_utc().unix_timestamp() * 1000;
    let end = start + DAY_MS;
    let cap = now + MAX_DELEGATION_MS;
    if end <= now || start > cap {
        return Err(Error::Refused(Refusal::DelegationExpiry));
    }
    Ok(end.min(cap))
}

/// `YYYY-MM-DD` (UTC) of a time: the date fields' `min` and `max`.
pub fn date_of(at: UnixMillis) -> String {
    match time::OffsetDateTime::from_unix_timestamp(at.div_euclid(1000)) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => String::new(),
    }
}

/// An expiry the principal may choose at `now`: in the future, at most a year ahead.
fn check_expiry(expires_at: UnixMillis, now: UnixMillis) -> Result<()> {
    if expires_at <= now || expires_at > now + MAX_DELEGATION_MS { Err(Error::Refused(Refusal::DelegationExpiry)) } else { Ok(()) }
}

async fn record_both(tx: &mut Tx, principal: &Principal, row: &DelegationRow, action: &str, detail: serde_json::Value, now: UnixMillis) -> Result<()> {
    for subject in [&row.principal_id, &row.delegate_id] {
        audit::record(tx, &AuditEvent { at: now, actor: principal.actor(), subject: Some(format!("customer:{subject}")), action, reason: None, detail: detail.clone() }).await?;
    }
    Ok(())
}

impl Identity {
    /// Grants `delegate_id` the named permissions over `customer_id` until `expires_at`
    /// (at most a year ahead): both adults of `household_id`, one live delegation per
    /// pair (renew or revoke it to change it). `brand_slug` is required exactly with
    /// `act_at_brand`. Audited on both customers; `delegation.granted`. Returns its id.
    #[expect(clippy::too_many_arguments, reason = "the grant form's fields, each checked here")]
    pub async fn grant_delegation(
        &self,
        principal: &Principal,
        customer_id: &str,
        household_id: &str,
        delegate_id: &str,
        permissions: &[String],
        brand_slug: Option<&str>,
        expires_at: UnixMillis,
    ) -> Result<String> {
        authorize(principal, Action::ManageDelegations, Subject::Customer(customer_id))?;
        let brand_slug = brand_slug.map(str::trim).filter(|s| !s.is_empty());
        let names = parse_permissions(permissions, brand_slug.is_some())?;
        let brand_id = match brand_slug {
            Some(slug) => Some(self.store.brand_by_slug(slug).await?.ok_or(Error::NotFound("brand"))?.id),
            None => None,
        };
        let now = self.clock.now();
        check_expiry(expires_at, now)?;
        if delegate_id == customer_id {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        let role = self.household_role_tx(&mut tx, household_id, customer_id).await?;
        if !may(role, false, HouseholdAction::Delegate) {
            return Err(Error::Forbidden);
        }
        match crate::store::households::role_in(&mut tx, household_id, delegate_id).await?.as_deref().and_then(Role::parse) {
            Some(Role::Owner | Role::Adult) => {}
            _ => return Err(Error::NotFound("member")),
        }
        if rows::live_between(&mut tx, customer_id, delegate_id, now).await?.is_some() {
            return Err(Error::Refused(Refusal::DelegationExists));
        }
        let row = DelegationRow {
            id: self.new_id(),
            household_id: household_id.into(),
            principal_id: customer_id.into(),
            delegate_id: delegate_id.into(),
            permissions: serde_json::to_string(&names)?,
            brand_id: brand_id.clone(),
            created_at: now,
            renewed_at: None,
            expires_at,
            revoked_at: None,
        };
        rows::insert(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "delegation": row.id, "household": household_id, "principal": customer_id, "delegate": delegate_id,
            "permissions": names, "brand": brand_id, "expires_at": expires_at,
        });
        record_both(&mut tx, principal, &row, "delegation.granted", detail, now).await?;
        let event = OutboxEvent::DelegationGranted {
            delegation_id: row.id.clone(),
            principal_id: customer_id.into(),
            delegate_id: delegate_id.into(),
            permissions: names,
            brand_id,
            expires_at,
            renewed: false,
        };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// The principal sets a live delegation's new expiry (at most a year from now).
    pub async fn renew_delegation(&self, principal: &Principal, customer_id: &str, delegation_id: &str, expires_at: UnixMillis) -> Result<()> {
        authorize(principal, Action::ManageDelegations, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        check_expiry(expires_at, now)?;
        let mut tx = self.store.begin().await?;
        let row = rows::by_id(&mut tx, delegation_id).await?.filter(|r| r.principal_id == customer_id).ok_or(Error::NotFound("delegation"))?;
        if !rows::renew(&mut tx, delegation_id, customer_id, expires_at, now).await? {
            return Err(Error::NotFound("delegation"));
        }
        let detail = serde_json::json!({ "delegation": delegation_id, "expires_at": expires_at });
        record_both(&mut tx, principal, &row, "delegation.renewed", detail, now).await?;
        let event = OutboxEvent::DelegationGranted {
            delegation_id: row.id.clone(),
            principal_id: row.principal_id.clone(),
            delegate_id: row.delegate_id.clone(),
            permissions: names_of(&row.permissions),
            brand_id: row.brand_id.clone(),
            expires_at,
            renewed: true,
        };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await
    }

    /// Ends a live delegation: the principal revokes it, or the delegate declines it.
    /// The brand grants issued under it end in the same transaction (back-channel
    /// logout); audited on both; `delegation.revoked`.
    pub async fn revoke_delegation(&self, principal: &Principal, customer_id: &str, delegation_id: &str) -> Result<()> {
        authorize(principal, Action::ManageDelegations, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = rows::by_id(&mut tx, delegation_id).await?.ok_or(Error::NotFound("delegation"))?;
        let reason = if row.principal_id == customer_id { "revoked" } else { "declined" };
        let ended = rows::revoke(&mut tx, delegation_id, customer_id, reason, now).await?.ok_or(Error::NotFound("delegation"))?;
        let grants = self.end_delegation_grants_tx(&mut tx, &ended.id, reason, now).await?;
        let detail = serde_json::json!({ "delegation": delegation_id, "reason": reason, "grants_ended": grants });
        record_both(&mut tx, principal, &row, "delegation.revoked", detail, now).await?;
        let event = OutboxEvent::DelegationRevoked { delegation_id: ended.id, principal_id: ended.principal_id, delegate_id: ended.delegate_id, reason: reason.into(), at: now };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await
    }

    /// The customer's live delegations, given and received, soonest expiry first.
    pub async fn delegations(&self, principal: &Principal, customer_id: &str) -> Result<Delegations> {
        authorize(principal, Action::ManageDelegations, Subject::Customer(customer_id))?;
        self.delegations_of(customer_id).await
    }

    /// [`Self::delegations`] for a caller that authorized already (the support view).
    pub(crate) async fn delegations_of(&self, customer_id: &str) -> Result<Delegations> {
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let given = rows::listed(&mut conn, customer_id, true, now).await?.into_iter().map(view).collect();
        let received = rows::listed(&mut conn, customer_id, false, now).await?.into_iter().map(view).collect();
        Ok(Delegations { given, received })
    }

    /// The principal `actor_id` (signed in at `acr`) acts as for `subject_id`: a live
    /// delegation from the subject (its permissions), else a live guardianship over the
    /// subject (the guardian permissions). `Forbidden` when neither is live. Called on
    /// every request made while acting, so a revoked delegation stops the next one.
    pub async fn act_for(&self, actor_id: &str, acr: &str, subject_id: &str) -> Result<Principal> {
        let me = Principal::customer(actor_id, acr);
        authorize(&me, Action::ViewAccount, Subject::Customer(actor_id))?;
        if actor_id == subject_id {
            return Ok(me);
        }
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        self.acting_principal(&mut conn, actor_id, subject_id, now).await?.ok_or(Error::Forbidden)
    }

    async fn acting_principal(&self, conn: &mut AnyConnection, actor_id: &str, subject_id: &str, now: UnixMillis) -> Result<Option<Principal>> {
        if let Some(d) = rows::live_between(conn, subject_id, actor_id, now).await? {
            let permissions = permissions_of(&d.permissions, d.brand_id.as_deref());
            return Ok(Some(Principal::Delegate { actor: actor_id.into(), subject: subject_id.into(), grant: d.id, permissions }));
        }
        if let Some(g) = rows::live_guardianship(conn, actor_id, subject_id).await? {
            return Ok(Some(Principal::Delegate {
                actor: actor_id.into(),
                subject: subject_id.into(),
                grant: format!("{GUARDIAN_GRANT_PREFIX}{g}"),
                permissions: Permission::GUARDIAN.to_vec(),
            }));
        }
        Ok(None)
    }

    /// Whom the customer can act for in their account pages: managed members they are
    /// guardian of, and adults whose live delegation gives them more than `act_at_brand`.
    pub async fn acting_options(&self, principal: &Principal, customer_id: &str) -> Result<Vec<ActingOption>> {
        authorize(principal, Action::ManageDelegations, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let mut options: Vec<ActingOption> = rows::wards(&mut conn, customer_id)
            .await?
            .into_iter()
            .map(|(id, given, family, display, email)| ActingOption {
                customer_id: id,
                name: name_of(given, family, display, email),
                via: ActingVia::Guardian,
                permissions: Permission::GUARDIAN.iter().map(|p| p.name().to_owned()).collect(),
            })
            .collect();
        for d in rows::listed(&mut conn, customer_id, false, now).await? {
            let permissions = names_of(&d.permissions);
            if permissions.iter().all(|p| p == "act_at_brand") {
                continue;
            }
            options.push(ActingOption {
                customer_id: d.principal_id.clone(),
                name: name_of(d.given_name, d.family_name, d.display_name, d.email),
                via: ActingVia::Delegation { id: d.id, expires_at: d.expires_at },
                permissions,
            });
        }
        Ok(options)
    }

    /// The names of the members of the customer's households (id, name): how the
    /// activity page names who acted on their behalf, or for whom they acted.
    pub async fn household_names(&self, principal: &Principal, customer_id: &str) -> Result<Vec<(String, String)>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        let mut conn = self.store.pool().acquire().await?;
        let mut names = Vec::new();
        for membership in crate::store::households::memberships_of(&mut conn, customer_id).await? {
            for m in crate::store::households::members(&mut conn, &membership.household_id).await? {
                let name = member_name(&m);
                names.push((m.customer_id, name));
            }
        }
        Ok(names)
    }

    /// The principals the signed-in customer may sign in for at the brand `brand_id`
    /// (live `act_at_brand` delegations for it): the consent screen's chooser.
    pub async fn brand_acting_options(&self, principal: &Principal, customer_id: &str, brand_id: &str) -> Result<Vec<BrandActing>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        Ok(rows::live_at_brand(&mut conn, customer_id, brand_id, now)
            .await?
            .into_iter()
            .filter(|d| names_of(&d.permissions).iter().any(|p| p == "act_at_brand"))
            .map(|d| BrandActing {
                delegation_id: d.id,
                principal_id: d.principal_id,
                name: name_of(d.given_name, d.family_name, d.display_name, d.email),
                expires_at: d.expires_at,
            })
            .collect())
    }

    /// The live delegation `delegation_id` held by `delegate_id` with `act_at_brand` for
    /// `brand_id`, as the delegate principal it makes (checked at the chooser, at the
    /// code and at token exchange). `None` when it is not live or does not cover it.
    pub(crate) async fn brand_delegate(&self, conn: &mut AnyConnection, delegation_id: &str, delegate_id: &str, brand_id: &str) -> Result<Option<(DelegationRow, Principal)>> {
        let now = self.clock.now();
        let Some(row) = rows::live_held(conn, delegation_id, delegate_id, now).await? else { return Ok(None) };
        let permissions = permissions_of(&row.permissions, row.brand_id.as_deref());
        let principal = Principal::Delegate { actor: delegate_id.into(), subject: row.principal_id.clone(), grant: row.id.clone(), permissions };
        if authorize(&principal, Action::ActAtBrand, Subject::Brand(brand_id)).is_err() {
            return Ok(None);
        }
        Ok(Some((row, principal)))
    }

    /// The live `act_at_brand` delegation from `principal_id` to `delegate_id` covering
    /// `brand_id` (token exchange), if any.
    pub(crate) async fn brand_delegation_between(&self, conn: &mut AnyConnection, principal_id: &str, delegate_id: &str, brand_id: &str) -> Result<Option<DelegationRow>> {
        let now = self.clock.now();
        let Some(row) = rows::live_between(conn, principal_id, delegate_id, now).await? else { return Ok(None) };
        Ok(self.brand_delegate(conn, &row.id, delegate_id, brand_id).await?.map(|(row, _)| row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn permissions_are_checked_before_anything_is_stored() {
        assert_eq!(parse_permissions(&names(&["view_profile", "manage_consents"]), false).unwrap(), names(&["view_profile", "manage_consents"]));
        assert!(matches!(parse_permissions(&[], false), Err(ParseError::Missing { field: "Permissions" })));
        assert!(matches!(parse_permissions(&names(&["  "]), false), Err(ParseError::Missing { .. })));
        assert!(parse_permissions(&names(&["manage_credentials"]), false).is_err(), "never credentials");
        assert!(parse_permissions(&names(&["manage_profile"]), false).is_err(), "a guardian's, not delegable");
        assert!(parse_permissions(&names(&["approve_consents"]), false).is_err(), "a guardian's, not delegable");
        assert!(parse_permissions(&names(&["view_profile", "view_profile"]), false).is_err(), "no duplicates");
        assert!(matches!(parse_permissions(&names(&["act_at_brand"]), false), Err(ParseError::Missing { field: "Brand" })));
        assert!(parse_permissions(&names(&["view_profile"]), true).is_err(), "a brand without act_at_brand");
        assert!(parse_permissions(&names(&["act_at_brand"]), true).is_ok());
    }

    #[test]
    fn stored_permissions_become_the_principals() {
        assert_eq!(permissions_of(r#"["view_profile","act_at_brand"]"#, Some("b1")), vec![Permission::ViewProfile, Permission::ActAtBrand("b1".into())]);
        assert_eq!(permissions_of(r#"["act_at_brand"]"#, None), vec![], "no brand, no brand permission");
        assert_eq!(permissions_of("not json", None), vec![]);
        assert_eq!(permissions_of(r#"["manage_credentials"]"#, None), vec![], "unknown names give nothing");
    }

    #[test]
    fn a_forms_date_becomes_the_end_of_that_day_capped_at_a_year() {
        let now = 1_765_000_000_000; // 2025-12-06T05:46:40Z
        assert_eq!(date_of(now), "2025-12-06");
        assert_eq!(expiry_from_date("2025-12-06", now).unwrap(), 1_765_065_600_000, "today works until midnight UTC");
        assert_eq!(expiry_from_date("2026-12-06", now).unwrap(), now + MAX_DELEGATION_MS, "the last day allowed is capped");
        assert!(matches!(expiry_from_date("2026-12-07", now), Err(Error::Refused(Refusal::DelegationExpiry))));
        assert!(matches!(expiry_from_date("2025-12-05", now), Err(Error::Refused(Refusal::DelegationExpiry))));
        for bad in ["", "2025-13-01", "2025-02-30", "25-12-06", "2025-12-06T00:00", "2025/12/06"] {
            assert!(matches!(expiry_from_date(bad, now), Err(Error::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn expiry_is_future_and_at_most_a_year() {
        let now = 1_000_000;
        assert!(check_expiry(now + 1, now).is_ok());
        assert!(check_expiry(now + MAX_DELEGATION_MS, now).is_ok());
        assert!(matches!(check_expiry(now + MAX_DELEGATION_MS + 1, now), Err(Error::Refused(Refusal::DelegationExpiry))));
        assert!(check_expiry(now, now).is_err());
        assert!(check_expiry(now - 1, now).is_err());
    }
}
