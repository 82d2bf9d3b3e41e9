//! Loyalty programmes and customers' verified links to their memberships
//! (`docs/design/loyalty.md`): the pure rules here — programme fields, member numbers
//! (format, Luhn, masking), the link's states, codes; the use cases in
//! [`programme`] (programmes, what brands report), [`link`] (link, prove, unlink, pool),
//! [`brand_api`] (what a brand's back end reads and decides), [`import`] (the operator's
//! import of memberships verified elsewhere) and [`claim`] (the `loyalty` claim).

pub mod brand_api;
pub mod claim;
pub mod import;
pub mod link;
pub mod pool;
pub mod programme;

use crate::domain::{ParseError, Reason};
use crate::sha256_hex;

/// The brand purpose that lets that brand see the customer's memberships of other
/// brands' programmes (minimised) in its `loyalty` claim.
pub const SHARING_PURPOSE: &str = "loyalty-sharing";
/// The API scope a brand's back-end client needs.
pub const API_SCOPE: &str = "loyalty:manage";
/// A mailed code lives 10 minutes.
pub const CODE_MS: i64 = 10 * 60_000;
/// Wrong tries before a mailed code (or a brand's card code) is spent.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Codes mailed per link.
pub const MAX_CODE_SENDS: i64 = 5;
/// Failures (wrong codes, refused numbers) per customer before delays start.
pub const FREE_FAILURES: i64 = 5;
/// Longest member number, after spaces and dashes are removed.
pub const MAX_NUMBER: usize = 40;
const MAX_NAME: usize = 80;
const MAX_TIERS: usize = 20;
const MAX_TIER: usize = 40;
const MAX_PATTERN: usize = 200;
const PATTERN_SIZE_LIMIT: usize = 1 << 16;

/// How a link is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// A code mailed to the address the brand has on file for the number.
    Email,
    /// A one-time code the brand issued for the card (deposited with the member record).
    Code,
    /// The brand's back end confirms or rejects.
    BrandApi,
    /// A support agent confirms or rejects.
    Support,
}

impl Verification {
    pub const ALL: [Self; 4] = [Self::Email, Self::Code, Self::BrandApi, Self::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Code => "code",
            Self::BrandApi => "brand-api",
            Self::Support => "support",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    Pending,
    Verified,
    Rejected,
    Unlinked,
}

impl LinkStatus {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Verified, Self::Rejected, Self::Unlinked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Unlinked => "unlinked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Pending and verified links are live: one per customer and programme.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Pending | Self::Verified)
    }
}

/// A membership's standing as the brand reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    Active,
    Suspended,
    Closed,
}

impl MemberStatus {
    pub const ALL: [Self; 3] = [Self::Active, Self::Suspended, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A brand's decision on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Reject,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "confirm" => Some(Self::Confirm),
            "reject" => Some(Self::Reject),
            _ => None,
        }
    }
}

/// The state a decision moves a link from `status` to, or `None` when it does not
/// apply: confirm a pending link; reject a pending one, or a verified one (fraud).
pub fn after_decision(status: LinkStatus, decision: Decision) -> Option<LinkStatus> {
    match (status, decision) {
        (LinkStatus::Pending, Decision::Confirm) => Some(LinkStatus::Verified),
        (LinkStatus::Pending | LinkStatus::Verified, Decision::Reject) => Some(LinkStatus::Rejected),
        _ => None,
    }
}

/// A member number's format: the programme's pattern (anchored), and the Luhn check.
#[derive(Debug, Clone)]
pub struct NumberFormat {
    regex: regex::Regex,
    luhn: bool,
}

impl NumberFormat {
    /// The programme's declared pattern, compiled anchored and size-limited (linear time).
    pub fn new(pattern: &str, luhn: bool) -> Result<Self, ParseError> {
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return Err(ParseError::Missing { field: "Number pattern" });
        }
        if pattern.chars().count() > MAX_PATTERN {
            return Err(ParseError::TooLong { field: "Number pattern", max: MAX_PATTERN });
        }
        let regex = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(PATTERN_SIZE_LIMIT)
            .dfa_size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .map_err(|_| ParseError::Malformed { field: "Number pattern", reason: "it is not a regular expression Foyer can use" })?;
        Ok(Self { regex, luhn })
    }

    /// The number as stored: spaces and dashes removed, letters upper-case; then the
    /// pattern and (if the programme says so) the Luhn check.
    pub fn parse(&self, raw: &str) -> Result<String, ParseError> {
        let number: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).flat_map(char::to_uppercase).collect();
        if number.is_empty() {
            return Err(ParseError::Missing { field: "Member number" });
        }
        if number.chars().count() > MAX_NUMBER || number.chars().any(char::is_control) || !self.regex.is_match(&number) || (self.luhn && !luhn_valid(&number)) {
            return Err(ParseError::Invalid { field: "Member number", reason: Reason::LoyaltyNumber });
        }
        Ok(number)
    }
}

/// The Luhn (mod 10) check over a string of digits.
pub fn luhn_valid(number: &str) -> bool {
    if number.len() < 2 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    sum % 10 == 0
}

/// The number as a page shows it: all but the last four characters hidden.
pub fn masked(number: &str) -> String {
    format!("\u{2022}\u{2022}\u{2022}\u{2022}{}", last4(number))
}

/// The last four characters.
pub fn last4(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// A programme's display name: 1 to 80 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, ParseError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ParseError::Missing { field: "Name" });
    }
    if name.chars().count() > MAX_NAME {
        return Err(ParseError::TooLong { field: "Name", max: MAX_NAME });
    }
    if name.chars().any(char::is_control) {
        return Err(ParseError::Invalid { field: "Name", reason: Reason::ControlCharacters });
    }
    Ok(name.to_owned())
}

/// Tier labels: up to 20 distinct labels of 1 to 40 characters.
pub fn parse_tiers(items: &[String]) -> Result<Vec<String>, ParseError> {
    let mut tiers: Vec<String> = Vec::new();
    for item in items.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if item.chars().count() > MAX_TIER || item.chars().any(char::is_control) {
            return Err(ParseError::Malformed { field: "Tier", reason: "a tier is a label of 1 to 40 characters" });
        }
        if tiers.iter().any(|t| t == item) {
            return Err(ParseError::Malformed { field: "Tier", reason: "each tier may appear once" });
        }
        tiers.push(item.to_owned());
    }
    if tiers.len() > MAX_TIERS {
        return Err(ParseError::Malformed { field: "Tier", reason: "at most 20 tiers" });
    }
    Ok(tiers)
}

/// A brand's one-time card code (the `code` method): 4 to 32 letters, digits or dashes.
pub fn parse_card_code(raw: &str) -> Result<String, ParseError> {
    let code = raw.trim().to_uppercase();
    if code.len() < 4 || code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ParseError::Malformed { field: "Verification code", reason: "use 4 to 32 letters, digits or dashes" });
    }
    Ok(code)
}

/// How a brand's card code is stored.
pub fn card_code_hash(programme_id: &str, number: &str, code: &str) -> String {
    sha256_hex(format!("foyer-loyalty-card/v1:{programme_id}:{number}:{}", code.trim().to_uppercase()).as_bytes())
}

/// How a mailed code is stored.
pub fn mailed_code_hash(link_id: &str, code: &str) -> String {
    sha256_hex(format!("foyer-loyalty-mail/v1:{link_id}:{code}").as_bytes())
}

/// A six-digit code as typed: digits only, six of them.
pub fn well_formed_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The throttle key of a customer's loyalty attempts (wrong codes, refused numbers).
pub fn throttle_key(customer_id: &str) -> String {
    format!("loyalty:{customer_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(luhn_valid("4000123456789017"));
        assert!(!luhn_valid("4000123456789010"));
        assert!(!luhn_valid("40001234A6789017"), "digits only");
        assert!(!luhn_valid("0"), "too short");
    }

    #[test]
    fn numbers_are_normalised_then_checked() {
        let f = NumberFormat::new("[0-9]{10}", false).unwrap();
        assert_eq!(f.parse(" 12345-67890 ").unwrap(), "1234567890");
        assert!(f.parse("123456789").is_err(), "anchored: too short");
        assert!(f.parse("12345678901").is_err(), "anchored: too long");
        assert!(f.parse("").is_err());
        let letters = NumberFormat::new("SK[0-9]{6}", false).unwrap();
        assert_eq!(letters.parse("sk 123456").unwrap(), "SK123456");
        let luhn = NumberFormat::new("[0-9]{16}", true).unwrap();
        assert!(luhn.parse("4000 1234 5678 9017").is_ok());
        assert!(luhn.parse("4000 1234 5678 9010").is_err());
        let or = NumberFormat::new("A|B", false).unwrap();
        assert!(or.parse("AB").is_err(), "the whole pattern is anchored, alternation included");
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(NumberFormat::new("", false).is_err());
        assert!(NumberFormat::new("[0-9", false).is_err());
        assert!(NumberFormat::new(&"a".repeat(201), false).is_err());
        assert!(NumberFormat::new("(a{1000}){1000}", false).is_err(), "size-limited");
    }

    #[test]
    fn masking_keeps_the_last_four() {
        assert_eq!(masked("4000123456789017"), "\u{2022}\u{2022}\u{2022}\u{2022}9017");
        assert_eq!(last4("12"), "12");
    }

    #[test]
    fn decisions() {
        use LinkStatus as S;
        assert_eq!(after_decision(S::Pending, Decision::Confirm), Some(S::Verified));
        assert_eq!(after_decision(S::Pending, Decision::Reject), Some(S::Rejected));
        assert_eq!(after_decision(S::Verified, Decision::Reject), Some(S::Rejected));
        assert_eq!(after_decision(S::Verified, Decision::Confirm), None);
        for s in [S::Rejected, S::Unlinked] {
            assert_eq!(after_decision(s, Decision::Confirm), None);
            assert_eq!(after_decision(s, Decision::Reject), None);
        }
    }

    #[test]
    fn tiers_and_codes() {
        assert_eq!(parse_tiers(&["Blue".into(), " Gold ".into(), "".into()]).unwrap(), vec!["Blue", "Gold"]);
        assert!(parse_tiers(&["Gold".into(), "Gold".into()]).is_err());
        assert_eq!(parse_card_code(" ab-12 ").unwrap(), "AB-12");
        assert!(parse_card_code("a b").is_err());
        assert!(well_formed_code("012345"));
        assert!(!well_formed_code("01234a"));
        assert_eq!(card_code_hash("p", "1", "ab-12"), card_code_hash("p", "1", "AB-12"));
        for s in ["email", "code", "brand-api", "support"] {
            assert_eq!(Verification::parse(s).unwrap().as_str(), s);
        }
    }
}
