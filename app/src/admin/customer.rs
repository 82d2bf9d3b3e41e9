//! The customer 360 for support (`/admin/customers/<id>`, `docs/design/admin.md` "The 360
//! view"): the wire types and the staff server functions; the page is
//! [`crate::admin::customer_page`]. Addresses, phones, birth dates and street addresses
//! arrive masked from the core; a reveal (a reason and the ticket) shows one value to
//! the staff member who asked, for a minute, read back through its audit row.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::When;

/// One masked field: its name (`email`, `phone`, `birth_date`, `address`), what is
/// shown, and whether that is the revealed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedView {
    pub field: String,
    pub label: String,
    pub shown: String,
    pub revealed: bool,
}

/// A passkey as support sees it: its name and dates, never its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyLine {
    pub name: String,
    pub added: When,
    pub last_used: Option<When>,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLine {
    pub device: String,
    pub started: When,
    pub last_seen: When,
}

/// A loyalty membership (the number masked but for its last four).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyLine {
    pub id: String,
    pub programme: String,
    pub brand: String,
    pub number: String,
    pub status: String,
    pub verification: String,
    pub tier: Option<String>,
    pub since: When,
    /// A pending link of a programme support verifies: support confirms or rejects it.
    pub support_decides: bool,
}

/// A delegation, given or received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationLine {
    /// `given` (the customer lets someone act) or `received`.
    pub direction: String,
    pub other: String,
    pub permissions: String,
    pub expires: When,
}

/// A brand the customer uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandLine {
    pub name: String,
    pub scopes: String,
    pub since: When,
    pub last_used: Option<When>,
}

/// One decision of the consent ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentLine {
    pub at: When,
    pub controller: String,
    pub what: String,
    pub decision: String,
    pub how: String,
    pub recorded_by: String,
}

/// One row of the recent activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    pub at: When,
    pub action: String,
    pub actor: String,
}

/// The support acts the signed-in staff member may take on this customer (the core's
/// table): the page offers only these forms; every act is authorized again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActsView {
    pub send_reset: bool,
    pub resend_verification: bool,
    pub end_sessions: bool,
    pub correct_profile: bool,
    pub phone_consent: bool,
    pub loyalty_decision: bool,
    pub lock: bool,
    pub reset_second_factors: bool,
}

/// Whose purposes a consent given by phone may be about: a brand the customer uses
/// (`brand`: its slug) or the group (`brand` empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentTarget {
    pub brand: String,
    pub name: String,
    pub purposes: Vec<PurposeChoice>,
}

/// One purpose, by its key, with the customer's current answer (`granted`, `refused`,
/// `withdrawn`, `pending`; none yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeChoice {
    pub key: String,
    pub title: String,
    pub state: Option<String>,
}

/// What the 360 page shows of one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    pub masked: Vec<MaskedView>,
    pub email_verified: bool,
    pub locked: bool,
    /// Locked by a support lead (only a lead unlocks), not after failed sign-ins.
    pub locked_by_support: bool,
    pub managed: bool,
    pub created: When,
    pub language: Option<String>,
    pub password: bool,
    pub passkeys: Vec<PasskeyLine>,
    pub authenticator_app: bool,
    pub recovery_codes_left: i64,
    pub sessions: Vec<SessionLine>,
    pub loyalty: Vec<LoyaltyLine>,
    pub households: Vec<(String, String)>,
    pub delegations: Vec<DelegationLine>,
    pub brands: Vec<BrandLine>,
    pub consents: Vec<ConsentLine>,
    pub activity: Vec<ActivityLine>,
    pub may: ActsView,
    /// What a consent given by phone may be about (empty unless `may.phone_consent`).
    pub consent_targets: Vec<ConsentTarget>,
}

/// The labels of the masked fields, in the order the page lists them.
pub const MASKED_LABELS: [(&str, &str); 4] = [("email", "Email"), ("phone", "Phone"), ("birth_date", "Birth date"), ("address", "Address")];

/// One customer's 360, masked (support agents and leads).
#[server(prefix = "/admin/api", endpoint = "customer")]
pub async fn admin_customer(id: String) -> Result<CustomerView, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let o = ctx.identity.customer_overview(&principal, &id).await.map_err(crate::auth::fail)?;
    Ok(convert::customer_view(o))
}

/// Reveals one masked field for a reason on a ticket (audited); the page then shows the
/// value for a minute.
#[server(prefix = "/admin/api", endpoint = "reveal")]
pub async fn admin_reveal(customer: String, field: String, reason: String, ticket: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let Some(field) = identity::admin::overview::MaskedField::parse(&field) else {
        return Err(crate::auth::respond(AppError::Fields(vec![crate::error::FieldMessage { field: "Field".into(), message: "Choose a field to reveal.".into() }])));
    };
    ctx.identity.reveal_field(&principal, &customer, field, &reason, &ticket).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// From the core's overview to the page's types (server only).
#[cfg(feature = "ssr")]
mod convert {
    use identity::admin::overview::{CustomerOverview, MaskedField};
    use identity::i18n::Locale;
    use identity::loyalty::{LinkStatus, Verification};

    use super::*;
    use crate::i18n::when;

    pub fn customer_view(o: CustomerOverview) -> CustomerView {
        let masked_value = |field: MaskedField| match field {
            MaskedField::Email => Some(o.email_masked.clone()),
            MaskedField::Phone => o.phone_masked.clone(),
            MaskedField::BirthDate => o.birth_date_masked.clone(),
            MaskedField::Address => o.address_masked.clone(),
        };
        let masked = MaskedField::ALL
            .into_iter()
            .filter_map(|field| {
                let label = MASKED_LABELS.iter().find(|(f, _)| *f == field.as_str()).map_or(field.as_str(), |(_, l)| l).to_owned();
                match o.revealed.iter().find(|(f, _)| *f == field) {
                    Some((_, value)) => Some(MaskedView { field: field.as_str().into(), label, shown: value.clone(), revealed: true }),
                    None => masked_value(field).map(|shown| MaskedView { field: field.as_str().into(), label, shown, revealed: false }),
                }
            })
            .collect();
        let delegation = |direction: &str, d: identity::households::delegation::DelegationView| DelegationLine {
            direction: direction.into(),
            other: d.other_name,
            permissions: match d.brand_name {
                Some(brand) => format!("{} ({brand})", d.permissions.join(", ")),
                None => d.permissions.join(", "),
            },
            expires: when(d.expires_at),
        };
        let mut delegations: Vec<DelegationLine> = o.delegations.given.into_iter().map(|d| delegation("given", d)).collect();
        delegations.extend(o.delegations.received.into_iter().map(|d| delegation("received", d)));
        CustomerView {
            id: o.id,
            name: o.name,
            masked,
            email_verified: o.email_verified,
            locked: o.locked,
            locked_by_support: o.locked_by_support,
            managed: o.managed,
            created: when(o.created_at),
            language: o.preferred_language,
            password: o.methods.password,
            passkeys: o.methods.passkeys.into_iter().map(|(name, added, used)| PasskeyLine { name, added: when(added), last_used: used.map(when) }).collect(),
            authenticator_app: o.methods.authenticator_app,
            recovery_codes_left: o.methods.recovery_codes_left,
            sessions: o
                .sessions
                .into_iter()
                .map(|s| SessionLine { device: s.device.unwrap_or_else(|| "Unknown device".into()), started: when(s.created_at), last_seen: when(s.last_seen_at) })
                .collect(),
            loyalty: o
                .loyalty
                .into_iter()
                .map(|l| LoyaltyLine {
                    support_decides: l.status == LinkStatus::Pending && l.verification == Verification::Support,
                    id: l.id,
                    programme: l.programme_name,
                    brand: l.brand_name,
                    number: l.number_masked,
                    status: l.status.as_str().into(),
                    verification: l.verification.as_str().into(),
                    tier: l.tier,
                    since: when(l.since),
                })
                .collect(),
            households: o.households,
            delegations,
            brands: o
                .brands
                .into_iter()
                .map(|b| BrandLine { name: b.name, scopes: b.scopes.join(" "), since: when(b.first_approved_at), last_used: b.last_used_at.map(when) })
                .collect(),
            consents: o
                .consents
                .into_iter()
                .map(|c| ConsentLine {
                    at: when(c.at),
                    controller: c.brand.unwrap_or_else(|| "The group".into()),
                    what: match (c.purpose_title, c.version, c.scopes) {
                        (Some(title), Some(v), _) => format!("{title} (version {v})"),
                        (Some(title), None, _) => title,
                        (None, _, Some(scopes)) => format!("Sign-in: {scopes}"),
                        (None, _, None) => String::new(),
                    },
                    decision: c.decision.as_str().into(),
                    how: match c.channel {
                        Some(channel) => format!("{} ({})", c.collection.as_str(), channel.as_str()),
                        None => c.collection.as_str().into(),
                    },
                    recorded_by: c.recorded_by,
                })
                .collect(),
            activity: o.activity.into_iter().map(|a| ActivityLine { at: when(a.at), action: a.action, actor: a.actor }).collect(),
            may: ActsView {
                send_reset: o.may.send_reset,
                resend_verification: o.may.resend_verification,
                end_sessions: o.may.end_sessions,
                correct_profile: o.may.correct_profile,
                phone_consent: o.may.phone_consent,
                loyalty_decision: o.may.loyalty_decision,
                lock: o.may.lock,
                reset_second_factors: o.may.reset_second_factors,
            },
            consent_targets: o
                .purposes
                .into_iter()
                .map(|section| {
                    let (brand, name) = section.brand.unwrap_or_else(|| (String::new(), "The group".into()));
                    let purposes = section
                        .purposes
                        .into_iter()
                        .map(|p| PurposeChoice { title: p.purpose.text(Locale::En).title, state: p.state.map(|s| s.decision.as_str().to_owned()), key: p.purpose.key })
                        .collect();
                    ConsentTarget { brand, name, purposes }
                })
                .collect(),
        }
    }
}
