//! The error server functions return, and the one mapping from the core's errors to it
//! and to the HTTP status (`docs/design/platform.md` "Where errors become responses").
//!
//! Policy: every variant carries only text that is safe to show. Field errors name
//! their field so the form can show each beside its input. [`fail`] is the one place a
//! core error becomes an answer: `From<identity::Error>` picks the variant, [`respond`]
//! sets the status from the variant alone, so the two always agree:
//!
//! | core error (`identity::Error`)                 | `AppError`             | status |
//! |------------------------------------------------|------------------------|--------|
//! | `Invalid`, `Fields`                            | `Fields`               | 400    |
//! | `TokenInvalid`, `LoginFailed`, `Refused`       | `Message`              | 400    |
//! | (an unreadable request: body, argument)        | `ServerFn`             | 400    |
//! | (no signed-in customer)                        | `SignInRequired`       | 401    |
//! | `ReauthRequired`                               | `ReauthRequired`       | 403    |
//! | `SecondFactorRequired`                         | `SecondFactorRequired` | 403    |
//! | `Forbidden` (the principal may not do this)    | `Forbidden`            | 403    |
//! | `NotFound`                                     | `NotFound`             | 404    |
//! | `Conflict`                                     | `Conflict`             | 409    |
//! | `Throttled`                                    | `Throttled`            | 429 + `Retry-After` |
//! | `Busy`                                         | `Busy`                 | 503    |
//! | `Store`, `Migrate`, `Crypto`, `Internal`, any new one | `Internal`      | 500, logged without personal data; a generic sentence shown |
//!
//! Never a 500 for a person's mistake or an unreadable request. `Refused` (an action the
//! rules do not allow, with the reason) stays 400, as before; 403 means "prove yourself
//! more" (re-authentication, second factor) or "not yours to do" (`Forbidden`, from
//! `identity::principal::authorize`). Failures to encode an answer stay the
//! framework's 500.

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
    /// The principal may not do this (`identity::principal::authorize`): 403.
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// Something the request names does not exist (or is not the caller's): 404.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with something that exists already: 409.
    #[error("{0}")]
    Conflict(String),
    #[error("Foyer is busy. Please try again in a moment.")]
    Busy,
    /// A failure on our side; the details went to the log: 500.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
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
            return respond(Self::ServerFn(value));
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
pub use server::{fail, respond, status_of};

#[cfg(feature = "ssr")]
mod server {
    use http::StatusCode;
    use identity::Error;
    use identity::accounts::login::LoginError;
    use leptos::prelude::use_context;

    use super::{AppError, FieldMessage};

    /// The status an error answers with (the module's table); `Retry-After` goes with 429.
    pub fn status_of(err: &AppError) -> StatusCode {
        match err {
            AppError::Fields(_) | AppError::Message(_) | AppError::ServerFn(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired => StatusCode::UNAUTHORIZED,
            AppError::ReauthRequired | AppError::SecondFactorRequired | AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets the HTTP status (and `Retry-After`) that fits `err`, and returns it.
    pub fn respond(err: AppError) -> AppError {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            if let AppError::Throttled(secs) = &err
                && let Ok(v) = http::HeaderValue::from_str(&secs.to_string())
            {
                response.insert_header(http::header::RETRY_AFTER, v);
            }
            response.set_status(status_of(&err));
        }
        err
    }

    /// Maps any core error and sets the status: the one way a server function turns a
    /// core error into its answer (`.map_err(fail)`).
    pub fn fail(e: impl Into<AppError>) -> AppError {
        respond(e.into())
    }

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
                Error::TokenInvalid | Error::LoginFailed | Error::Refused(_) => Self::Message(e.to_string()),
                Error::Forbidden => Self::Forbidden,
                Error::NotFound(_) => Self::NotFound(e.to_string()),
                Error::Conflict(_) => Self::Conflict(e.to_string()),
                Error::Busy => Self::Busy,
                // The core's text for these is for the log (ids, never personal data).
                other => {
                    tracing::error!(error = %other, "request failed");
                    Self::Internal
                }
            }
        }
    }

    impl From<LoginError> for AppError {
        fn from(e: LoginError) -> Self {
            match e {
                LoginError::Failed | LoginError::CodeFailed | LoginError::SecondStep(_) => Self::Message(e.to_string()),
                LoginError::Throttled { retry_after_secs } => Self::Throttled(retry_after_secs),
                LoginError::SecondFactorRequired => Self::SecondFactorRequired,
                LoginError::Other(inner) => inner.into(),
            }
        }
    }

    #[cfg(test)]
    #[expect(clippy::expect_used, reason = "tests fail loudly")]
    mod tests {
        use identity::domain::ParseError;

        use super::*;

        /// `From` and the status agree, row by row of the module's table.
        #[test]
        fn each_core_error_gets_its_variant_and_status() {
            let cases: Vec<(Error, StatusCode)> = vec![
                (Error::TokenInvalid, StatusCode::BAD_REQUEST),
                (Error::LoginFailed, StatusCode::BAD_REQUEST),
                (Error::Refused("Not now.".into()), StatusCode::BAD_REQUEST),
                (Error::ReauthRequired, StatusCode::FORBIDDEN),
                (Error::SecondFactorRequired, StatusCode::FORBIDDEN),
                (Error::Forbidden, StatusCode::FORBIDDEN),
                (Error::NotFound("passkey"), StatusCode::NOT_FOUND),
                (Error::Conflict("passkey"), StatusCode::CONFLICT),
                (Error::Throttled { retry_after_secs: 7 }, StatusCode::TOO_MANY_REQUESTS),
                (Error::Busy, StatusCode::SERVICE_UNAVAILABLE),
                (Error::Internal("boom".into()), StatusCode::INTERNAL_SERVER_ERROR),
                (Error::Crypto("bad key"), StatusCode::INTERNAL_SERVER_ERROR),
            ];
            for (core, status) in cases {
                let shown = format!("{core}");
                let mapped = AppError::from(core);
                assert_eq!(status_of(&mapped), status, "{shown} -> {mapped:?}");
            }
        }

        #[test]
        fn not_found_and_conflict_keep_the_core_sentence() {
            assert_eq!(AppError::from(Error::NotFound("passkey")), AppError::NotFound("passkey was not found".into()));
            assert_eq!(AppError::from(Error::Conflict("passkey")), AppError::Conflict("passkey already exists".into()));
            assert_eq!(AppError::from(Error::Throttled { retry_after_secs: 7 }), AppError::Throttled(7));
        }

        #[test]
        fn internal_failures_show_a_generic_sentence() {
            let shown = AppError::from(Error::Internal("customer 42 row is broken".into())).to_string();
            assert_eq!(shown, "Something went wrong on our side. Please try again.");
        }

        #[test]
        fn field_errors_name_their_field() {
            let mapped = AppError::from(Error::Invalid(ParseError::Missing { field: "email" }));
            assert_eq!(status_of(&mapped), StatusCode::BAD_REQUEST);
            assert_eq!(mapped.for_field("email").as_deref(), Some("email is required"));
        }

        /// `fail` sets the status on the response (and `Retry-After` for 429).
        #[test]
        fn fail_sets_the_status_on_the_response() {
            let owner = leptos::prelude::Owner::new();
            owner.with(|| {
                let response = leptos_axum::ResponseOptions::default();
                leptos::prelude::provide_context(response.clone());
                let _ = fail(Error::Conflict("passkey"));
                assert_eq!(response.0.read().expect("not poisoned").status, Some(StatusCode::CONFLICT));
                let _ = fail(Error::Throttled { retry_after_secs: 9 });
                let parts = response.0.read().expect("not poisoned");
                assert_eq!(parts.status, Some(StatusCode::TOO_MANY_REQUESTS));
                assert_eq!(parts.headers.get(http::header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("9"));
            });
        }
    }
}
