//! Households and membership: create, rename, invite an adult by mail (single-use link,
//! 7 days, revocable), accept, leave, remove, transfer ownership, and the household as
//! the page shows it. Each change re-reads the actor's role in its own transaction and
//! asks [`super::may`]; leaving and removal end the member's delegations (and the brand
//! grants issued under them) and guardianships in that same transaction.

use super::{HouseholdAction, INVITATION_MS, Role, may, parse_name};
use crate::accounts::{MailTo, RequestMeta};
use crate::audit::{self, AuditEvent};
use crate::domain::Email;
use crate::email::Template;
use crate::error::Refusal;
use crate::outbox::{OutboxEvent, enqueue};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::households::{self as rows, InvitationRow, MemberRow};
use crate::store::{Tx, customers};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// Open invitations one household may have at once (against mail flooding).
pub const MAX_OPEN_INVITATIONS: i64 = 20;

/// One member as the household page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub customer_id: String,
    pub role: Role,
    pub joined_at: UnixMillis,
    /// The member's own name (display name, else given and family name), else their
    /// address (adults); a managed member always has a name.
    pub name: String,
    /// Managed members only.
    pub birth_date: Option<String>,
    /// The guardians of a managed member (customer ids).
    pub guardians: Vec<String>,
}

/// An open invitation, for the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

/// A household as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdView {
    pub id: String,
    pub name: String,
    pub my_role: Role,
    pub members: Vec<Member>,
    /// Open invitations (the owner's view only; empty for others).
    pub invitations: Vec<Invitation>,
}

impl HouseholdView {
    /// Whether `customer_id` is a guardian of the managed member `managed_id`.
    pub fn is_guardian(&self, customer_id: &str, managed_id: &str) -> bool {
        self.members.iter().any(|m| m.customer_id == managed_id && m.guardians.iter().any(|g| g == customer_id))
    }
}

/// What an invitation link shows before it is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationPreview {
    pub household: String,
    pub inviter: Option<String>,
    pub state: InvitationState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Accepted,
    Revoked,
    Expired,
}

pub(crate) fn member_name(m: &MemberRow) -> String {
    if let Some(d) = m.display_name.as_deref().filter(|d| !d.trim().is_empty()) {
        return d.to_owned();
    }
    let full = [m.given_name.as_deref(), m.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if full.trim().is_empty() { m.email.clone() } else { full }
}

fn not_member() -> Error {
    Error::NotFound("household")
}

impl Identity {
    /// The actor's role in the household, read in `tx` (a change decides on what it sees).
    pub(crate) async fn household_role_tx(&self, tx: &mut Tx, household_id: &str, customer_id: &str) -> Result<Role> {
        rows::role_in(tx, household_id, customer_id).await?.as_deref().and_then(Role::parse).ok_or_else(not_member)
    }

    /// Checks the role table for `action`; refuses with `Forbidden` otherwise.
    pub(crate) async fn household_may_tx(&self, tx: &mut Tx, household_id: &str, customer_id: &str, action: HouseholdAction) -> Result<Role> {
        let role = self.household_role_tx(tx, household_id, customer_id).await?;
        if may(role, false, action) { Ok(role) } else { Err(Error::Forbidden) }
    }

    async fn household_audit(&self, tx: &mut Tx, principal: &Principal, subject: &str, action: &str, detail: serde_json::Value, now: UnixMillis) -> Result<()> {
        audit::record(tx, &AuditEvent { at: now, actor: principal.actor(), subject: Some(format!("customer:{subject}")), action, reason: None, detail }).await
    }

    /// The households the customer belongs to, as each shows to them.
    pub async fn households(&self, principal: &Principal, customer_id: &str) -> Result<Vec<HouseholdView>> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let mut views = Vec::new();
        for membership in rows::memberships_of(&mut conn, customer_id).await? {
            let Some(my_role) = Role::parse(&membership.role) else { continue };
            let links = rows::guardian_links(&mut conn, &membership.household_id).await?;
            let members = rows::members(&mut conn, &membership.household_id)
                .await?
                .into_iter()
                .filter_map(|m| {
                    let role = Role::parse(&m.role)?;
                    let guardians = links.iter().filter(|l| l.managed_id == m.customer_id).map(|l| l.guardian_id.clone()).collect();
                    let birth_date = (role == Role::Managed).then(|| m.birth_date.clone()).flatten();
                    Some(Member { name: member_name(&m), customer_id: m.customer_id, role, joined_at: m.joined_at, birth_date, guardians })
                })
                .collect();
            let invitations = if my_role == Role::Owner {
                rows::open_invitations(&mut conn, &membership.household_id, now)
                    .await?
                    .into_iter()
                    .map(|i| Invitation { id: i.id, email: i.email_normalized, created_at: i.created_at, expires_at: i.expires_at })
                    .collect()
            } else {
                Vec::new()
            };
            views.push(HouseholdView { id: membership.household_id, name: membership.name, my_role, members, invitations });
        }
        Ok(views)
    }

    /// Creates a household with the customer as its owner; returns its id. The address
    /// must be confirmed (an unconfirmed account is provisional: `accounts::provisional`).
    pub async fn create_household(&self, principal: &Principal, customer_id: &str, name: &str) -> Result<String> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let name = parse_name(name)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let me = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        if !me.email_verified {
            return Err(Error::Refused(Refusal::ConfirmEmailFirst));
        }
        self.check_household_capacity(&mut tx, customer_id).await?;
        let id = self.new_id();
        rows::insert_household(&mut tx, &id, &name, now).await?;
        rows::insert_member(&mut tx, &id, customer_id, Role::Owner.as_str(), now).await?;
        self.household_audit(&mut tx, principal, customer_id, "household.created", serde_json::json!({ "household": id }), now).await?;
        let event = OutboxEvent::HouseholdMemberAdded { household_id: id.clone(), customer_id: customer_id.into(), role: "owner".into(), at: now };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn check_household_capacity(&self, tx: &mut Tx, customer_id: &str) -> Result<()> {
        let limit = self.settings.households_per_customer.max(1);
        let held = i64::try_from(rows::memberships_of(tx, customer_id).await?.len()).unwrap_or(i64::MAX);
        if held >= limit { Err(Error::Refused(Refusal::HouseholdLimit(limit))) } else { Ok(()) }
    }

    /// Renames the household (the owner).
    pub async fn rename_household(&self, principal: &Principal, customer_id: &str, household_id: &str, name: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let name = parse_name(name)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::Rename).await?;
        rows::rename(&mut tx, household_id, &name).await?;
        self.household_audit(&mut tx, principal, customer_id, "household.renamed", serde_json::json!({ "household": household_id }), now).await?;
        tx.commit().await
    }

    /// Invites an address to join as an adult (the owner): a single-use link valid 7
    /// days is mailed to it. A new invitation to the same address replaces the open one.
    /// Returns the invitation's id. The address itself is never written to the audit log.
    pub async fn invite_to_household(&self, principal: &Principal, customer_id: &str, household_id: &str, email: &str, meta: &RequestMeta) -> Result<String> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let email = Email::parse(email)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::Invite).await?;
        if rows::members(&mut tx, household_id).await?.iter().any(|m| customers_normalized(&m.email) == email.normalized()) {
            return Err(Error::Refused(Refusal::AlreadyMember));
        }
        let open = rows::open_invitations(&mut tx, household_id, now).await?;
        for same in open.iter().filter(|i| i.email_normalized == email.normalized()) {
            rows::revoke_invitation(&mut tx, household_id, &same.id, now).await?;
        }
        if i64::try_from(open.len()).unwrap_or(i64::MAX) >= MAX_OPEN_INVITATIONS {
            return Err(Error::Refused(Refusal::TooManyInvitations));
        }
        let inviter = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        let household = rows::memberships_of(&mut tx, customer_id).await?.into_iter().find(|m| m.household_id == household_id).ok_or_else(not_member)?;
        let token = self.new_token();
        let row = InvitationRow {
            id: self.new_id(),
            household_id: household_id.into(),
            email_normalized: email.normalized().into(),
            invited_by: Some(customer_id.into()),
            created_at: now,
            expires_at: now + INVITATION_MS,
            accepted_at: None,
            revoked_at: None,
        };
        rows::insert_invitation(&mut tx, &row, &sha256_hex(token.as_bytes())).await?;
        let link = self.link(&format!("/account/household/join?token={token}"));
        let inviter_name = member_name(&MemberRow {
            customer_id: inviter.id.clone(),
            role: String::new(),
            joined_at: 0,
            given_name: inviter.given_name.clone(),
            family_name: inviter.family_name.clone(),
            display_name: inviter.display_name.clone(),
            email: inviter.email.clone(),
            birth_date: None,
        });
        let args = [("inviter", inviter_name.as_str()), ("household", household.name.as_str())];
        let template = Template::Notice {
            subject: "mail-household-invite-subject",
            paras: &["mail-household-invite-body", "mail-household-invite-expiry", "mail-household-invite-ignore"],
            args: &args,
            link: Some(("mail-household-invite-link", &link)),
        };
        self.queue_mail(&mut tx, &MailTo::address(email.as_str(), meta), template, now).await?;
        let detail = serde_json::json!({ "household": household_id, "invitation": row.id });
        self.household_audit(&mut tx, principal, customer_id, "household.invited", detail, now).await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// Revokes an open invitation (the owner); a used or unknown one is `NotFound`.
    pub async fn revoke_household_invitation(&self, principal: &Principal, customer_id: &str, household_id: &str, invitation_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::RevokeInvitation).await?;
        if !rows::revoke_invitation(&mut tx, household_id, invitation_id, now).await? {
            return Err(Error::NotFound("invitation"));
        }
        let detail = serde_json::json!({ "household": household_id, "invitation": invitation_id });
        self.household_audit(&mut tx, principal, customer_id, "household.invitation_revoked", detail, now).await?;
        tx.commit().await
    }

    /// What an invitation link shows (anyone holding it: the link is the proof).
    pub async fn household_invitation(&self, token: &str) -> Result<InvitationPreview> {
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let invitation = rows::invitation_by_hash(&mut conn, &sha256_hex(token.as_bytes())).await?.ok_or(Error::TokenInvalid)?;
        let state = if invitation.accepted_at.is_some() {
            InvitationState::Accepted
        } else if invitation.revoked_at.is_some() {
            InvitationState::Revoked
        } else if invitation.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Open
        };
        let members = rows::members(&mut conn, &invitation.household_id).await?;
        let inviter = invitation.invited_by.as_deref().and_then(|id| members.iter().find(|m| m.customer_id == id)).map(member_name);
        let household = rows::household_name(&mut conn, &invitation.household_id).await?.ok_or(Error::TokenInvalid)?;
        Ok(InvitationPreview { household, inviter, state })
    }

    /// Accepts an invitation for the signed-in customer, whose confirmed address must be
    /// the invited one. Single use: a used, revoked or expired link is `TokenInvalid`.
    /// Returns the household's id.
    pub async fn accept_household_invitation(&self, principal: &Principal, customer_id: &str, token: &str) -> Result<String> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let invitation = rows::invitation_by_hash(&mut tx, &sha256_hex(token.as_bytes())).await?.ok_or(Error::TokenInvalid)?;
        if invitation.accepted_at.is_some() || invitation.revoked_at.is_some() || invitation.expires_at <= now {
            return Err(Error::TokenInvalid);
        }
        let me = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        if me.email_normalized != invitation.email_normalized {
            return Err(Error::Refused(Refusal::InvitationForAnotherAddress));
        }
        if !me.email_verified {
            return Err(Error::Refused(Refusal::ConfirmEmailFirst));
        }
        if rows::role_in(&mut tx, &invitation.household_id, customer_id).await?.is_some() {
            return Err(Error::Refused(Refusal::AlreadyMember));
        }
        self.check_household_capacity(&mut tx, customer_id).await?;
        if !rows::accept_invitation(&mut tx, &invitation.id, customer_id, now).await? {
            return Err(Error::TokenInvalid);
        }
        let household_id = invitation.household_id.clone();
        rows::insert_member(&mut tx, &household_id, customer_id, Role::Adult.as_str(), now).await?;
        let detail = serde_json::json!({ "household": household_id, "invitation": invitation.id });
        self.household_audit(&mut tx, principal, customer_id, "household.joined", detail, now).await?;
        let event = OutboxEvent::HouseholdMemberAdded { household_id: household_id.clone(), customer_id: customer_id.into(), role: "adult".into(), at: now };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(household_id)
    }

    /// The customer leaves the household. An owner must first transfer ownership while
    /// other adults remain; the only guardian of a managed member must first add another.
    /// Ends the leaver's delegations (and the grants under them) and guardianships.
    pub async fn leave_household(&self, principal: &Principal, customer_id: &str, household_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let role = self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::Leave).await?;
        let members = rows::members(&mut tx, household_id).await?;
        if role == Role::Owner && members.iter().any(|m| m.role == "adult") {
            return Err(Error::Refused(Refusal::OwnerMustTransfer));
        }
        let links = rows::guardian_links(&mut tx, household_id).await?;
        if sole_guardian(&links, customer_id) {
            return Err(Error::Refused(Refusal::LastGuardian));
        }
        self.end_membership_tx(&mut tx, household_id, customer_id, "left", now).await?;
        self.household_audit(&mut tx, principal, customer_id, "household.left", serde_json::json!({ "household": household_id }), now).await?;
        rows::delete_if_empty(&mut tx, household_id).await?;
        tx.commit().await
    }

    /// Removes an adult member (the owner), who is told by mail. Managed members whose
    /// only guardian they were get the owner as guardian, so no child is left with nobody.
    pub async fn remove_household_member(&self, principal: &Principal, customer_id: &str, household_id: &str, member_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::RemoveMember).await?;
        match rows::role_in(&mut tx, household_id, member_id).await?.as_deref().and_then(Role::parse) {
            Some(Role::Adult) => {}
            Some(Role::Owner) | Some(Role::Managed) => return Err(Error::Forbidden),
            None => return Err(Error::NotFound("member")),
        }
        let links = rows::guardian_links(&mut tx, household_id).await?;
        for held in links.iter().filter(|l| l.guardian_id == member_id) {
            let others = links.iter().any(|o| o.managed_id == held.managed_id && o.guardian_id != member_id);
            if !others {
                rows::insert_guardianship(&mut tx, &self.new_id(), &held.managed_id, customer_id, now).await?;
            }
        }
        let household = rows::household_name(&mut tx, household_id).await?.ok_or_else(not_member)?;
        self.end_membership_tx(&mut tx, household_id, member_id, "removed", now).await?;
        self.household_audit(&mut tx, principal, member_id, "household.removed", serde_json::json!({ "household": household_id }), now).await?;
        if let Some(removed) = customers::by_id_tx(&mut tx, member_id).await? {
            let args = [("household", household.as_str())];
            let link = self.link("/account/household");
            let template = Template::Notice {
                subject: "mail-household-removed-subject",
                paras: &["mail-household-removed-body", "mail-household-removed-delegations"],
                args: &args,
                link: Some(("mail-household-removed-link", &link)),
            };
            self.queue_mail(&mut tx, &MailTo::customer_only(&removed), template, now).await?;
        }
        tx.commit().await
    }

    /// Hands ownership to an adult member (the owner becomes an adult member).
    pub async fn transfer_household(&self, principal: &Principal, customer_id: &str, household_id: &str, new_owner_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.household_may_tx(&mut tx, household_id, customer_id, HouseholdAction::TransferOwnership).await?;
        if rows::role_in(&mut tx, household_id, new_owner_id).await?.as_deref() != Some("adult") {
            return Err(Error::NotFound("adult member"));
        }
        rows::set_role(&mut tx, household_id, customer_id, Role::Adult.as_str()).await?;
        rows::set_role(&mut tx, household_id, new_owner_id, Role::Owner.as_str()).await?;
        let detail = serde_json::json!({ "household": household_id, "to": new_owner_id });
        self.household_audit(&mut tx, principal, customer_id, "household.ownership_transferred", detail, now).await?;
        let detail = serde_json::json!({ "household": household_id, "from": customer_id });
        self.household_audit(&mut tx, principal, new_owner_id, "household.ownership_received", detail, now).await?;
        tx.commit().await
    }

    /// A deletion was asked: refused while the customer is the only guardian of a managed
    /// member (a child is never left with nobody); every delegation they gave or hold is
    /// revoked at once, with the brand grants issued under it. Membership stays until the
    /// erasure, so a cancelled deletion keeps the household.
    pub(crate) async fn households_before_deletion_tx(&self, tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<()> {
        for m in rows::memberships_of(tx, customer_id).await? {
            let links = rows::guardian_links(tx, &m.household_id).await?;
            if sole_guardian(&links, customer_id) {
                return Err(Error::Refused(Refusal::LastGuardian));
            }
            self.revoke_delegations_tx(tx, &m.household_id, customer_id, "deletion_requested", now).await?;
        }
        Ok(())
    }

    /// Erasure: the customer leaves every household. An owner's household passes to its
    /// longest-standing adult (who also becomes guardian of the managed members the owner
    /// alone looked after); a household left empty is deleted.
    pub(crate) async fn leave_households_for_erasure_tx(&self, tx: &mut Tx, customer_id: &str, now: UnixMillis) -> Result<()> {
        for m in rows::memberships_of(tx, customer_id).await? {
            if m.role == Role::Owner.as_str() {
                let members = rows::members(tx, &m.household_id).await?;
                if let Some(next) = members.iter().find(|x| x.role == Role::Adult.as_str()) {
                    // One owner at a time (a unique index): step down first.
                    rows::set_role(tx, &m.household_id, customer_id, Role::Adult.as_str()).await?;
                    rows::set_role(tx, &m.household_id, &next.customer_id, Role::Owner.as_str()).await?;
                    let links = rows::guardian_links(tx, &m.household_id).await?;
                    for held in links.iter().filter(|l| l.guardian_id == customer_id) {
                        if !links.iter().any(|o| o.managed_id == held.managed_id && o.guardian_id != customer_id) {
                            rows::insert_guardianship(tx, &self.new_id(), &held.managed_id, &next.customer_id, now).await?;
                        }
                    }
                }
            }
            self.end_membership_tx(tx, &m.household_id, customer_id, "erased", now).await?;
            rows::delete_if_empty(tx, &m.household_id).await?;
        }
        Ok(())
    }

    /// Revokes every live delegation of the household that `customer_id` gave or holds,
    /// ends the grants issued under each, and announces each.
    async fn revoke_delegations_tx(&self, tx: &mut Tx, household_id: &str, customer_id: &str, reason: &str, now: UnixMillis) -> Result<()> {
        for ended in rows::revoke_delegations_involving(tx, household_id, customer_id, reason, now).await? {
            self.end_delegation_grants_tx(tx, &ended.id, reason, now).await?;
            let event = OutboxEvent::DelegationRevoked {
                delegation_id: ended.id,
                principal_id: ended.principal_id,
                delegate_id: ended.delegate_id,
                reason: reason.into(),
                at: now,
            };
            enqueue(tx, &event, now).await?;
        }
        Ok(())
    }

    /// Adds an existing, confirmed customer to a household as an adult without an
    /// invitation: the operator's import (migrating households from another system, the
    /// demo's seed), never a customer's path. Audited on the member.
    pub async fn import_household_member(&self, principal: &Principal, household_id: &str, customer_id: &str) -> Result<()> {
        authorize(principal, Action::ImportCustomers, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        rows::household_name(&mut tx, household_id).await?.ok_or(Error::NotFound("household"))?;
        let customer = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        if !customer.email_verified || customer.managed {
            return Err(Error::Refused(Refusal::ConfirmEmailFirst));
        }
        if rows::role_in(&mut tx, household_id, customer_id).await?.is_some() {
            return Err(Error::Refused(Refusal::AlreadyMember));
        }
        self.check_household_capacity(&mut tx, customer_id).await?;
        rows::insert_member(&mut tx, household_id, customer_id, Role::Adult.as_str(), now).await?;
        self.household_audit(&mut tx, principal, customer_id, "household.imported", serde_json::json!({ "household": household_id }), now).await?;
        let event = OutboxEvent::HouseholdMemberAdded { household_id: household_id.into(), customer_id: customer_id.into(), role: "adult".into(), at: now };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await
    }

    /// Ends one membership: every delegation the member gave or held in the household
    /// (and the brand grants issued under them), every guardianship they held, the row.
    pub(crate) async fn end_membership_tx(&self, tx: &mut Tx, household_id: &str, member_id: &str, reason: &str, now: UnixMillis) -> Result<()> {
        self.revoke_delegations_tx(tx, household_id, member_id, reason, now).await?;
        rows::end_guardianships(tx, member_id, None, reason, now).await?;
        rows::delete_member(tx, household_id, member_id).await?;
        // Pooling is a household's: a member who leaves pools no more.
        crate::store::loyalty::unpool_customer(tx, member_id).await?;
        let event = OutboxEvent::HouseholdMemberRemoved { household_id: household_id.into(), customer_id: member_id.into(), reason: reason.into(), at: now };
        enqueue(tx, &event, now).await?;
        Ok(())
    }
}

/// Whether `customer_id` is the only live guardian of some managed member in `links`.
fn sole_guardian(links: &[rows::GuardianLink], customer_id: &str) -> bool {
    links.iter().filter(|l| l.guardian_id == customer_id).any(|l| !links.iter().any(|o| o.managed_id == l.managed_id && o.guardian_id != customer_id))
}

/// The normalised form of a stored address (members' rows carry the address as typed).
fn customers_normalized(email: &str) -> String {
    Email::parse(email).map(|e| e.normalized().to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(display: Option<&str>, given: Option<&str>, family: Option<&str>) -> MemberRow {
        MemberRow {
            customer_id: "c".into(),
            role: "adult".into(),
            joined_at: 0,
            given_name: given.map(Into::into),
            family_name: family.map(Into::into),
            display_name: display.map(Into::into),
            email: "a@example.com".into(),
            birth_date: None,
        }
    }

    #[test]
    fn a_member_is_named_by_their_own_profile() {
        assert_eq!(member_name(&row(Some("Ada"), Some("Augusta"), Some("King"))), "Ada");
        assert_eq!(member_name(&row(None, Some("Augusta"), Some("King"))), "Augusta King");
        assert_eq!(member_name(&row(Some("  "), None, Some("King"))), "King");
        assert_eq!(member_name(&row(None, None, None)), "a@example.com");
        assert_eq!(customers_normalized("Ada@Example.COM"), Email::parse("ada@example.com").unwrap().normalized());
    }
}
