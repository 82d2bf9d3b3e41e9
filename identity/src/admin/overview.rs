//! The customer's whole picture for support (`docs/design/admin.md` "The 360 view"), with
//! the email, phone, birth date and address **masked**; an agent reveals one field of one
//! customer with a reason (and the ticket), each reveal audited (`support.revealed`) and
//! counted, and a lead sees who reveals most. Kinds of sign-in methods only, never a secret.
//! A revealed value is shown to the staff member who revealed it for [`REVEAL_SHOWN_MS`]
//! after the reveal: the overview reads it back through the audit row, so neither a URL
//! nor a session ever holds it, and a page posted without the wasm shows it after its
//! redirect.

use super::search::{mask_email, mask_phone};
use super::support_ticket;
use crate::audit::{self, AuditEvent};
use crate::consent::views::{ControllerPurposes, HistoryEntry};
use crate::households::delegation::Delegations;
use crate::i18n::Locale;
use crate::loyalty::link::LinkView;
use crate::oidc::logout::ConnectedBrand;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::audit::ActivityRow;
use crate::store::households as household_rows;
use crate::store::loyalty as loyalty_rows;
use crate::store::sessions::SessionRow;
use crate::{Error, Identity, Result, UnixMillis};

const MASK: &str = "\u{2022}\u{2022}\u{2022}\u{2022}";
const ACTIVITY_SHOWN: i64 = 25;
const CONSENTS_SHOWN: i64 = 25;
const REVEALED: &str = "support.revealed";

/// How long a revealed value stays visible to whoever revealed it (one minute).
pub const REVEAL_SHOWN_MS: UnixMillis = 60_000;

/// A field shown masked until revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskedField {
    Email,
    Phone,
    BirthDate,
    Address,
}

impl MaskedField {
    pub const ALL: [Self; 4] = [Self::Email, Self::Phone, Self::BirthDate, Self::Address];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::BirthDate => "birth_date",
            Self::Address => "address",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// How a sign-in method is held (kinds and counts, never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInMethods {
    pub password: bool,
    pub passkeys: Vec<(String, UnixMillis, Option<UnixMillis>)>,
    pub authenticator_app: bool,
    pub recovery_codes_left: i64,
}

/// Which support acts the staff member asking may take on this customer: the table's
/// answer ([`authorize`]), so the page offers only those forms. Each act authorizes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllowedActs {
    pub send_reset: bool,
    pub resend_verification: bool,
    pub end_sessions: bool,
    pub correct_profile: bool,
    pub phone_consent: bool,
    pub loyalty_decision: bool,
    /// Lock and unlock (support leads).
    pub lock: bool,
    /// Reset second factors after an identity check (support leads).
    pub reset_second_factors: bool,
}

impl AllowedActs {
    /// What `principal` may do to `customer_id`.
    pub fn of(principal: &Principal, customer_id: &str) -> Self {
        let may = |action| authorize(principal, action, Subject::Customer(customer_id)).is_ok();
        Self {
            send_reset: may(Action::SendResetLink),
            resend_verification: may(Action::ResendVerification),
            end_sessions: may(Action::EndCustomerSessions),
            correct_profile: may(Action::CorrectProfile),
            phone_consent: may(Action::RecordPhoneConsent),
            loyalty_decision: may(Action::DecideLoyaltyLink),
            lock: may(Action::LockAccount),
            reset_second_factors: may(Action::ResetSecondFactors),
        }
    }
}

/// What support sees of one customer.
#[derive(Debug, Clone)]
pub struct CustomerOverview {
    pub id: String,
    pub name: String,
    pub email_masked: String,
    pub phone_masked: Option<String>,
    pub birth_date_masked: Option<String>,
    pub address_masked: Option<String>,
    pub email_verified: bool,
    pub locked: bool,
    /// Locked by a support lead (only a lead unlocks), not after failed sign-ins.
    pub locked_by_support: bool,
    pub managed: bool,
    pub created_at: UnixMillis,
    pub preferred_language: Option<String>,
    pub methods: SignInMethods,
    pub sessions: Vec<SessionRow>,
    pub loyalty: Vec<LinkView>,
    /// Household name and this customer's role in it.
    pub households: Vec<(String, String)>,
    /// Delegations given and received (live ones).
    pub delegations: Delegations,
    /// The brands the customer approved, with what each receives and when last used.
    pub brands: Vec<ConnectedBrand>,
    /// The consent ledger, newest first (at most 25 decisions).
    pub consents: Vec<HistoryEntry>,
    pub activity: Vec<ActivityRow>,
    /// The fields this staff member revealed in the last [`REVEAL_SHOWN_MS`], with
    /// their values (a field without a value is not listed).
    pub revealed: Vec<(MaskedField, String)>,
    /// The support acts the staff member asking may take (the page's forms).
    pub may: AllowedActs,
    /// What a consent given by phone may be about: the group's purposes and those of the
    /// brands the customer uses, each with its state (the privacy page's list); empty
    /// when the staff member may not record one.
    pub purposes: Vec<ControllerPurposes>,
}

impl Identity {
    /// The masked picture of `customer_id` (support agents and leads).
    pub async fn customer_overview(&self, principal: &Principal, customer_id: &str) -> Result<CustomerOverview> {
        authorize(principal, Action::ViewCustomers, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let counts = self.store.factor_counts(customer_id).await?;
        let passkeys = self.store.passkeys_of_customer(customer_id).await?.into_iter().map(|p| (p.name, p.created_at, p.last_used_at)).collect();
        let sessions = self.store.sessions_of(customer_id, now).await?;
        let activity = self.store.activity_of(customer_id, ACTIVITY_SHOWN).await?;
        let mut conn = self.store.pool().acquire().await?;
        let loyalty = loyalty_rows::links_of(&mut conn, customer_id, now - 30 * 86_400_000).await?.into_iter().map(|l| LinkView::from_listed(l, now)).collect();
        let households = household_rows::memberships_of(&mut conn, customer_id).await?.into_iter().map(|m| (m.name, m.role)).collect();
        let delegations = self.delegations_of(customer_id).await?;
        let brands = self.connected_brands_of(customer_id).await?;
        let consents = self.consent_history_of(customer_id, Locale::En, CONSENTS_SHOWN).await?;
        let may = AllowedActs::of(principal, customer_id);
        let purposes = if may.phone_consent { self.privacy_sections_of(customer_id).await? } else { Vec::new() };
        let subject = format!("customer:{customer_id}");
        let mut revealed: Vec<(MaskedField, String)> = Vec::new();
        for detail in self.store.audit_details_since(&principal.actor().label(), &subject, REVEALED, now - REVEAL_SHOWN_MS).await? {
            let field = serde_json::from_str::<serde_json::Value>(&detail).ok().and_then(|d| d["field"].as_str().and_then(MaskedField::parse));
            if let Some(field) = field.filter(|f| !revealed.iter().any(|(r, _)| r == f))
                && let Some(value) = field_value(&c, field)
            {
                revealed.push((field, value));
            }
        }
        let names = [c.given_name.as_deref(), c.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let has_address = [&c.address_street, &c.address_locality, &c.address_postal_code, &c.address_country].iter().any(|a| a.is_some());
        Ok(CustomerOverview {
            name: c.display_name.clone().filter(|d| !d.trim().is_empty()).unwrap_or(names),
            email_masked: if c.managed { "\u{2014}".into() } else { mask_email(&c.email) },
            phone_masked: c.phone.as_deref().map(mask_phone),
            birth_date_masked: c.birth_date.as_ref().map(|_| format!("{MASK}-{MASK}")),
            address_masked: has_address.then(|| format!("{MASK}, {}", c.address_country.clone().unwrap_or_default())),
            email_verified: c.email_verified,
            locked: c.locked_at.is_some(),
            locked_by_support: c.locked_at.is_some() && c.lock_kind.as_deref() == Some(crate::store::customers::LOCK_SUPPORT),
            managed: c.managed,
            created_at: c.created_at,
            preferred_language: c.preferred_language.clone(),
            methods: SignInMethods { password: counts.password, passkeys, authenticator_app: counts.totp, recovery_codes_left: counts.recovery_codes_left },
            sessions,
            loyalty,
            households,
            delegations,
            brands,
            consents,
            activity,
            revealed,
            may,
            purposes,
            id: c.id,
        })
    }

    /// Reveals one masked field of one customer, for `reason` on `ticket`: audited on the
    /// customer (`support.revealed`, with the field, the ticket and the reason; never the
    /// value). `None` when the customer has no such value.
    pub async fn reveal_field(&self, principal: &Principal, customer_id: &str, field: MaskedField, reason: &str, ticket: &str) -> Result<Option<String>> {
        authorize(principal, Action::RevealCustomerData, Subject::Customer(customer_id))?;
        let ticket = support_ticket(reason, ticket)?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let value = field_value(&c, field);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Some(format!("customer:{customer_id}")),
            action: REVEALED,
            reason: Some(ticket.reason()),
            detail: serde_json::json!({ "field": field.as_str(), "ticket": ticket.ticket() }),
        })
        .await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Reveals per staff member since `since` (most first): for a support lead or operator.
    pub async fn reveal_counts(&self, principal: &Principal, since: UnixMillis) -> Result<Vec<(String, i64)>> {
        authorize(principal, Action::ViewRevealStats, Subject::Platform)?;
        self.store.audit_counts_by_actor(REVEALED, since).await
    }
}

/// The clear value of one masked field, `None` when the customer has none.
fn field_value(c: &crate::store::customers::CustomerRow, field: MaskedField) -> Option<String> {
    match field {
        MaskedField::Email => (!c.managed).then(|| c.email.clone()),
        MaskedField::Phone => c.phone.clone(),
        MaskedField::BirthDate => c.birth_date.clone(),
        MaskedField::Address => {
            let parts: Vec<String> = [&c.address_street, &c.address_postal_code, &c.address_locality, &c.address_region, &c.address_country]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_fields_parse_back() {
        for f in MaskedField::ALL {
            assert_eq!(MaskedField::parse(f.as_str()), Some(f));
        }
        assert_eq!(MaskedField::parse("password"), None);
    }

    #[test]
    fn the_forms_offered_follow_the_table() {
        use crate::staff::StaffRole;
        let staff = |role| Principal::Staff { id: "s".into(), role, ticket: None, brands: vec![] };
        let agent = AllowedActs::of(&staff(StaffRole::Support), "c");
        assert!(agent.send_reset && agent.resend_verification && agent.end_sessions && agent.correct_profile && agent.phone_consent && agent.loyalty_decision);
        assert!(!agent.lock && !agent.reset_second_factors, "an agent gets no lead's form");
        let lead = AllowedActs::of(&staff(StaffRole::SupportLead), "c");
        assert!(lead.lock && lead.reset_second_factors && lead.send_reset);
        assert_eq!(AllowedActs::of(&staff(StaffRole::Operator), "c"), AllowedActs::default(), "operators act on no customer");
    }
}
