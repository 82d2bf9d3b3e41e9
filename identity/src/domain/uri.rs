//! Redirect, post-logout and back-channel logout URIs (and a brand's public links): the
//! rules a registered URI must meet. URIs are kept exactly as typed and later compared
//! exactly. Shared by `oidc::clients` and `brand`, so it lives here, under neither.

use crate::Result;
use crate::domain::ParseError;

const MAX_URI_LEN: usize = 2_000;
const MAX_URIS: usize = 20;

/// What a URI may be, beyond the common rules (absolute, no fragment, no userinfo, no
/// wildcard, ≤ 2,000 characters, https).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UriRules {
    /// `http` on `localhost`, `127.0.0.1` or `[::1]` (public clients, or development).
    pub http_loopback: bool,
    /// RFC 8252 §7.1 private-use schemes with a dot (`com.example.app:/cb`): public clients.
    pub private_use_scheme: bool,
}

/// A registered redirect (or post-logout, or back-channel logout) URI, kept as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri(String);

impl RedirectUri {
    /// Checks a redirect URI under `rules`; errors name the field "Redirect URI".
    pub fn parse(input: &str, rules: UriRules) -> Result<Self, ParseError> {
        Self::parse_field("Redirect URI", input, rules)
    }

    /// The same checks with another field name in the errors.
    pub fn parse_field(field: &'static str, input: &str, rules: UriRules) -> Result<Self, ParseError> {
        let bad = |reason| Err(ParseError::Malformed { field, reason });
        if input.is_empty() {
            return Err(ParseError::Missing { field });
        }
        if input.chars().count() > MAX_URI_LEN {
            return Err(ParseError::TooLong { field, max: MAX_URI_LEN });
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("it must not contain spaces or control characters");
        }
        if input.contains('#') {
            return bad("it must not have a fragment (#)");
        }
        if input.contains('*') {
            return bad("wildcards are not allowed; register each URI exactly");
        }
        if input.contains('\\') {
            return bad("it must not contain backslashes");
        }
        let Ok(url) = url::Url::parse(input) else {
            return bad("it must be an absolute URI such as https://app.example.com/callback");
        };
        if !url.username().is_empty() || url.password().is_some() {
            return bad("it must not contain a user name or password");
        }
        match url.scheme() {
            "https" => Ok(Self(input.to_owned())),
            "http" if !is_loopback(&url) => bad("it must use https (http only on localhost, 127.0.0.1 or [::1])"),
            "http" if !rules.http_loopback => {
                bad("http on a loopback host is allowed only for public clients or in development")
            }
            "http" => Ok(Self(input.to_owned())),
            scheme if scheme.contains('.') => {
                if rules.private_use_scheme {
                    Ok(Self(input.to_owned()))
                } else {
                    bad("private-use schemes (com.example.app:/cb) are for public clients only")
                }
            }
            _ => bad("it must use https"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    }
}

/// Names the offending URI in the message (URIs are not secret; several may be given).
pub(crate) fn with_value(e: ParseError, value: &str) -> ParseError {
    match e {
        ParseError::Malformed { field, reason } => {
            let shown: String = value.chars().take(200).collect();
            ParseError::Rejected { field, reason: format!("{field} {shown:?} is not valid: {reason}") }
        }
        other => other,
    }
}

pub(crate) fn uri_list(field: &'static str, uris: &[String], rules: UriRules, required: bool) -> Result<Vec<RedirectUri>, ParseError> {
    if required && uris.is_empty() {
        return Err(ParseError::Missing { field });
    }
    if uris.len() > MAX_URIS {
        return Err(ParseError::Rejected { field, reason: format!("At most {MAX_URIS} of {field} may be registered.") });
    }
    let mut out: Vec<RedirectUri> = Vec::new();
    for u in uris {
        let uri = RedirectUri::parse_field(field, u, rules).map_err(|e| with_value(e, u))?;
        if !out.contains(&uri) {
            out.push(uri);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIDENTIAL: UriRules = UriRules { http_loopback: false, private_use_scheme: false };
    const PUBLIC: UriRules = UriRules { http_loopback: true, private_use_scheme: true };

    fn reason(r: Result<RedirectUri, ParseError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn redirect_uris_are_exact_absolute_https() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/cb?tenant=1",
            "https://APP.example.com/Callback/",
        ] {
            assert_eq!(RedirectUri::parse(ok, CONFIDENTIAL).unwrap().as_str(), ok, "kept as typed");
        }
        let cases = [
            ("/callback", "absolute"),
            ("app.example.com/cb", "absolute"),
            ("https://app.example.com/cb#frag", "fragment"),
            ("https://app.example.com/cb#", "fragment"),
            ("https://*.example.com/cb", "wildcard"),
            ("https://app.example.com/*", "wildcard"),
            ("http://app.example.com/cb", "https"),
            ("http://localhost.example.com/cb", "https"),
            ("http://127.0.0.2/cb", "https"),
            ("https://user:pw@app.example.com/cb", "user name"),
            ("https://user@app.example.com/cb", "user name"),
            (" https://app.example.com/cb", "spaces"),
            ("https://app.example.com/c b", "spaces"),
            ("https://app.example.com\\@evil.com/", "backslash"),
            ("javascript:alert(1)", "https"),
            ("data:text/html,hi", "https"),
            ("ftp://app.example.com/cb", "https"),
            ("com.example.app:/cb", "public clients only"),
            ("http://localhost:8080/cb", "public clients or in development"),
        ];
        for (uri, why) in cases {
            let text = reason(RedirectUri::parse(uri, CONFIDENTIAL));
            assert!(text.starts_with("Redirect URI is not valid"), "{uri}: {text}");
            assert!(text.contains(why), "{uri}: expected {why:?} in {text}");
        }
        assert!(matches!(RedirectUri::parse("", CONFIDENTIAL), Err(ParseError::Missing { .. })));
        let long = format!("https://app.example.com/{}", "a".repeat(2_000));
        assert!(matches!(RedirectUri::parse(&long, CONFIDENTIAL), Err(ParseError::TooLong { max: 2_000, .. })));
    }

    #[test]
    fn loopback_and_private_use_schemes_for_public_clients() {
        for ok in ["http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]:9000/cb", "com.example.app:/oauth2redirect"] {
            assert_eq!(RedirectUri::parse(ok, PUBLIC).unwrap().as_str(), ok);
        }
        assert!(RedirectUri::parse("com.example.app://callback", PUBLIC).is_ok(), "RFC 8252 prefers one slash; both work");
        for bad in ["http://example.com/cb", "myapp:/cb", "com.example.app:/cb#x", "com.example.app://user@host/cb"] {
            assert!(RedirectUri::parse(bad, PUBLIC).is_err(), "{bad}");
        }
        let dev = UriRules { http_loopback: true, private_use_scheme: false };
        assert!(RedirectUri::parse("http://127.0.0.1:3001/cb", dev).is_ok(), "confidential in dev");
        assert!(RedirectUri::parse("com.example.app:/cb", dev).is_err());
    }
}
