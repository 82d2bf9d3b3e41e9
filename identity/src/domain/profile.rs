//! Profile fields: phone (E.164), language tag, birth date, postal address parts.
//! Pure and wasm-friendly, so the browser can show the same messages inline.

use serde::{Deserialize, Serialize};

use super::{ParseError, PersonName, Reason};

/// Trims; blank becomes `None`.
fn optional(input: Option<&str>) -> Option<&str> {
    input.map(str::trim).filter(|s| !s.is_empty())
}

fn bounded(field: &'static str, input: Option<&str>, max: usize) -> Result<Option<String>, ParseError> {
    let Some(s) = optional(input) else { return Ok(None) };
    if s.chars().count() > max {
        return Err(ParseError::TooLong { field, max });
    }
    if s.chars().any(char::is_control) {
        return Err(ParseError::Invalid { field, reason: Reason::ControlCharacters });
    }
    Ok(Some(s.to_owned()))
}

/// E.164: `+`, a non-zero digit, 7 to 14 more digits. Spaces, dots, dashes and
/// brackets people type are removed first.
pub fn parse_phone(input: Option<&str>) -> Result<Option<String>, ParseError> {
    const FIELD: &str = "Phone";
    let Some(s) = optional(input) else { return Ok(None) };
    let compact: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').unwrap_or("");
    let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    if !ok {
        return Err(ParseError::Invalid { field: FIELD, reason: Reason::Phone });
    }
    Ok(Some(compact))
}

/// A BCP 47 language tag such as `en`, `en-GB`, `pt-BR`, `zh-Hant`.
pub fn parse_language(input: Option<&str>) -> Result<Option<String>, ParseError> {
    const FIELD: &str = "Preferred language";
    let Some(s) = optional(input) else { return Ok(None) };
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && s.len() <= 35;
    if !ok {
        return Err(ParseError::Invalid { field: FIELD, reason: Reason::LanguageTag });
    }
    Ok(Some(s.to_owned()))
}

/// A calendar date as (year, month, day).
pub type Ymd = (i32, u32, u32);

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD`, a real date, not after `today`, at most 130 years before it.
pub fn parse_birth_date(input: Option<&str>, today: Ymd) -> Result<Option<String>, ParseError> {
    const FIELD: &str = "Birth date";
    let Some(s) = optional(input) else { return Ok(None) };
    let bad = ParseError::Invalid { field: FIELD, reason: Reason::Date };
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return Err(bad) };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad);
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else { return Err(bad) };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(bad);
    }
    if (y, m, d) > today {
        return Err(ParseError::Invalid { field: FIELD, reason: Reason::DateInFuture });
    }
    if (y + 130, m, d) < today {
        return Err(ParseError::Invalid { field: FIELD, reason: Reason::DateTooOld });
    }
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

/// ISO 3166-1 alpha-2 country code (upper-cased).
pub fn parse_country(input: Option<&str>) -> Result<Option<String>, ParseError> {
    let Some(s) = optional(input) else { return Ok(None) };
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ParseError::Invalid { field: "Country", reason: Reason::Country });
    }
    Ok(Some(s.to_ascii_uppercase()))
}

pub fn parse_postal_code(input: Option<&str>) -> Result<Option<String>, ParseError> {
    let value = bounded("Postal code", input, 20)?;
    if value.as_deref().is_some_and(|v| !v.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-')) {
        return Err(ParseError::Invalid { field: "Postal code", reason: Reason::PostalCode });
    }
    Ok(value)
}

pub fn parse_street(input: Option<&str>) -> Result<Option<String>, ParseError> {
    bounded("Street address", input, 200)
}

pub fn parse_locality(input: Option<&str>) -> Result<Option<String>, ParseError> {
    bounded("City", input, 100)
}

pub fn parse_region(input: Option<&str>) -> Result<Option<String>, ParseError> {
    bounded("Region", input, 100)
}

/// The profile as typed (every field optional text), and as shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub preferred_language: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// Checks every field; all errors at once, each naming its field.
pub fn check_profile(form: &ProfileForm, today: Ymd) -> Result<ProfileForm, Vec<ParseError>> {
    let mut errors = Vec::new();
    let mut take = |r: Result<Option<String>, ParseError>| r.map_err(|e| errors.push(e)).ok().flatten();
    let name = |field, v: &Option<String>| PersonName::parse_optional(field, v.as_deref()).map(|n| n.map(|n| n.as_str().to_owned()));
    let checked = ProfileForm {
        given_name: take(name("Given name", &form.given_name)),
        family_name: take(name("Family name", &form.family_name)),
        display_name: take(name("Display name", &form.display_name)),
        preferred_language: take(parse_language(form.preferred_language.as_deref())),
        phone: take(parse_phone(form.phone.as_deref())),
        birth_date: take(parse_birth_date(form.birth_date.as_deref(), today)),
        street: take(parse_street(form.street.as_deref())),
        locality: take(parse_locality(form.locality.as_deref())),
        region: take(parse_region(form.region.as_deref())),
        postal_code: take(parse_postal_code(form.postal_code.as_deref())),
        country: take(parse_country(form.country.as_deref())),
    };
    if errors.is_empty() { Ok(checked) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_field_errors_come_back_together() {
        let form = ProfileForm {
            phone: Some("12345".into()),
            birth_date: Some("2030-01-01".into()),
            country: Some("Germany".into()),
            given_name: Some("Ann".into()),
            ..ProfileForm::default()
        };
        let errors = check_profile(&form, (2026, 11, 29)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(ParseError::field).collect();
        assert_eq!(fields, vec!["Phone", "Birth date", "Country"]);
    }


    #[test]
    fn phones() {
        assert_eq!(parse_phone(Some(" +44 (20) 7946-0958 ")).unwrap().as_deref(), Some("+442079460958"));
        assert_eq!(parse_phone(Some("")).unwrap(), None);
        for bad in ["07946 0958", "+0123456789", "+12", "+1234567890123456", "+44 20 79x6"] {
            assert!(parse_phone(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn languages() {
        for ok in ["en", "en-GB", "pt-BR", "zh-Hant", "gsw"] {
            assert!(parse_language(Some(ok)).unwrap().is_some(), "{ok}");
        }
        for bad in ["e", "english", "en_GB", "en-", "12"] {
            assert!(parse_language(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn birth_dates() {
        let today = (2026, 11, 29);
        assert_eq!(parse_birth_date(Some("1990-02-28"), today).unwrap().as_deref(), Some("1990-02-28"));
        assert!(parse_birth_date(Some("2024-02-29"), today).is_ok(), "leap day");
        for bad in ["2023-02-29", "1990-13-01", "1990-1-1", "29/11/1990", "2026-11-30", "1890-01-01"] {
            assert!(parse_birth_date(Some(bad), today).is_err(), "{bad}");
        }
    }

    #[test]
    fn address_parts() {
        assert_eq!(parse_country(Some("gb")).unwrap().as_deref(), Some("GB"));
        assert!(parse_country(Some("GBR")).is_err());
        assert!(parse_postal_code(Some("SW1A 1AA")).unwrap().is_some());
        assert!(parse_postal_code(Some("<script>")).is_err());
        assert!(parse_street(Some(&"x".repeat(201))).is_err());
    }
}
