//! The error server functions return, and the one mapping from the core's errors.
//!
//! Policy: every variant carries only text that is safe to show. Field errors name
//! their field so the form can show each beside its input. The server also sets a
//! fitting HTTP status (400, 401, 403, 429 with `Retry-After`, 503) — never a 500 for
//! a person's mistake or an unreadable request; internal failures are logged and shown
//! as a generic sentence.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Message(String),
    #[error("Please correct the fields marked below.")]
    Fields(Vec<FieldMessage>),
    #[error("Please sign in to continue.")]
    SignInRequired,
    #[error("Please confirm your password to continue.")]
    ReauthRequired,
    #[error("Enter the code from your authenticator app or a recovery code.")]
    SecondFactorRequired,
    #[error("Too many attempts. Try again in {0} seconds.")]
    Throttled(i64),
    #[error("Foyer is busy. Please try again in a moment.")]
    Busy,
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server these are the request's faults (a body that is not UTF-8 or not a
    /// form, a missing or malformed argument, a body over the limit): 400, not the
    /// framework's 500. Failures to encode an answer stay 500.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        if matches!(value, ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_)) {
            return crate::auth::respond(Self::ServerFn(value));
        }
        Self::ServerFn(value)
    }
}

impl AppError {
    /// The message for one field, if the error has one.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Fields(list) => list.iter().find(|f| f.field == field).map(|f| f.message.clone()),
            _ => None,
        }
    }

    /// Fields without an input of their own go in the summary.
    pub fn summary(&self) -> String {
        match self {
            Self::Fields(list) => list.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" "),
            other => other.to_string(),
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::{AppError, FieldMessage};
    use identity::Error;
    use identity::accounts::login::LoginError;

    impl From<Error> for AppError {
        fn from(e: Error) -> Self {
            match e {
                Error::Invalid(p) => Self::Fields(vec![FieldMessage { field: p.field().to_owned(), message: p.to_string() }]),
                Error::Fields(list) => {
                    Self::Fields(list.iter().map(|p| FieldMessage { field: p.field().to_owned(), message: p.to_string() }).collect())
                }
                Error::Throttled { retry_after_secs } => Self::Throttled(retry_after_secs),
                Error::ReauthRequired => Self::ReauthRequired,
                Error::SecondFactorRequired => Self::SecondFactorRequired,
                Error::TokenInvalid | Error::LoginFailed | Error::Refused(_) | Error::Conflict(_) | Error::NotFound(_) => Self::Message(e.to_string()),
                Error::Busy => Self::Busy,
                other => {
                    tracing::error!(error = %other, "request failed");
                    Self::Message("Something went wrong on our side. Please try again.".into())
                }
            }
        }
    }

    impl From<LoginError> for AppError {
        fn from(e: LoginError) -> Self {
            match e {
                LoginError::Failed | LoginError::CodeFailed => Self::Message(e.to_string()),
                LoginError::Throttled { retry_after_secs } => Self::Throttled(retry_after_secs),
                LoginError::SecondFactorRequired => Self::SecondFactorRequired,
                LoginError::Other(inner) => inner.into(),
            }
        }
    }
}
