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

/// One of the languages Foyer ships (`crate::i18n::Locale::ALL`), by its tag (`de`,
/// `de-AT`, `en-GB` …); stored as the shipped locale's tag (`de`, `en`), which pages,
/// mails and the OIDC `locale` claim use.
pub fn parse_language(input: Option<&str>) -> Result<Option<String>, ParseError> {
    const FIELD: &str = "Preferred language";
    let Some(s) = optional(input) else { return Ok(None) };
    let shaped = s.len() <= 35 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    match crate::i18n::Locale::parse(s).filter(|_| shaped) {
        Some(locale) => Ok(Some(locale.tag().to_owned())),
        None => Err(ParseError::Invalid { field: FIELD, reason: Reason::LanguageTag }),
    }
}

/// An IANA time zone name (`Europe/Berlin`, `America/Argentina/Buenos_Aires`, `UTC`),
/// for the OIDC `zoneinfo` claim and the times on pages. `known` answers the zone's
/// canonical name when the zone database has it (the server passes
/// `identity::i18n::TimeZone::named`; the browser, which has no database, [`zone_shape`]).
pub fn parse_zoneinfo(input: Option<&str>, known: impl Fn(&str) -> Option<String>) -> Result<Option<String>, ParseError> {
    const FIELD: &str = "Time zone";
    let Some(s) = optional(input) else { return Ok(None) };
    let shaped = zone_shape(s).is_some();
    match known(s).filter(|_| shaped) {
        Some(name) => Ok(Some(name)),
        None => Err(ParseError::Invalid { field: FIELD, reason: Reason::TimeZone }),
    }
}

/// Whether `name` looks like an IANA zone name (letters, digits, `_`, `-`, `+`, parts
/// joined by `/`): the check the browser can make without a zone database.
pub fn zone_shape(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.split('/').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+')));
    ok.then(|| name.to_owned())
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
    /// IANA time zone (`Europe/Berlin`).
    #[serde(default)]
    pub zoneinfo: Option<String>,
}

/// Checks every field; all errors at once, each naming its field. `zone` names a time
/// zone canonically when it exists (see [`parse_zoneinfo`]).
pub fn check_profile(form: &ProfileForm, today: Ymd, zone: impl Fn(&str) -> Option<String>) -> Result<ProfileForm, Vec<ParseError>> {
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
        zoneinfo: take(parse_zoneinfo(form.zoneinfo.as_deref(), zone)),
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
        let errors = check_profile(&form, (2026, 11, 29), zone_shape).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(ParseError::field).collect();
        assert_eq!(fields, vec!["Phone", "Birth date", "Country"]);
        let zone = ProfileForm { zoneinfo: Some("Mars/Olympus".into()), preferred_language: Some("fr".into()), ..ProfileForm::default() };
        let errors = check_profile(&zone, (2026, 11, 29), |_| None).unwrap_err();
        assert_eq!(errors.iter().map(ParseError::field).collect::<Vec<_>>(), vec!["Preferred language", "Time zone"]);
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
    fn languages_are_the_shipped_ones() {
        for (typed, stored) in [("en", "en"), ("en-GB", "en"), ("de", "de"), ("DE-at", "de"), (" de ", "de")] {
            assert_eq!(parse_language(Some(typed)).unwrap().as_deref(), Some(stored), "{typed}");
        }
        assert_eq!(parse_language(Some("")).unwrap(), None);
        for bad in ["e", "english", "fr", "pt-BR", "12", "de;q=1", "de\u{7}"] {
            assert!(parse_language(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones() {
        let db = |n: &str| ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"].into_iter().find(|z| z.eq_ignore_ascii_case(n)).map(str::to_owned);
        assert_eq!(parse_zoneinfo(Some("europe/berlin"), db).unwrap().as_deref(), Some("Europe/Berlin"), "the database's spelling");
        assert_eq!(parse_zoneinfo(Some("America/Argentina/Buenos_Aires"), db).unwrap().as_deref(), Some("America/Argentina/Buenos_Aires"));
        assert_eq!(parse_zoneinfo(Some("Etc/GMT+5"), db).unwrap().as_deref(), Some("Etc/GMT+5"));
        assert_eq!(parse_zoneinfo(Some("  "), db).unwrap(), None);
        for bad in ["Mars/Olympus", "Europe//Berlin", "../etc/passwd", "Europe/Berlin; x=1", "/UTC", &"A".repeat(65)] {
            assert!(parse_zoneinfo(Some(bad), db).is_err(), "{bad}");
        }
        assert!(zone_shape("Europe/Berlin").is_some() && zone_shape("Europe Berlin").is_none());
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
