//! The words support finds a customer by (`docs/design/admin.md` "Search"): the sign-in
//! address from its start, each word of the names, the phone's digits — folded to lower
//! case in Rust (SQLite's `lower()` knows ASCII only), kept in `customer_search` by the
//! store whenever those fields change. Pure functions; `store::search` writes them.

/// At most this many characters of a term are kept (a prefix longer than that is no
/// better a search).
const MAX_TERM: usize = 64;

/// The terms of one customer: the normalised address, each name word, the phone digits.
pub fn terms(email_normalized: &str, names: &[Option<&str>], phone: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        let t: String = t.chars().take(MAX_TERM).collect();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    };
    // A managed member's placeholder (`managed:<id>`) is no address to find them by.
    if !email_normalized.starts_with(crate::households::managed::NO_ADDRESS_PREFIX) {
        push(fold(email_normalized));
    }
    for name in names.iter().flatten() {
        for word in name.split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == '\u{2019}') {
            push(fold(word));
        }
    }
    if let Some(phone) = phone {
        push(digits(phone));
    }
    out
}

/// Lower case, as a person types it (Unicode-aware: "ÖZTÜRK" and "öztürk" are one term).
pub fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Only the digits (a phone typed "+44 20 7946 0958" or "442079460958" is one term).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The exclusive upper bound of the prefix range `[prefix, bound)` in binary (UTF-8
/// byte) order: the prefix followed by the highest code point.
pub fn prefix_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_cover_address_names_and_phone() {
        let t = terms("ada.king@example.com", &[Some("Ada"), Some("King-Lovelace"), Some("Ada K")], Some("+44 20 7946 0958"));
        assert_eq!(t, vec!["ada.king@example.com", "ada", "king", "lovelace", "k", "442079460958"]);
        assert_eq!(terms("x@example.com", &[Some("ÖZTÜRK")], None), vec!["x@example.com", "öztürk"]);
        assert_eq!(terms("managed:1234", &[Some("Mia")], None), vec!["mia"], "a managed member has no address to find");
    }

    #[test]
    fn prefix_ranges_hold_every_continuation() {
        let bound = prefix_bound("öz");
        for inside in ["öz", "öztürk", "öz\u{10FFFE}"] {
            assert!(inside >= "öz" && inside < bound.as_str(), "{inside}");
        }
        for outside in ["ö", "öy", "ö{", "p"] {
            assert!(!(outside >= "öz" && outside < bound.as_str()), "{outside}");
        }
    }
}
