//! Optional personal names (given, family): any Unicode, trimmed, bounded.

use super::{ParseError, Reason};

#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

const MAX_LEN: usize = 100;

impl PersonName {
    /// `None` for an absent or blank name; an error for one that is too long or has
    /// control characters.
    pub fn parse_optional(field: &'static str, input: Option<&str>) -> Result<Option<Self>, ParseError> {
        let Some(trimmed) = input.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if trimmed.chars().count() > MAX_LEN {
            return Err(ParseError::TooLong { field, max: MAX_LEN });
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ParseError::Invalid { field, reason: Reason::ControlCharacters });
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonName(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_absent_and_unicode_is_kept() {
        assert_eq!(PersonName::parse_optional("Given name", Some("  ")).unwrap(), None);
        assert_eq!(PersonName::parse_optional("Given name", None).unwrap(), None);
        let n = PersonName::parse_optional("Given name", Some(" Zoë Ångström ")).unwrap().unwrap();
        assert_eq!(n.as_str(), "Zoë Ångström");
    }

    #[test]
    fn refuses_control_characters_and_overlong_names() {
        assert!(PersonName::parse_optional("Family name", Some("a\u{0}b")).is_err());
        assert!(PersonName::parse_optional("Family name", Some(&"x".repeat(101))).is_err());
    }
}
