//! Where a sign-in step sends the browser next: a page of Foyer's own, never another site.
//!
//! The `return_to` a sign-in page carries is attacker-controlled (anyone can link to
//! `/login?return_to=…`), and the browser goes there with `location.href`. Browsers strip
//! tabs and newlines from URLs and read `\` as `/`, so `/\t/evil.example` is
//! `//evil.example`, another origin. Two independent checks, both must pass:
//! 1. the text is a plain local path: one leading `/`, no second `/` or `\` after it, no
//!    whitespace or control character, and none of those percent-encoded either;
//! 2. resolved against `FOYER_PUBLIC_URL` as a browser would, it stays on that origin.
//!
//! Anything else becomes `/account`. Server only: the server decides every redirect.

/// The path to use instead of a refused `return_to`.
pub const DEFAULT: &str = "/account";

/// The longest `return_to` kept (a resume path `/oauth2/continue?r=…` is far shorter).
const MAX_LEN: usize = 512;

/// `return_to` if it is a local path of Foyer at `public_url`, else [`DEFAULT`].
pub fn safe_return_to(return_to: Option<&str>, public_url: &str) -> String {
    match return_to {
        Some(path) if is_plain_local_path(path) && is_plain_local_path(&percent_decoded(path)) && stays_on(public_url, path) => {
            path.to_owned()
        }
        _ => DEFAULT.to_owned(),
    }
}

/// `/x…`, without a scheme, authority, backslash, whitespace or control character.
fn is_plain_local_path(path: &str) -> bool {
    path.len() <= MAX_LEN
        && path.starts_with('/')
        && !matches!(path.as_bytes().get(1), Some(b'/' | b'\\'))
        && !path.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// `%XX` escapes decoded once (invalid escapes kept as they are); bytes that are not
/// UTF-8 become U+FFFD, which the checks then see.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `path`, resolved against `public_url` by the WHATWG URL rules browsers use,
/// keeps the public URL's origin.
fn stays_on(public_url: &str, path: &str) -> bool {
    let Ok(base) = url::Url::parse(public_url) else { return false };
    base.join(path).is_ok_and(|target| target.origin() == base.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://id.example.com";

    #[test]
    fn local_paths_are_kept() {
        for good in ["/account", "/account/devices?x=1", "/oauth2/continue?r=abc_DEF-123", "/a%2Fb", "/x?y=%41"] {
            assert_eq!(safe_return_to(Some(good), PUBLIC), good);
        }
        assert_eq!(safe_return_to(None, PUBLIC), DEFAULT);
    }

    #[test]
    fn anything_that_can_leave_the_origin_is_refused() {
        let long = format!("/{}", "a".repeat(MAX_LEN));
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0A/evil.example",
            "/%5C/evil.example",
            "/%5cevil.example",
            "/%2F/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            " /account",
            "/account\u{0}",
            "/\u{a0}/evil.example",
            "https://evil.example",
            "https://id.example.com/account",
            "javascript:alert(1)",
            "account",
            "",
            long.as_str(),
        ] {
            assert_eq!(safe_return_to(Some(bad), PUBLIC), DEFAULT, "{bad:?}");
        }
    }

    #[test]
    fn percent_decoding_is_one_pass_and_total() {
        assert_eq!(percent_decoded("/%2F%2f%zz%4"), "///%zz%4");
        assert_eq!(percent_decoded("/%FF"), "/\u{fffd}");
    }
}
