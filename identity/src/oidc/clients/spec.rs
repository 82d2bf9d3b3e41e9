//! What an operator may register: a [`ClientSpec`] as typed, checked by
//! [`ClientSpec::validate`] into a [`ValidClient`] or refused naming every bad field.

use super::jwks::check_jwks;
use super::rate::TokenRate;
use crate::Result;
use crate::domain::uri::{uri_list, with_value};
use crate::domain::{BrandSlug, ParseError, RedirectUri, UriRules, one_or_many};
use crate::jose::SigningAlg;

/// The scopes Foyer knows (OIDC Core §5.4 plus `offline_access`); `consents`: the consent
/// ledger's claim for the client's brand (docs/design/consent.md); `attributes` and
/// `preferences`: brand data, `identity::branddata`; `household`: `identity::households::claim`;
/// `loyalty`: `identity::loyalty::claim`.
pub const SUPPORTED_SCOPES: [&str; 11] =
    ["openid", "profile", "email", "phone", "address", "offline_access", "consents", "attributes", "preferences", "household", "loyalty"];
/// Scopes a client gets when none are named.
pub const DEFAULT_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
pub(super) const DAY: i64 = 86_400;

/// Confidential clients authenticate at the token endpoint; public ones cannot keep a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confidential => "confidential",
            Self::Public => "public",
        }
    }
}

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// Public clients: `client_id` only, PKCE required.
    None,
}

impl AuthMethod {
    pub const ALL: [Self; 4] = [Self::ClientSecretBasic, Self::ClientSecretPost, Self::PrivateKeyJwt, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// Whether the method uses a shared secret we issue.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }
}

/// Which `sub` a client sees (OIDC Core §8): the customer id, or one per brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectType {
    Public,
    Pairwise,
}

impl SubjectType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Pairwise => "pairwise",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Public, Self::Pairwise].into_iter().find(|s| s.as_str() == name)
    }
}

/// Grant types a client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::AuthorizationCode, Self::RefreshToken, Self::ClientCredentials].into_iter().find(|g| g.as_str() == name)
    }
}

/// `10m`, `24h`, `30d`, `90s` → seconds. A unit is required.
pub fn parse_duration(field: &'static str, input: &str) -> Result<i64, ParseError> {
    let s = input.trim();
    let bad = Err(ParseError::Malformed { field, reason: "use a number and a unit: 90s, 10m, 24h or 30d" });
    let Some(unit) = s.chars().last() else { return Err(ParseError::Missing { field }) };
    let factor = match unit {
        's' => 1,
        'm' => MINUTE,
        'h' => HOUR,
        'd' => DAY,
        _ => return bad,
    };
    let digits = &s[..s.len() - 1];
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return bad;
    }
    digits.parse::<i64>().map(|n| n * factor).or(bad)
}

fn bounded(field: &'static str, input: Option<&str>, default: i64, min: i64, max: i64, reason: &'static str) -> Result<i64, ParseError> {
    let Some(text) = input else { return Ok(default) };
    let secs = parse_duration(field, text)?;
    if (min..=max).contains(&secs) { Ok(secs) } else { Err(ParseError::Malformed { field, reason }) }
}

/// An API scope for `client_credentials`: `[a-z0-9:._-]+`, at most 100 characters.
fn is_api_scope(s: &str) -> bool {
    !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":._-".contains(&b))
}

/// What the operator asked for; every field is checked by [`ClientSpec::validate`].
#[derive(Debug, Clone, Default)]
pub struct ClientSpec {
    /// The brand's slug.
    pub brand: String,
    pub name: String,
    pub public: bool,
    /// Confidential clients only; default `client_secret_basic`.
    pub auth_method: Option<String>,
    /// Inline JWKS (JSON) for `private_key_jwt`.
    pub jwks: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// Empty: [`DEFAULT_SCOPES`]. Each entry may hold several space-separated scopes.
    pub scopes: Vec<String>,
    /// Grants beyond `authorization_code refresh_token` (only `client_credentials`).
    pub extra_grants: Vec<String>,
    pub subject_type: Option<String>,
    pub id_token_alg: Option<String>,
    pub access_token_ttl: Option<String>,
    pub id_token_ttl: Option<String>,
    pub refresh_token_ttl: Option<String>,
    /// The client's own token-endpoint rate (requests a second) and burst; `None`: the
    /// server's `FOYER_LIMIT_TOKEN_PER_CLIENT_*`.
    pub token_rate: Option<String>,
    pub token_burst: Option<String>,
    /// Development mode: http loopback URIs for confidential clients and back-channel logout.
    pub dev: bool,
    /// Opt in to delegated tokens (`--allow-delegation`; `docs/design/household.md`).
    pub allow_delegation: bool,
}

impl ClientSpec {
    pub fn new(brand: &str, name: &str) -> Self {
        Self { brand: brand.to_owned(), name: name.to_owned(), ..Self::default() }
    }
    pub fn redirect_uri(mut self, uri: &str) -> Self {
        self.redirect_uris.push(uri.to_owned());
        self
    }
    pub fn post_logout_uri(mut self, uri: &str) -> Self {
        self.post_logout_redirect_uris.push(uri.to_owned());
        self
    }
    pub fn backchannel_logout_uri(mut self, uri: &str) -> Self {
        self.backchannel_logout_uri = Some(uri.to_owned());
        self
    }
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }
    pub fn auth_method(mut self, method: &str) -> Self {
        self.auth_method = Some(method.to_owned());
        self
    }
    pub fn jwks(mut self, jwks: &str) -> Self {
        self.jwks = Some(jwks.to_owned());
        self
    }
    pub fn scope(mut self, scope: &str) -> Self {
        self.scopes.push(scope.to_owned());
        self
    }
    pub fn grant(mut self, grant: &str) -> Self {
        self.extra_grants.push(grant.to_owned());
        self
    }
    pub fn subject_type(mut self, subject: &str) -> Self {
        self.subject_type = Some(subject.to_owned());
        self
    }
    pub fn id_token_alg(mut self, alg: &str) -> Self {
        self.id_token_alg = Some(alg.to_owned());
        self
    }
    /// The client's own token-endpoint rate (`N` a second, or `default`).
    pub fn token_rate(mut self, rate: &str) -> Self {
        self.token_rate = Some(rate.to_owned());
        self
    }
    pub fn dev(mut self, dev: bool) -> Self {
        self.dev = dev;
        self
    }
    /// Opts in to delegated tokens.
    pub fn allow_delegation(mut self) -> Self {
        self.allow_delegation = true;
        self
    }

    /// Checks everything that needs no database; errors name each refused field.
    pub fn validate(&self) -> Result<ValidClient> {
        let mut errors = Vec::new();

        let brand = take(&mut errors, BrandSlug::parse(&self.brand));
        let name = take(&mut errors, client_name(&self.name));
        let kind = if self.public { ClientKind::Public } else { ClientKind::Confidential };
        let auth_method = take(&mut errors, self.parse_auth_method(kind));
        let jwks = take(&mut errors, match (auth_method, self.jwks.as_deref()) {
            (Some(AuthMethod::PrivateKeyJwt), Some(text)) => check_jwks(text).map(Some),
            (Some(AuthMethod::PrivateKeyJwt), None) => Err(ParseError::Missing { field: "JWKS" }),
            (_, Some(_)) => Err(ParseError::Malformed { field: "JWKS", reason: "only private_key_jwt clients have a JWKS" }),
            (_, None) => Ok(None),
        })
        .flatten();
        let rules = UriRules { http_loopback: self.public || self.dev, private_use_scheme: self.public };
        let redirect_uris = take(&mut errors, uri_list("Redirect URI", &self.redirect_uris, rules, true));
        let post_logout = take(&mut errors, uri_list("Post-logout redirect URI", &self.post_logout_redirect_uris, rules, false));
        let backchannel = take(&mut errors, 
            self.backchannel_logout_uri
                .as_deref()
                .map(|u| {
                    let rules = UriRules { http_loopback: self.dev, private_use_scheme: false };
                    RedirectUri::parse_field("Back-channel logout URI", u, rules).map_err(|e| with_value(e, u))
                })
                .transpose(),
        )
        .flatten();
        let grant_types = take(&mut errors, self.parse_grants(kind));
        let scopes = take(&mut errors, self.parse_scopes(grant_types.as_deref()));
        let subject_type = take(&mut errors, match self.subject_type.as_deref() {
            None => Ok(SubjectType::Public),
            Some(s) => SubjectType::parse(s).ok_or(ParseError::Malformed { field: "Subject type", reason: "use public or pairwise" }),
        });
        let id_token_alg = take(&mut errors, match self.id_token_alg.as_deref() {
            None => Ok(SigningAlg::Rs256),
            Some(s) => SigningAlg::parse(s).ok_or(ParseError::Malformed { field: "ID token algorithm", reason: "use RS256, ES256 or EdDSA" }),
        });
        let minutes = "it must be between 1 and 60 minutes";
        let access = take(&mut errors, bounded("Access token lifetime", self.access_token_ttl.as_deref(), 10 * MINUTE, MINUTE, HOUR, minutes));
        let id = take(&mut errors, bounded("ID token lifetime", self.id_token_ttl.as_deref(), 10 * MINUTE, MINUTE, HOUR, minutes));
        let refresh = take(&mut errors, bounded(
            "Refresh token lifetime",
            self.refresh_token_ttl.as_deref(),
            30 * DAY,
            HOUR,
            365 * DAY,
            "it must be between 1 hour and 365 days",
        ));
        let token_rate = TokenRate::parse(self.token_rate.as_deref(), self.token_burst.as_deref()).map_err(|mut e| errors.append(&mut e)).ok();

        match (brand, name, auth_method, redirect_uris, post_logout, grant_types, scopes, subject_type, id_token_alg, access, id, refresh, token_rate) {
            (
                Some(brand),
                Some(name),
                Some(auth_method),
                Some(redirect_uris),
                Some(post_logout_redirect_uris),
                Some(grant_types),
                Some(scopes),
                Some(subject_type),
                Some(id_token_alg),
                Some(access_token_ttl_s),
                Some(id_token_ttl_s),
                Some(refresh_token_ttl_s),
                Some(token_rate),
            ) if errors.is_empty() => Ok(ValidClient {
                brand,
                name,
                kind,
                auth_method,
                jwks,
                redirect_uris,
                post_logout_redirect_uris,
                backchannel_logout_uri: backchannel,
                scopes,
                grant_types,
                subject_type,
                id_token_alg,
                access_token_ttl_s,
                id_token_ttl_s,
                refresh_token_ttl_s,
                token_rate,
                allow_delegation: self.allow_delegation,
            }),
            _ => Err(one_or_many(errors)),
        }
    }

    fn parse_auth_method(&self, kind: ClientKind) -> Result<AuthMethod, ParseError> {
        const FIELD: &str = "Auth method";
        match (kind, self.auth_method.as_deref()) {
            (ClientKind::Public, None | Some("none")) => Ok(AuthMethod::None),
            (ClientKind::Public, Some(_)) => {
                Err(ParseError::Malformed { field: FIELD, reason: "public clients have no secret or key (auth method none)" })
            }
            (ClientKind::Confidential, None) => Ok(AuthMethod::ClientSecretBasic),
            (ClientKind::Confidential, Some(m)) => match AuthMethod::parse(m) {
                Some(AuthMethod::None) => Err(ParseError::Malformed { field: FIELD, reason: "use --public for clients without a secret" }),
                Some(method) => Ok(method),
                None => Err(ParseError::Malformed {
                    field: FIELD,
                    reason: "use client_secret_basic, client_secret_post or private_key_jwt",
                }),
            },
        }
    }

    fn parse_grants(&self, kind: ClientKind) -> Result<Vec<GrantType>, ParseError> {
        let mut grants = vec![GrantType::AuthorizationCode, GrantType::RefreshToken];
        for g in self.extra_grants.iter().flat_map(|g| g.split_whitespace()) {
            match GrantType::parse(g) {
                Some(GrantType::ClientCredentials) if kind == ClientKind::Public => {
                    return Err(ParseError::Malformed { field: "Grant", reason: "public clients cannot use client_credentials" });
                }
                Some(grant) if !grants.contains(&grant) => grants.push(grant),
                Some(_) => {}
                None => return Err(ParseError::Malformed { field: "Grant", reason: "only client_credentials can be added" }),
            }
        }
        Ok(grants)
    }

    fn parse_scopes(&self, grants: Option<&[GrantType]>) -> Result<Vec<String>, ParseError> {
        const FIELD: &str = "Scope";
        let named: Vec<&str> = self.scopes.iter().flat_map(|s| s.split_whitespace()).collect();
        let named = if named.is_empty() { DEFAULT_SCOPES.to_vec() } else { named };
        let mut scopes: Vec<String> = Vec::new();
        for s in named {
            if !SUPPORTED_SCOPES.contains(&s) {
                if !is_api_scope(s) {
                    return Err(ParseError::Rejected {
                        field: FIELD,
                        reason: format!("Scope {s:?} is not valid: use openid, profile, email, phone, address, offline_access, attributes, preferences or an API scope of a-z 0-9 : . _ -"),
                    });
                }
                if !grants.is_some_and(|g| g.contains(&GrantType::ClientCredentials)) {
                    return Err(ParseError::Rejected {
                        field: FIELD,
                        reason: format!("Scope {s:?} is not valid: API scopes need the client_credentials grant"),
                    });
                }
            }
            if !scopes.iter().any(|have| have == s) {
                scopes.push(s.to_owned());
            }
        }
        if !scopes.iter().any(|s| s == "openid") {
            return Err(ParseError::Malformed { field: FIELD, reason: "openid is required" });
        }
        Ok(scopes)
    }
}

/// Keeps the value, or records why it was refused.
fn take<T>(errors: &mut Vec<ParseError>, r: Result<T, ParseError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn client_name(input: &str) -> Result<String, ParseError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(ParseError::Missing { field: "Client name" });
    }
    if name.chars().count() > 80 {
        return Err(ParseError::TooLong { field: "Client name", max: 80 });
    }
    if name.chars().any(char::is_control) {
        return Err(ParseError::Malformed { field: "Client name", reason: "it must not contain control characters" });
    }
    Ok(name.to_owned())
}

/// A fully checked registration, ready to store.
#[derive(Debug, Clone)]
pub struct ValidClient {
    pub brand: BrandSlug,
    pub name: String,
    pub kind: ClientKind,
    pub auth_method: AuthMethod,
    pub jwks: Option<String>,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    pub backchannel_logout_uri: Option<RedirectUri>,
    pub scopes: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub subject_type: SubjectType,
    pub id_token_alg: SigningAlg,
    pub access_token_ttl_s: i64,
    pub id_token_ttl_s: i64,
    pub refresh_token_ttl_s: i64,
    pub token_rate: TokenRate,
    pub allow_delegation: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::oidc::clients::test_support::{ed25519_jwks, spec};

    fn field_names(err: Error) -> Vec<&'static str> {
        match err {
            Error::Invalid(e) => vec![e.field()],
            Error::Fields(es) => es.iter().map(ParseError::field).collect(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn defaults_follow_the_design() {
        let v = spec().validate().unwrap();
        assert_eq!(v.kind, ClientKind::Confidential);
        assert_eq!(v.auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(v.scopes, ["openid", "profile", "email", "offline_access"]);
        assert_eq!(v.grant_types, [GrantType::AuthorizationCode, GrantType::RefreshToken]);
        assert_eq!(v.subject_type, SubjectType::Public);
        assert_eq!(v.id_token_alg, SigningAlg::Rs256);
        assert_eq!((v.access_token_ttl_s, v.id_token_ttl_s, v.refresh_token_ttl_s), (600, 600, 30 * DAY));
        let p = spec().public().validate().unwrap();
        assert_eq!((p.kind, p.auth_method), (ClientKind::Public, AuthMethod::None));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut s = ClientSpec::new("Bad Slug", " ").redirect_uri("http://air.example.com/cb").post_logout_uri("/out");
        s.backchannel_logout_uri = Some("https://air.example.com/bc#x".into());
        s.scopes = vec!["profile".into()];
        s.subject_type = Some("secret".into());
        s.id_token_alg = Some("HS256".into());
        s.access_token_ttl = Some("2h".into());
        s.id_token_ttl = Some("10".into());
        s.refresh_token_ttl = Some("400d".into());
        let names = field_names(s.validate().unwrap_err());
        assert_eq!(
            names,
            [
                "Brand slug",
                "Client name",
                "Redirect URI",
                "Post-logout redirect URI",
                "Back-channel logout URI",
                "Scope",
                "Subject type",
                "ID token algorithm",
                "Access token lifetime",
                "ID token lifetime",
                "Refresh token lifetime"
            ]
        );
        assert_eq!(field_names(ClientSpec::new("air", "Air").validate().unwrap_err()), ["Redirect URI"]);
    }

    #[test]
    fn the_offending_uri_is_quoted() {
        let err = spec().redirect_uri("https://air.example.com/cb#x").validate().unwrap_err().to_string();
        assert_eq!(err, "Redirect URI \"https://air.example.com/cb#x\" is not valid: it must not have a fragment (#)");
    }

    #[test]
    fn scopes() {
        let v = spec().scope("openid email").scope("email").scope("phone address").validate().unwrap();
        assert_eq!(v.scopes, ["openid", "email", "phone", "address"], "split, deduplicated, in order");
        assert!(spec().scope("profile").validate().is_err(), "openid is required");
        assert!(spec().scope("openid Profile").validate().is_err());
        assert!(spec().scope("openid orders:read").validate().is_err(), "API scope without client_credentials");
        let v = spec().scope("openid orders:read").grant("client_credentials").validate().unwrap();
        assert_eq!(v.scopes, ["openid", "orders:read"]);
        assert!(v.grant_types.contains(&GrantType::ClientCredentials));
        assert!(spec().scope("openid bad/scope").grant("client_credentials").validate().is_err());
        assert!(spec().public().grant("client_credentials").validate().is_err(), "public clients: no client_credentials");
        assert!(spec().grant("password").validate().is_err());
        assert!(spec().grant("implicit").validate().is_err());
    }

    #[test]
    fn auth_methods_and_kinds() {
        assert_eq!(spec().auth_method("client_secret_post").validate().unwrap().auth_method, AuthMethod::ClientSecretPost);
        assert_eq!(field_names(spec().auth_method("none").validate().unwrap_err()), ["Auth method"]);
        assert_eq!(field_names(spec().auth_method("tls_client_auth").validate().unwrap_err()), ["Auth method"]);
        assert_eq!(field_names(spec().public().auth_method("client_secret_basic").validate().unwrap_err()), ["Auth method"]);
        assert_eq!(field_names(spec().auth_method("private_key_jwt").validate().unwrap_err()), ["JWKS"], "needs a JWKS");
        assert_eq!(field_names(spec().jwks(&ed25519_jwks("k1")).validate().unwrap_err()), ["JWKS"], "only with private_key_jwt");
        let v = spec().auth_method("private_key_jwt").jwks(&ed25519_jwks("k1")).validate().unwrap();
        assert!(v.jwks.unwrap().contains("\"kid\":\"k1\""));
        // Public clients: loopback and private-use redirect URIs, but https back-channel logout.
        let p = spec().public().redirect_uri("com.example.air:/cb").redirect_uri("http://127.0.0.1/cb");
        assert!(p.clone().validate().is_ok());
        assert!(p.clone().backchannel_logout_uri("http://127.0.0.1/bc").validate().is_err());
        assert!(spec().redirect_uri("http://127.0.0.1:3001/cb").validate().is_err(), "confidential, not dev");
        assert!(spec().redirect_uri("http://127.0.0.1:3001/cb").backchannel_logout_uri("http://127.0.0.1:3001/bc").dev(true).validate().is_ok());
        assert!(spec().backchannel_logout_uri("com.example.air:/bc").public().validate().is_err());
    }

    #[test]
    fn lifetimes() {
        assert_eq!(parse_duration("T", "90s").unwrap(), 90);
        assert_eq!(parse_duration("T", "10m").unwrap(), 600);
        assert_eq!(parse_duration("T", "24h").unwrap(), 86_400);
        assert_eq!(parse_duration("T", "30d").unwrap(), 30 * DAY);
        for bad in ["", "10", "m", "-5m", "1.5h", "10 m", "10w", "9999999999d"] {
            assert!(parse_duration("T", bad).is_err(), "{bad}");
        }
        let mut s = spec();
        s.access_token_ttl = Some("60m".into());
        s.id_token_ttl = Some("1m".into());
        s.refresh_token_ttl = Some("1h".into());
        let v = s.validate().unwrap();
        assert_eq!((v.access_token_ttl_s, v.id_token_ttl_s, v.refresh_token_ttl_s), (3_600, 60, 3_600));
        s.access_token_ttl = Some("59s".into());
        assert_eq!(field_names(s.validate().unwrap_err()), ["Access token lifetime"]);
    }
}
