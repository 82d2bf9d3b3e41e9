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
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("the password hasher is saturated; try again shortly")]
    Busy,
    #[error("database error: {0}")]
    Store(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
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
