//! The parties of the OIDC scenarios.
//!
//! - [`Rp`]: one registered client driven through the `openidconnect` crate as a
//!   certified RP library drives Foyer: discovery, the authorization URL with PKCE S256,
//!   nonce and state, code exchange, ID token verification (plus `at_hash`, which the crate
//!   leaves to the RP), UserInfo, refresh, revocation, introspection, client credentials.
//!   Its HTTP client follows no redirects. Raw helpers exist for what the crate will not
//!   send (negative cases).
//! - [`Browser`]: a cookie jar that follows no redirects. It signs in through the server
//!   functions (with the same-origin headers the CSRF layer wants) and walks
//!   `/oauth2/authorize` → `/oauth2/continue` → consent → the redirect URI.
//! - [`LogoutReceiver`]: a tiny RP endpoint on 127.0.0.1 that records back-channel logout
//!   tokens; [`deliver_outbox`] runs the outbox worker until nothing is due.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::oidc::SigningAlg;
use identity::oidc::clients::ClientSpec;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreErrorResponseType,
    CoreGenderClaim, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AdditionalProviderMetadata, AuthType, AuthorizationCode, Client, ClientId,
    ClientSecret, CsrfToken, EmptyAdditionalClaims, EmptyExtraTokenFields, EndSessionUrl, EndpointNotSet, EndpointSet, IdToken,
    IdTokenClaims, IdTokenFields, IntrospectionUrl, IssuerUrl, JsonWebKey as _, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge,
    PkceCodeVerifier, ProviderMetadata, RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, Scope, StandardErrorResponse,
    StandardTokenResponse, SubjectIdentifier, TokenResponse as _, UserInfoClaims,
};
use reqwest::header::{self, HeaderMap};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use crate::support::{Db, TestApp, TestAppBuilder};

/// The redirect URI most clients register (nothing listens there: the browser stops at
/// the 303 and reads the `Location`).
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";
/// Where RP-initiated logout returns to.
pub const POST_LOGOUT: &str = "http://127.0.0.1:9/signed-out";
/// The password of every customer the scenarios create (`accounts::customer`).
pub(crate) use crate::accounts::PASSWORD;
/// A PKCS#1 RS256 key installed before first use: generating RSA keys is slow in debug
/// builds. ES256 and EdDSA keys are generated (fast).
const FIXTURE_RS256: &str = include_str!("fixtures/rs256-test-key.pem");
/// The back-channel logout event member.
pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

// ---------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------

/// A Foyer with the fixture RS256 key.
pub async fn spawn(db: Db) -> Option<TestApp> {
    spawn_with(TestApp::builder(db)).await
}

/// A Foyer without the background outbox worker: the test runs [`deliver_outbox`].
pub async fn spawn_without_worker(db: Db) -> Option<TestApp> {
    spawn_with(TestApp::builder(db).without_worker()).await
}

pub async fn spawn_with(builder: TestAppBuilder) -> Option<TestApp> {
    let app = builder.spawn().await?;
    install_fixture_keys(&app).await;
    Some(app)
}

/// The fixture RS256 key and fresh keys of the other algorithms, before any request.
pub async fn install_fixture_keys(app: &TestApp) {
    let manager = app.keys.manager().unwrap();
    let now = app.identity.now();
    let kid = manager.import_pem(now, SigningAlg::Rs256, &SecretString::from(FIXTURE_RS256.to_owned())).await.unwrap();
    assert!(kid.is_some(), "the fixture key is installed before any key exists");
    // The other algorithms now, before any request: the maintenance job (started with the
    // server) may be creating them at this moment too, and a request that loaded the ring
    // meanwhile could cache a set whose new keys are not active yet (see the report).
    manager.ensure_keys(now).await.unwrap();
    app.keys.forget().await;
}

pub async fn brand(app: &TestApp, slug: &str, name: &str) {
    app.with_brand_named(slug, name).await;
}

/// A verified customer with [`PASSWORD`].
pub async fn customer(app: &TestApp, email: &str) -> identity::store::customers::CustomerRow {
    crate::accounts::customer(app, email).await
}

/// A registered customer who has not confirmed the email address yet.
pub async fn unverified_customer(app: &TestApp, email: &str) -> identity::store::customers::CustomerRow {
    let registration = identity::accounts::register::Registration {
        email: email.into(),
        password: crate::accounts::secret(PASSWORD),
        given_name: None,
        family_name: None,
        accept_terms: true,
    };
    let id = app.register_customer(registration, &crate::support::seed::seed_meta(2)).await;
    let row = app.identity.store().customer_by_id(&id).await.unwrap().expect("registered");
    assert!(!row.email_verified);
    row
}

/// Runs the outbox worker until nothing is due; returns how many rows it handled.
pub async fn deliver_outbox(app: &TestApp) -> usize {
    app.deliver_outbox().await
}

/// The audit actions recorded so far, oldest first.
pub async fn audit_actions(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_log ORDER BY id").fetch_all(app.identity.store().pool()).await.unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

// ---------------------------------------------------------------------------------
// JWT plumbing for assertions and forgeries
// ---------------------------------------------------------------------------------

/// The decoded header and claims of a compact JWS (no verification).
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {token}");
    let decode = |p: &str| serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    (decode(parts[0]), decode(parts[1]))
}

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// A token with `header` and `claims` and the signature of `like` (so it no longer
/// matches): a tampering attempt.
pub fn with_parts(header: &Value, claims: &Value, signature: &str) -> String {
    format!("{}.{}.{signature}", b64(header), b64(claims))
}

/// Signs `claims` with the server's current key for `alg` (for tokens the server could
/// have made, e.g. already expired).
pub async fn sign_with_server_key(app: &TestApp, alg: SigningAlg, claims: &Value, typ: &str) -> String {
    app.keys.current().await.unwrap().sign_jwt(alg, claims, typ).unwrap()
}

/// Now, in seconds (for sanity bounds on token times, never for timing).
pub fn now_s() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// HMAC-SHA256 (RFC 2104), for an `HS256` forgery.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest as _, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

// ---------------------------------------------------------------------------------
// The relying party
// ---------------------------------------------------------------------------------

/// The provider's `sid` claim, which the crate's claim types lack.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SidClaim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}
impl AdditionalClaims for SidClaim {}

/// Discovery members the crate has no field for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RpExtraMetadata {
    pub end_session_endpoint: EndSessionUrl,
    pub introspection_endpoint: String,
    pub revocation_endpoint: String,
    pub code_challenge_methods_supported: Vec<String>,
    pub authorization_response_iss_parameter_supported: bool,
    pub backchannel_logout_supported: bool,
    pub backchannel_logout_session_supported: bool,
}
impl AdditionalProviderMetadata for RpExtraMetadata {}

pub type RpMetadata = ProviderMetadata<
    RpExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;
pub type RpIdToken = IdToken<SidClaim, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
pub type RpIdTokenClaims = IdTokenClaims<SidClaim, CoreGenderClaim>;
pub type RpTokenResponse = StandardTokenResponse<
    IdTokenFields<SidClaim, EmptyExtraTokenFields, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>,
    CoreTokenType,
>;
pub type RpClient = Client<
    SidClaim,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    RpTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointSet,
    EndpointSet,
    EndpointSet,
    EndpointSet,
>;

/// An HTTP client that follows no redirects (as the crate requires).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Discovery through the crate: it checks that `issuer` equals the URL it was asked for
/// and fetches the JWKS.
pub async fn discover(app: &TestApp, http: &reqwest::Client) -> RpMetadata {
    RpMetadata::discover_async(IssuerUrl::new(app.public_url.clone()).unwrap(), http).await.unwrap_or_else(|e| panic!("discovery: {e:?}"))
}

/// The RFC 6749 `error` of a failed token, revocation or introspection request.
pub fn error_code<RE: std::error::Error + 'static, T: openidconnect::ErrorResponseType + std::fmt::Display>(
    e: RequestTokenError<RE, StandardErrorResponse<T>>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => r.error().to_string(),
        other => panic!("expected an OAuth error response, got {other:?}"),
    }
}

/// What the authorization request started with.
#[derive(Debug)]
pub struct AuthStart {
    pub url: Url,
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

/// A completed sign-in at one client.
#[derive(Debug)]
pub struct SignedIn {
    pub tokens: RpTokenResponse,
    pub id_token: RpIdToken,
    pub claims: RpIdTokenClaims,
    pub access: AccessToken,
    pub refresh: Option<RefreshToken>,
    pub nonce: Nonce,
}

impl SignedIn {
    pub fn sid(&self) -> String {
        self.claims.additional_claims().sid.clone().expect("the ID token carries sid")
    }
    pub fn sub(&self) -> String {
        self.claims.subject().as_str().to_owned()
    }
    pub fn refresh(&self) -> RefreshToken {
        self.refresh.clone().expect("a refresh token was issued")
    }
}

/// RFC 6749 §4.1.2.1, §5.2: `error_description` is non-empty and uses only
/// `%x20-21 / %x23-5B / %x5D-7E` (printable ASCII without `"` and `\`).
pub fn description_ok(description: &str) -> bool {
    !description.is_empty() && description.bytes().all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// An answer read raw: status, headers, JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub async fn of(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, headers, body, text }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts an RFC 6749 §5.2 error: status, `error`, a description, `no-store`.
    pub fn assert_oauth_error(&self, status: u16, error: &str) {
        assert_eq!((self.status, self.body["error"].as_str()), (status, Some(error)), "{}", self.text);
        assert!(self.body["error_description"].as_str().is_some_and(description_ok), "{}", self.text);
        assert_eq!(self.header("cache-control"), Some("no-store"), "{}", self.text);
    }
}

/// How a raw request authenticates the client.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    Basic(&'a str, &'a str),
    Post(&'a str, &'a str),
    /// `client_id` alone (public clients).
    Id(&'a str),
}

/// POSTs a form to `path` with `auth`; the answer read raw.
pub async fn post_form(app: &TestApp, path: &str, auth: Auth<'_>, form: &[(&str, &str)]) -> Answer {
    let mut form: Vec<(&str, &str)> = form.to_vec();
    let mut request = http().post(app.url(path));
    match auth {
        Auth::None => {}
        Auth::Basic(id, secret) => request = request.basic_auth(id, Some(secret)),
        Auth::Post(id, secret) => form.extend([("client_id", id), ("client_secret", secret)]),
        Auth::Id(id) => form.push(("client_id", id)),
    }
    Answer::of(request.form(&form).send().await.unwrap()).await
}

/// UserInfo with a bearer token (GET).
pub async fn userinfo_raw(app: &TestApp, token: &str) -> Answer {
    Answer::of(http().get(app.url("/oauth2/userinfo")).bearer_auth(token).send().await.unwrap()).await
}

/// Asserts UserInfo refuses `token` as RFC 6750 §3.1 says: 401 `invalid_token`.
pub async fn assert_token_refused(app: &TestApp, token: &str, what: &str) {
    let answer = userinfo_raw(app, token).await;
    assert_eq!(answer.status, 401, "{what}: {}", answer.text);
    let challenge = answer.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#), "{what}: {challenge}");
}

/// Asserts our own error page: 400, no redirect, no-store.
pub fn assert_refused_page(landing: Landing, what: &str) {
    match landing {
        Landing::Page(page) => {
            assert_eq!(page.status, 400, "{what}: {}", page.text);
            assert!(page.text.contains("We cannot continue this sign-in"), "{what}: {}", page.text);
            assert_eq!(page.header("cache-control"), Some("no-store"), "{what}");
            assert!(page.header("location").is_none(), "{what}");
        }
        other => panic!("{what}: must not leave Foyer: {other:?}"),
    }
}

/// One registered client and the crate's client over the discovered metadata.
pub struct Rp {
    pub id: String,
    pub secret: Option<String>,
    pub registered: identity::oidc::clients::Client,
    pub redirect: String,
    pub issuer: String,
    pub alg: CoreJwsSigningAlgorithm,
    pub http: reqwest::Client,
    pub meta: RpMetadata,
    pub client: RpClient,
}

impl std::fmt::Debug for Rp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rp").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Rp {
    /// Registers `spec` (dev mode: http loopback URIs) and discovers the provider. The
    /// first redirect URI is the one the RP uses.
    pub async fn register(app: &TestApp, spec: ClientSpec) -> Self {
        let new = app.with_client_spec(spec).await;
        let secret = new.secret.as_ref().map(|s| s.expose_secret().to_owned());
        let registered = new.client;
        let http = http();
        let meta = discover(app, &http).await;
        let alg: CoreJwsSigningAlgorithm = serde_json::from_value(json!(registered.id_token_alg)).unwrap();
        let redirect = registered.redirect_uris[0].clone();
        let client = Self::build(&meta, &registered, secret.as_deref(), &redirect);
        Self { id: registered.id.clone(), secret, registered, redirect, issuer: app.public_url.clone(), alg, http, meta, client }
    }

    fn build(meta: &RpMetadata, registered: &identity::oidc::clients::Client, secret: Option<&str>, redirect: &str) -> RpClient {
        let extra = meta.additional_metadata();
        let auth = if registered.auth_method == "client_secret_post" { AuthType::RequestBody } else { AuthType::BasicAuth };
        Client::from_provider_metadata(meta.clone(), ClientId::new(registered.id.clone()), secret.map(|s| ClientSecret::new(s.to_owned())))
            .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).unwrap())
            .set_auth_type(auth)
            .set_token_uri(meta.token_endpoint().cloned().expect("token endpoint"))
            .set_user_info_url(meta.userinfo_endpoint().cloned().expect("userinfo endpoint"))
            .set_introspection_url(IntrospectionUrl::new(extra.introspection_endpoint.clone()).unwrap())
            .set_revocation_url(RevocationUrl::new(extra.revocation_endpoint.clone()).unwrap())
    }

    /// Discovery and the JWKS again (after a key rotation).
    pub async fn rediscover(&mut self, app: &TestApp) {
        self.meta = discover(app, &self.http).await;
        self.client = Self::build(&self.meta, &self.registered, self.secret.as_deref(), &self.redirect);
    }

    /// How raw requests authenticate as this client.
    pub fn auth(&self) -> Auth<'_> {
        match (self.registered.auth_method.as_str(), self.secret.as_deref()) {
            ("client_secret_post", Some(secret)) => Auth::Post(&self.id, secret),
            (_, Some(secret)) => Auth::Basic(&self.id, secret),
            _ => Auth::Id(&self.id),
        }
    }

    /// The authorization URL for `openid` plus `scopes`, with state, nonce and PKCE S256.
    pub fn start(&self, scopes: &[&str]) -> AuthStart {
        self.start_with(scopes, &[])
    }

    pub fn start_with(&self, scopes: &[&str], extra: &[(&str, &str)]) -> AuthStart {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge);
        for (k, v) in extra {
            request = request.add_extra_param(*k, *v);
        }
        let (url, state, nonce) = request.url();
        AuthStart { url, state, nonce, verifier }
    }

    /// `/oauth2/authorize?…` with exactly `params` (for requests the crate would not make).
    pub fn raw_authorize_url(&self, params: &[(&str, &str)]) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        format!("{}/oauth2/authorize?{query}", self.issuer)
    }

    /// The code exchange through the crate; `Err` is the OAuth error code.
    pub async fn redeem(&self, code: &str, verifier: PkceCodeVerifier) -> Result<RpTokenResponse, String> {
        self.client.exchange_code(AuthorizationCode::new(code.to_owned())).set_pkce_verifier(verifier).request_async(&self.http).await.map_err(error_code)
    }

    /// The code exchange done by hand, with whatever parameters the test wants.
    pub async fn redeem_raw(&self, app: &TestApp, code: &str, redirect_uri: Option<&str>, verifier: Option<&str>) -> Answer {
        let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
        if let Some(uri) = redirect_uri {
            form.push(("redirect_uri", uri));
        }
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        post_form(app, "/oauth2/token", self.auth(), &form).await
    }

    /// Verifies an ID token as an RP must: signature (the client's alg only), `iss`,
    /// `aud`, `exp`, `iat`, nonce (or its absence), and `at_hash` when an access token
    /// came with it.
    pub fn check_id_token(&self, token: &RpIdToken, access: Option<&AccessToken>, nonce: Option<&Nonce>) -> Result<RpIdTokenClaims, String> {
        let verifier = self.client.id_token_verifier().set_allowed_algs(vec![self.alg.clone()]);
        let checked = match nonce {
            Some(expected) => token.claims(&verifier, expected),
            None => token.claims(&verifier, |got: Option<&Nonce>| if got.is_some() { Err("unexpected nonce".to_owned()) } else { Ok(()) }),
        };
        let claims = checked.map_err(|e| e.to_string())?.clone();
        if let Some(access) = access {
            let expected = claims.access_token_hash().ok_or("no at_hash")?;
            let alg = token.signing_alg().map_err(|e| e.to_string())?;
            let key = token.signing_key(&verifier).map_err(|e| e.to_string())?;
            let actual = AccessTokenHash::from_token(access, alg, key).map_err(|e| e.to_string())?;
            if &actual != expected {
                return Err("at_hash does not match the access token".to_owned());
            }
        }
        Ok(claims)
    }

    /// Redeems a callback's code and verifies everything; panics on any failure.
    pub async fn finish(&self, start: AuthStart, callback: &Callback) -> SignedIn {
        assert_eq!(callback.get("state"), Some(start.state.secret().as_str()), "state comes back: {}", callback.url);
        assert_eq!(callback.get("iss"), Some(self.issuer.as_str()), "RFC 9207 iss: {}", callback.url);
        let nonce = start.nonce.clone();
        let tokens = self.redeem(callback.code(), start.verifier).await.unwrap_or_else(|e| panic!("code exchange: {e}"));
        let id_token = tokens.id_token().cloned().expect("an ID token for scope openid");
        let claims = self.check_id_token(&id_token, Some(tokens.access_token()), Some(&nonce)).unwrap_or_else(|e| panic!("ID token: {e}"));
        SignedIn { access: tokens.access_token().clone(), refresh: tokens.refresh_token().cloned(), id_token, claims, tokens, nonce }
    }

    /// The whole code flow for `browser` (signed in already): consent approved if asked.
    pub async fn sign_in(&self, browser: &Browser, scopes: &[&str]) -> SignedIn {
        let start = self.start(scopes);
        let callback = browser.code_for(start.url.as_str()).await;
        self.finish(start, &callback).await
    }

    /// UserInfo through the crate (it checks `sub` against `expected`).
    pub async fn userinfo(&self, access: &AccessToken, expected: Option<&str>) -> Result<Value, String> {
        let claims: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = self
            .client
            .user_info(access.clone(), expected.map(|s| SubjectIdentifier::new(s.to_owned())))
            .request_async(&self.http)
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::to_value(&claims).unwrap())
    }

    pub async fn refresh(&self, token: &RefreshToken) -> Result<RpTokenResponse, String> {
        self.client.exchange_refresh_token(token).request_async(&self.http).await.map_err(error_code)
    }

    pub async fn refresh_with_scopes(&self, token: &RefreshToken, scopes: &[&str]) -> Result<RpTokenResponse, String> {
        self.client
            .exchange_refresh_token(token)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.http)
            .await
            .map_err(error_code)
    }

    /// RFC 7009 revocation, sent as the crate would send it. (The crate's own
    /// `revoke_token` refuses a non-https endpoint, `ConfigurationError::InsecureUrl`, and
    /// the test server speaks plain http.) Always 200 (RFC 7009 §2.2).
    pub async fn revoke(&self, app: &TestApp, token: &str, hint: &str) {
        let answer = post_form(app, "/oauth2/revoke", self.auth(), &[("token", token), ("token_type_hint", hint)]).await;
        assert_eq!(answer.status, 200, "revocation: {}", answer.text);
        assert_eq!(answer.header("cache-control"), Some("no-store"));
    }

    pub async fn introspect(&self, token: &str, hint: Option<&str>) -> CoreTokenIntrospectionResponse {
        let token = AccessToken::new(token.to_owned());
        let mut request = self.client.introspect(&token);
        if let Some(hint) = hint {
            request = request.set_token_type_hint(hint);
        }
        request.request_async(&self.http).await.unwrap_or_else(|e| panic!("introspection: {e:?}"))
    }

    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<RpTokenResponse, String> {
        self.client
            .exchange_client_credentials()
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.http)
            .await
            .map_err(error_code)
    }

    /// Verifies a back-channel logout token (Back-Channel Logout 1.0 §2.4, §2.6) against
    /// the JWKS this RP discovered; returns its claims.
    pub fn verify_logout_token(&self, token: &str) -> Value {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "a compact JWS");
        let (header, claims) = jwt_parts(token);
        assert_eq!(header["typ"], "logout+jwt", "{header}");
        let alg: CoreJwsSigningAlgorithm = serde_json::from_value(header["alg"].clone()).unwrap();
        assert_eq!(alg, self.alg, "signed with the client's ID token alg");
        let kid = header["kid"].as_str().expect("a kid");
        let key = self.meta.jwks().keys().iter().find(|k| k.key_id().map(|id| id.as_str()) == Some(kid)).expect("the kid is in the JWKS");
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        key.verify_signature(&alg, format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).expect("the logout token's signature verifies");
        assert_eq!(claims["iss"], self.issuer.as_str());
        let aud_ok = claims["aud"] == json!(self.id) || claims["aud"] == json!([self.id]);
        assert!(aud_ok, "aud is the client: {claims}");
        assert_eq!(claims["events"], json!({ BACKCHANNEL_EVENT: {} }));
        assert!(claims.get("nonce").is_none(), "a logout token never carries nonce: {claims}");
        let (iat, exp) = (claims["iat"].as_i64().expect("iat"), claims["exp"].as_i64().expect("exp"));
        assert!(exp > iat, "{claims}");
        assert!((iat - now_s()).abs() < 3_600, "iat in seconds, about now: {claims}");
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()), "{claims}");
        assert!(claims["sub"].is_string() || claims["sid"].is_string(), "sub and/or sid: {claims}");
        claims
    }
}

// ---------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------

/// Where a browser's walk through Foyer stopped.
#[derive(Debug)]
pub enum Landing {
    /// A 303 to the client's redirect URI (or anywhere outside Foyer).
    Callback(Callback),
    /// A 303 to the sign-in page; `return_to` is where it comes back.
    Login { return_to: String },
    /// A 303 to the consent page for the request `r`.
    Consent { r: String },
    /// A page (status, body, headers), e.g. an error page or a form_post answer.
    Page(Answer),
}

impl Landing {
    pub fn callback(self) -> Callback {
        match self {
            Self::Callback(c) => c,
            other => panic!("expected a redirect to the client, got {other:?}"),
        }
    }
    pub fn page(self) -> Answer {
        match self {
            Self::Page(a) => a,
            other => panic!("expected a page, got {other:?}"),
        }
    }
    pub fn consent(self) -> String {
        match self {
            Self::Consent { r } => r,
            other => panic!("expected the consent page, got {other:?}"),
        }
    }
    pub fn login(self) -> String {
        match self {
            Self::Login { return_to } => return_to,
            other => panic!("expected the sign-in page, got {other:?}"),
        }
    }
}

/// A redirect to the client with its query parameters.
#[derive(Debug, Clone)]
pub struct Callback {
    pub url: Url,
    pub params: Vec<(String, String)>,
}

impl Callback {
    pub fn parse(location: &str) -> Self {
        let url = Url::parse(location).unwrap_or_else(|e| panic!("{location}: {e}"));
        let params = url.query_pairs().into_owned().collect();
        Self { url, params }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut values = self.params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        assert!(values.next().is_none(), "{name} repeated in {}", self.url);
        first
    }
    pub fn code(&self) -> &str {
        self.get("code").unwrap_or_else(|| panic!("no code in {}", self.url))
    }
    /// Asserts an authorization error response (RFC 6749 §4.1.2.1, RFC 9207).
    pub fn assert_error(&self, rp: &Rp, error: &str, state: Option<&str>) {
        assert_eq!(self.get("error"), Some(error), "{}", self.url);
        assert!(self.get("error_description").is_some_and(description_ok), "{}", self.url);
        assert_eq!(self.get("state"), state, "{}", self.url);
        assert_eq!(self.get("iss"), Some(rp.issuer.as_str()), "{}", self.url);
        assert!(self.get("code").is_none(), "{}", self.url);
        let base = format!("{}://{}{}", self.url.scheme(), self.url.host_str().unwrap_or_default(), self.url.port().map(|p| format!(":{p}")).unwrap_or_default());
        assert!(rp.registered.redirect_uris.iter().any(|u| u.starts_with(&format!("{base}{}", self.url.path()))), "to a registered URI: {}", self.url);
    }
}

/// A cookie-keeping client that follows no redirects.
pub struct Browser {
    pub http: reqwest::Client,
    address: String,
    public_url: String,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
            .build()
            .unwrap();
        Self { http, address: app.address.clone(), public_url: app.public_url.clone() }
    }

    /// A browser over an existing cookie-keeping client (one that follows no
    /// redirects): e.g. a support agent's, holding their support session.
    pub fn with_client(app: &TestApp, http: reqwest::Client) -> Self {
        Self { http, address: app.address.clone(), public_url: app.public_url.clone() }
    }

    /// The same browser (its cookies) talking to `app`'s address: another node of a
    /// cluster, or the proxy in front of them.
    pub fn at(&self, app: &TestApp) -> Self {
        Self { http: self.http.clone(), address: app.address.clone(), public_url: app.public_url.clone() }
    }

    /// Foyer's own URLs go to the listening address (cookies are kept per host).
    fn local(&self, url: &str) -> String {
        if let Some(rest) = url.strip_prefix(&self.public_url) {
            format!("{}{rest}", self.address)
        } else if url.starts_with('/') {
            format!("{}{url}", self.address)
        } else {
            url.to_owned()
        }
    }

    fn is_foyer(&self, location: &str) -> bool {
        location.starts_with('/') || location.starts_with(&self.public_url) || location.starts_with(&self.address)
    }

    /// A server-function POST with the headers of a same-origin `fetch`.
    pub async fn server_fn(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/{endpoint}", self.address))
            .header(header::ORIGIN, self.public_url.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let answer = Answer::of(response).await;
        (answer.status, if answer.body.is_null() && !answer.text.is_empty() && answer.text != "null" { Value::String(answer.text) } else { answer.body })
    }

    pub async fn sign_in(&self, email: &str) {
        let (status, body) = self.server_fn("login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(status, 200, "sign-in: {body}");
    }

    pub async fn sign_out(&self) {
        let (status, body) = self.server_fn("logout", &[]).await;
        assert_eq!(status, 200, "sign-out: {body}");
    }

    /// The signed-in customer's email per the `me` server function, or `None`.
    pub async fn me(&self) -> Option<String> {
        let (status, body) = self.server_fn("me", &[]).await;
        assert_eq!(status, 200, "me: {body}");
        body["email"].as_str().map(str::to_owned)
    }

    /// GETs `url` and follows Foyer's own 303s until it leaves Foyer, asks for sign-in
    /// or consent, or answers a page.
    pub async fn visit(&self, url: &str) -> Landing {
        let mut url = self.local(url);
        for _ in 0..10 {
            let response = self.http.get(&url).send().await.unwrap();
            let status = response.status();
            if !status.is_redirection() {
                return Landing::Page(Answer::of(response).await);
            }
            let location = response.headers().get(header::LOCATION).expect("a Location").to_str().unwrap().to_owned();
            assert_eq!(status.as_u16(), 303, "Foyer redirects with 303 See Other: {location}");
            if !self.is_foyer(&location) {
                let value = |name: header::HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                assert_eq!(value(header::CACHE_CONTROL).as_deref(), Some("no-store"), "{location}");
                assert_eq!(value(header::REFERRER_POLICY).as_deref(), Some("no-referrer"), "the code must not leak by Referer: {location}");
                return Landing::Callback(Callback::parse(&location));
            }
            let path = self.local(&location)[self.address.len()..].to_owned();
            let query = |name: &str| {
                Url::parse(&format!("http://x{path}")).unwrap().query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
            };
            if path.starts_with("/login") {
                return Landing::Login { return_to: query("return_to").expect("return_to") };
            }
            if path.starts_with("/oauth2/consent") {
                return Landing::Consent { r: query("r").expect("r") };
            }
            url = self.local(&location);
        }
        panic!("too many redirects");
    }

    /// Allow (or Deny) on the consent page, then on through `/oauth2/continue`.
    pub async fn decide(&self, r: &str, allow: bool) -> Landing {
        let (status, next) = self.server_fn("consent_decide", &[("r", r), ("allow", if allow { "true" } else { "false" })]).await;
        assert_eq!(status, 200, "consent: {next}");
        let next = next.as_str().expect("where to continue").to_owned();
        assert!(next.starts_with("/oauth2/continue?r="), "{next}");
        self.visit(&next).await
    }

    /// Signs in on the sign-in page the flow led to, then follows `return_to`.
    pub async fn sign_in_and_return(&self, email: &str, return_to: &str) -> Landing {
        let (status, next) = self.server_fn("login", &[("email", email), ("password", PASSWORD), ("return_to", return_to)]).await;
        assert_eq!(status, 200, "sign-in: {next}");
        let next = next.as_str().expect("where to go").to_owned();
        assert_eq!(next, return_to);
        self.visit(&next).await
    }

    /// Walks an authorization request to the client's redirect URI, approving consent
    /// when asked (the browser must be signed in).
    pub async fn code_for(&self, url: &str) -> Callback {
        match self.visit(url).await {
            Landing::Consent { r } => self.decide(&r, true).await.callback(),
            other => other.callback(),
        }
    }
}

// ---------------------------------------------------------------------------------
// Back-channel logout receiver
// ---------------------------------------------------------------------------------

/// An RP's back-channel logout endpoint: records every `logout_token` POSTed to it.
pub struct LogoutReceiver {
    pub url: String,
    tokens: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for LogoutReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutReceiver").field("url", &self.url).finish_non_exhaustive()
    }
}

impl LogoutReceiver {
    pub async fn start() -> Self {
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&tokens);
        let router = axum::Router::new().route(
            "/backchannel-logout",
            axum::routing::post(move |axum::Form(form): axum::Form<Vec<(String, String)>>| {
                let seen = Arc::clone(&seen);
                async move {
                    let found: Vec<String> = form.into_iter().filter(|(k, _)| k == "logout_token").map(|(_, v)| v).collect();
                    if found.len() != 1 {
                        return axum::http::StatusCode::BAD_REQUEST;
                    }
                    seen.lock().unwrap().extend(found);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { url: format!("http://127.0.0.1:{port}/backchannel-logout"), tokens }
    }

    /// The tokens received since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.tokens.lock().unwrap())
    }
}
