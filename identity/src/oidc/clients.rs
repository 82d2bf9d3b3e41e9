//! The client registry (docs/design/oidc.md "Clients"): what an operator may register,
//! checked before anything is written, and the `oauth_clients` rows.
//!
//! A [`ClientSpec`] holds what the operator typed; [`ClientSpec::validate`] turns it into a
//! [`ValidClient`] or names every refused field at once. Secrets are `fcs_` + 43
//! base64url characters (256 random bits), shown once and stored only as SHA-256 hex
//! (a fast hash is enough for high-entropy secrets); they are compared in constant time.
//! Redirect and post-logout URIs are stored and later compared exactly as typed.

use secrecy::SecretString;
use sqlx::FromRow;

use crate::audit::{self, Actor, AuditEvent};
use crate::brand::{BrandSlug, one_or_many, unknown_brand};
use crate::domain::ParseError;
use crate::oidc::SigningAlg;
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// The scopes Foyer knows (OIDC Core §5.4 plus `offline_access`).
pub const SUPPORTED_SCOPES: [&str; 6] = ["openid", "profile", "email", "phone", "address", "offline_access"];
/// Scopes a client gets when none are named.
pub const DEFAULT_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The prefix of every client secret.
pub const SECRET_PREFIX: &str = "fcs_";

const MAX_URI_LEN: usize = 2_000;
const MAX_URIS: usize = 20;
const MAX_JWKS_LEN: usize = 64 * 1024;
const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

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
    /// Development mode: http loopback URIs for confidential clients and back-channel logout.
    pub dev: bool,
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
    pub fn dev(mut self, dev: bool) -> Self {
        self.dev = dev;
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

        match (brand, name, auth_method, redirect_uris, post_logout, grant_types, scopes, subject_type, id_token_alg, access, id, refresh) {
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
                        reason: format!("Scope {s:?} is not valid: use openid, profile, email, phone, address, offline_access or an API scope of a-z 0-9 : . _ -"),
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

/// Names the offending URI in the message (URIs are not secret; several may be given).
fn with_value(e: ParseError, value: &str) -> ParseError {
    match e {
        ParseError::Malformed { field, reason } => {
            let shown: String = value.chars().take(200).collect();
            ParseError::Rejected { field, reason: format!("{field} {shown:?} is not valid: {reason}") }
        }
        other => other,
    }
}

fn uri_list(field: &'static str, uris: &[String], rules: UriRules, required: bool) -> Result<Vec<RedirectUri>, ParseError> {
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

/// Checks an inline JWKS for `private_key_jwt`: public signing keys only (RSA ≥ 2048 bits,
/// P-256, Ed25519), each with a unique `kid`; `oct` and private members refused.
/// Returns the set as compact JSON.
pub fn check_jwks(text: &str) -> Result<String, ParseError> {
    use base64::Engine as _;
    const FIELD: &str = "JWKS";
    let bad = |reason| ParseError::Malformed { field: FIELD, reason };
    if text.len() > MAX_JWKS_LEN {
        return Err(ParseError::TooLong { field: FIELD, max: MAX_JWKS_LEN });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad("it is not JSON"))?;
    let keys = value.get("keys").and_then(|k| k.as_array()).ok_or(bad("it needs a \"keys\" array"))?;
    if keys.is_empty() || keys.len() > 20 {
        return Err(bad("it must hold 1 to 20 keys"));
    }
    let b64 = |key: &serde_json::Value, member: &str| {
        key.get(member)
            .and_then(|v| v.as_str())
            .and_then(|s| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok())
            .ok_or(bad("a key member is missing or not base64url"))
    };
    let mut kids: Vec<&str> = Vec::new();
    for key in keys {
        let kid = key.get("kid").and_then(|k| k.as_str()).filter(|k| !k.is_empty() && k.len() <= 200);
        let kid = kid.ok_or(bad("every key needs a kid"))?;
        if kids.contains(&kid) {
            return Err(bad("two keys have the same kid"));
        }
        kids.push(kid);
        if ["d", "p", "q", "dp", "dq", "qi", "oth", "k"].iter().any(|m| key.get(m).is_some()) {
            return Err(bad("it contains private key material; register public keys only"));
        }
        if key.get("use").is_some_and(|u| u != "sig") {
            return Err(bad("keys must be for signing (use: sig)"));
        }
        match key.get("kty").and_then(|k| k.as_str()) {
            Some("RSA") => {
                let n = b64(key, "n")?;
                let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
                if bits < 2048 || b64(key, "e")?.is_empty() {
                    return Err(bad("RSA keys must have at least 2048 bits"));
                }
            }
            Some("EC") => {
                let (x, y) = (b64(key, "x")?, b64(key, "y")?);
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                if key.get("crv").is_none_or(|c| c != "P-256") || x.len() != 32 || y.len() != 32 {
                    return Err(bad("EC keys must be on P-256"));
                }
                if p256::PublicKey::from_sec1_bytes(&point).is_err() {
                    return Err(bad("an EC key is not a point on P-256"));
                }
            }
            Some("OKP") => {
                let x: [u8; 32] = b64(key, "x")?.try_into().map_err(|_| bad("OKP keys must be Ed25519"))?;
                if key.get("crv").is_none_or(|c| c != "Ed25519") || ed25519_dalek::VerifyingKey::from_bytes(&x).is_err() {
                    return Err(bad("OKP keys must be Ed25519"));
                }
            }
            Some("oct") => return Err(bad("symmetric (oct) keys are refused")),
            _ => return Err(bad("use RSA, EC (P-256) or OKP (Ed25519) keys")),
        }
    }
    Ok(value.to_string())
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
}

/// A registered client as the rest of Foyer sees it (no secret material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub brand_id: String,
    pub brand_slug: String,
    pub name: String,
    pub kind: String,
    pub auth_method: String,
    pub jwks: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub allowed_scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub subject_type: String,
    pub id_token_alg: String,
    pub access_token_ttl_s: i64,
    pub id_token_ttl_s: i64,
    pub refresh_token_ttl_s: i64,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    pub disabled_at: Option<UnixMillis>,
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.kind == ClientKind::Public.as_str()
    }
    /// Public clients must send a PKCE challenge.
    pub fn requires_pkce(&self) -> bool {
        self.is_public()
    }
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

/// A new client and, for secret-based clients, its secret: shown once, never stored.
#[derive(Debug)]
pub struct NewClient {
    pub client: Client,
    pub secret: Option<SecretString>,
}

/// A rotated secret (shown once) and until when the previous one still works.
#[derive(Debug)]
pub struct RotatedSecret {
    pub secret: SecretString,
    pub previous_valid_until: Option<UnixMillis>,
}

/// The `oauth_clients` row with the brand's slug (secret hashes never leave this module).
#[derive(Clone, FromRow)]
struct ClientRow {
    id: String,
    brand_id: String,
    brand_slug: String,
    name: String,
    kind: String,
    auth_method: String,
    secret_hash: Option<String>,
    previous_secret_hash: Option<String>,
    previous_secret_expires_at: Option<i64>,
    jwks: Option<String>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    backchannel_logout_uri: Option<String>,
    allowed_scopes: String,
    grant_types: String,
    subject_type: String,
    id_token_alg: String,
    access_token_ttl_s: i64,
    id_token_ttl_s: i64,
    refresh_token_ttl_s: i64,
    created_at: i64,
    updated_at: i64,
    disabled_at: Option<i64>,
}

impl std::fmt::Debug for ClientRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRow").field("id", &self.id).field("brand_id", &self.brand_id).finish_non_exhaustive()
    }
}

impl ClientRow {
    fn into_client(self) -> Result<Client> {
        Ok(Client {
            redirect_uris: serde_json::from_str(&self.redirect_uris)?,
            post_logout_redirect_uris: serde_json::from_str(&self.post_logout_redirect_uris)?,
            allowed_scopes: self.allowed_scopes.split_whitespace().map(str::to_owned).collect(),
            grant_types: self.grant_types.split_whitespace().map(str::to_owned).collect(),
            id: self.id,
            brand_id: self.brand_id,
            brand_slug: self.brand_slug,
            name: self.name,
            kind: self.kind,
            auth_method: self.auth_method,
            jwks: self.jwks,
            backchannel_logout_uri: self.backchannel_logout_uri,
            subject_type: self.subject_type,
            id_token_alg: self.id_token_alg,
            access_token_ttl_s: self.access_token_ttl_s,
            id_token_ttl_s: self.id_token_ttl_s,
            refresh_token_ttl_s: self.refresh_token_ttl_s,
            created_at: self.created_at,
            updated_at: self.updated_at,
            disabled_at: self.disabled_at,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.brand_id, b.slug AS brand_slug, c.name, c.kind, c.auth_method, c.secret_hash, \
     c.previous_secret_hash, c.previous_secret_expires_at, c.jwks, c.redirect_uris, c.post_logout_redirect_uris, \
     c.backchannel_logout_uri, c.allowed_scopes, c.grant_types, c.subject_type, c.id_token_alg, c.access_token_ttl_s, \
     c.id_token_ttl_s, c.refresh_token_ttl_s, c.created_at, c.updated_at, c.disabled_at \
     FROM oauth_clients c JOIN brands b ON b.id = c.brand_id";

/// Constant-time equality of two hex digests.
fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The longest grace period for an old secret after rotation.
pub const MAX_KEEP_OLD_SECRET_S: i64 = 7 * DAY;

impl Identity {
    fn new_client_secret(&self) -> (SecretString, String) {
        let secret = format!("{SECRET_PREFIX}{}", self.new_token());
        let hash = sha256_hex(secret.as_bytes());
        (SecretString::from(secret), hash)
    }

    async fn client_row(&self, client_id: &str) -> Result<Option<ClientRow>> {
        Ok(sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
            .bind(client_id)
            .fetch_optional(self.store.pool())
            .await?)
    }

    /// Registers a client after checking the whole spec; audited, one transaction.
    pub async fn create_client(&self, spec: &ClientSpec, actor: Actor) -> Result<NewClient> {
        let valid = spec.validate()?;
        let brand = self.store.brand_by_slug(valid.brand.as_str()).await?.ok_or_else(|| unknown_brand(&valid.brand))?;
        let now = self.clock.now();
        let id = self.new_id();
        let (secret, secret_hash) = if valid.auth_method.uses_secret() {
            let (secret, hash) = self.new_client_secret();
            (Some(secret), Some(hash))
        } else {
            (None, None)
        };
        let uris = |list: &[RedirectUri]| serde_json::to_string(&list.iter().map(RedirectUri::as_str).collect::<Vec<_>>());
        let grants: Vec<&str> = valid.grant_types.iter().map(|g| g.as_str()).collect();
        let mut tx = self.store.begin().await?;
        sqlx::query(
            "INSERT INTO oauth_clients (id, brand_id, name, kind, auth_method, secret_hash, jwks, redirect_uris, \
             post_logout_redirect_uris, backchannel_logout_uri, allowed_scopes, grant_types, subject_type, id_token_alg, \
             access_token_ttl_s, id_token_ttl_s, refresh_token_ttl_s, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
        )
        .bind(&id)
        .bind(&brand.id)
        .bind(&valid.name)
        .bind(valid.kind.as_str())
        .bind(valid.auth_method.as_str())
        .bind(&secret_hash)
        .bind(&valid.jwks)
        .bind(uris(&valid.redirect_uris)?)
        .bind(uris(&valid.post_logout_redirect_uris)?)
        .bind(valid.backchannel_logout_uri.as_ref().map(RedirectUri::as_str))
        .bind(valid.scopes.join(" "))
        .bind(grants.join(" "))
        .bind(valid.subject_type.as_str())
        .bind(valid.id_token_alg.as_str())
        .bind(valid.access_token_ttl_s)
        .bind(valid.id_token_ttl_s)
        .bind(valid.refresh_token_ttl_s)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor,
            subject: Some(format!("client:{id}")),
            action: "client.created",
            reason: None,
            detail: serde_json::json!({
                "brand_id": brand.id, "kind": valid.kind.as_str(), "auth_method": valid.auth_method.as_str(),
            }),
        })
        .await?;
        tx.commit().await?;
        let client = self.client_by_id(&id).await?.ok_or(Error::Internal("client vanished after insert".into()))?;
        Ok(NewClient { client, secret })
    }

    pub async fn client_by_id(&self, client_id: &str) -> Result<Option<Client>> {
        self.client_row(client_id).await?.map(ClientRow::into_client).transpose()
    }

    /// Every client, or those of one brand (unknown brand: an error naming it).
    pub async fn list_clients(&self, brand: Option<&BrandSlug>) -> Result<Vec<Client>> {
        let rows: Vec<ClientRow> = match brand {
            Some(slug) => {
                self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(slug))?;
                sqlx::query_as(&format!("{SELECT} WHERE b.slug = $1 ORDER BY c.created_at, c.id"))
                    .bind(slug.as_str())
                    .fetch_all(self.store.pool())
                    .await?
            }
            None => sqlx::query_as(&format!("{SELECT} ORDER BY b.slug, c.created_at, c.id")).fetch_all(self.store.pool()).await?,
        };
        rows.into_iter().map(ClientRow::into_client).collect()
    }

    /// The client when `secret` is its current secret, or its previous one within the grace
    /// period; `None` for any failure (unknown, disabled, no secret, wrong secret) alike.
    pub async fn verify_client_secret(&self, client_id: &str, secret: &str) -> Result<Option<Client>> {
        let presented = sha256_hex(secret.as_bytes());
        let Some(row) = self.client_row(client_id).await? else { return Ok(None) };
        let now = self.clock.now();
        let current = row.secret_hash.as_deref().is_some_and(|h| ct_eq(h, &presented));
        let previous = row.previous_secret_hash.as_deref().is_some_and(|h| ct_eq(h, &presented))
            && row.previous_secret_expires_at.is_some_and(|t| t > now);
        let usable = row.disabled_at.is_none() && AuthMethod::parse(&row.auth_method).is_some_and(AuthMethod::uses_secret);
        if usable && (current || previous) { row.into_client().map(Some) } else { Ok(None) }
    }

    /// Issues a new secret (shown once). The old one stops working now, or after
    /// `keep_old_for_s` seconds (at most [`MAX_KEEP_OLD_SECRET_S`]).
    pub async fn rotate_client_secret(&self, client_id: &str, keep_old_for_s: Option<i64>, actor: Actor) -> Result<RotatedSecret> {
        if keep_old_for_s.is_some_and(|s| !(1..=MAX_KEEP_OLD_SECRET_S).contains(&s)) {
            return Err(ParseError::Malformed { field: "Keep old for", reason: "it must be between 1 second and 7 days" }.into());
        }
        let row = self.client_row(client_id).await?.ok_or(Error::NotFound("Client"))?;
        if row.disabled_at.is_some() {
            return Err(client_refused("The client is disabled."));
        }
        if !AuthMethod::parse(&row.auth_method).is_some_and(AuthMethod::uses_secret) {
            return Err(client_refused("The client does not use a secret (public or private_key_jwt)."));
        }
        let now = self.clock.now();
        let keep_until = keep_old_for_s.map(|s| now + s * 1_000);
        let (secret, hash) = self.new_client_secret();
        let mut tx = self.store.begin().await?;
        // One statement: the old hash moves (or dies) and the new one lands atomically.
        let done = sqlx::query(
            "UPDATE oauth_clients SET previous_secret_hash = CASE WHEN $1 = 1 THEN secret_hash ELSE NULL END, \
             previous_secret_expires_at = $2, secret_hash = $3, updated_at = $4 \
             WHERE id = $5 AND disabled_at IS NULL AND secret_hash IS NOT NULL",
        )
        .bind(i64::from(keep_until.is_some()))
        .bind(keep_until)
        .bind(&hash)
        .bind(now)
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(client_refused("The client changed meanwhile; try again."));
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor,
            subject: Some(format!("client:{client_id}")),
            action: "client.secret_rotated",
            reason: None,
            detail: serde_json::json!({ "previous_valid_until": keep_until }),
        })
        .await?;
        tx.commit().await?;
        Ok(RotatedSecret { secret, previous_valid_until: keep_until })
    }

    /// Disables a client: it can no longer authenticate or start a flow. Idempotent.
    // When grants and access tokens exist (issue 5, later files), this also revokes them.
    pub async fn disable_client(&self, client_id: &str, actor: Actor) -> Result<Client> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let done = sqlx::query("UPDATE oauth_clients SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(now)
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 1 {
            audit::record(&mut tx, &AuditEvent {
                at: now,
                actor,
                subject: Some(format!("client:{client_id}")),
                action: "client.disabled",
                reason: None,
                detail: serde_json::json!({}),
            })
            .await?;
        }
        tx.commit().await?;
        self.client_by_id(client_id).await?.ok_or(Error::NotFound("Client"))
    }
}

fn client_refused(reason: &str) -> Error {
    Error::Invalid(ParseError::Rejected { field: "Client", reason: reason.to_owned() })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use secrecy::ExposeSecret as _;

    use super::*;

    fn expose(secret: &SecretString) -> &str {
        secret.expose_secret()
    }

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

    fn spec() -> ClientSpec {
        ClientSpec::new("northwind-air", "Air web").redirect_uri("https://air.example.com/cb")
    }

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

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn ed25519_jwks(kid: &str) -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(key.verifying_key().as_bytes()) }] })
            .to_string()
    }

    #[test]
    fn jwks_rules() {
        assert!(check_jwks(&ed25519_jwks("k1")).is_ok());
        let x = b64(ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]).verifying_key().as_bytes());
        let refused = [
            serde_json::json!({ "keys": [] }),
            serde_json::json!({ "nokeys": 1 }),
            serde_json::json!({ "keys": [{ "kty": "oct", "kid": "s", "k": "c2VjcmV0" }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": "a", "x": x, "d": x }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": "a", "x": x }, { "kty": "OKP", "crv": "Ed25519", "kid": "a", "x": x }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "X25519", "kid": "a", "x": x }] }),
            serde_json::json!({ "keys": [{ "kty": "RSA", "kid": "r", "n": b64(&[0xff; 128]), "e": "AQAB" }] }),
            serde_json::json!({ "keys": [{ "kty": "EC", "crv": "P-256", "kid": "e", "x": b64(&[1; 32]), "y": b64(&[2; 32]) }] }),
        ];
        for jwks in refused {
            assert!(check_jwks(&jwks.to_string()).is_err(), "{jwks}");
        }
        let rsa = serde_json::json!({ "keys": [{ "kty": "RSA", "kid": "r", "n": b64(&[0xff; 256]), "e": "AQAB" }] });
        assert!(check_jwks(&rsa.to_string()).is_ok());
        assert!(check_jwks("not json").is_err());
    }

    async fn identity() -> (Identity, tempfile::TempDir) {
        let (store, dir) = crate::oidc::test_support::sqlite_store().await;
        let clock = Arc::new(crate::FixedClock::at(1_700_000_000_000));
        let id = Identity::new(
            store,
            clock,
            Arc::new(crate::OsRandom),
            crate::password::Hasher::new(&crate::password::HashSettings { memory_kib: 64, iterations: 1, ..Default::default() }).unwrap(),
            crate::Settings::default(),
            crate::crypto::MasterKey::from_bytes([9; 32]),
        );
        (id, dir)
    }

    #[tokio::test]
    async fn secrets_verify_rotate_and_disable() {
        let (id, _dir) = identity().await;
        id.create_brand(&BrandSlug::parse("northwind-air").unwrap(), "Northwind Air", Actor::Cli).await.unwrap();
        let created = id.create_client(&spec(), Actor::Cli).await.unwrap();
        let secret = created.secret.unwrap();
        let secret = expose(&secret).to_owned();
        assert!(secret.starts_with("fcs_") && secret.len() == 47, "{}", secret.len());
        let cid = created.client.id.clone();
        assert!(id.verify_client_secret(&cid, &secret).await.unwrap().is_some());
        assert!(id.verify_client_secret(&cid, "fcs_wrong").await.unwrap().is_none());
        assert!(id.verify_client_secret("no-such-client", &secret).await.unwrap().is_none());

        let second = id.rotate_client_secret(&cid, None, Actor::Cli).await.unwrap().secret;
        assert!(id.verify_client_secret(&cid, &secret).await.unwrap().is_none(), "old secret dies at once");
        assert!(id.verify_client_secret(&cid, expose(&second)).await.unwrap().is_some());

        let third = id.rotate_client_secret(&cid, Some(3_600), Actor::Cli).await.unwrap();
        assert_eq!(third.previous_valid_until, Some(1_700_000_000_000 + 3_600_000));
        let third = third.secret;
        assert!(id.verify_client_secret(&cid, expose(&second)).await.unwrap().is_some(), "kept for the grace period");
        let later = Identity { clock: Arc::new(crate::FixedClock::at(1_700_000_000_000 + 3_600_000)), ..id.clone() };
        assert!(later.verify_client_secret(&cid, expose(&second)).await.unwrap().is_none(), "grace period over");
        assert!(later.verify_client_secret(&cid, expose(&third)).await.unwrap().is_some());
        assert!(id.rotate_client_secret(&cid, Some(8 * DAY), Actor::Cli).await.is_err());

        let disabled = id.disable_client(&cid, Actor::Cli).await.unwrap();
        assert!(disabled.is_disabled());
        assert!(id.verify_client_secret(&cid, expose(&third)).await.unwrap().is_none());
        assert!(id.rotate_client_secret(&cid, None, Actor::Cli).await.is_err());
        assert!(matches!(id.disable_client("nope", Actor::Cli).await, Err(Error::NotFound(_))));

        let public = id.create_client(&spec().public(), Actor::Cli).await.unwrap();
        assert!(public.secret.is_none() && public.client.requires_pkce());
        assert!(id.rotate_client_secret(&public.client.id, None, Actor::Cli).await.is_err());
        assert_eq!(id.list_clients(None).await.unwrap().len(), 2);
        assert!(id.list_clients(Some(&BrandSlug::parse("nowhere").unwrap())).await.is_err());
        assert!(id.create_client(&ClientSpec { brand: "nowhere".into(), ..spec() }, Actor::Cli).await.is_err());
    }
}
