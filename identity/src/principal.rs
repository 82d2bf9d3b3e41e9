//! Who acts, for whom, under which grant — and the one table that decides whether they
//! may. Every state-changing use case takes a [`Principal`], calls [`authorize`] before
//! it touches the store, and writes its audit row (actor from [`Principal::actor`],
//! subject from [`Subject::label`]) in the same transaction as the change.
//!
//! Adapters build the principal from what authenticated the request (a customer or
//! staff session, a client's credentials, the command line) and never decide
//! themselves who may do what. Households add the delegate rows (a delegation's or a
//! guardianship's named permissions, `docs/design/household.md`); the support view adds
//! ticket-scoped staff rows.

use crate::audit::Actor;
use crate::error::{Error, Result};
pub use crate::households::Permission;
use crate::staff::StaffRole;

/// How strongly a customer's session authenticated (its OIDC `acr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AuthLevel {
    /// A password, a mailed code or a remembered device (`foyer:pwd`).
    Password,
    /// A passkey: possession plus the authenticator's own check (`foyer:passkey`).
    Passkey,
    /// A password plus a second factor (`foyer:mfa`).
    MultiFactor,
}

impl AuthLevel {
    /// The level an `acr` value names; unknown values are the weakest.
    pub fn from_acr(acr: &str) -> Self {
        match acr {
            "foyer:mfa" => Self::MultiFactor,
            "foyer:passkey" => Self::Passkey,
            _ => Self::Password,
        }
    }
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Someone without a session: signs up, signs in, follows a mailed link or code (the
    /// link or code itself is the proof, checked by the use case).
    Anonymous,
    /// A signed-in customer acting for themself.
    Customer { id: String, level: AuthLevel },
    /// A customer acting for another under a grant (households): a delegation
    /// (`grant` is its id) or a guardianship (`guardian:<id>`), with the permissions it
    /// carries. Built only by the core, from a live row.
    Delegate { actor: String, subject: String, grant: String, permissions: Vec<Permission> },
    /// A staff member, optionally working a ticket; `brands`: the brands a brand
    /// administrator was granted (ids; empty for other roles). Built from the `staff` row
    /// on every request ([`crate::Identity::staff_principal`]).
    Staff { id: String, role: StaffRole, ticket: Option<String>, brands: Vec<String> },
    /// A support agent inside one customer's portal under a ticket access the customer
    /// approved (`access`), with the permissions they ticked. Built only by the core from
    /// a live access row ([`crate::Identity::support_principal`]), on every request.
    Support { staff: String, customer: String, access: String, ticket: String, permissions: Vec<Permission> },
    /// A relying party's back end, authenticated as its client.
    Machine { client: String, brand: String, scopes: Vec<String> },
    /// The operator at the command line (`foyer brand|client|admin|users …`).
    Operator,
    /// Foyer itself: start-up, maintenance and the outbox worker.
    System,
}

impl Principal {
    /// A signed-in customer at the level their session's `acr` names.
    pub fn customer(id: impl Into<String>, acr: &str) -> Self {
        Self::Customer { id: id.into(), level: AuthLevel::from_acr(acr) }
    }

    /// The kind, for logs, metrics and the authorization table's tests.
    pub fn kind(&self) -> PrincipalKind {
        match self {
            Self::Anonymous => PrincipalKind::Anonymous,
            Self::Customer { .. } => PrincipalKind::Customer,
            Self::Delegate { .. } => PrincipalKind::Delegate,
            Self::Staff { role: StaffRole::Support, .. } => PrincipalKind::Support,
            Self::Staff { role: StaffRole::SupportLead, .. } => PrincipalKind::SupportLead,
            Self::Staff { role: StaffRole::BrandAdmin, .. } => PrincipalKind::BrandAdmin,
            Self::Staff { role: StaffRole::Operator, .. } => PrincipalKind::StaffOperator,
            Self::Support { .. } => PrincipalKind::SupportActing,
            Self::Machine { .. } => PrincipalKind::Machine,
            Self::Operator => PrincipalKind::Operator,
            Self::System => PrincipalKind::System,
        }
    }

    /// Who the audit log names as the actor (ids only, never personal data). A
    /// delegate is recorded as the acting customer; the subject names whom for.
    pub fn actor(&self) -> Actor {
        match self {
            Self::Anonymous => Actor::Anonymous,
            Self::Customer { id, .. } => Actor::Customer(id.clone()),
            Self::Delegate { actor, grant, .. } => Actor::Delegate { actor: actor.clone(), grant: grant.clone() },
            Self::Staff { id, .. } => Actor::Staff(id.clone()),
            Self::Support { staff, access, ticket, .. } => Actor::Support { staff: staff.clone(), access: access.clone(), ticket: ticket.clone() },
            Self::Machine { client, .. } => Actor::Client(client.clone()),
            Self::Operator => Actor::Cli,
            Self::System => Actor::System,
        }
    }

    /// The customer this principal acts as or for, if any.
    pub fn customer_id(&self) -> Option<&str> {
        match self {
            Self::Customer { id, .. } => Some(id),
            Self::Delegate { subject, .. } => Some(subject),
            Self::Support { customer, .. } => Some(customer),
            _ => None,
        }
    }
}

/// Principal kinds as the table knows them (staff split by role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    Anonymous,
    Customer,
    Delegate,
    Support,
    SupportLead,
    BrandAdmin,
    /// A staff member with the `operator` role (the command line is [`Self::Operator`]).
    StaffOperator,
    /// A support agent in a customer's portal under an approved ticket access.
    SupportActing,
    Machine,
    Operator,
    System,
}

/// What is acted on. Every variant carries an id (a brand's id, never its slug: the
/// use case finds the brand first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    Customer(&'a str),
    Staff(&'a str),
    Brand(&'a str),
    Client(&'a str),
    /// Foyer as a whole (keys, imports, maintenance).
    Platform,
}

impl Subject<'_> {
    /// `kind:id`, as the audit log's `subject` column holds it.
    pub fn label(&self) -> Option<String> {
        match self {
            Self::Customer(id) => Some(format!("customer:{id}")),
            Self::Staff(id) => Some(format!("staff:{id}")),
            Self::Brand(id) => Some(format!("brand:{id}")),
            Self::Client(id) => Some(format!("client:{id}")),
            Self::Platform => None,
        }
    }
}

/// Everything a use case may be asked to do that changes state or reads a customer's
/// data. One variant per decision the table makes, not per function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Sign up, sign in, request a code or reset, follow a mailed link.
    SignUpOrSignIn,
    /// Read one's account: profile, factors, passkeys, sessions, activity, brands.
    ViewAccount,
    /// Change the profile or the sign-in email.
    UpdateProfile,
    /// Change the password, TOTP, recovery codes, passkeys, remembered devices.
    ManageCredentials,
    /// End one's own sessions ("sign out other devices", "sign out this device").
    ManageSessions,
    /// Approve or refuse a brand's request, or disconnect a brand (ends its grants).
    ManageBrandAccess,
    /// Grant, withdraw or refuse purposes; set per-brand preferences and attributes.
    ManageConsents,
    /// Read one's profile (names, birth date, address): what a delegate with
    /// `view_profile` may see, without the security pages [`Action::ViewAccount`] covers.
    ViewProfile,
    /// Approve a minor's pending grants (a guardian only).
    ApproveConsents,
    /// Link and unlink loyalty memberships.
    ManageLoyalty,
    /// Sign in at a brand on the principal's behalf (subject: the brand).
    ActAtBrand,
    /// Create, join, leave a household; the role table (`households::may`) decides the rest.
    ManageHousehold,
    /// Grant, renew and revoke delegations of one's own rights.
    ManageDelegations,
    /// Download a copy of one's data, or ask for the account to be deleted (and cancel).
    ExportOrDeleteData,
    /// A relying party exchanges a code or refresh token, reads userinfo, revokes or
    /// introspects its own tokens.
    UseTokens,
    /// A brand's back end reads and decides its own loyalty programme's links and reports
    /// what it knows of its members (subject: the brand).
    RunLoyaltyProgramme,
    /// Search customers and see them masked (support).
    ViewCustomers,
    /// Reveal one masked field of a customer, with a reason (support; audited).
    RevealCustomerData,
    /// See who reveals most (support leads, operators).
    ViewRevealStats,
    /// Ask a customer for ticket-scoped access to their portal (support).
    RequestSupportAccess,
    /// Approve, refuse or end support's access to one's portal (the customer).
    ManageSupportAccess,
    /// Mail a customer the ordinary password-reset link (support; never sets a password).
    SendResetLink,
    /// Mail a customer the address confirmation again (support).
    ResendVerification,
    /// End every session and grant of a customer ("sign out everywhere", support).
    EndCustomerSessions,
    /// Correct one profile field of a customer, never the sign-in address (support).
    CorrectProfile,
    /// Record a consent a customer gave by phone, the agent as collector (support).
    RecordPhoneConsent,
    /// Confirm or reject a pending loyalty link of a `support` programme (support).
    DecideLoyaltyLink,
    /// Lock or unlock a customer's account (support leads).
    LockAccount,
    /// Remove a customer's authenticator app and recovery codes after an identity check
    /// (support leads).
    ResetSecondFactors,
    /// Search and export the audit log (support leads, staff operators, the command line).
    ViewAuditLog,
    /// See the operator dashboard and `/admin/metrics` (staff operators).
    ViewDashboard,
    /// Create or change brands and their clients.
    ManageBrands,
    /// Create staff accounts.
    ManageStaff,
    /// Bulk-import customers.
    ImportCustomers,
    /// Signing keys, sweeps of expired records, the outbox.
    RunPlatform,
}

impl Action {
    pub const ALL: [Self; 35] = [
        Self::SignUpOrSignIn,
        Self::ViewAccount,
        Self::UpdateProfile,
        Self::ManageCredentials,
        Self::ManageSessions,
        Self::ManageBrandAccess,
        Self::ManageConsents,
        Self::ExportOrDeleteData,
        Self::ViewProfile,
        Self::ApproveConsents,
        Self::ManageLoyalty,
        Self::ActAtBrand,
        Self::ManageHousehold,
        Self::ManageDelegations,
        Self::UseTokens,
        Self::RunLoyaltyProgramme,
        Self::ViewCustomers,
        Self::RevealCustomerData,
        Self::ViewRevealStats,
        Self::RequestSupportAccess,
        Self::ManageSupportAccess,
        Self::SendResetLink,
        Self::ResendVerification,
        Self::EndCustomerSessions,
        Self::CorrectProfile,
        Self::RecordPhoneConsent,
        Self::DecideLoyaltyLink,
        Self::LockAccount,
        Self::ResetSecondFactors,
        Self::ViewAuditLog,
        Self::ViewDashboard,
        Self::ManageBrands,
        Self::ManageStaff,
        Self::ImportCustomers,
        Self::RunPlatform,
    ];
}

/// May `principal` do `action` to `subject`? The one place this is decided.
///
/// | principal | may |
/// |---|---|
/// | anonymous | sign up / sign in (the link or code is checked by the use case) |
/// | customer | view and change their own account, credentials, sessions, brand access, consents, loyalty links, household and delegations; export or delete their data (never approve consents: that is a guardian's) |
/// | delegate | exactly what its permissions name, on its subject only (a brand for `act_at_brand`): never credentials, sessions, security pages, export, deletion, household or delegations |
/// | support in a portal | what the customer ticked of view/correct the profile, consents, loyalty; never credentials, sessions, security pages, export, deletion, household, delegations |
/// | staff | what `admin::may` gives the role: search, view and reveal customers and the support actions on a customer (agents and leads; lock/unlock and second-factor resets: leads only), brand settings (a brand administrator: their brands only), staff, imports and the dashboard (operators), the audit log (leads and operators) |
/// | machine | use tokens of its own client; with scope `loyalty:manage`, run its own brand's loyalty programmes |
/// | operator | manage brands, clients and staff; import customers; search and export the audit log; run the platform and every loyalty programme |
/// | system | run the platform; use tokens (sweeps and back-channel logout) |
pub fn authorize(principal: &Principal, action: Action, subject: Subject<'_>) -> Result<()> {
    if allowed(principal, action, subject) { Ok(()) } else { Err(Error::Forbidden) }
}

fn allowed(principal: &Principal, action: Action, subject: Subject<'_>) -> bool {
    use Action as A;
    match principal {
        Principal::Anonymous => action == A::SignUpOrSignIn,
        Principal::Customer { id, .. } => {
            matches!(
                action,
                A::SignUpOrSignIn
                    | A::ViewAccount
                    | A::UpdateProfile
                    | A::ManageCredentials
                    | A::ManageSessions
                    | A::ManageBrandAccess
                    | A::ManageConsents
                    | A::ExportOrDeleteData
                    | A::ViewProfile
                    | A::ManageLoyalty
                    | A::ManageHousehold
                    | A::ManageDelegations
                    | A::ManageSupportAccess
            ) && matches!(subject, Subject::Customer(s) if s == id)
        }
        Principal::Delegate { subject: on_behalf_of, permissions, .. } => {
            delegate_allowed(on_behalf_of, permissions, action, subject)
        }
        Principal::Staff { role, brands, .. } => {
            use crate::admin::{StaffPermission as P, may};
            match action {
                A::ManageBrands => {
                    may(*role, P::ManageBrandSettings)
                        && (*role == StaffRole::Operator || matches!(subject, Subject::Brand(b) if brands.iter().any(|x| x == b)))
                }
                A::ManageStaff => may(*role, P::ManageStaff),
                A::ViewCustomers => may(*role, P::ViewMasked),
                A::RevealCustomerData => may(*role, P::RevealField),
                A::ViewRevealStats => may(*role, P::ViewRevealStats),
                A::RequestSupportAccess => may(*role, P::RequestTicketAccess) && matches!(subject, Subject::Customer(_)),
                A::ViewAuditLog => may(*role, P::ViewAudit),
                A::ViewDashboard => may(*role, P::ViewDashboard),
                A::ImportCustomers => may(*role, P::ImportCustomers),
                A::SendResetLink
                | A::ResendVerification
                | A::EndCustomerSessions
                | A::CorrectProfile
                | A::RecordPhoneConsent
                | A::DecideLoyaltyLink
                | A::LockAccount
                | A::ResetSecondFactors => {
                    let permission = match action {
                        A::SendResetLink => P::SendResetLink,
                        A::ResendVerification => P::ResendVerification,
                        A::EndCustomerSessions => P::EndSessions,
                        A::CorrectProfile => P::CorrectProfile,
                        A::RecordPhoneConsent => P::RecordPhoneConsent,
                        A::DecideLoyaltyLink => P::VerifyLoyaltyLink,
                        A::LockAccount => P::LockUnlock,
                        _ => P::ResetSecondFactors,
                    };
                    may(*role, permission) && matches!(subject, Subject::Customer(_))
                }
                _ => false,
            }
        }
        // Exactly what the customer ticked, on that customer only: the delegate's table,
        // without approving a minor's consents; a brand sign-in (any brand) only with
        // `sign_in_at_brands`, never through a delegate's `act_at_brand`.
        Principal::Support { customer, permissions, .. } => match action {
            A::ActAtBrand => matches!(subject, Subject::Brand(_)) && permissions.contains(&Permission::SignInAtBrands),
            A::ApproveConsents => false,
            _ => delegate_allowed(customer, permissions, action, subject),
        },
        Principal::Machine { client, brand, scopes } => match action {
            A::UseTokens => matches!(subject, Subject::Client(c) if c == client),
            A::RunLoyaltyProgramme => {
                scopes.iter().any(|s| s == crate::loyalty::API_SCOPE) && matches!(subject, Subject::Brand(b) if b == brand)
            }
            _ => false,
        },
        Principal::Operator => {
            matches!(action, A::ManageBrands | A::ManageStaff | A::ImportCustomers | A::RunPlatform | A::RunLoyaltyProgramme | A::ViewAuditLog)
        }
        Principal::System => matches!(action, A::RunPlatform | A::UseTokens),
    }
}

/// A delegate's row: each action needs one permission, on the principal it acts for.
fn delegate_allowed(on_behalf_of: &str, permissions: &[Permission], action: Action, subject: Subject<'_>) -> bool {
    use Action as A;
    let needs = match action {
        A::ViewProfile => Permission::ViewProfile,
        A::UpdateProfile => Permission::ManageProfile,
        A::ManageConsents => Permission::ManageConsents,
        A::ApproveConsents => Permission::ApproveConsents,
        A::ManageLoyalty => Permission::ManageLoyalty,
        A::ActAtBrand => {
            return matches!(subject, Subject::Brand(b) if permissions.iter().any(|p| matches!(p, Permission::ActAtBrand(x) if x == b)));
        }
        _ => return false,
    };
    permissions.contains(&needs) && matches!(subject, Subject::Customer(s) if s == on_behalf_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principals() -> Vec<Principal> {
        vec![
            Principal::Anonymous,
            Principal::customer("c1", "foyer:pwd"),
            Principal::Delegate { actor: "c2".into(), subject: "c1".into(), grant: "g1".into(), permissions: every_permission() },
            Principal::Staff { id: "s1".into(), role: StaffRole::Support, ticket: Some("T-1".into()), brands: vec![] },
            Principal::Staff { id: "s3".into(), role: StaffRole::SupportLead, ticket: None, brands: vec![] },
            Principal::Staff { id: "s4".into(), role: StaffRole::BrandAdmin, ticket: None, brands: vec!["b1".into()] },
            Principal::Staff { id: "s2".into(), role: StaffRole::Operator, ticket: None, brands: vec![] },
            Principal::Support { staff: "s1".into(), customer: "c1".into(), access: "a1".into(), ticket: "T-1".into(), permissions: every_permission() },
            Principal::Machine { client: "rp1".into(), brand: "b1".into(), scopes: vec!["openid".into(), "loyalty:manage".into()] },
            Principal::Operator,
            Principal::System,
        ]
    }

    fn every_permission() -> Vec<Permission> {
        let mut all = Permission::GUARDIAN.to_vec();
        all.push(Permission::ActAtBrand("b1".into()));
        all.push(Permission::SignInAtBrands);
        all
    }

    /// The subject each kind is tried on: its own where it has one.
    fn own_subject(p: &Principal, action: Action) -> Subject<'static> {
        match (p.kind(), action) {
            (_, Action::ActAtBrand) => Subject::Brand("b1"),
            (PrincipalKind::Customer | PrincipalKind::Delegate | PrincipalKind::SupportActing, _) => Subject::Customer("c1"),
            (_, Action::UseTokens) => Subject::Client("rp1"),
            (_, Action::ManageBrands | Action::RunLoyaltyProgramme) => Subject::Brand("b1"),
            (_, Action::ManageStaff) => Subject::Staff("s9"),
            (
                _,
                Action::ViewAccount
                | Action::UpdateProfile
                | Action::ManageCredentials
                | Action::ManageSessions
                | Action::ManageBrandAccess
                | Action::ManageConsents
                | Action::ExportOrDeleteData
                | Action::ViewProfile
                | Action::ApproveConsents
                | Action::ManageLoyalty
                | Action::ManageHousehold
                | Action::ManageDelegations
                | Action::ManageSupportAccess
                | Action::RequestSupportAccess
                | Action::SendResetLink
                | Action::ResendVerification
                | Action::EndCustomerSessions
                | Action::CorrectProfile
                | Action::RecordPhoneConsent
                | Action::DecideLoyaltyLink
                | Action::LockAccount
                | Action::ResetSecondFactors,
            ) => {
                Subject::Customer("c1")
            }
            _ => Subject::Platform,
        }
    }

    /// Written out by hand, independently of `allowed`: a change to the rules must
    /// change this list too.
    fn expected(kind: PrincipalKind, action: Action) -> bool {
        use Action as A;
        use PrincipalKind as K;
        const TABLE: &[(K, &[Action])] = &[
            (K::Anonymous, &[A::SignUpOrSignIn]),
            (K::Customer, &[
                A::SignUpOrSignIn,
                A::ViewAccount,
                A::UpdateProfile,
                A::ManageCredentials,
                A::ManageSessions,
                A::ManageBrandAccess,
                A::ManageConsents,
                A::ExportOrDeleteData,
                A::ViewProfile,
                A::ManageLoyalty,
                A::ManageHousehold,
                A::ManageDelegations,
                A::ManageSupportAccess,
            ]),
            // With every permission there is: still never credentials, sessions, the
            // security pages, export or deletion, the household or delegations.
            (K::Delegate, &[A::ViewProfile, A::UpdateProfile, A::ManageConsents, A::ApproveConsents, A::ManageLoyalty, A::ActAtBrand]),
            (K::Support, &[
                A::ViewCustomers,
                A::RevealCustomerData,
                A::SendResetLink,
                A::ResendVerification,
                A::EndCustomerSessions,
                A::CorrectProfile,
                A::RecordPhoneConsent,
                A::DecideLoyaltyLink,
                A::RequestSupportAccess,
            ]),
            (K::SupportLead, &[
                A::ViewCustomers,
                A::RevealCustomerData,
                A::ViewRevealStats,
                A::SendResetLink,
                A::ResendVerification,
                A::EndCustomerSessions,
                A::CorrectProfile,
                A::RecordPhoneConsent,
                A::DecideLoyaltyLink,
                A::LockAccount,
                A::ResetSecondFactors,
                A::RequestSupportAccess,
                A::ViewAuditLog,
            ]),
            // Even with every permission a customer could tick: never credentials, sessions,
            // the security pages, export or deletion, or a minor's consents.
            (K::SupportActing, &[A::ViewProfile, A::UpdateProfile, A::ManageConsents, A::ManageLoyalty, A::ActAtBrand]),
            (K::BrandAdmin, &[A::ManageBrands]),
            (K::StaffOperator, &[A::ViewRevealStats, A::ViewAuditLog, A::ViewDashboard, A::ManageBrands, A::ManageStaff, A::ImportCustomers]),
            (K::Machine, &[A::UseTokens, A::RunLoyaltyProgramme]),
            (K::Operator, &[A::ManageBrands, A::ManageStaff, A::ImportCustomers, A::RunPlatform, A::RunLoyaltyProgramme, A::ViewAuditLog]),
            (K::System, &[A::RunPlatform, A::UseTokens]),
        ];
        TABLE.iter().find(|(k, _)| *k == kind).is_some_and(|(_, actions)| actions.contains(&action))
    }

    #[test]
    fn every_principal_kind_times_every_action() {
        let mut checked = 0;
        for p in principals() {
            for action in Action::ALL {
                let got = authorize(&p, action, own_subject(&p, action)).is_ok();
                assert_eq!(got, expected(p.kind(), action), "{:?} {action:?}", p.kind());
                checked += 1;
            }
        }
        assert_eq!(checked, 11 * Action::ALL.len());
    }

    #[test]
    fn a_customer_never_acts_on_another_customer() {
        let me = Principal::customer("c1", "foyer:mfa");
        for action in Action::ALL {
            assert!(authorize(&me, action, Subject::Customer("c2")).is_err(), "{action:?}");
            assert!(authorize(&me, action, Subject::Platform).is_err(), "{action:?}");
        }
    }

    #[test]
    fn a_client_uses_only_its_own_tokens() {
        let rp = Principal::Machine { client: "rp1".into(), brand: "b1".into(), scopes: vec![] };
        assert!(authorize(&rp, Action::UseTokens, Subject::Client("rp1")).is_ok());
        assert!(matches!(authorize(&rp, Action::UseTokens, Subject::Client("rp2")), Err(Error::Forbidden)));
        assert!(authorize(&rp, Action::ViewAccount, Subject::Customer("c1")).is_err());
    }

    #[test]
    fn a_brand_admin_manages_only_the_brands_granted() {
        let admin = Principal::Staff { id: "s4".into(), role: StaffRole::BrandAdmin, ticket: None, brands: vec!["b1".into()] };
        assert!(authorize(&admin, Action::ManageBrands, Subject::Brand("b1")).is_ok());
        assert!(authorize(&admin, Action::ManageBrands, Subject::Brand("b2")).is_err(), "another brand");
        assert!(authorize(&admin, Action::ManageBrands, Subject::Platform).is_err(), "creating brands is the operator's");
        assert!(authorize(&admin, Action::ManageStaff, Subject::Staff("s9")).is_err());
        let operator = Principal::Staff { id: "s2".into(), role: StaffRole::Operator, ticket: None, brands: vec![] };
        assert!(authorize(&operator, Action::ManageBrands, Subject::Brand("b2")).is_ok(), "every brand");
        assert!(authorize(&operator, Action::ViewAccount, Subject::Customer("c1")).is_err(), "never a customer's account");
    }

    /// `docs/design/admin.md`: the support actions act on a customer only; nobody on
    /// staff gets a customer's own actions (a password, the sign-in address).
    #[test]
    fn support_actions_reach_customers_only() {
        let lead = Principal::Staff { id: "s3".into(), role: StaffRole::SupportLead, ticket: None, brands: vec![] };
        for action in [Action::LockAccount, Action::ResetSecondFactors, Action::SendResetLink, Action::CorrectProfile] {
            assert!(authorize(&lead, action, Subject::Customer("c1")).is_ok(), "{action:?}");
            assert!(authorize(&lead, action, Subject::Platform).is_err(), "{action:?} needs a customer");
            assert!(authorize(&lead, action, Subject::Staff("s9")).is_err(), "{action:?} never on staff");
        }
        for action in [Action::ManageCredentials, Action::UpdateProfile, Action::ExportOrDeleteData, Action::ManageConsents] {
            assert!(authorize(&lead, action, Subject::Customer("c1")).is_err(), "{action:?}: never a customer's own action");
        }
    }

    #[test]
    fn a_brand_back_end_runs_only_its_own_programmes_and_only_with_the_scope() {
        let with = Principal::Machine { client: "rp1".into(), brand: "b1".into(), scopes: vec!["loyalty:manage".into()] };
        assert!(authorize(&with, Action::RunLoyaltyProgramme, Subject::Brand("b1")).is_ok());
        assert!(authorize(&with, Action::RunLoyaltyProgramme, Subject::Brand("b2")).is_err(), "another brand");
        assert!(authorize(&with, Action::ManageLoyalty, Subject::Customer("c1")).is_err(), "never a customer's links");
        let without = Principal::Machine { client: "rp1".into(), brand: "b1".into(), scopes: vec!["orders:read".into()] };
        assert!(authorize(&without, Action::RunLoyaltyProgramme, Subject::Brand("b1")).is_err(), "no scope");
    }

    #[test]
    fn audit_names_ids_only() {
        assert_eq!(Principal::customer("c1", "foyer:pwd").actor().label(), "customer:c1");
        let delegate = Principal::Delegate { actor: "c2".into(), subject: "c1".into(), grant: "g".into(), permissions: vec![] };
        assert_eq!(delegate.actor().label(), "customer:c2");
        assert_eq!(delegate.customer_id(), Some("c1"));
        assert_eq!(Principal::Machine { client: "rp1".into(), brand: "b".into(), scopes: vec![] }.actor().label(), "client:rp1");
        assert_eq!(Subject::Customer("c1").label().as_deref(), Some("customer:c1"));
        assert_eq!(Subject::Platform.label(), None);
    }

    #[test]
    fn a_delegate_acts_only_within_its_permissions_and_principal() {
        let view_only = Principal::Delegate { actor: "c2".into(), subject: "c1".into(), grant: "d".into(), permissions: vec![Permission::ViewProfile] };
        assert!(authorize(&view_only, Action::ViewProfile, Subject::Customer("c1")).is_ok());
        assert!(authorize(&view_only, Action::ViewProfile, Subject::Customer("c3")).is_err(), "another customer");
        assert!(authorize(&view_only, Action::ViewProfile, Subject::Customer("c2")).is_err(), "not even the delegate itself, as delegate");
        assert!(authorize(&view_only, Action::ManageConsents, Subject::Customer("c1")).is_err());
        let at_air = Principal::Delegate {
            actor: "c2".into(),
            subject: "c1".into(),
            grant: "d".into(),
            permissions: vec![Permission::ActAtBrand("air".into())],
        };
        assert!(authorize(&at_air, Action::ActAtBrand, Subject::Brand("air")).is_ok());
        assert!(authorize(&at_air, Action::ActAtBrand, Subject::Brand("hotels")).is_err());
        assert!(authorize(&at_air, Action::ActAtBrand, Subject::Customer("c1")).is_err());
        let all = Principal::Delegate { actor: "c2".into(), subject: "c1".into(), grant: "d".into(), permissions: every_permission() };
        for action in [Action::ManageCredentials, Action::ManageSessions, Action::ViewAccount, Action::ExportOrDeleteData, Action::ManageHousehold, Action::ManageDelegations, Action::ManageBrandAccess] {
            assert!(authorize(&all, action, Subject::Customer("c1")).is_err(), "{action:?}");
        }
    }

    #[test]
    fn support_signs_in_at_brands_only_with_its_own_permission() {
        let support = |permissions: Vec<Permission>| Principal::Support { staff: "s1".into(), customer: "c1".into(), access: "a1".into(), ticket: "T-1".into(), permissions };
        let without = support(vec![Permission::ViewProfile, Permission::ActAtBrand("air".into())]);
        assert!(authorize(&without, Action::ActAtBrand, Subject::Brand("air")).is_err(), "a delegate's act_at_brand is no support permission");
        let with = support(vec![Permission::ViewProfile, Permission::SignInAtBrands]);
        assert!(authorize(&with, Action::ActAtBrand, Subject::Brand("air")).is_ok());
        assert!(authorize(&with, Action::ActAtBrand, Subject::Customer("c1")).is_err(), "a brand, not a customer");
        assert!(authorize(&with, Action::ManageCredentials, Subject::Customer("c1")).is_err());
        let delegate = Principal::Delegate { actor: "c2".into(), subject: "c1".into(), grant: "d".into(), permissions: vec![Permission::SignInAtBrands] };
        assert!(authorize(&delegate, Action::ActAtBrand, Subject::Brand("air")).is_err(), "never a delegate's");
    }

    #[test]
    fn levels_from_acr() {
        assert_eq!(AuthLevel::from_acr("foyer:mfa"), AuthLevel::MultiFactor);
        assert_eq!(AuthLevel::from_acr("foyer:passkey"), AuthLevel::Passkey);
        assert_eq!(AuthLevel::from_acr("anything"), AuthLevel::Password);
        assert!(AuthLevel::MultiFactor > AuthLevel::Password);
    }
}
