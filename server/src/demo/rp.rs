//! The relying-party protocol of one demo site, over the `openidconnect` crate: discovery
//! (lazily, and again when a `kid` is unknown), the code flow with PKCE S256, nonce and
//! state, ID token verification (the client's alg only, plus `at_hash`, which the crate
//! does not check), UserInfo, refresh, the RP-initiated logout URL, and back-channel
//! logout tokens. Tokens are never logged; errors carry only text safe to show.

use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode, ClaimsVerificationError, Client, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdToken, IdTokenClaims, IdTokenFields, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse as _,
};
use secrecy::ExposeSecret as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::RwLock;
use url::Url;

use super::logout_token::{self, LogoutClaims, LogoutTokenError};
use super::site::{ClientAuth, SiteConfig};

/// The claims the crate's ID token and UserInfo types lack: the provider's session id, and
/// Foyer's own claims a brand reads (`consents`, `attributes`, `preferences`, `household`,
/// `loyalty`, and `act` for a delegated sign-in), shown as received.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SidClaim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(flatten)]
    pub brand_data: BrandDataClaims,
}
impl AdditionalClaims for SidClaim {}

/// Foyer's own claims a brand reads, in the ID token and from UserInfo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct BrandDataClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consents: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<Value>,
    /// The `household` scope's claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<Value>,
    /// The `loyalty` scope's claim: the customer's verified memberships this brand sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty: Option<Value>,
    /// Who acts, when a household member signed in on the customer's behalf (RFC 8693).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
}
impl AdditionalClaims for BrandDataClaims {}

pub(crate) type DemoIdToken = IdToken<SidClaim, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type DemoIdTokenClaims = IdTokenClaims<SidClaim, CoreGenderClaim>;
type DemoTokenResponse = StandardTokenResponse<
    IdTokenFields<SidClaim, EmptyExtraTokenFields, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>,
    CoreTokenType,
>;
type DemoClient = Client<
    SidClaim,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    DemoTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A failure of the protocol, worded for the page.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RpError {
    #[error("Northwind ID cannot be reached right now. Try again in a moment.")]
    Unreachable,
    /// The refresh token (or the grant behind it) is no longer valid.
    #[error("Your Northwind ID session has ended. Sign in again.")]
    GrantEnded,
    /// An ID token signed with a key the cached JWKS does not have.
    #[error("The ID token was signed with an unknown key.")]
    UnknownKey,
    #[error("{0}")]
    Protocol(String),
}

fn protocol(text: impl Into<String>) -> RpError {
    RpError::Protocol(text.into())
}

/// What `/login` remembers until `/callback`, keyed by `state`.
#[derive(Debug)]
pub(crate) struct PendingLogin {
    pub verifier: PkceCodeVerifier,
    pub nonce: Nonce,
}

/// Tokens and claims after a sign-in.
pub(crate) struct SignedIn {
    pub sub: String,
    pub sid: Option<String>,
    pub id_token: DemoIdToken,
    pub id_claims: Map<String, Value>,
    pub userinfo: Map<String, Value>,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn").field("sub", &self.sub).field("sid", &self.sid).finish_non_exhaustive()
    }
}

/// Tokens after a refresh; a new ID token when the provider sent one.
pub(crate) struct Refreshed {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<(DemoIdToken, Map<String, Value>)>,
}

impl std::fmt::Debug for Refreshed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refreshed").field("new_id_token", &self.id_token.is_some()).finish_non_exhaustive()
    }
}

/// One site's relying party: its configuration, an HTTP client that follows no
/// redirects, and the provider metadata once discovered.
#[derive(Debug)]
pub(crate) struct RelyingParty {
    pub config: SiteConfig,
    http: reqwest::Client,
    provider: RwLock<Option<Arc<ProviderMetadataWithLogout>>>,
}

impl RelyingParty {
    pub fn new(config: SiteConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { config, http, provider: RwLock::new(None) })
    }

    /// The provider metadata, discovered at first use (Foyer may start after the site).
    async fn provider(&self) -> Result<Arc<ProviderMetadataWithLogout>, RpError> {
        if let Some(p) = self.provider.read().await.as_ref() {
            return Ok(p.clone());
        }
        self.rediscover().await
    }

    /// Fetches discovery and the JWKS again (first use, or a `kid` we do not know).
    async fn rediscover(&self) -> Result<Arc<ProviderMetadataWithLogout>, RpError> {
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|_| protocol("The issuer URL is not valid."))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http).await.map_err(|e| {
            tracing::warn!(site = %self.config.name, error = %e, "OpenID Connect discovery failed");
            RpError::Unreachable
        })?;
        let metadata = Arc::new(metadata);
        *self.provider.write().await = Some(metadata.clone());
        Ok(metadata)
    }

    fn client(&self, provider: &ProviderMetadataWithLogout) -> Result<DemoClient, RpError> {
        let secret = ClientSecret::new(self.config.client_secret.expose_secret().to_owned());
        let redirect = RedirectUrl::new(super::callback_uri(&self.config.public_url)).map_err(|_| protocol("The callback URL is not valid."))?;
        let auth = match self.config.auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Post => AuthType::RequestBody,
        };
        Ok(DemoClient::from_provider_metadata(provider.clone(), ClientId::new(self.config.client_id.clone()), Some(secret))
            .set_redirect_uri(redirect)
            .set_auth_type(auth))
    }

    /// The authorization URL (code flow, PKCE S256, nonce, state) and what to remember.
    pub async fn start_login(&self) -> Result<(Url, CsrfToken, PendingLogin), RpError> {
        let provider = self.provider().await?;
        let client = self.client(&provider)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let scopes = self.config.scopes.iter().filter(|s| s.as_str() != "openid").map(|s| Scope::new(s.clone()));
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scopes(scopes)
            .set_pkce_challenge(challenge)
            .url();
        Ok((url, state, PendingLogin { verifier, nonce }))
    }

    /// Redeems the code, verifies the ID token and fetches UserInfo.
    pub async fn finish_login(&self, code: String, pending: PendingLogin) -> Result<SignedIn, RpError> {
        let provider = self.provider().await?;
        let client = self.client(&provider)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|_| protocol("Northwind ID has no token endpoint."))?
            .set_pkce_verifier(pending.verifier)
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let id_token = response.id_token().cloned().ok_or_else(|| protocol("Northwind ID sent no ID token."))?;
        let claims = self.verify_id_token(&id_token, response.access_token(), Some(&pending.nonce)).await?;
        let sub = claims.subject().clone();
        let userinfo = client
            .user_info(response.access_token().clone(), Some(sub.clone()))
            .map_err(|_| protocol("Northwind ID has no UserInfo endpoint."))?
            .request_async::<BrandDataClaims, _, CoreGenderClaim>(&self.http)
            .await
            .map_err(|e| protocol(format!("UserInfo failed: {e}")))?;
        Ok(SignedIn {
            sub: sub.to_string(),
            sid: claims.additional_claims().sid.clone(),
            id_claims: to_map(&claims),
            userinfo: to_map(&userinfo),
            id_token,
            access_token: response.access_token().clone(),
            refresh_token: response.refresh_token().cloned(),
        })
    }

    /// Exchanges a refresh token; a new ID token must name the same subject and no nonce.
    pub async fn refresh(&self, refresh_token: &RefreshToken, sub: &str) -> Result<Refreshed, RpError> {
        let provider = self.provider().await?;
        let client = self.client(&provider)?;
        let response = client
            .exchange_refresh_token(refresh_token)
            .map_err(|_| protocol("Northwind ID has no token endpoint."))?
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let id_token = match response.id_token() {
            Some(token) => {
                let claims = self.verify_id_token(token, response.access_token(), None).await?;
                if claims.subject().as_str() != sub {
                    return Err(protocol("The refreshed ID token names someone else."));
                }
                Some((token.clone(), to_map(&claims)))
            }
            None => None,
        };
        Ok(Refreshed { access_token: response.access_token().clone(), refresh_token: response.refresh_token().cloned(), id_token })
    }

    /// Verifies an ID token, fetching the keys again once if its `kid` is unknown.
    async fn verify_id_token(&self, token: &DemoIdToken, access_token: &AccessToken, nonce: Option<&Nonce>) -> Result<DemoIdTokenClaims, RpError> {
        let provider = self.provider().await?;
        match self.check_id_token(&provider, token, access_token, nonce) {
            Err(RpError::UnknownKey) => {
                let provider = self.rediscover().await?;
                self.check_id_token(&provider, token, access_token, nonce)
            }
            other => other,
        }
    }

    fn check_id_token(
        &self,
        provider: &ProviderMetadataWithLogout,
        token: &DemoIdToken,
        access_token: &AccessToken,
        nonce: Option<&Nonce>,
    ) -> Result<DemoIdTokenClaims, RpError> {
        let client = self.client(provider)?;
        let verifier = client.id_token_verifier().set_allowed_algs(vec![self.config.id_token_alg.clone()]);
        let checked = match nonce {
            Some(expected) => token.claims(&verifier, expected),
            // A refreshed ID token carries no nonce (OIDC Core §12.2).
            None => token.claims(&verifier, |got: Option<&Nonce>| if got.is_some() { Err("unexpected nonce".to_owned()) } else { Ok(()) }),
        };
        let claims = checked.map_err(|e| match e {
            ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey) => RpError::UnknownKey,
            other => protocol(format!("The ID token was refused: {other}")),
        })?;
        if let Some(expected) = claims.access_token_hash() {
            let alg = token.signing_alg().map_err(|_| protocol("The ID token is not signed."))?;
            let key = token.signing_key(&verifier).map_err(|_| RpError::UnknownKey)?;
            let actual = AccessTokenHash::from_token(access_token, alg, key).map_err(|_| protocol("at_hash cannot be computed."))?;
            if &actual != expected {
                return Err(protocol("The ID token's at_hash does not match the access token."));
            }
        }
        Ok(claims.clone())
    }

    /// The provider's end-session URL with `id_token_hint`, `client_id`,
    /// `post_logout_redirect_uri` and `state`; `None` when it cannot be built.
    pub async fn end_session_url(&self, id_token: &DemoIdToken, state: CsrfToken) -> Option<Url> {
        let provider = self.provider().await.ok()?;
        let endpoint = provider.additional_metadata().end_session_endpoint.clone()?;
        let back = PostLogoutRedirectUrl::new(super::home_uri(&self.config.public_url)).ok()?;
        let request = LogoutRequest::from(endpoint)
            .set_id_token_hint(id_token)
            .set_client_id(ClientId::new(self.config.client_id.clone()))
            .set_post_logout_redirect_uri(back)
            .set_state(state);
        Some(request.http_get_url())
    }

    /// Verifies a back-channel logout token (`now` in seconds); the `jti` is the
    /// caller's to check for replay.
    pub async fn verify_logout_token(&self, token: &str, now: i64) -> Result<LogoutClaims, LogoutTokenError> {
        let parsed = logout_token::parse(token, &self.config.id_token_alg)?;
        let provider = self.provider().await.map_err(|_| LogoutTokenError::Unavailable)?;
        match logout_token::verify_signature(provider.jwks(), &parsed) {
            Err(LogoutTokenError::UnknownKey) => {
                let provider = self.rediscover().await.map_err(|_| LogoutTokenError::Unavailable)?;
                logout_token::verify_signature(provider.jwks(), &parsed)?;
            }
            other => other?,
        }
        logout_token::check_claims(&parsed.claims, &self.config.issuer, &self.config.client_id, now)
    }
}

/// A token endpoint failure: `invalid_grant` ends the local session, the rest is shown.
fn token_error<RE: std::error::Error + 'static>(e: RequestTokenError<RE, StandardErrorResponse<CoreErrorResponseType>>) -> RpError {
    match e {
        RequestTokenError::ServerResponse(r) if *r.error() == CoreErrorResponseType::InvalidGrant => RpError::GrantEnded,
        RequestTokenError::ServerResponse(r) => protocol(format!("The token endpoint refused: {r}")),
        RequestTokenError::Request(_) => RpError::Unreachable,
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => protocol("The token endpoint sent an answer we cannot read."),
    }
}

/// Claims as a JSON object, for the page.
fn to_map<T: Serialize>(claims: &T) -> Map<String, Value> {
    match serde_json::to_value(claims) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}
