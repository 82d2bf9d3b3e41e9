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
            Self::Missing { field } | Self::TooLong { field, .. } | Self::Malformed { field, .. } | Self::Rejected { field, .. } => field,
        }
    }
}

/// Why a value was refused. The text is safe to show the person who typed it.
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
}
