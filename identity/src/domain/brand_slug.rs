//! A brand's slug: the identifier brands, clients and their adapters share (so `brand`
//! and `oidc::clients` need not import each other for it).

use super::ParseError;

/// A brand's URL-safe identifier: 2–40 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandSlug(String);

impl BrandSlug {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "Brand slug";
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::Missing { field: FIELD });
        }
        if s.len() > 40 {
            return Err(ParseError::TooLong { field: FIELD, max: 40 });
        }
        let ok = s.len() >= 2
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !ok {
            return Err(ParseError::Malformed { field: FIELD, reason: "use 2-40 lower-case letters, digits and inner hyphens" });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The error for a slug no brand has (names the field and the slug).
#[cfg(feature = "server")]
pub fn unknown_brand(slug: &BrandSlug) -> crate::Error {
    crate::Error::Invalid(ParseError::Rejected { field: "Brand", reason: format!("No brand has the slug {:?}.", slug.as_str()) })
}
