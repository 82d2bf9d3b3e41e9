//! Languages: the locales Foyer ships, their translation files, choosing one for a
//! request, and formatting for a person (`docs/design/i18n.md`).
//!
//! Every customer-facing sentence (pages, errors, mails) is a message in a Fluent file
//! under `locales/<tag>/` at the workspace root, one file per area. The server formats
//! with the full Fluent rules (plurals, selectors); the browser gets the current
//! locale's messages as a JSON map in the page ([`client_messages`]) and only fills in
//! `{$name}` placeholders, so the wasm bundle carries no translations. A message with a
//! selector is therefore formatted on the server only (its text reaches the browser
//! already formatted): [`client_messages`] leaves it out.
//!
//! A message id that exists in no file renders as `⟦id⟧`, visibly, so a test that
//! reads a page finds it.

#[cfg(feature = "server")]
mod catalogue;
#[cfg(feature = "server")]
mod time;

#[cfg(feature = "server")]
pub use catalogue::{Arg, client_messages, format_number, has, ids, message, message_with, problems};
#[cfg(feature = "server")]
pub use time::{Readable, TimeZone, readable, readable_at};

/// The languages Foyer ships, each complete (a test checks every message exists in all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The BCP 47 tag (`<html lang>`, the `locale` claim, the cookie).
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
        }
    }

    /// A tag we ship, by its primary language (`de-AT` is German); `None` otherwise.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The best shipped locale for an `Accept-Language` header (RFC 9110 §12.5.4):
    /// the highest `q` wins, ties in the order given; `q=0` means "not this one".
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(u16, Self)> = None;
        for item in accept_language.split(',').take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .map_or(1000, |v| (v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u16);
            if q == 0 {
                continue;
            }
            if let Some(locale) = Self::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_shipped_locale() {
        assert_eq!(Locale::negotiate("de-AT,de;q=0.9,en;q=0.8"), Some(Locale::De));
        assert_eq!(Locale::negotiate("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"), Some(Locale::En));
        assert_eq!(Locale::negotiate("en;q=0.2, de;q=0.9"), Some(Locale::De));
        assert_eq!(Locale::negotiate("de;q=0, en"), Some(Locale::En));
        assert_eq!(Locale::negotiate("fr, es"), None);
        assert_eq!(Locale::negotiate(""), None);
        assert_eq!(Locale::negotiate(";;;q=abc,,"), None);
    }
}
