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
    /// An action that cannot be done, with the reason as a sentence safe to show.
    #[error("{0}")]
    Refused(String),
    /// The principal may not do this (see `principal::authorize`).
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("the server is saturated (password hashing or database writes); try again shortly")]
    Busy,
    #[error("database error: {0}")]
    /// A database failure (its text is for logs). A pool with no free connection in
    /// time is [`Error::Busy`] instead (see `store`'s `From`).
    Store(crate::store::DbError),
    #[error("migration error: {0}")]
    Migrate(#[from] crate::store::MigrateError),
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("serialisation: {e}"))
    }
}
