//! Ticket-scoped support access (`docs/design/admin.md` "Ticket-scoped access"): an
//! agent asks to act in one customer's portal for a ticket, the customer approves
//! (choosing what and for how long, at most an hour) or refuses, and either ends it. While
//! it lives, the agent's support session acts as [`Principal::Support`], rebuilt from the
//! row on every request ([`Identity::support_principal`]), so expiry and ending apply to
//! the very next request.

use serde_json::json;

use crate::accounts::MailTo;
use crate::audit::{self, AuditEvent};
use crate::domain::ParseError;
use crate::email::Template;
use crate::households::Permission;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::staff::StaffRole;
use crate::store::customers;
use crate::store::support_access::{self as rows, AccessRow, ListedAccess};
use crate::{Error, Identity, Result, UnixMillis};

/// The longest an approval lasts.
pub const MAX_MINUTES: i64 = 60;
/// The durations the customer's page offers.
pub const MINUTES: [i64; 3] = [15, 30, 60];
/// An unanswered request lapses after a day.
pub const REQUEST_MS: UnixMillis = 24 * 3_600_000;
/// How far back the pages list ended requests.
const LISTED_MS: UnixMillis = 30 * 86_400_000;

/// What a customer may let support do in their portal (and, with `sign_in_at_brands`,
/// at the brands' sites for them).
pub const GRANTABLE: [Permission; 5] =
    [Permission::ViewProfile, Permission::ManageProfile, Permission::ManageConsents, Permission::ManageLoyalty, Permission::SignInAtBrands];

/// Where a request stands, as the pages say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessState {
    /// Waiting for the customer.
    Requested,
    /// Approved and live.
    Live,
    Refused,
    /// Ended by the customer or the agent.
    Ended,
    /// Approved, and its time ran out.
    Expired,
    /// Never answered.
    Lapsed,
}

impl AccessState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Live => "live",
            Self::Refused => "refused",
            Self::Ended => "ended",
            Self::Expired => "expired",
            Self::Lapsed => "lapsed",
        }
    }

    fn of(row: &AccessRow, now: UnixMillis) -> Self {
        match row.status.as_str() {
            "requested" if row.expires_at > now => Self::Requested,
            "requested" => Self::Lapsed,
            "approved" if row.expires_at > now => Self::Live,
            "approved" => Self::Expired,
            "refused" => Self::Refused,
            _ => Self::Ended,
        }
    }
}

/// One request as the customer's page and the agent's 360 show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessView {
    pub id: String,
    pub staff_name: String,
    pub ticket: String,
    pub reason: String,
    pub requested: Vec<Permission>,
    pub granted: Vec<Permission>,
    pub state: AccessState,
    pub requested_at: UnixMillis,
    /// When an open request lapses, or when a live approval ends.
    pub expires_at: UnixMillis,
}

/// What entering a customer's portal gives the agent's support session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    pub access_id: String,
    pub staff_id: String,
    pub customer_id: String,
    pub ticket: String,
    pub expires_at: UnixMillis,
}

/// How long the one-time entry link from the 360 page into the portal lives.
const ENTRY_MS: UnixMillis = 60_000;

fn names(permissions: &[Permission]) -> String {
    serde_json::Value::from(permissions.iter().map(Permission::name).collect::<Vec<_>>()).to_string()
}

fn parse_names(json: Option<&str>) -> Vec<Permission> {
    let names: Vec<String> = json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    GRANTABLE.iter().filter(|p| names.iter().any(|n| n == p.name())).cloned().collect()
}

/// Permission names from a form (unknown or ungrantable ones refused), at least one.
pub fn parse_permissions(chosen: &[String]) -> Result<Vec<Permission>> {
    let mut out: Vec<Permission> = Vec::new();
    for name in chosen {
        let Some(p) = GRANTABLE.iter().find(|p| p.name() == name) else {
            return Err(Error::Invalid(ParseError::Malformed { field: "Permissions", reason: "choose from the list" }));
        };
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(Error::Invalid(ParseError::Malformed { field: "Permissions", reason: "choose at least one" }));
    }
    // Changing the profile means seeing it.
    if !out.contains(&Permission::ViewProfile) {
        out.insert(0, Permission::ViewProfile);
    }
    Ok(out)
}

fn view(listed: ListedAccess, now: UnixMillis) -> AccessView {
    let ListedAccess { row, staff_name } = listed;
    AccessView {
        state: AccessState::of(&row, now),
        requested: parse_names(Some(&row.requested)),
        granted: parse_names(row.granted.as_deref()),
        staff_name: staff_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Support".into()),
        id: row.id,
        ticket: row.ticket,
        reason: row.reason,
        requested_at: row.requested_at,
        expires_at: row.expires_at,
    }
}

impl Identity {
    /// An agent asks `customer_id` for access to their portal for `ticket`: the customer
    /// is mailed and decides on their account's "Support access" page. One open request
    /// or live access per agent and customer.
    pub async fn request_support_access(&self, principal: &Principal, customer_id: &str, ticket: &str, reason: &str, permissions: &[String]) -> Result<String> {
        authorize(principal, Action::RequestSupportAccess, Subject::Customer(customer_id))?;
        let Principal::Staff { id: staff_id, .. } = principal else { return Err(Error::Forbidden) };
        let checked = super::support_ticket(reason, ticket)?;
        let (reason, ticket) = (checked.reason().to_owned(), checked.ticket().to_owned());
        let requested = parse_permissions(permissions)?;
        let staff = self.store.staff_by_id(staff_id).await?.ok_or(Error::NotFound("staff"))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let customer = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("customer"))?;
        if customer.managed {
            // A managed member has no sign-in, so nobody could approve: their guardian is the customer to call.
            return Err(Error::Invalid(ParseError::Malformed { field: "Customer", reason: "a managed household member has no sign-in of their own: ask their guardian" }));
        }
        if rows::open_of_tx(&mut tx, staff_id, customer_id, now).await?.is_some() {
            return Err(Error::Conflict("support access"));
        }
        let row = AccessRow {
            id: self.new_id(),
            staff_id: staff_id.clone(),
            customer_id: customer_id.into(),
            ticket: ticket.clone(),
            reason: reason.clone(),
            requested: names(&requested),
            granted: None,
            status: "requested".into(),
            requested_at: now,
            decided_at: None,
            expires_at: now + REQUEST_MS,
            ended_at: None,
            ended_by: None,
        };
        rows::insert(&mut tx, &row).await?;
        let agent = staff.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Support".into());
        let link = self.link("/account/support-access");
        let args = [("agent", agent.as_str()), ("ticket", ticket.as_str()), ("reason", reason.as_str())];
        let template = Template::Notice {
            subject: "mail-support-access-subject",
            paras: &["mail-support-access-body", "mail-support-access-reason", "mail-support-access-how", "mail-support-access-ignore"],
            args: &args,
            link: Some(("mail-support-access-link", &link)),
        };
        self.queue_mail(&mut tx, &MailTo::customer_only(&customer), template, now).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Some(format!("customer:{customer_id}")),
            action: "support.access_requested",
            reason: Some(&reason),
            detail: json!({ "access": row.id, "ticket": ticket, "permissions": requested.iter().map(Permission::name).collect::<Vec<_>>() }),
        })
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// The customer's requests and accesses of the last 30 days, newest first.
    pub async fn support_accesses(&self, principal: &Principal, customer_id: &str) -> Result<Vec<AccessView>> {
        authorize(principal, Action::ManageSupportAccess, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        Ok(self.store.support_accesses_of(customer_id, None, now - LISTED_MS).await?.into_iter().map(|l| view(l, now)).collect())
    }

    /// The agent's own requests on `customer_id` (the 360 page).
    pub async fn my_support_accesses(&self, principal: &Principal, customer_id: &str) -> Result<Vec<AccessView>> {
        authorize(principal, Action::RequestSupportAccess, Subject::Customer(customer_id))?;
        let Principal::Staff { id, .. } = principal else { return Err(Error::Forbidden) };
        let now = self.clock.now();
        Ok(self.store.support_accesses_of(customer_id, Some(id), now - LISTED_MS).await?.into_iter().map(|l| view(l, now)).collect())
    }

    /// The customer approves an open request: `permissions` (of those asked) for
    /// `minutes` (15, 30 or 60). The adapter asks for a recent authentication first.
    pub async fn approve_support_access(&self, principal: &Principal, customer_id: &str, access_id: &str, permissions: &[String], minutes: i64) -> Result<()> {
        authorize(principal, Action::ManageSupportAccess, Subject::Customer(customer_id))?;
        if !MINUTES.contains(&minutes) || minutes > MAX_MINUTES {
            return Err(Error::Invalid(ParseError::Malformed { field: "Duration", reason: "15, 30 or 60 minutes" }));
        }
        let chosen = parse_permissions(permissions)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = rows::by_id_tx(&mut tx, access_id).await?.filter(|r| r.customer_id == customer_id).ok_or(Error::NotFound("support access"))?;
        let asked = parse_names(Some(&row.requested));
        if chosen.iter().any(|p| !asked.contains(p)) {
            return Err(Error::Invalid(ParseError::Malformed { field: "Permissions", reason: "only what support asked for" }));
        }
        let expires_at = now + minutes * 60_000;
        if !rows::decide(&mut tx, access_id, customer_id, Some(&names(&chosen)), Some(expires_at), now).await? {
            return Err(Error::Conflict("support access"));
        }
        let detail = json!({ "access": access_id, "ticket": row.ticket, "minutes": minutes, "permissions": chosen.iter().map(Permission::name).collect::<Vec<_>>() });
        self.audit_customer(&mut tx, principal.actor(), customer_id, "support.access_approved", detail, now).await?;
        tx.commit().await
    }

    /// The customer refuses an open request.
    pub async fn refuse_support_access(&self, principal: &Principal, customer_id: &str, access_id: &str) -> Result<()> {
        authorize(principal, Action::ManageSupportAccess, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = rows::by_id_tx(&mut tx, access_id).await?.filter(|r| r.customer_id == customer_id).ok_or(Error::NotFound("support access"))?;
        if !rows::decide(&mut tx, access_id, customer_id, None, None, now).await? {
            return Err(Error::Conflict("support access"));
        }
        self.audit_customer(&mut tx, principal.actor(), customer_id, "support.access_refused", json!({ "access": access_id, "ticket": row.ticket }), now).await?;
        tx.commit().await
    }

    /// Ends an open request or a live access: the customer (on their page) or the agent
    /// it names (leaving the portal). The support session's next request is refused.
    pub async fn end_support_access(&self, principal: &Principal, access_id: &str) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = rows::by_id_tx(&mut tx, access_id).await?.ok_or(Error::NotFound("support access"))?;
        let by = match principal {
            Principal::Customer { .. } => {
                authorize(principal, Action::ManageSupportAccess, Subject::Customer(&row.customer_id))?;
                "customer"
            }
            Principal::Staff { id, .. } | Principal::Support { staff: id, .. } if *id == row.staff_id => "staff",
            _ => return Err(Error::NotFound("support access")),
        };
        if !rows::end(&mut tx, access_id, by, now).await? {
            return Err(Error::Conflict("support access"));
        }
        // What the agent signed in to at brands for the customer ends with it.
        let grants_ended = self.end_support_access_grants_tx(&mut tx, access_id, "support_access_ended", now).await?;
        let actor = match principal {
            Principal::Support { staff, .. } => crate::audit::Actor::Staff(staff.clone()),
            other => other.actor(),
        };
        let detail = json!({ "access": access_id, "ticket": row.ticket, "by": by, "grants_ended": grants_ended });
        self.audit_customer(&mut tx, actor, &row.customer_id, "support.access_ended", detail, now).await?;
        tx.commit().await
    }

    /// The agent enters the customer's portal under a live access of theirs: a one-time
    /// token (a minute) for `/support/enter`, where the customer session layer turns it
    /// into the agent's support session ([`Self::redeem_support_entry`]). The token
    /// crosses from the staff session (`/admin`) to the customer's cookie that way.
    pub async fn enter_support_access(&self, principal: &Principal, access_id: &str) -> Result<String> {
        let Principal::Staff { id: staff_id, .. } = principal else { return Err(Error::Forbidden) };
        let now = self.clock.now();
        let row = self.store.support_access(access_id).await?.filter(|r| r.staff_id == *staff_id).ok_or(Error::NotFound("support access"))?;
        authorize(principal, Action::RequestSupportAccess, Subject::Customer(&row.customer_id))?;
        if AccessState::of(&row, now) != AccessState::Live {
            return Err(Error::Forbidden);
        }
        let token = self.new_token();
        let mut tx = self.store.begin().await?;
        rows::set_entry(&mut tx, access_id, &crate::sha256_hex(token.as_bytes()), now + ENTRY_MS).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Takes an entry token once: the live access it opens, and one audit row
    /// `support.access_entered`. `TokenInvalid` when used, expired, or the access ended.
    pub async fn redeem_support_entry(&self, token: &str) -> Result<Entered> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let row = rows::take_entry(&mut tx, &crate::sha256_hex(token.as_bytes()), now).await?.ok_or(Error::TokenInvalid)?;
        if AccessState::of(&row, now) != AccessState::Live {
            return Err(Error::TokenInvalid);
        }
        let actor = crate::audit::Actor::Staff(row.staff_id.clone());
        self.audit_customer(&mut tx, actor, &row.customer_id, "support.access_entered", json!({ "access": row.id, "ticket": row.ticket }), now).await?;
        tx.commit().await?;
        Ok(Entered { access_id: row.id, staff_id: row.staff_id, customer_id: row.customer_id, ticket: row.ticket, expires_at: row.expires_at })
    }

    /// The principal of a support session: the agent `staff_id` in `customer_id`'s portal
    /// under `access_id`, if that access is live, names both, and the agent is still an
    /// enrolled support agent or lead. `Forbidden` otherwise (the session is then ended).
    pub async fn support_principal(&self, staff_id: &str, customer_id: &str, access_id: &str) -> Result<Principal> {
        let now = self.clock.now();
        let row = self.store.support_access(access_id).await?.ok_or(Error::Forbidden)?;
        if row.staff_id != staff_id || row.customer_id != customer_id || AccessState::of(&row, now) != AccessState::Live {
            return Err(Error::Forbidden);
        }
        match self.staff_principal(staff_id, None).await? {
            Some(Principal::Staff { role: StaffRole::Support | StaffRole::SupportLead, .. }) => {}
            _ => return Err(Error::Forbidden),
        }
        Ok(Principal::Support {
            staff: row.staff_id,
            customer: row.customer_id,
            access: row.id,
            ticket: row.ticket,
            permissions: parse_names(row.granted.as_deref()),
        })
    }

    /// What the banner says: the agent's name, the ticket, the end.
    pub async fn support_banner(&self, access_id: &str) -> Result<Option<(String, String, UnixMillis)>> {
        let Some(row) = self.store.support_access(access_id).await? else { return Ok(None) };
        let name = self.store.staff_by_id(&row.staff_id).await?.and_then(|s| s.name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Support".into());
        Ok(Some((name, row.ticket, row.expires_at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_come_from_the_list_and_imply_seeing() {
        let chosen = parse_permissions(&["manage_consents".into()]).unwrap();
        assert_eq!(chosen, vec![Permission::ViewProfile, Permission::ManageConsents], "changing needs seeing");
        assert!(parse_permissions(&[]).is_err());
        assert!(parse_permissions(&["manage_credentials".into()]).is_err(), "never credentials");
        assert!(parse_permissions(&["approve_consents".into()]).is_err(), "never a minor's consents");
        assert!(parse_permissions(&["act_at_brand".into()]).is_err());
        assert_eq!(parse_names(Some(&names(&GRANTABLE))), GRANTABLE.to_vec());
    }

    #[test]
    fn states_follow_the_clock() {
        let row = |status: &str, expires_at| AccessRow {
            id: "a".into(),
            staff_id: "s".into(),
            customer_id: "c".into(),
            ticket: "T".into(),
            reason: "r".into(),
            requested: "[]".into(),
            granted: None,
            status: status.into(),
            requested_at: 0,
            decided_at: None,
            expires_at,
            ended_at: None,
            ended_by: None,
        };
        assert_eq!(AccessState::of(&row("approved", 100), 99), AccessState::Live);
        assert_eq!(AccessState::of(&row("approved", 100), 100), AccessState::Expired, "the end is exclusive");
        assert_eq!(AccessState::of(&row("requested", 100), 100), AccessState::Lapsed);
        assert_eq!(AccessState::of(&row("ended", 100), 0), AccessState::Ended);
    }
}
