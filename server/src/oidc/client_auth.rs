//! Client authentication at the token, introspection and revocation endpoints (RFC 6749
//! §2.3, OIDC Core §9): exactly one method, and it must be the client's registered one.

use std::net::IpAddr;

use app::context::ClientIp;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use identity::oidc::assertion::ASSERTION_TYPE;
use identity::oidc::clients::Client;

use super::errors::{OAuthError, invalid_client, server_error};
use crate::http::AppState;

/// A form body (or query): every parameter with its repeats (RFC 6749 §3.1, §3.2: none
/// may repeat).
#[derive(Debug, Clone)]
pub struct Params(pub Vec<(String, String)>);

/// A parameter that came more than once.
#[derive(Debug, Clone, Copy)]
pub struct Repeated(pub &'static str);

/// At the token, introspection and revocation endpoints: `invalid_request`.
impl From<Repeated> for Response {
    fn from(Repeated(name): Repeated) -> Self {
        OAuthError::invalid_request(format!("The {name} parameter is repeated.")).into()
    }
}

/// A form body as [`Params`]; a body that is not `application/x-www-form-urlencoded` is
/// `invalid_request` in RFC 6749's JSON, not the framework's plain-text rejection.
impl<S: Send + Sync> axum::extract::FromRequest<S> for Params {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(axum::Form(pairs)) => Ok(Self(pairs)),
            Err(_) => Err(OAuthError::invalid_request("The body must be application/x-www-form-urlencoded.").into()),
        }
    }
}

impl Params {
    /// The parameters of a query string.
    pub fn from_query(raw: Option<&str>) -> Self {
        Self(url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect())
    }

    /// The parameters as a query string (a POST answered with 303 to its GET form).
    pub fn to_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.0).finish()
    }

    /// The single non-empty value of `name`; `Err` if it is repeated.
    pub fn one(&self, name: &'static str) -> Result<Option<&str>, Repeated> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Repeated(name));
        }
        Ok(first.filter(|v| !v.is_empty()))
    }
}

/// `Authorization: Basic` with the id and secret form-urldecoded after base64 (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok().and_then(|b| String::from_utf8(b).ok());
    Some(decoded.and_then(|text| {
        let (id, secret) = text.split_once(':')?;
        let decode = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
        Some((decode(id)?, decode(secret)?))
    }))
}

/// Authenticates the calling client. `public_ok`: a public client may name itself with
/// `client_id` alone (token, revocation), not at introspection.
///
/// Failures are counted in the shared throttle table on two keys (`docs/design/oidc.md`
/// "Rate limits"): the pair (claimed client, source IP) and the source IP alone. Client ids
/// are public, so a budget on the id alone would let anyone lock a client out; on the pair,
/// failures from one address never slow the client down elsewhere. A claimed id that is no
/// client counts against the address only and writes no row of its own. While either key
/// is blocked the answer is 429, before the credentials are looked at.
pub async fn authenticate(state: &AppState, headers: &HeaderMap, params: &Params, ip: IpAddr, public_ok: bool) -> Result<Client, Response> {
    let claimed = basic_credentials(headers)
        .flatten()
        .map(|(id, _)| id)
        .or_else(|| params.one("client_id").ok().flatten().map(str::to_owned))
        .or_else(|| params.one("client_assertion").ok().flatten().and_then(unverified_issuer))
        .filter(|id| id.len() <= 200);
    let identity = &state.context.identity;
    let budgets = state.limits.settings();
    let ip_key = format!("client-ip:{ip}");
    let pair_key = claimed.as_deref().map(|id| format!("client:{}:{ip}", identity::sha256_hex(id.as_bytes())));
    let keys: Vec<&str> = std::iter::once(ip_key.as_str()).chain(pair_key.as_deref()).collect();
    if let Err(identity::Error::Throttled { retry_after_secs }) = identity.client_auth_check(&keys).await {
        let wait = u64::try_from(retry_after_secs).unwrap_or(1);
        return Err(OAuthError::too_many("Too many failed client authentications; try again later.", wait).into());
    }
    let outcome = check_credentials(state, headers, params, public_ok).await;
    if outcome.as_ref().is_err_and(|r| r.status() == StatusCode::UNAUTHORIZED) {
        identity.client_auth_failed(&ip_key, budgets.client_auth_failures_per_ip).await.map_err(|e| server_error(&e))?;
        if let (Some(id), Some(key)) = (&claimed, &pair_key)
            && identity.client_by_id(id).await.map_err(|e| server_error(&e))?.is_some()
        {
            identity.client_auth_failed(key, budgets.client_auth_failures_per_client_ip).await.map_err(|e| server_error(&e))?;
        }
    }
    outcome
}

/// The address a request came from, as `http::client_ip` resolved it.
pub fn source_ip(ip: Option<&axum::Extension<ClientIp>>) -> IpAddr {
    ip.map_or(IpAddr::from([0, 0, 0, 0]), |e| e.0.0)
}

async fn check_credentials(state: &AppState, headers: &HeaderMap, params: &Params, public_ok: bool) -> Result<Client, Response> {
    let identity = &state.context.identity;
    let basic = basic_credentials(headers);
    let form_id = params.one("client_id")?;
    let form_secret = params.one("client_secret")?;
    let assertion = params.one("client_assertion")?;
    let assertion_type = params.one("client_assertion_type")?;
    let presented = usize::from(basic.is_some()) + usize::from(form_secret.is_some()) + usize::from(assertion.is_some());
    if presented > 1 {
        return Err(OAuthError::invalid_request("Use exactly one client authentication method.").into());
    }
    let basic_tried = basic.is_some();
    let refused = || invalid_client(basic_tried);
    if let Some(basic) = basic {
        let (id, secret) = basic.ok_or_else(refused)?;
        if form_id.is_some_and(|f| f != id) {
            return Err(refused());
        }
        let client = identity.verify_client_secret(&id, &secret).await.map_err(|e| server_error(&e))?;
        return client.filter(|c| c.auth_method == "client_secret_basic").ok_or_else(refused);
    }
    if let Some(secret) = form_secret {
        let id = form_id.ok_or_else(refused)?;
        let client = identity.verify_client_secret(id, secret).await.map_err(|e| server_error(&e))?;
        return client.filter(|c| c.auth_method == "client_secret_post").ok_or_else(refused);
    }
    if let Some(assertion) = assertion {
        if assertion_type != Some(ASSERTION_TYPE) {
            return Err(refused());
        }
        let id = form_id.map(str::to_owned).or_else(|| unverified_issuer(assertion)).ok_or_else(refused)?;
        let client = identity.client_by_id(&id).await.map_err(|e| server_error(&e))?.ok_or_else(refused)?;
        return match identity.verify_client_assertion(&identity::principal::Principal::Anonymous, &client, assertion).await {
            Ok(true) => Ok(client),
            Ok(false) => Err(refused()),
            Err(e) => Err(server_error(&e)),
        };
    }
    let id = form_id.ok_or_else(refused)?;
    let client = identity.client_by_id(id).await.map_err(|e| server_error(&e))?;
    client.filter(|c| public_ok && c.is_public() && !c.is_disabled()).ok_or_else(refused)
}

/// The `iss` of an assertion, read before verification only to find the client.
fn unverified_issuer(assertion: &str) -> Option<String> {
    identity::jose::unverified_claims(assertion)?.get("iss")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_urldecoded() {
        let mut headers = HeaderMap::new();
        let raw = base64::engine::general_purpose::STANDARD.encode("my%20client:s%3Ac%2Bret");
        headers.insert(header::AUTHORIZATION, format!("Basic {raw}").parse().unwrap());
        assert_eq!(basic_credentials(&headers), Some(Some(("my client".into(), "s:c+ret".into()))));
        headers.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert_eq!(basic_credentials(&headers), Some(None));
        headers.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(basic_credentials(&headers), None);
    }
}
