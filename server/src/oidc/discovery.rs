//! `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`
//! (OIDC Discovery §3–4, RFC 8414 §2–3): exactly what is supported, built with the
//! `openidconnect` crate's metadata types; members the crate lacks are flattened in
//! from [`FoyerMetadata`].

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use identity::oidc::clients::SUPPORTED_SCOPES;
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{AdditionalProviderMetadata, AuthUrl, IssuerUrl, JsonWebKeySetUrl, LanguageTag, ProviderMetadata, ResponseTypes, Scope, TokenUrl, UserInfoUrl};
use serde::{Deserialize, Serialize};

use crate::http::AppState;

/// Discovery members `openidconnect` has no field for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoyerMetadata {
    pub end_session_endpoint: String,
    pub introspection_endpoint: String,
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    pub revocation_endpoint: String,
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub prompt_values_supported: Vec<String>,
    pub authorization_response_iss_parameter_supported: bool,
    pub backchannel_logout_supported: bool,
    pub backchannel_logout_session_supported: bool,
    pub frontchannel_logout_supported: bool,
}

impl AdditionalProviderMetadata for FoyerMetadata {}

pub type FoyerProviderMetadata = ProviderMetadata<
    FoyerMetadata,
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

/// Every claim we can release, plus the ones every ID token carries.
const CLAIMS: [&str; 33] = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash", "name", "given_name", "family_name",
    "birthdate", "locale", "zoneinfo", "updated_at", "email", "email_verified", "phone_number", "phone_number_verified", "address",
    "client_id", "scope", "jti", "events", "token_type", "consents", "attributes", "preferences", "household", "loyalty",
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The document for `issuer`.
pub fn document(issuer: &str) -> Result<FoyerProviderMetadata, url::ParseError> {
    let at = |path: &str| format!("{issuer}{path}");
    let secret_methods = strings(&["client_secret_basic", "client_secret_post", "private_key_jwt"]);
    let mut with_none = secret_methods.clone();
    with_none.push("none".to_owned());
    let extra = FoyerMetadata {
        end_session_endpoint: at("/oauth2/logout"),
        introspection_endpoint: at("/oauth2/introspect"),
        introspection_endpoint_auth_methods_supported: secret_methods,
        revocation_endpoint: at("/oauth2/revoke"),
        revocation_endpoint_auth_methods_supported: with_none,
        code_challenge_methods_supported: strings(&["S256"]),
        prompt_values_supported: strings(&["none", "login", "consent", "select_account"]),
        authorization_response_iss_parameter_supported: true,
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
        frontchannel_logout_supported: false,
    };
    let metadata = FoyerProviderMetadata::new(
        IssuerUrl::new(issuer.to_owned())?,
        AuthUrl::new(at("/oauth2/authorize"))?,
        JsonWebKeySetUrl::new(at("/oauth2/jwks"))?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public, CoreSubjectIdentifierType::Pairwise],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, CoreJwsSigningAlgorithm::EcdsaP256Sha256, CoreJwsSigningAlgorithm::EdDsa],
        extra,
    )
    .set_token_endpoint(Some(TokenUrl::new(at("/oauth2/token"))?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(at("/oauth2/userinfo"))?))
    .set_scopes_supported(Some(SUPPORTED_SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect()))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query, CoreResponseMode::FormPost]))
    .set_grant_types_supported(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
        CoreGrantType::ClientCredentials,
        // RFC 8693, for delegates of clients that opted in (`identity::oidc::exchange`).
        CoreGrantType::Extension(identity::oidc::exchange::GRANT_TYPE.to_owned()),
    ]))
    .set_acr_values_supported(Some(["foyer:pwd", "foyer:passkey", "foyer:mfa"].iter().map(|a| openidconnect::AuthenticationContextClass::new((*a).to_owned())).collect()))
    .set_token_endpoint_auth_methods_supported(Some(vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
        CoreClientAuthMethod::PrivateKeyJwt,
        CoreClientAuthMethod::None,
    ]))
    .set_token_endpoint_auth_signing_alg_values_supported(Some(vec![
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        CoreJwsSigningAlgorithm::RsaSsaPssSha256,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        CoreJwsSigningAlgorithm::EdDsa,
    ]))
    .set_claims_supported(Some(CLAIMS.iter().map(|c| CoreClaimName::new((*c).to_owned())).collect()))
    .set_claim_types_supported(Some(vec![CoreClaimType::Normal]))
    .set_ui_locales_supported(Some(vec![LanguageTag::new("en".to_owned())]))
    .set_claims_parameter_supported(Some(false))
    .set_request_parameter_supported(Some(false))
    .set_request_uri_parameter_supported(Some(false));
    Ok(metadata)
}

/// The document for `issuer` as the bytes every discovery request is answered with
/// (built once per node: it changes only with the issuer).
pub fn serialized(issuer: &str) -> anyhow::Result<axum::body::Bytes> {
    Ok(serde_json::to_vec(&document(issuer)?)?.into())
}

pub async fn metadata(State(state): State<AppState>) -> Response {
    public_json(state.discovery.clone())
}

/// A public JSON document any site may read and cache for five minutes (discovery, JWKS).
pub fn public_json(body: axum::body::Bytes) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
    ];
    (headers, body).into_response()
}
