//! Managed members: profiles a guardian creates for a child or dependant (no address,
//! no sign-in), their guardians, the guardian principal through which a guardian manages
//! the member's profile and consents, approving a minor's pending grants, and removing a
//! managed member (erased). The coming-of-age notice and the hand-over are in
//! [`super::handover`].
//!
//! Guardian rights come only from a live `guardianships` row: every use case here reads
//! it in its own transaction, and [`Identity::guardian_principal`] builds the delegate
//! principal only from one.

use super::{HouseholdAction, Permission, Role, may};
use crate::accounts::{MailTo, RequestMeta};
use crate::audit::{self, AuditEvent};
use crate::consent::ledger::{Evidence, Recorded};
use crate::consent::{Channel, Collection, Decision};
use crate::domain::{ParseError, PersonName};
use crate::email::Template;
use crate::i18n::Locale;
use crate::outbox::{OutboxEvent, enqueue};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::customers::{self, CustomerRow};
use crate::store::guardians::{self, NewManaged};
use crate::store::households as rows;
use crate::store::{Tx, ledger, purposes};
use crate::{Error, Identity, Result, UnixMillis};

/// What a managed member's `email` column starts with (`managed:<id>`): not an address,
/// so no sign-in, reset or code flow can reach the row, and no mail is queued to it.
pub const NO_ADDRESS_PREFIX: &str = "managed:";

/// The `grant` of a guardian's delegate principal: `guardian:<guardianship id>`.
pub const GUARDIAN_GRANT_PREFIX: &str = "guardian:";

/// A managed member as the household page's managed section shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedMember {
    pub id: String,
    pub name: String,
    pub birth_date: Option<String>,
    /// The live guardians: customer id and name.
    pub guardians: Vec<(String, String)>,
    /// Whether the viewer is one of them.
    pub mine: bool,
    /// The first day a hand-over link can be issued (`YYYY-MM-DD`; 30 days before the
    /// age of hand-over where the member lives), if the birth date is known.
    pub claim_opens: Option<String>,
    /// Whether that day has come.
    pub claim_open: bool,
    /// The minor's grants waiting for a guardian (only for the member's guardians).
    pub pending: Vec<PendingConsent>,
}

/// A purpose a managed member said yes to that waits for a guardian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingConsent {
    pub purpose_id: String,
    pub purpose_key: String,
    /// In the viewer's language.
    pub title: String,
    /// The brand's slug; `None`: group-wide.
    pub brand: Option<String>,
    /// The channels waiting (empty: the purpose as a whole).
    pub channels: Vec<Channel>,
    pub at: UnixMillis,
}

/// The name a managed member's own profile gives.
fn managed_name(c: &CustomerRow) -> String {
    let full = [c.given_name.as_deref(), c.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    c.display_name.clone().filter(|d| !d.trim().is_empty()).unwrap_or(full)
}

fn not_found() -> Error {
    Error::NotFound("member")
}

impl Identity {
    /// The principal through which `guardian_id` manages `managed_id`: a delegate with
    /// the guardian permissions and `grant = guardian:<id>`, built only from a live
    /// guardianship over a member still managed. `None` otherwise (never a guardian, the
    /// guardianship ended, or the hand-over happened).
    pub async fn guardian_principal(&self, guardian_id: &str, managed_id: &str) -> Result<Option<Principal>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(guardians::live_guardianship(&mut conn, guardian_id, managed_id).await?.map(|id| Principal::Delegate {
            actor: guardian_id.to_owned(),
            subject: managed_id.to_owned(),
            grant: format!("{GUARDIAN_GRANT_PREFIX}{id}"),
            permissions: Permission::GUARDIAN.to_vec(),
        }))
    }

    /// The actor's role and whether they are a live guardian of `managed_id`, who must be
    /// a managed member of the household (else `NotFound`).
    /// Takes the member's lock first (`guardians::lock_member`).
    async fn managed_context_tx(&self, tx: &mut Tx, household_id: &str, customer_id: &str, managed_id: &str) -> Result<(Role, bool)> {
        let role = self.household_role_tx(tx, household_id, customer_id).await?;
        if rows::role_in(tx, household_id, managed_id).await?.as_deref() != Some(Role::Managed.as_str()) || !guardians::lock_member(tx, managed_id).await? {
            return Err(not_found());
        }
        let guardian = guardians::live_guardianship(tx, customer_id, managed_id).await?.is_some();
        Ok((role, guardian))
    }

    async fn managed_audit(&self, tx: &mut Tx, principal: &Principal, subject: &str, action: &str, detail: serde_json::Value, now: UnixMillis) -> Result<()> {
        audit::record(tx, &AuditEvent { at: now, actor: principal.actor(), subject: Some(format!("customer:{subject}")), action, reason: None, detail }).await
    }

    /// Creates a managed member of the household (an owner or adult, who becomes its
    /// guardian): a profile with names and a birth date, no address, no password.
    /// Returns the member's customer id.
    pub async fn create_managed_member(
        &self,
        principal: &Principal,
        customer_id: &str,
        household_id: &str,
        given_name: &str,
        family_name: Option<&str>,
        birth_date: &str,
    ) -> Result<String> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut errors = Vec::new();
        let given = PersonName::parse_optional("Given name", Some(given_name)).map_err(|e| errors.push(e)).ok().flatten();
        if given.is_none() && errors.is_empty() {
            errors.push(ParseError::Missing { field: "Given name" });
        }
        let family = PersonName::parse_optional("Family name", family_name).map_err(|e| errors.push(e)).ok().flatten();
        let born = crate::domain::profile::parse_birth_date(Some(birth_date), today(now)).map_err(|e| errors.push(e)).ok().flatten();
        if born.is_none() && errors.iter().all(|e| !matches!(e, ParseError::Invalid { field: "Birth date", .. })) {
            errors.push(ParseError::Missing { field: "Birth date" });
        }
        let (Some(given), Some(born), true) = (given, born, errors.is_empty()) else { return Err(Error::Fields(errors)) };
        let mut tx = self.store.begin().await?;
        let role = self.household_role_tx(&mut tx, household_id, customer_id).await?;
        if !may(role, false, HouseholdAction::CreateManaged) {
            return Err(Error::Forbidden);
        }
        let id = self.new_id();
        let email = format!("{NO_ADDRESS_PREFIX}{id}");
        let family = family.as_ref().map(PersonName::as_str);
        guardians::insert_managed(&mut tx, &NewManaged { id: &id, email: &email, given_name: given.as_str(), family_name: family, birth_date: &born, now }).await?;
        rows::insert_member(&mut tx, household_id, &id, Role::Managed.as_str(), now).await?;
        rows::insert_guardianship(&mut tx, &self.new_id(), &id, customer_id, now).await?;
        let detail = serde_json::json!({ "household": household_id, "guardian": customer_id });
        self.managed_audit(&mut tx, principal, &id, "household.managed_created", detail, now).await?;
        let event = OutboxEvent::HouseholdMemberAdded { household_id: household_id.into(), customer_id: id.clone(), role: Role::Managed.as_str().into(), at: now };
        enqueue(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A guardian makes another adult member of the household a guardian of the managed
    /// member too; the new guardian is told by mail.
    pub async fn add_guardian(&self, principal: &Principal, customer_id: &str, household_id: &str, managed_id: &str, guardian_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (role, guardian) = self.managed_context_tx(&mut tx, household_id, customer_id, managed_id).await?;
        if !may(role, guardian, HouseholdAction::AddGuardian) {
            return Err(Error::Forbidden);
        }
        match rows::role_in(&mut tx, household_id, guardian_id).await?.as_deref().and_then(Role::parse) {
            Some(Role::Owner | Role::Adult) => {}
            Some(Role::Managed) | None => return Err(Error::NotFound("adult member")),
        }
        if guardians::live_guardianship(&mut tx, guardian_id, managed_id).await?.is_some() {
            return Err(Error::Conflict("this guardian"));
        }
        rows::insert_guardianship(&mut tx, &self.new_id(), managed_id, guardian_id, now).await?;
        let detail = serde_json::json!({ "household": household_id, "guardian": guardian_id });
        self.managed_audit(&mut tx, principal, managed_id, "household.guardian_added", detail, now).await?;
        self.guardian_notice(&mut tx, household_id, managed_id, guardian_id, "added", now).await?;
        tx.commit().await
    }

    /// The owner, or a guardian of the member, ends one guardianship; never the last
    /// one (a managed member always has a guardian). The removed guardian is told.
    pub async fn remove_guardian(&self, principal: &Principal, customer_id: &str, household_id: &str, managed_id: &str, guardian_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (role, guardian) = self.managed_context_tx(&mut tx, household_id, customer_id, managed_id).await?;
        if !may(role, guardian, HouseholdAction::RemoveGuardian) {
            return Err(Error::Forbidden);
        }
        let live = guardians::guardians_of(&mut tx, managed_id).await?;
        if !live.iter().any(|g| g == guardian_id) {
            return Err(Error::NotFound("guardian"));
        }
        if live.len() < 2 {
            return Err(Error::Refused(crate::error::Refusal::LastGuardian));
        }
        rows::end_guardianships(&mut tx, guardian_id, Some(managed_id), "removed", now).await?;
        let detail = serde_json::json!({ "household": household_id, "guardian": guardian_id });
        self.managed_audit(&mut tx, principal, managed_id, "household.guardian_removed", detail, now).await?;
        self.guardian_notice(&mut tx, household_id, managed_id, guardian_id, "removed", now).await?;
        tx.commit().await
    }

    /// Mails a guardian that they were added (`"added"`) or removed as a member's guardian.
    async fn guardian_notice(&self, tx: &mut Tx, household_id: &str, managed_id: &str, guardian_id: &str, what: &str, now: UnixMillis) -> Result<()> {
        let (Some(member), Some(to)) = (customers::by_id_tx(tx, managed_id).await?, customers::by_id_tx(tx, guardian_id).await?) else { return Ok(()) };
        let household = rows::household_name(tx, household_id).await?.unwrap_or_default();
        let name = managed_name(&member);
        let args = [("member", name.as_str()), ("household", household.as_str())];
        let link = self.link("/account/household");
        let template = if what == "added" {
            Template::Notice {
                subject: "mail-managed-guardian-added-subject",
                paras: &["mail-managed-guardian-added-body"],
                args: &args,
                link: Some(("mail-managed-household-link", &link)),
            }
        } else {
            Template::Notice {
                subject: "mail-managed-guardian-removed-subject",
                paras: &["mail-managed-guardian-removed-body", "mail-managed-guardian-removed-other"],
                args: &args,
                link: Some(("mail-managed-household-link", &link)),
            }
        };
        self.queue_mail(tx, &MailTo::customer_only(&to), template, now).await
    }

    /// The owner or a guardian removes a managed member: the membership ends and the
    /// member's profile is erased by the same erasure as a deleted account's.
    pub async fn remove_managed_member(&self, principal: &Principal, customer_id: &str, household_id: &str, managed_id: &str) -> Result<()> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (role, guardian) = self.managed_context_tx(&mut tx, household_id, customer_id, managed_id).await?;
        if !(guardian || may(role, false, HouseholdAction::RemoveMember)) {
            return Err(Error::Forbidden);
        }
        let member = customers::by_id_tx(&mut tx, managed_id).await?.filter(|c| c.managed).ok_or_else(not_found)?;
        self.end_membership_tx(&mut tx, household_id, managed_id, "removed", now).await?;
        let (pseudonym, mut detail) = self.erase_customer_tx(&mut tx, &member, "managed_member_removed", now).await?;
        detail["household"] = serde_json::json!(household_id);
        detail["member"] = serde_json::json!(pseudonym);
        self.managed_audit(&mut tx, principal, customer_id, "household.managed_removed", detail, now).await?;
        rows::delete_if_empty(&mut tx, household_id).await?;
        tx.commit().await
    }

    /// The managed members of a household as `customer_id` sees them: guardians, when a
    /// hand-over can start, and (for the member's own guardians) the pending grants.
    pub async fn managed_members(&self, principal: &Principal, customer_id: &str, household_id: &str, locale: Locale) -> Result<Vec<ManagedMember>> {
        authorize(principal, Action::ManageHousehold, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let my_role = rows::role_in(&mut conn, household_id, customer_id).await?.as_deref().and_then(Role::parse).ok_or(Error::NotFound("household"))?;
        if !may(my_role, false, HouseholdAction::View) {
            return Err(Error::Forbidden);
        }
        let members = rows::members(&mut conn, household_id).await?;
        let name_of = |id: &str| members.iter().find(|m| m.customer_id == id).map(super::household::member_name).unwrap_or_default();
        let mut out = Vec::new();
        for m in members.iter().filter(|m| m.role == Role::Managed.as_str()) {
            let Some(row) = self.store.customer_by_id(&m.customer_id).await? else { continue };
            let guardian_ids = guardians::guardians_of(&mut conn, &m.customer_id).await?;
            let mine = guardian_ids.iter().any(|g| g == customer_id);
            let opens = super::handover::claim_opens(&self.settings.consent, &row);
            let pending = if mine { self.pending_of(&m.customer_id, locale).await? } else { Vec::new() };
            out.push(ManagedMember {
                id: m.customer_id.clone(),
                name: managed_name(&row),
                birth_date: row.birth_date.clone(),
                guardians: guardian_ids.iter().map(|g| (g.clone(), name_of(g))).collect(),
                mine,
                claim_open: opens.is_some_and(|d| d <= today_date(now)),
                claim_opens: opens.map(|d| d.to_string()),
                pending,
            });
        }
        Ok(out)
    }

    /// The member's grants waiting for a guardian, one entry per purpose.
    async fn pending_of(&self, managed_id: &str, locale: Locale) -> Result<Vec<PendingConsent>> {
        let states = ledger::state_of(&self.store, managed_id).await?;
        let waiting: Vec<&ledger::StateRow> = states.iter().filter(|s| s.decision == Decision::Pending.as_str()).collect();
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let brands = self.store.list_brands().await?;
        let mut out: Vec<PendingConsent> = Vec::new();
        for row in purposes::with_state(&self.store, None, managed_id, self.clock.now()).await? {
            let mine: Vec<&&ledger::StateRow> = waiting.iter().filter(|s| s.purpose_id == row.purpose.id).collect();
            let Some(at) = mine.iter().map(|s| s.at).max() else { continue };
            let brand = row.purpose.brand_id.as_ref().and_then(|id| brands.iter().find(|b| &b.id == id)).map(|b| b.slug.clone());
            let purpose = crate::consent::catalogue::Purpose::from_row(row.purpose, brand.clone());
            let channels = mine.iter().filter_map(|s| Channel::parse(&s.channel)).collect();
            out.push(PendingConsent { purpose_id: purpose.id.clone(), title: purpose.text(locale).title, purpose_key: purpose.key, brand, channels, at });
        }
        Ok(out)
    }

    /// A guardian approves the managed member's pending grants of one purpose: each
    /// becomes a `granted` record collected `guardian`, with the guardian as actor. Only
    /// a guardian principal ([`Identity::guardian_principal`]) may, and only while its
    /// guardianship is live; `NotFound` when nothing of the purpose is pending.
    pub async fn approve_pending_consent(&self, principal: &Principal, managed_id: &str, purpose_id: &str, meta: &RequestMeta) -> Result<Vec<Recorded>> {
        authorize(principal, Action::ApproveConsents, Subject::Customer(managed_id))?;
        let Principal::Delegate { actor, grant, .. } = principal else { return Err(Error::Forbidden) };
        let Some(guardianship) = grant.strip_prefix(GUARDIAN_GRANT_PREFIX) else { return Err(Error::Forbidden) };
        let evidence = Evidence::from_meta(Collection::Guardian, meta);
        let records = self.prepare_approvals(principal, managed_id, purpose_id, &evidence).await?;
        let mut tx = self.store.begin().await?;
        if !guardians::lock_member(&mut tx, managed_id).await? || !guardians::guardianship_is_live(&mut tx, guardianship, actor, managed_id).await? {
            return Err(Error::Forbidden);
        }
        let recorded = self.write_approvals(&mut tx, &records).await?;
        tx.commit().await?;
        Ok(recorded)
    }
}

/// Today's date (UTC) at `now`.
pub(crate) fn today_date(now: UnixMillis) -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(now).map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()).unwrap_or_default()
}

fn today(now: UnixMillis) -> crate::domain::profile::Ymd {
    let d = today_date(now);
    (i32::from(d.year()), u32::try_from(d.month()).unwrap_or(1), u32::try_from(d.day()).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_managed_member_is_named_by_its_profile() {
        let row = CustomerRow { given_name: Some("Mia".into()), family_name: Some("King".into()), ..CustomerRow::default() };
        assert_eq!(managed_name(&row), "Mia King");
        let row = CustomerRow { display_name: Some("Mimi".into()), ..row };
        assert_eq!(managed_name(&row), "Mimi");
        assert_eq!(today(0), (1970, 1, 1));
        assert!(!format!("{NO_ADDRESS_PREFIX}0000").contains('@'), "never an address");
    }
}
