//! The consent ledger (`docs/design/consent.md`): the purpose catalogue and its
//! immutable versions ([`catalogue`]), every decision as an append-only signed record and
//! the projection of what is in force ([`ledger`]), what the pages and claims read of
//! it ([`views`]), and the receipts and their keys ([`receipt`]). The rules that decide
//! — who is a minor, when the sign-in flow must ask again, what a withdrawal may touch —
//! are pure functions here, tested without a store.

pub mod catalogue;
pub mod ledger;
pub mod receipt;
pub mod views;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Why a brand may process the data (GDPR Art. 6(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    Contract,
    LegitimateInterest,
    LegalObligation,
}

impl LegalBasis {
    pub const ALL: [Self; 4] = [Self::Consent, Self::Contract, Self::LegitimateInterest, Self::LegalObligation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Contract => "contract",
            Self::LegitimateInterest => "legitimate_interest",
            Self::LegalObligation => "legal_obligation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s.trim().replace('-', "_"))
    }

    /// Whether the customer can withdraw (consent) or object (legitimate interest); a
    /// contract or a legal obligation is shown, not switched.
    pub fn can_withdraw(self) -> bool {
        matches!(self, Self::Consent | Self::LegitimateInterest)
    }
}

/// What the customer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Granted,
    Withdrawn,
    Refused,
    /// A minor's grant on the consent basis, waiting for a guardian: never counted as
    /// granted.
    Pending,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Withdrawn => "withdrawn",
            Self::Refused => "refused",
            Self::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Granted, Self::Withdrawn, Self::Refused, Self::Pending].into_iter().find(|d| d.as_str() == s)
    }

    /// Granted or waiting for a guardian: the customer said yes.
    pub fn said_yes(self) -> bool {
        matches!(self, Self::Granted | Self::Pending)
    }
}

/// A marketing channel with its own switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Push,
    Post,
}

impl Channel {
    pub const ALL: [Self; 4] = [Self::Email, Self::Sms, Self::Push, Self::Post];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Push => "push",
            Self::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

/// How a decision was collected (ISO/IEC TS 27560 "collection method").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    /// The customer's own privacy page.
    Portal,
    /// The consent screen of a brand's sign-in.
    BrandSignIn,
    /// The registration page.
    Registration,
    /// A support agent, by phone, with a ticket.
    SupportPhone,
    /// A brand's back end through the machine API.
    Api,
    /// A bulk import.
    Import,
    /// A guardian's approval of a managed member's (a minor's) pending grant.
    Guardian,
}

impl Collection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::BrandSignIn => "brand_sign_in",
            Self::Registration => "registration",
            Self::SupportPhone => "support_phone",
            Self::Api => "api",
            Self::Import => "import",
            Self::Guardian => "guardian",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Portal, Self::BrandSignIn, Self::Registration, Self::SupportPhone, Self::Api, Self::Import, Self::Guardian].into_iter().find(|c| c.as_str() == s)
    }
}

/// The consent rules' settings: the jurisdiction receipts name and the ages of digital
/// consent (GDPR Art. 8: 16 unless a member state chose 13–15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentSettings {
    /// `FOYER_CONSENT_JURISDICTION`, e.g. "EU" or "DE".
    pub jurisdiction: String,
    /// `FOYER_CONSENT_AGE`: the age of digital consent where no country rule applies.
    pub default_age: u8,
    /// `FOYER_CONSENT_AGE_BY_COUNTRY` (`DE=16,FR=15,…`): by ISO 3166-1 alpha-2 code.
    pub age_by_country: BTreeMap<String, u8>,
}

impl Default for ConsentSettings {
    fn default() -> Self {
        Self { jurisdiction: "EU".into(), default_age: 16, age_by_country: BTreeMap::new() }
    }
}

impl ConsentSettings {
    /// Parses `DE=16,FR=15` (ages 13–18, two-letter codes); one clear line on error.
    pub fn parse_ages(text: &str) -> Result<BTreeMap<String, u8>, String> {
        let mut ages = BTreeMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (country, age) = part.split_once('=').ok_or_else(|| format!("`{part}` is not COUNTRY=AGE (e.g. DE=16)"))?;
            let country = country.trim().to_ascii_uppercase();
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!("`{country}` is not a two-letter country code"));
            }
            let age: u8 = age.trim().parse().ok().filter(|a| (13..=18).contains(a)).ok_or_else(|| format!("the age for {country} must be 13 to 18"))?;
            ages.insert(country, age);
        }
        Ok(ages)
    }

    /// The age of digital consent in `country` (the customer's address country).
    pub fn age_in(&self, country: Option<&str>) -> u8 {
        country.and_then(|c| self.age_by_country.get(&c.trim().to_ascii_uppercase())).copied().unwrap_or(self.default_age)
    }
}

/// Whether someone born on `birth_date` (`YYYY-MM-DD`) is under `age` on `today`. An
/// unknown or unreadable birth date is not a minor: Foyer asks for no birth date, and
/// the households issue brings guardians who declare one.
pub fn is_minor(birth_date: Option<&str>, today: jiff::civil::Date, age: u8) -> bool {
    let Some(born) = birth_date.and_then(|d| d.trim().parse::<jiff::civil::Date>().ok()) else { return false };
    let Ok(comes_of_age) = born.checked_add(jiff::Span::new().years(i64::from(age))) else { return false };
    today < comes_of_age
}

/// What the sign-in flow must ask about a purpose before returning to the brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Nothing: decided on a version still in force, optional, or not yet published.
    No,
    /// A required purpose never decided, refused, withdrawn, or with a material version
    /// newer than the one decided.
    Required,
    /// An optional purpose never decided: offered (unticked) when the page shows anyway.
    Offer,
}

/// The interstitial rule. `latest`: the latest version in effect; `latest_material`: the
/// latest material one; `decided`: the customer's decision on the purpose and its version.
pub fn ask(required: bool, latest: Option<i64>, latest_material: Option<i64>, decided: Option<(Decision, i64)>) -> Ask {
    if latest.is_none() {
        return Ask::No;
    }
    let outdated = |version: i64| latest_material.is_some_and(|m| m > version);
    match (required, decided) {
        (true, None) => Ask::Required,
        (true, Some((d, v))) if !d.said_yes() || outdated(v) => Ask::Required,
        (false, None) => Ask::Offer,
        _ => Ask::No,
    }
}

/// What a grant becomes: `Pending` for a minor on the consent basis, else as asked.
pub fn effective_decision(asked: Decision, basis: LegalBasis, minor: bool) -> Decision {
    if asked == Decision::Granted && minor && basis == LegalBasis::Consent { Decision::Pending } else { asked }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> jiff::civil::Date {
        s.parse().unwrap_or_else(|_| jiff::civil::date(2000, 1, 1))
    }

    #[test]
    fn the_interstitial_asks_exactly_when_needed() {
        use Decision::*;
        // Nothing published yet: never asked.
        assert_eq!(ask(true, None, None, None), Ask::No);
        // Required and never decided.
        assert_eq!(ask(true, Some(1), Some(1), None), Ask::Required);
        // Granted on v1; v2 is a wording fix (not material): not asked.
        assert_eq!(ask(true, Some(2), Some(1), Some((Granted, 1))), Ask::No);
        assert_eq!(ask(true, Some(2), None, Some((Granted, 1))), Ask::No);
        // v3 is material: asked again.
        assert_eq!(ask(true, Some(3), Some(3), Some((Granted, 1))), Ask::Required);
        assert_eq!(ask(true, Some(3), Some(3), Some((Granted, 3))), Ask::No);
        // A minor's pending yes counts as decided; a refusal or withdrawal does not.
        assert_eq!(ask(true, Some(1), Some(1), Some((Pending, 1))), Ask::No);
        assert_eq!(ask(true, Some(1), Some(1), Some((Refused, 1))), Ask::Required);
        assert_eq!(ask(true, Some(1), Some(1), Some((Withdrawn, 1))), Ask::Required);
        // Optional: offered once, never required.
        assert_eq!(ask(false, Some(1), Some(1), None), Ask::Offer);
        assert_eq!(ask(false, Some(2), Some(2), Some((Refused, 1))), Ask::No);
    }

    #[test]
    fn minors_by_birth_date_and_country() {
        let today = d("2026-12-06");
        assert!(is_minor(Some("2011-01-01"), today, 16));
        assert!(is_minor(Some("2010-12-07"), today, 16), "turns 16 tomorrow");
        assert!(!is_minor(Some("2010-12-06"), today, 16), "turns 16 today");
        assert!(!is_minor(Some("1990-05-05"), today, 16));
        assert!(!is_minor(None, today, 16));
        assert!(!is_minor(Some("not a date"), today, 16));
        let settings = ConsentSettings { age_by_country: ConsentSettings::parse_ages("FR=15, de=16").unwrap_or_default(), ..ConsentSettings::default() };
        assert_eq!(settings.age_in(Some("fr")), 15);
        assert_eq!(settings.age_in(Some("DE")), 16);
        assert_eq!(settings.age_in(None), 16);
        assert!(ConsentSettings::parse_ages("FR=12").is_err());
        assert!(ConsentSettings::parse_ages("FRA=15").is_err());
        assert!(ConsentSettings::parse_ages("FR").is_err());
    }

    #[test]
    fn a_minors_grant_on_consent_is_pending() {
        assert_eq!(effective_decision(Decision::Granted, LegalBasis::Consent, true), Decision::Pending);
        assert_eq!(effective_decision(Decision::Granted, LegalBasis::Contract, true), Decision::Granted);
        assert_eq!(effective_decision(Decision::Granted, LegalBasis::Consent, false), Decision::Granted);
        assert_eq!(effective_decision(Decision::Withdrawn, LegalBasis::Consent, true), Decision::Withdrawn);
    }

    #[test]
    fn names_round_trip() {
        for b in LegalBasis::ALL {
            assert_eq!(LegalBasis::parse(b.as_str()), Some(b));
        }
        assert_eq!(LegalBasis::parse("legitimate-interest"), Some(LegalBasis::LegitimateInterest));
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Decision::parse("pending"), Some(Decision::Pending));
        assert_eq!(Collection::parse("support_phone"), Some(Collection::SupportPhone));
    }
}
