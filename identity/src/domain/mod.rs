//! Parsed domain values: each newtype can only be built by a `parse` that checks it.

mod brand_slug;
mod email;
mod names;
pub mod profile;
#[cfg(feature = "server")]
pub(crate) mod uri;

#[cfg(feature = "server")]
pub use brand_slug::unknown_brand;
pub use brand_slug::BrandSlug;
pub use email::Email;
pub use names::PersonName;
#[cfg(feature = "server")]
pub use uri::{RedirectUri, UriRules};

/// One refused field as `Invalid`, several as `Fields`.
#[cfg(feature = "server")]
pub(crate) fn one_or_many(mut errors: Vec<ParseError>) -> crate::Error {
    match errors.len() {
        1 => errors.pop().map_or(crate::Error::Fields(Vec::new()), crate::Error::Invalid),
        _ => crate::Error::Fields(errors),
    }
}

impl ParseError {
    /// The field the error belongs to (for showing it beside the input).
    pub fn field(&self) -> &'static str {
        match self {
            Self::Missing { field } | Self::TooLong { field, .. } | Self::Malformed { field, .. } | Self::Rejected { field, .. } | Self::Invalid { field, .. } => {
                field
            }
        }
    }
}

/// Why a value was refused. The text is safe to show the person who typed it.
///
/// What a customer can type is refused with a stable code ([`ParseError::Invalid`] with
/// a [`Reason`], or `Missing`/`TooLong`), so the pages say it in the customer's
/// language (`app::error` maps the codes to `errors.ftl`); the English text below is
/// for the CLI, the machine API and logs. `Malformed` and `Rejected` carry English
/// sentences: staff and operator input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{field} is required")]
    Missing { field: &'static str },
    #[error("{field} is too long (at most {max} characters)")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} is not valid: {reason}")]
    Malformed { field: &'static str, reason: &'static str },
    /// A policy refusal with its own sentence (e.g. the password policy's reason).
    #[error("{reason}")]
    Rejected { field: &'static str, reason: String },
    /// A customer's input refused for a reason with a stable code.
    #[error("{}", reason.english(field))]
    Invalid { field: &'static str, reason: Reason },
}

/// Why a customer's input was refused: a stable code ([`Reason::code`]) the pages
/// translate, and the English sentence ([`Reason::english`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    ControlCharacters,
    EmailSpaces,
    EmailShape,
    EmailDomain,
    TermsNotAccepted,
    PasswordTooShort,
    PasswordTooLong,
    /// The password contains the customer's name or address.
    PasswordPersonal,
    /// Too easy to guess; zxcvbn's English warning.
    PasswordWeak(String),
    SameEmail,
    EmailUnusable,
    TotpAlreadySet,
    PasskeyName,
    Phone,
    /// Not one of the shipped languages.
    LanguageTag,
    /// Not a zone of the zone database.
    TimeZone,
    Date,
    DateInFuture,
    DateTooOld,
    Country,
    PostalCode,
    /// The typed confirmation of "Delete my account" is not the account's address.
    DeletionConfirmation,
    /// A loyalty member number not in the programme's format (or failing its check digit).
    LoyaltyNumber,
}

impl Reason {
    /// The stable code (`error-reason-<code>` in `errors.ftl`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::ControlCharacters => "control-characters",
            Self::EmailSpaces => "email-spaces",
            Self::EmailShape => "email-shape",
            Self::EmailDomain => "email-domain",
            Self::TermsNotAccepted => "terms",
            Self::PasswordTooShort => "password-too-short",
            Self::PasswordTooLong => "password-too-long",
            Self::PasswordPersonal => "password-personal",
            Self::PasswordWeak(_) => "password-weak",
            Self::SameEmail => "same-email",
            Self::EmailUnusable => "email-unusable",
            Self::TotpAlreadySet => "totp-already-set",
            Self::PasskeyName => "passkey-name",
            Self::Phone => "phone",
            Self::LanguageTag => "language-tag",
            Self::TimeZone => "time-zone",
            Self::Date => "date",
            Self::DateInFuture => "date-in-future",
            Self::DateTooOld => "date-too-old",
            Self::Country => "country",
            Self::PostalCode => "postal-code",
            Self::DeletionConfirmation => "deletion-confirmation",
            Self::LoyaltyNumber => "loyalty-number",
        }
    }

    /// The English sentence, naming `field` where it needs to.
    pub fn english(&self, field: &str) -> String {
        match self {
            Self::ControlCharacters => format!("{field} is not valid: it contains control characters"),
            Self::EmailSpaces => format!("{field} is not valid: it contains spaces or control characters"),
            Self::EmailShape => format!("{field} is not valid: it should look like name@example.com"),
            Self::EmailDomain => format!("{field} is not valid: the domain needs a dot, like example.com"),
            Self::TermsNotAccepted => "Please accept the terms to create an account.".to_owned(),
            Self::PasswordTooShort => format!("Use at least {} characters.", crate::policy::MIN_CHARS),
            Self::PasswordTooLong => format!("Use at most {} characters.", crate::policy::MAX_CHARS),
            Self::PasswordPersonal => "Don't use your name or email address in your password.".to_owned(),
            Self::PasswordWeak(warning) => warning.clone(),
            Self::SameEmail => "This is already your email address.".to_owned(),
            Self::EmailUnusable => "This address cannot be used. Choose another one.".to_owned(),
            Self::TotpAlreadySet => "An authenticator app is already set up.".to_owned(),
            Self::PasskeyName => "Give the passkey a name of 1 to 60 characters.".to_owned(),
            Self::Phone => format!("{field} is not valid: use the international format, like +44 20 7946 0958"),
            Self::LanguageTag => format!("{field} is not valid: choose one of the languages offered"),
            Self::TimeZone => format!("{field} is not valid: choose a time zone from the list, like Europe/Berlin"),
            Self::Date => format!("{field} is not valid: use a real date as YYYY-MM-DD"),
            Self::DateInFuture => format!("{field} is not valid: it is in the future"),
            Self::DateTooOld => format!("{field} is not valid: it is more than 130 years ago"),
            Self::Country => format!("{field} is not valid: use the two-letter code, like GB or DE"),
            Self::PostalCode => format!("{field} is not valid: use letters, digits, spaces and dashes"),
            Self::DeletionConfirmation => "Type the email address of this account to confirm.".to_owned(),
            Self::LoyaltyNumber => format!("{field} is not valid: check the number on your card"),
        }
    }
}
