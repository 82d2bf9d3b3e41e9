//! Support and administration (`docs/design/admin.md`): the staff permissions and the
//! one table that says which role holds which ([`may`]). The principal's staff rows
//! (`principal::authorize`) and every support use case decide through it; a brand
//! administrator's permissions reach only the brands granted to them
//! ([`Identity::grant_staff_brand`]). Every support act on a customer (a reveal, the
//! [`actions`]) takes a checked [`SupportTicket`].

pub mod access;
pub mod brands;
pub mod actions;
pub mod actions_account;
pub mod audit;
pub mod dashboard;
pub mod generate;
pub mod grants;
pub mod overview;
pub mod reveal_stats;
pub mod search;
pub mod terms;

use crate::domain::ParseError;
use crate::staff::StaffRole;
use crate::{Error, Result};

const MAX_REASON: usize = 500;
const MAX_TICKET: usize = 64;

/// The ticket reference and the reason every support act on a customer needs, checked:
/// a reason of 5 to 500 characters without control characters, a ticket reference of
/// letters, digits and `- _ # . /` (at most 64). Built only by [`support_ticket`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportTicket {
    reason: String,
    ticket: String,
}

impl SupportTicket {
    /// Why the staff member acts (the audit row's `reason` column).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The ticket reference (the audit row's detail `ticket`).
    pub fn ticket(&self) -> &str {
        &self.ticket
    }
}

/// Checks a reason and the ticket it is for, as every support act needs them; each
/// missing or malformed one is named (`Reason`, `Ticket`).
pub fn support_ticket(reason: &str, ticket: &str) -> Result<SupportTicket> {
    let mut errors = Vec::new();
    let reason = reason.trim();
    let ticket = ticket.trim();
    if reason.chars().count() < 5 {
        errors.push(ParseError::Malformed { field: "Reason", reason: "say why, in a few words" });
    } else if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
        errors.push(ParseError::Malformed { field: "Reason", reason: "at most 500 characters, no control characters" });
    }
    if ticket.is_empty() || ticket.len() > MAX_TICKET || !ticket.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_#./".contains(&b)) {
        errors.push(ParseError::Malformed { field: "Ticket", reason: "the ticket reference: letters, digits and - _ # . /" });
    }
    if errors.is_empty() { Ok(SupportTicket { reason: reason.to_owned(), ticket: ticket.to_owned() }) } else { Err(Error::Fields(errors)) }
}

/// What a staff member may be allowed to do, split finely (the design note's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffPermission {
    /// Search customers and see the 360 view with personal fields masked.
    ViewMasked,
    /// Reveal one masked field of one customer, with a reason (audited, counted).
    RevealField,
    /// Send the customer a password-reset link (never set a password).
    SendResetLink,
    /// Mail the address confirmation again.
    ResendVerification,
    /// End the customer's sessions and grants ("sign out everywhere").
    EndSessions,
    /// Correct a profile field (names, birth date, address; never the sign-in address).
    CorrectProfile,
    /// Record a consent the customer gave by phone (the agent is the collector).
    RecordPhoneConsent,
    /// Verify or reject a loyalty link of a `support` programme.
    VerifyLoyaltyLink,
    /// Ask a customer for ticket-scoped access to their portal.
    RequestTicketAccess,
    /// Lock or unlock an account.
    LockUnlock,
    /// Reset second factors after a recorded identity check.
    ResetSecondFactors,
    /// See who reveals most.
    ViewRevealStats,
    /// Search and export the audit log.
    ViewAudit,
    /// Brand details, theme, clients, purposes, attributes, loyalty programme (a brand
    /// administrator: their brands only).
    ManageBrandSettings,
    /// Create staff, change roles, grant brands.
    ManageStaff,
    /// Bulk-import customers.
    ImportCustomers,
    /// The operator dashboard.
    ViewDashboard,
}

impl StaffPermission {
    pub const ALL: [Self; 17] = [
        Self::ViewMasked,
        Self::RevealField,
        Self::SendResetLink,
        Self::ResendVerification,
        Self::EndSessions,
        Self::CorrectProfile,
        Self::RecordPhoneConsent,
        Self::VerifyLoyaltyLink,
        Self::RequestTicketAccess,
        Self::LockUnlock,
        Self::ResetSecondFactors,
        Self::ViewRevealStats,
        Self::ViewAudit,
        Self::ManageBrandSettings,
        Self::ManageStaff,
        Self::ImportCustomers,
        Self::ViewDashboard,
    ];
}

/// May a staff member with `role` hold `permission`? The one place this is decided
/// (a brand administrator's brand scope is checked by the principal's table).
pub fn may(role: StaffRole, permission: StaffPermission) -> bool {
    use StaffPermission as P;
    match permission {
        P::ViewMasked
        | P::RevealField
        | P::SendResetLink
        | P::ResendVerification
        | P::EndSessions
        | P::CorrectProfile
        | P::RecordPhoneConsent
        | P::VerifyLoyaltyLink
        | P::RequestTicketAccess => matches!(role, StaffRole::Support | StaffRole::SupportLead),
        P::LockUnlock | P::ResetSecondFactors => role == StaffRole::SupportLead,
        P::ViewRevealStats | P::ViewAudit => matches!(role, StaffRole::SupportLead | StaffRole::Operator),
        P::ManageBrandSettings => matches!(role, StaffRole::BrandAdmin | StaffRole::Operator),
        P::ManageStaff | P::ImportCustomers | P::ViewDashboard => role == StaffRole::Operator,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
mod tests {
    use super::*;

    /// The design note's table, written out by hand: a change to [`may`] must change it too.
    fn expected(role: StaffRole, permission: StaffPermission) -> bool {
        use StaffPermission as P;
        const SUPPORT: &[StaffPermission] = &[
            P::ViewMasked,
            P::RevealField,
            P::SendResetLink,
            P::ResendVerification,
            P::EndSessions,
            P::CorrectProfile,
            P::RecordPhoneConsent,
            P::VerifyLoyaltyLink,
            P::RequestTicketAccess,
        ];
        const LEAD_EXTRA: &[StaffPermission] = &[P::LockUnlock, P::ResetSecondFactors, P::ViewRevealStats, P::ViewAudit];
        const BRAND_ADMIN: &[StaffPermission] = &[P::ManageBrandSettings];
        const OPERATOR: &[StaffPermission] = &[P::ViewRevealStats, P::ViewAudit, P::ManageBrandSettings, P::ManageStaff, P::ImportCustomers, P::ViewDashboard];
        match role {
            StaffRole::Support => SUPPORT.contains(&permission),
            StaffRole::SupportLead => SUPPORT.contains(&permission) || LEAD_EXTRA.contains(&permission),
            StaffRole::BrandAdmin => BRAND_ADMIN.contains(&permission),
            StaffRole::Operator => OPERATOR.contains(&permission),
        }
    }

    #[test]
    fn reasons_and_tickets_are_required() {
        let t = support_ticket(" caller verified, wants address ", " T-1042 ").unwrap();
        assert_eq!((t.reason(), t.ticket()), ("caller verified, wants address", "T-1042"));
        assert!(support_ticket("", "T-1").is_err());
        assert!(support_ticket("why not", "").is_err());
        assert!(support_ticket("fine reason", "T 1; DROP").is_err());
        assert!(support_ticket("two\nlines", "T-1").is_err(), "no control characters");
        assert!(support_ticket(&"x".repeat(501), "T-1").is_err());
        assert!(support_ticket("fine reason", &"1".repeat(65)).is_err());
        let Err(Error::Fields(both)) = support_ticket(" ", " ") else { panic!() };
        assert_eq!(both.iter().map(ParseError::field).collect::<Vec<_>>(), vec!["Reason", "Ticket"], "each named");
    }

    #[test]
    fn every_role_times_every_permission() {
        let mut cells = 0;
        for role in StaffRole::ALL {
            for permission in StaffPermission::ALL {
                assert_eq!(may(role, permission), expected(role, permission), "{role:?} {permission:?}");
                cells += 1;
            }
        }
        assert_eq!(cells, 4 * 17);
        // The rows that matter most, spelled out.
        assert!(!may(StaffRole::Support, StaffPermission::ResetSecondFactors), "an agent never resets a second factor");
        assert!(!may(StaffRole::Operator, StaffPermission::RevealField), "operators run the platform, not customers' data");
        assert!(!may(StaffRole::BrandAdmin, StaffPermission::ViewMasked), "a brand administrator administers brands, not customers");
    }
}
