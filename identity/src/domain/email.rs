//! A customer's or staff member's email address.

use super::{ParseError, Reason};

/// A syntactically valid address. `as_str` keeps what the person typed (trimmed);
/// `normalized` is the key used for uniqueness (lower-cased), so `Ann@Example.com`
/// and `ann@example.com` are one account.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    normalized: String,
}

const MAX_LEN: usize = 254;

impl Email {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "Email";
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::Missing { field: FIELD });
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(ParseError::TooLong { field: FIELD, max: MAX_LEN });
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError::Invalid { field: FIELD, reason: Reason::EmailSpaces });
        }
        let Ok(parsed) = email_address::EmailAddress::parse_with_options(
            trimmed,
            email_address::Options::default().without_display_text().without_domain_literal(),
        ) else {
            return Err(ParseError::Invalid { field: FIELD, reason: Reason::EmailShape });
        };
        if !parsed.domain().contains('.') {
            return Err(ParseError::Invalid { field: FIELD, reason: Reason::EmailDomain });
        }
        Ok(Self { display: trimmed.to_owned(), normalized: trimmed.to_lowercase() })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Email addresses are personal data: `Debug` shows only the domain.
impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let domain = self.normalized.rsplit_once('@').map_or("?", |(_, d)| d);
        write!(f, "Email(***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let e = Email::parse("  Ann.Lee+shop@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ann.Lee+shop@Example.COM");
        assert_eq!(e.normalized(), "ann.lee+shop@example.com");
    }

    #[test]
    fn refuses_bad_addresses_with_reasons() {
        assert_eq!(Email::parse(" ").unwrap_err(), ParseError::Missing { field: "Email" });
        for bad in ["ann", "ann@", "@example.com", "ann@example", "a b@example.com", "Ann <ann@example.com>"] {
            assert!(matches!(Email::parse(bad), Err(ParseError::Invalid { .. })), "{bad} accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(Email::parse(&long), Err(ParseError::TooLong { .. })));
    }

    #[test]
    fn debug_hides_the_local_part() {
        let e = Email::parse("secret.person@example.com").unwrap();
        assert_eq!(format!("{e:?}"), "Email(***@example.com)");
    }
}
