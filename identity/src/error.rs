//! The core's error type.
//!
//! Policy: variants say what went wrong in terms a caller can act on. `Invalid` carries
//! text that is safe to show a person (it never echoes secrets). `Store` wraps database
//! failures, whose text is for logs only; adapters show a generic message for it.

use crate::domain::ParseError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] ParseError),
    /// Several fields were refused; each error names its field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    Fields(Vec<ParseError>),
    /// A link or code that is unknown, used, expired or no longer valid.
    #[error("This link or code is invalid or has expired.")]
    TokenInvalid,
    /// Too many attempts: try again after this many seconds.
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    Throttled { retry_after_secs: i64 },
    /// The action needs a sign-in within the last few minutes.
    #[error("Please confirm your password to continue.")]
    ReauthRequired,
    /// The account has a second factor and its code is needed too.
    #[error("Enter the code from your authenticator app or a recovery code.")]
    SecondFactorRequired,
    /// Sign-in refused; deliberately says nothing about why.
    #[error("Email or password is incorrect, or the account cannot sign in right now.")]
    LoginFailed,
    /// An action that cannot be done, with the reason (a stable code; its text is
    /// safe to show, pages translate the code).
    #[error("{0}")]
    Refused(Refusal),
    /// The principal may not do this (see `principal::authorize`).
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// Saturated (password hashing past its expected wait, database writes past their
    /// turn, the pool) or its database out of reach or unable to write for now
    /// (`store::is_unavailable`): nothing was done; come back after `retry_after_secs`
    /// (503 + `Retry-After`).
    #[error("the server is saturated or its database is unavailable; try again in {retry_after_secs} s")]
    Busy { retry_after_secs: i64 },
    #[error("database error: {0}")]
    /// A database failure (its text is for logs). A pool with no free connection in
    /// time, or a database out of reach, is [`Error::Busy`] instead (see `store`'s `From`).
    Store(crate::store::DbError),
    #[error("migration error: {0}")]
    Migrate(#[from] crate::store::MigrateError),
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why an action cannot be done: a stable code the pages translate (`app::error`),
/// with its English sentence as the text (CLI, machine API, logs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A factor cannot be added before the address is confirmed.
    #[error(
        "Confirm your email address first: use the link or code we mailed you when you signed up \
         (your profile page can send a new one). Until then nothing can be added to the account."
    )]
    ConfirmEmailFirst,
    /// A passkey ceremony's answer could not be accepted (said plainly, no details).
    #[error("The passkey could not be verified. Please try again.")]
    PasskeyNotVerified,
    #[error("An account can have at most {0} passkeys.")]
    TooManyPasskeys(i64),
    /// Removing the last passkey of an account without a password.
    #[error("This is your only way to sign in. Add another passkey first, or set a password with \u{201c}Forgot your password?\u{201d} on the sign-in page.")]
    LastPasskey,
    /// Joining or creating one more household than `FOYER_HOUSEHOLDS_PER_CUSTOMER` allows.
    #[error("You can belong to at most {0} household(s). Leave one first.")]
    HouseholdLimit(i64),
    /// An invitation sent to another address than the signed-in account's.
    #[error("This invitation was sent to another email address. Sign in with that address to accept it.")]
    InvitationForAnotherAddress,
    /// Inviting or adding someone who is already in the household.
    #[error("This person is already a member of the household.")]
    AlreadyMember,
    /// An owner leaving while other adults remain.
    #[error("Make another adult the owner of the household before you leave.")]
    OwnerMustTransfer,
    /// Leaving (or being removed) while the only guardian of a managed member.
    #[error("You are the only guardian of a managed member: add another guardian, or remove the member, first.")]
    LastGuardian,
    /// Too many open invitations in one household.
    #[error("This household has too many open invitations. Revoke one or wait until they expire.")]
    TooManyInvitations,
    /// A hand-over link asked for before 30 days ahead of the member's coming of age
    /// (the day it can be issued, `YYYY-MM-DD`).
    #[error("A hand-over link can be issued from {0}, 30 days before the member comes of age.")]
    ClaimNotYet(String),
    /// A delegation's end date in the past, or more than a year ahead.
    #[error("Choose an end date in the future, at most one year from today.")]
    DelegationExpiry,
    /// A second live delegation to the same member.
    #[error("You already delegate to this member: renew or revoke that delegation instead.")]
    DelegationExists,
    /// A loyalty number verified for another customer.
    #[error("This number is already linked to another account. We have told its holder; if the card is yours, contact the brand.")]
    LoyaltyNumberTaken,
    /// An `email` programme's number without an address on file (or unknown to the brand).
    #[error("This number cannot be checked by email: the brand has no address on file for it. Check the number, or contact the brand.")]
    LoyaltyNotVerifiable,
    /// A second live link in the same programme.
    #[error("A membership of this programme is already linked or waiting. Unlink it first.")]
    LoyaltyAlreadyLinked,
    /// Pooling in a programme that does not allow it, or of a link that is not verified.
    #[error("This membership cannot be pooled: the programme does not allow it, or the link is not verified.")]
    LoyaltyNoPooling,
}

impl Refusal {
    /// The stable code (`error-refused-<code>` in `errors.ftl`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::ConfirmEmailFirst => "confirm-email-first",
            Self::PasskeyNotVerified => "passkey-not-verified",
            Self::TooManyPasskeys(_) => "too-many-passkeys",
            Self::LastPasskey => "last-passkey",
            Self::HouseholdLimit(_) => "household-limit",
            Self::InvitationForAnotherAddress => "invitation-for-another-address",
            Self::AlreadyMember => "already-member",
            Self::OwnerMustTransfer => "owner-must-transfer",
            Self::LastGuardian => "last-guardian",
            Self::TooManyInvitations => "too-many-invitations",
            Self::ClaimNotYet(_) => "claim-not-yet",
            Self::DelegationExpiry => "delegation-expiry",
            Self::DelegationExists => "delegation-exists",
            Self::LoyaltyNumberTaken => "loyalty-number-taken",
            Self::LoyaltyNotVerifiable => "loyalty-not-verifiable",
            Self::LoyaltyAlreadyLinked => "loyalty-already-linked",
            Self::LoyaltyNoPooling => "loyalty-no-pooling",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("serialisation: {e}"))
    }
}
