//! A client's own token-endpoint rate (`--token-rate`, `--token-burst`), replacing the
//! server-wide `FOYER_LIMIT_TOKEN_PER_CLIENT_*` for that client; stored with the client.

use crate::domain::ParseError;

/// The largest rate or burst a client may be given (requests a second / requests).
pub const MAX_TOKEN_RATE: u32 = 1_000_000;

/// A client's override; `None` follows the server's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenRate {
    /// Token and revocation requests a second.
    pub per_second: Option<u32>,
    /// Requests allowed at once after an idle period (default: twice `per_second`).
    pub burst: Option<u32>,
}

/// A change to one of the two values: `None` leaves it as it is.
pub type RateChange = Option<Option<u32>>;

/// `N` (1 to [`MAX_TOKEN_RATE`]) or `default` (back to the server's setting, `None`).
pub fn parse_rate(field: &'static str, input: &str) -> Result<Option<u32>, ParseError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ParseError::Missing { field });
    }
    if text.eq_ignore_ascii_case("default") {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(n) if (1..=MAX_TOKEN_RATE).contains(&n) => Ok(Some(n)),
        _ => Err(ParseError::Malformed { field, reason: "use a whole number from 1 to 1000000, or default for the server's setting" }),
    }
}

impl TokenRate {
    /// `--token-rate` and `--token-burst` as typed at registration.
    pub fn parse(per_second: Option<&str>, burst: Option<&str>) -> Result<Self, Vec<ParseError>> {
        let rate = per_second.map(|r| parse_rate("Token rate", r)).transpose();
        let burst = burst.map(|b| parse_rate("Token burst", b)).transpose();
        match (rate, burst) {
            (Ok(rate), Ok(burst)) => Ok(Self { per_second: rate.flatten(), burst: burst.flatten() }),
            (rate, burst) => Err(rate.err().into_iter().chain(burst.err()).collect()),
        }
    }

    /// This rate with `per_second` and `burst` changed where asked.
    pub fn changed(self, per_second: RateChange, burst: RateChange) -> Self {
        Self { per_second: per_second.unwrap_or(self.per_second), burst: burst.unwrap_or(self.burst) }
    }

    pub(crate) fn from_columns(per_second: Option<i64>, burst: Option<i64>) -> Self {
        let value = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok()).filter(|n| (1..=MAX_TOKEN_RATE).contains(n));
        Self { per_second: value(per_second), burst: value(burst) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers_or_default() {
        assert_eq!(parse_rate("Token rate", " 50 "), Ok(Some(50)));
        assert_eq!(parse_rate("Token rate", "Default"), Ok(None));
        for bad in ["0", "-1", "1.5", "lots", "1000001", "99999999999"] {
            let err = parse_rate("Token rate", bad).unwrap_err();
            assert!(err.to_string().starts_with("Token rate is not valid: use a whole number from 1 to 1000000"), "{bad}: {err}");
        }
        assert_eq!(parse_rate("Token burst", ""), Err(ParseError::Missing { field: "Token burst" }));
    }

    #[test]
    fn both_values_are_checked_and_changes_apply_one_by_one() {
        assert_eq!(TokenRate::parse(Some("5"), None), Ok(TokenRate { per_second: Some(5), burst: None }));
        let errors = TokenRate::parse(Some("0"), Some("x")).unwrap_err();
        assert_eq!(errors.iter().map(ParseError::field).collect::<Vec<_>>(), ["Token rate", "Token burst"]);
        let rate = TokenRate { per_second: Some(5), burst: Some(9) };
        assert_eq!(rate.changed(None, Some(None)), TokenRate { per_second: Some(5), burst: None });
        assert_eq!(rate.changed(Some(Some(7)), None), TokenRate { per_second: Some(7), burst: Some(9) });
        assert_eq!(TokenRate::from_columns(Some(0), Some(3)), TokenRate { per_second: None, burst: Some(3) });
    }
}
