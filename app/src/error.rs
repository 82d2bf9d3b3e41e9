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
//! | `Busy`                                         | `Busy`                 | 503 + `Retry-After` |
//! | `Store`, `Migrate`, `Crypto`, `Internal`, any new one | `Internal`      | 500, logged without personal data; a generic sentence shown |
//!
//! Every text is in the customer's language (`errors.ftl` through `crate::i18n`): the
//! fixed variants format their message when shown (on the server or in the browser),
//! and the core's field errors and refusals, which carry stable codes
//! (`identity::domain::Reason`, `identity::Refusal`), are translated here, at the one
//! boundary, in the request's language. Staff and operator input errors carry English
//! sentences in the core: they stay English, and read as a generic translated sentence
//! in other languages.
//!
//! Never a 500 for a person's mistake or an unreadable request. `Refused` (an action the
//! rules do not allow, with the reason) stays 400, as before; 403 means "prove yourself
//! more" (re-authentication, second factor) or "not yours to do" (`Forbidden`, from
//! `identity::principal::authorize`). Failures to encode an answer stay the
//! framework's 500.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::i18n::{t, t_with};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

/// What a server function answers when it fails. `Message`, `NotFound`, `Conflict` and
/// field messages hold text already in the request's language; the other variants say
/// theirs in the page's language when shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Message(String),
    #[error("{}", t("error-fields"))]
    Fields(Vec<FieldMessage>),
    #[error("{}", t("error-sign-in-required"))]
    SignInRequired,
    #[error("{}", t("error-reauth-required"))]
    ReauthRequired,
    #[error("{}", t("error-second-factor-required"))]
    SecondFactorRequired,
    #[error("{}", t_with("error-throttled", &[("seconds", .0.to_string())]))]
    Throttled(i64),
    /// The principal may not do this (`identity::principal::authorize`): 403.
    #[error("{}", t("error-forbidden"))]
    Forbidden,
    /// Something the request names does not exist (or is not the caller's): 404.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with something that exists already: 409.
    #[error("{0}")]
    Conflict(String),
    /// Too much work waiting (a login storm): try again after the seconds given; the
    /// pages do so by themselves (`components::form::busy_retry`).
    #[error("{}", t_with("error-busy-retry", &[("seconds", .0.to_string())]))]
    Busy(i64),
    /// A failure on our side; the details went to the log: 500.
    #[error("{}", t("error-internal"))]
    Internal,
    #[error("{}", server_fn_text(.0))]
    ServerFn(ServerFnErrorErr),
}

/// A framework failure in words: the browser could not reach us, or the request could
/// not be read (the framework's own text is for developers).
fn server_fn_text(e: &ServerFnErrorErr) -> String {
    match e {
        ServerFnErrorErr::Request(_) => t("error-network"),
        _ => t("error-bad-request"),
    }
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
    use identity::accounts::login::LoginError;
    use identity::domain::ParseError;
    use identity::{Error, Refusal};
    use leptos::prelude::use_context;

    use super::{AppError, FieldMessage};
    use crate::i18n::{Locale, locale, t, t_with};

    /// A form field's name in the page's language (the core names fields in English;
    /// the name stays the key that places the message beside its input).
    pub fn field_label(field: &str) -> String {
        match field {
            "Email" => t("error-field-email"),
            "Password" => t("error-field-password"),
            "New password" => t("error-field-new-password"),
            "New email" => t("error-field-new-email"),
            "Given name" => t("error-field-given-name"),
            "Family name" => t("error-field-family-name"),
            "Display name" => t("error-field-display-name"),
            "Terms" => t("error-field-terms"),
            "Code" | "Code from the app" => t("error-field-code"),
            "Name" => t("error-field-name"),
            "Phone" => t("error-field-phone"),
            "Preferred language" => t("error-field-language"),
            "Time zone" => t("error-field-time-zone"),
            "Birth date" => t("error-field-birth-date"),
            "Country" => t("error-field-country"),
            "Postal code" => t("error-field-postal-code"),
            "Street address" => t("error-field-street"),
            "City" => t("error-field-city"),
            "Region" => t("error-field-region"),
            other => other.to_owned(),
        }
    }

    /// A core field error in the page's language: by its code where it has one.
    pub fn field_message(p: &ParseError) -> String {
        let field = || field_label(p.field());
        match p {
            ParseError::Missing { .. } => t_with("error-missing", &[("field", field())]),
            ParseError::TooLong { max, .. } => t_with("error-too-long", &[("field", field()), ("max", max.to_string())]),
            ParseError::Invalid { reason, .. } => t_with(&format!("error-reason-{}", reason.code()), &[("field", field())]),
            // English sentences (staff and operator input): as they are in English.
            _ if locale() == Locale::En => p.to_string(),
            _ => t_with("error-malformed", &[("field", field())]),
        }
    }

    /// Why an action cannot be done, in the page's language.
    pub fn refusal_message(r: &Refusal) -> String {
        match r {
            Refusal::TooManyPasskeys(n) => t_with("error-refused-too-many-passkeys", &[("max", n.to_string())]),
            Refusal::HouseholdLimit(n) => t_with("error-refused-household-limit", &[("max", n.to_string())]),
            Refusal::ClaimNotYet(day) => t_with("error-refused-claim-not-yet", &[("date", day.clone())]),
            other => t(&format!("error-refused-{}", other.code())),
        }
    }

    /// The status an error answers with (the module's table); `Retry-After` goes with 429 and 503.
    pub fn status_of(err: &AppError) -> StatusCode {
        match err {
            AppError::Fields(_) | AppError::Message(_) | AppError::ServerFn(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired => StatusCode::UNAUTHORIZED,
            AppError::ReauthRequired | AppError::SecondFactorRequired | AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets the HTTP status (and `Retry-After`) that fits `err`, and returns it.
    pub fn respond(err: AppError) -> AppError {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            if let AppError::Throttled(secs) | AppError::Busy(secs) = &err
                && let Ok(v) = http::HeaderValue::from_str(&secs.max(&1).to_string())
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
                Error::Invalid(p) => Self::Fields(vec![FieldMessage { field: p.field().to_owned(), message: field_message(&p) }]),
                Error::Fields(list) => {
                    Self::Fields(list.iter().map(|p| FieldMessage { field: p.field().to_owned(), message: field_message(p) }).collect())
                }
                Error::Throttled { retry_after_secs } => Self::Throttled(retry_after_secs),
                Error::ReauthRequired => Self::ReauthRequired,
                Error::SecondFactorRequired => Self::SecondFactorRequired,
                Error::TokenInvalid => Self::Message(t("error-token-invalid")),
                Error::LoginFailed => Self::Message(t("error-login-failed")),
                Error::Refused(r) => Self::Message(refusal_message(&r)),
                Error::Forbidden => Self::Forbidden,
                Error::NotFound("passkey") => Self::NotFound(t("error-not-found-passkey")),
                Error::NotFound(_) => Self::NotFound(t("error-not-found")),
                Error::Conflict("passkey") => Self::Conflict(t("error-conflict-passkey")),
                Error::Conflict(_) => Self::Conflict(t("error-conflict")),
                Error::Busy { retry_after_secs } => Self::Busy(retry_after_secs),
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
                LoginError::Failed => Self::Message(t("error-login-failed")),
                LoginError::CodeFailed => Self::Message(t("error-code-failed")),
                LoginError::SecondStep(why) => Self::Message(t(match why {
                    identity::accounts::login::CodeRefusal::Wrong => "auth-error-code-wrong",
                    identity::accounts::login::CodeRefusal::Used => "auth-error-code-used",
                    identity::accounts::login::CodeRefusal::Expired => "auth-error-code-expired",
                })),
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
                (Error::Refused(Refusal::LastPasskey), StatusCode::BAD_REQUEST),
                (Error::ReauthRequired, StatusCode::FORBIDDEN),
                (Error::SecondFactorRequired, StatusCode::FORBIDDEN),
                (Error::Forbidden, StatusCode::FORBIDDEN),
                (Error::NotFound("passkey"), StatusCode::NOT_FOUND),
                (Error::Conflict("passkey"), StatusCode::CONFLICT),
                (Error::Throttled { retry_after_secs: 7 }, StatusCode::TOO_MANY_REQUESTS),
                (Error::Busy { retry_after_secs: 4 }, StatusCode::SERVICE_UNAVAILABLE),
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
        fn not_found_and_conflict_say_so_in_words() {
            assert_eq!(AppError::from(Error::NotFound("passkey")), AppError::NotFound("That passkey was not found. Please reload the page.".into()));
            assert_eq!(AppError::from(Error::NotFound("account")), AppError::NotFound("That no longer exists. Please reload the page.".into()));
            assert_eq!(AppError::from(Error::Conflict("passkey")), AppError::Conflict("That passkey is already registered.".into()));
            assert_eq!(AppError::from(Error::Throttled { retry_after_secs: 7 }), AppError::Throttled(7));
        }

        /// The page's language in a request: the one `Accept-Language` asks for.
        fn in_german<T>(f: impl FnOnce() -> T) -> T {
            let owner = leptos::prelude::Owner::new();
            owner.with(|| {
                let request = http::Request::builder().header(http::header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9").body(()).expect("a request");
                leptos::prelude::provide_context(request.into_parts().0);
                f()
            })
        }

        #[test]
        fn core_errors_answer_in_the_requests_language() {
            let invalid = Error::Fields(vec![
                ParseError::Invalid { field: "Email", reason: identity::domain::Reason::EmailShape },
                ParseError::Missing { field: "Given name" },
                ParseError::Invalid { field: "Terms", reason: identity::domain::Reason::TermsNotAccepted },
            ]);
            let mapped = in_german(|| AppError::from(invalid));
            assert_eq!(mapped.for_field("Email").as_deref(), Some("Die E-Mail-Adresse ist ungültig: Sie sollte wie name@example.com aussehen."));
            assert_eq!(mapped.for_field("Given name").as_deref(), Some("Bitte füllen Sie „Vorname“ aus."));
            assert_eq!(mapped.for_field("Terms").as_deref(), Some("Bitte akzeptieren Sie die Nutzungsbedingungen, um ein Konto anzulegen."));
            assert_eq!(in_german(|| AppError::from(Error::LoginFailed).to_string()), "E-Mail-Adresse oder Passwort ist falsch, oder das Konto kann sich gerade nicht anmelden.");
            assert_eq!(in_german(|| AppError::from(Error::Throttled { retry_after_secs: 7 }).to_string()), "Zu viele Versuche. Versuchen Sie es in 7 Sekunden erneut.");
            assert_eq!(in_german(|| AppError::from(Error::Busy { retry_after_secs: 5 }).to_string()), "Wir sind gerade ausgelastet. Bitte versuchen Sie es in 5 Sekunden noch einmal.");
            assert_eq!(in_german(|| AppError::from(Error::Refused(Refusal::TooManyPasskeys(20))).to_string()), "Ein Konto kann höchstens 20 Passkeys haben.");
            // English says the same as the core.
            let english = AppError::from(Error::Invalid(ParseError::Invalid { field: "Email", reason: identity::domain::Reason::EmailShape }));
            assert_eq!(english.for_field("Email").as_deref(), Some("Email is not valid: it should look like name@example.com"));
        }

        /// Every code the core can give has its message in every locale.
        #[test]
        fn every_reason_and_refusal_is_translated() {
            use identity::domain::Reason;
            let reasons = [
                Reason::ControlCharacters,
                Reason::EmailSpaces,
                Reason::EmailShape,
                Reason::EmailDomain,
                Reason::TermsNotAccepted,
                Reason::PasswordTooShort,
                Reason::PasswordTooLong,
                Reason::PasswordPersonal,
                Reason::PasswordWeak(String::new()),
                Reason::SameEmail,
                Reason::EmailUnusable,
                Reason::TotpAlreadySet,
                Reason::PasskeyName,
                Reason::Phone,
                Reason::LanguageTag,
                Reason::Date,
                Reason::DateInFuture,
                Reason::DateTooOld,
                Reason::Country,
                Reason::PostalCode,
                Reason::DeletionConfirmation,
                Reason::LoyaltyNumber,
            ];
            let refusals = [
                Refusal::ConfirmEmailFirst,
                Refusal::PasskeyNotVerified,
                Refusal::TooManyPasskeys(20),
                Refusal::LastPasskey,
                Refusal::HouseholdLimit(1),
                Refusal::InvitationForAnotherAddress,
                Refusal::AlreadyMember,
                Refusal::OwnerMustTransfer,
                Refusal::LastGuardian,
                Refusal::TooManyInvitations,
                Refusal::ClaimNotYet("2030-01-01".into()),
                Refusal::DelegationExpiry,
                Refusal::DelegationExists,
                Refusal::LoyaltyNumberTaken,
                Refusal::LoyaltyNotVerifiable,
                Refusal::LoyaltyAlreadyLinked,
                Refusal::LoyaltyNoPooling,
            ];
            let ids: Vec<String> = reasons
                .iter()
                .map(|r| format!("error-reason-{}", r.code()))
                .chain(refusals.iter().map(|r| format!("error-refused-{}", r.code())))
                .collect();
            for locale in identity::i18n::Locale::ALL {
                for id in &ids {
                    assert!(identity::i18n::has(locale, id), "{id} missing in {}", locale.tag());
                }
            }
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
            assert_eq!(mapped.for_field("email").as_deref(), Some("email is required."));
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
                {
                    let parts = response.0.read().expect("not poisoned");
                    assert_eq!(parts.status, Some(StatusCode::TOO_MANY_REQUESTS));
                    assert_eq!(parts.headers.get(http::header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("9"));
                }
                let _ = fail(Error::Busy { retry_after_secs: 6 });
                let parts = response.0.read().expect("not poisoned");
                assert_eq!(parts.status, Some(StatusCode::SERVICE_UNAVAILABLE));
                assert_eq!(parts.headers.get(http::header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("6"));
            });
        }
    }
}
