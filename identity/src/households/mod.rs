//! Households: the roles, the permissions a delegation or guardianship carries, and the
//! one table that says which member may do what to a household (`docs/design/household.md`).
//! The use cases are in `household.rs` (households, invitations, membership),
//! `managed.rs` (managed members, guardians), `handover.rs` (coming of age, the hand-over) and `delegation.rs`
//! (delegations and the principal a delegate acts as); their rows in `store::households`.

pub mod claim;
pub mod delegation;
pub mod handover;
pub mod household;
pub mod managed;

use serde::{Deserialize, Serialize};

use crate::domain::{ParseError, Reason};

/// Longest a delegation lasts from its grant or renewal.
pub const MAX_DELEGATION_MS: i64 = 365 * 24 * 3_600_000;
/// How long an invitation link works.
pub const INVITATION_MS: i64 = 7 * 24 * 3_600_000;
/// How long a hand-over link works, and how long before the age the guardians are told.
pub const CLAIM_MS: i64 = 14 * 24 * 3_600_000;
pub const MAJORITY_NOTICE_MS: i64 = 30 * 24 * 3_600_000;
/// Longest household name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// A member's role in their household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Adult,
    /// No sign-in of their own; looked after by guardians.
    Managed,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Owner, Self::Adult, Self::Managed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Adult => "adult",
            Self::Managed => "managed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What one member may be granted over another's data: by a delegation (the first four)
/// or a guardianship ([`Permission::GUARDIAN`]). Never credentials, sessions or security
/// settings: no permission names them, so no delegate can reach them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read the profile (names, birth date, address).
    ViewProfile,
    /// Change the profile (a guardian's, for a managed member).
    ManageProfile,
    /// Grant and withdraw purposes, set preferences and brand attributes.
    ManageConsents,
    /// Approve a minor's pending grants (a guardian's).
    ApproveConsents,
    /// Link and unlink loyalty memberships.
    ManageLoyalty,
    /// Sign in at this brand (by id) on the principal's behalf.
    ActAtBrand(String),
    /// Sign in at the brands' sites for the customer: support only, ticked by the
    /// customer on approving a support access (tokens then carry the agent in `act`).
    SignInAtBrands,
}

impl Permission {
    /// What a guardian holds over a managed member.
    pub const GUARDIAN: [Self; 5] = [Self::ViewProfile, Self::ManageProfile, Self::ManageConsents, Self::ApproveConsents, Self::ManageLoyalty];

    /// The name a delegation stores and the pages post (`act_at_brand` without its brand).
    pub fn name(&self) -> &'static str {
        match self {
            Self::ViewProfile => "view_profile",
            Self::ManageProfile => "manage_profile",
            Self::ManageConsents => "manage_consents",
            Self::ApproveConsents => "approve_consents",
            Self::ManageLoyalty => "manage_loyalty",
            Self::ActAtBrand(_) => "act_at_brand",
            Self::SignInAtBrands => "sign_in_at_brands",
        }
    }

    /// The names an adult may grant another by delegation.
    pub const DELEGABLE: [&'static str; 4] = ["view_profile", "manage_consents", "manage_loyalty", "act_at_brand"];
}

/// Everything a member may do to a household, one variant per row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseholdAction {
    Rename,
    Invite,
    RevokeInvitation,
    RemoveMember,
    TransferOwnership,
    Leave,
    CreateManaged,
    AddGuardian,
    RemoveGuardian,
    ManageMember,
    IssueClaim,
    Delegate,
    View,
    /// Decide which members' loyalty memberships pool (`docs/design/loyalty.md`).
    DecidePooling,
}

impl HouseholdAction {
    pub const ALL: [Self; 14] = [
        Self::Rename,
        Self::Invite,
        Self::RevokeInvitation,
        Self::RemoveMember,
        Self::TransferOwnership,
        Self::Leave,
        Self::CreateManaged,
        Self::AddGuardian,
        Self::RemoveGuardian,
        Self::ManageMember,
        Self::IssueClaim,
        Self::Delegate,
        Self::View,
        Self::DecidePooling,
    ];
}

/// May a member with `role` (and, for actions on one managed member, `guardian` of
/// that member) do `action`? The role table of `docs/design/household.md`. Leaving as
/// the owner passes here; the use case refuses it while other adults remain.
pub fn may(role: Role, guardian: bool, action: HouseholdAction) -> bool {
    use HouseholdAction as H;
    match role {
        Role::Managed => false,
        Role::Owner | Role::Adult => match action {
            H::Rename | H::Invite | H::RevokeInvitation | H::RemoveMember | H::TransferOwnership | H::DecidePooling => role == Role::Owner,
            H::Leave | H::CreateManaged | H::Delegate | H::View => true,
            H::AddGuardian | H::ManageMember | H::IssueClaim => guardian,
            H::RemoveGuardian => guardian || role == Role::Owner,
        },
    }
}

/// A household name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, ParseError> {
    const FIELD: &str = "Household name";
    let name = raw.trim();
    if name.is_empty() {
        return Err(ParseError::Missing { field: FIELD });
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ParseError::TooLong { field: FIELD, max: MAX_NAME_CHARS });
    }
    if name.chars().any(char::is_control) {
        return Err(ParseError::Invalid { field: FIELD, reason: Reason::ControlCharacters });
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The design note's table, written out independently of `may`.
    fn expected(role: Role, guardian: bool, action: HouseholdAction) -> bool {
        use HouseholdAction as H;
        const OWNER: &[HouseholdAction] =
            &[H::Rename, H::Invite, H::RevokeInvitation, H::RemoveMember, H::TransferOwnership, H::Leave, H::CreateManaged, H::RemoveGuardian, H::Delegate, H::View, H::DecidePooling];
        const ADULT: &[HouseholdAction] = &[H::Leave, H::CreateManaged, H::Delegate, H::View];
        const GUARDIAN_ONLY: &[HouseholdAction] = &[H::AddGuardian, H::RemoveGuardian, H::ManageMember, H::IssueClaim];
        match role {
            Role::Managed => false,
            Role::Owner => OWNER.contains(&action) || (guardian && GUARDIAN_ONLY.contains(&action)),
            Role::Adult => ADULT.contains(&action) || (guardian && GUARDIAN_ONLY.contains(&action)),
        }
    }

    #[test]
    fn role_matrix() {
        let mut cells = 0;
        for role in Role::ALL {
            for guardian in [false, true] {
                for action in HouseholdAction::ALL {
                    assert_eq!(may(role, guardian, action), expected(role, guardian, action), "{role:?} guardian={guardian} {action:?}");
                    cells += 1;
                }
            }
        }
        assert_eq!(cells, 3 * 2 * HouseholdAction::ALL.len());
        // The rows that matter most, spelled out.
        assert!(!may(Role::Adult, false, HouseholdAction::Invite));
        assert!(!may(Role::Adult, false, HouseholdAction::ManageMember), "an adult who is not the member's guardian");
        assert!(may(Role::Adult, true, HouseholdAction::ManageMember));
        assert!(!may(Role::Managed, true, HouseholdAction::View), "a managed member never acts");
    }

    #[test]
    fn names_and_roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("guardian"), None, "guardian is a relation, not a role");
        assert_eq!(parse_name("  The Smiths "), Ok("The Smiths".into()));
        assert!(matches!(parse_name("   "), Err(ParseError::Missing { .. })));
        assert!(matches!(parse_name("a\u{0}b"), Err(ParseError::Invalid { reason: Reason::ControlCharacters, .. })));
        assert!(matches!(parse_name(&"x".repeat(81)), Err(ParseError::TooLong { max: 80, .. })));
        assert_eq!(serde_json::to_string(&Permission::ActAtBrand("b1".into())).unwrap(), r#"{"act_at_brand":"b1"}"#);
        assert_eq!(serde_json::to_string(&Permission::ViewProfile).unwrap(), r#""view_profile""#);
    }
}
