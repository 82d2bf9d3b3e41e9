//! The authorization request (OIDC Core §3.1.2.1, RFC 6749 §4.1.1, RFC 7636 §4.3): the
//! parameters checked in the order of `docs/design/oidc.md` "Authorize". Pure: the
//! caller looks the client up and verifies an `id_token_hint`; this module decides.
//!
//! Two kinds of failure. [`AuthorizeError::Page`]: the client or redirect URI cannot be
//! trusted, so the error is shown on our page and never redirected (RFC 6749 §4.1.2.1).
//! [`AuthorizeError::Redirect`]: the redirect URI is known good, so the error goes back
//! to the client with `state` and `iss` (RFC 9207).

use serde::{Deserialize, Serialize};

use super::clients::Client;
use super::clients::SUPPORTED_SCOPES;

/// How the response travels back (OAuth 2.0 Multiple Response Types, Form Post).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    FormPost,
}

/// A checked request, kept in `oauth_requests` while the customer signs in and consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    /// Requested scopes, de-duplicated, in the order asked.
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Vec<String>,
    /// Seconds.
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The raw `id_token_hint`, checked by the caller (signature, `iss`, `aud`).
    pub id_token_hint: Option<String>,
    /// The `sub` of that hint once the caller has checked it (set by the caller).
    #[serde(default)]
    pub hint_subject: Option<String>,
    pub acr_values: Option<String>,
    pub code_challenge: Option<String>,
    pub ui_locales: Option<String>,
}

impl AuthRequest {
    pub fn has_prompt(&self, value: &str) -> bool {
        self.prompt.iter().any(|p| p == value)
    }
}

/// Where an error or a code goes, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
}

impl AuthRequest {
    pub fn destination(&self) -> Destination {
        Destination { redirect_uri: self.redirect_uri.clone(), response_mode: self.response_mode, state: self.state.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Shown on our page (400), never redirected: the client or redirect URI is not trusted.
    Page(String),
    /// Sent back to the client's redirect URI.
    Redirect { to: Destination, error: &'static str, description: String },
}

const MAX_STATE: usize = 1024;
const MAX_NONCE: usize = 512;
const MAX_HINT: usize = 320;
const PROMPTS: [&str; 4] = ["none", "login", "consent", "select_account"];

fn page(text: &str) -> AuthorizeError {
    AuthorizeError::Page(text.to_owned())
}

/// Is `candidate` exactly one of the client's redirect URIs? Exact string match, except
/// the RFC 8252 §7.3 loopback rule: for public clients a registered `http://127.0.0.1/…`
/// or `http://[::1]/…` matches any port.
pub fn redirect_uri_registered(client: &Client, candidate: &str) -> bool {
    client.redirect_uris.iter().any(|registered| registered == candidate || (client.is_public() && loopback_same_but_port(registered, candidate)))
}

fn loopback_same_but_port(registered: &str, candidate: &str) -> bool {
    let (Ok(r), Ok(c)) = (url::Url::parse(registered), url::Url::parse(candidate)) else { return false };
    let loopback = |u: &url::Url| u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "[::1]"));
    if !loopback(&r) || !loopback(&c) || r.host_str() != c.host_str() {
        return false;
    }
    r.path() == c.path() && r.query() == c.query() && r.fragment().is_none() && c.fragment().is_none() && c.username().is_empty() && c.password().is_none()
}

/// The client id named by the request, if it is given exactly once.
pub fn client_id_of(params: &[(String, String)]) -> Result<String, AuthorizeError> {
    single(params, "client_id").map_err(|()| page("The request names its application more than once."))?.ok_or_else(|| page("The request does not say which application is asking."))
}

/// `Ok(None)` absent, `Ok(Some)` once, `Err` repeated (RFC 6749 §3.1).
fn single(params: &[(String, String)], name: &str) -> Result<Option<String>, ()> {
    let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone());
    let first = values.next();
    if values.next().is_some() { Err(()) } else { Ok(first.filter(|v| !v.is_empty())) }
}

/// Checks an authorization request against its (enabled) client.
pub fn check(params: &[(String, String)], client: &Client) -> Result<AuthRequest, AuthorizeError> {
    if client.is_disabled() {
        return Err(page("This application is not allowed to sign people in."));
    }
    let redirect_uri = single(params, "redirect_uri")
        .map_err(|()| page("The request names its return address more than once."))?
        .ok_or_else(|| page("The request does not say where to return to."))?;
    if !redirect_uri_registered(client, &redirect_uri) {
        return Err(page("The return address in this request is not registered for the application."));
    }
    // From here on errors go back to the client. Pick the response mode first, so they
    // travel the way the client asked if that much is valid.
    let mode_param = single(params, "response_mode");
    let response_mode = match mode_param.as_ref().ok().and_then(|m| m.as_deref()) {
        Some("form_post") => ResponseMode::FormPost,
        _ => ResponseMode::Query,
    };
    let state = single(params, "state").ok().flatten();
    let mut to = Destination { redirect_uri: redirect_uri.clone(), response_mode, state: state.clone() };
    let fail = |to: &Destination, error: &'static str, description: &str| AuthorizeError::Redirect { to: to.clone(), error, description: description.to_owned() };

    const SINGLE: [&str; 16] = [
        "response_type", "response_mode", "scope", "state", "nonce", "prompt", "max_age", "login_hint", "id_token_hint",
        "acr_values", "code_challenge", "code_challenge_method", "ui_locales", "request", "request_uri", "registration",
    ];
    for name in SINGLE {
        if single(params, name).is_err() {
            if name == "state" {
                to.state = None;
            }
            return Err(fail(&to, "invalid_request", &format!("The {name} parameter is repeated.")));
        }
    }
    let get = |name: &str| single(params, name).ok().flatten();
    if let Some(mode) = get("response_mode")
        && mode != "query"
        && mode != "form_post"
    {
        return Err(fail(&to, "invalid_request", "response_mode must be query or form_post."));
    }
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        to.state = None;
        return Err(fail(&to, "invalid_request", "state is too long."));
    }
    let prompt: Vec<String> = get("prompt").map(|p| p.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect()).unwrap_or_default();
    if prompt.iter().any(|p| !PROMPTS.contains(&p.as_str())) {
        return Err(fail(&to, "invalid_request", "prompt has an unknown value."));
    }
    if prompt.iter().any(|p| p == "none") && prompt.len() > 1 {
        return Err(fail(&to, "invalid_request", "prompt=none cannot be combined with other values."));
    }
    let max_age = match get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 && v.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(fail(&to, "invalid_request", "max_age must be a non-negative number of seconds.")),
        },
    };
    let nonce = get("nonce");
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE) {
        return Err(fail(&to, "invalid_request", "nonce is too long."));
    }
    match get("response_type").as_deref() {
        None => return Err(fail(&to, "invalid_request", "response_type is missing.")),
        Some("code") => {}
        Some(_) => return Err(fail(&to, "unsupported_response_type", "Only response_type=code is supported.")),
    }
    if !client.grant_types.iter().any(|g| g == "authorization_code") {
        return Err(fail(&to, "unauthorized_client", "This client may not use the authorization code flow."));
    }
    if get("request").is_some() {
        return Err(fail(&to, "request_not_supported", "Request objects are not supported."));
    }
    if get("request_uri").is_some() {
        return Err(fail(&to, "request_uri_not_supported", "request_uri is not supported."));
    }
    if get("registration").is_some() {
        return Err(fail(&to, "registration_not_supported", "The registration parameter is not supported."));
    }
    let mut scopes: Vec<String> = Vec::new();
    for scope in get("scope").unwrap_or_default().split(' ').filter(|s| !s.is_empty()) {
        if !SUPPORTED_SCOPES.contains(&scope) || !client.allowed_scopes.iter().any(|s| s == scope) {
            // Never echoed: error_description allows only %x20-21 / %x23-5B / %x5D-7E.
            return Err(fail(&to, "invalid_scope", "A requested scope is not available to this client."));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    let challenge = get("code_challenge");
    match (get("code_challenge_method").as_deref(), challenge.as_deref()) {
        (Some(m), _) if m != "S256" => return Err(fail(&to, "invalid_request", "code_challenge_method must be S256.")),
        (Some(_), None) => return Err(fail(&to, "invalid_request", "code_challenge_method was given without a code_challenge.")),
        (None, Some(_)) => return Err(fail(&to, "invalid_request", "code_challenge_method=S256 is required with a code_challenge.")),
        _ => {}
    }
    if let Some(c) = challenge.as_deref()
        && (c.len() != 43 || !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(fail(&to, "invalid_request", "code_challenge must be 43 base64url characters (S256)."));
    }
    if challenge.is_none() && client.requires_pkce() {
        return Err(fail(&to, "invalid_request", "This client must use PKCE (code_challenge with S256)."));
    }
    let login_hint = get("login_hint").filter(|h| h.len() <= MAX_HINT);
    Ok(AuthRequest {
        client_id: client.id.clone(),
        redirect_uri,
        response_mode,
        scopes,
        state,
        nonce,
        prompt,
        max_age,
        login_hint,
        id_token_hint: get("id_token_hint"),
        hint_subject: None,
        acr_values: get("acr_values"),
        code_challenge: challenge,
        ui_locales: get("ui_locales"),
    })
}

/// The parameters of an authorization response (success or error), `iss` always
/// included (RFC 9207).
pub fn response_params(to: &Destination, issuer: &str, outcome: Result<&str, (&str, &str)>) -> Vec<(String, String)> {
    let mut params = Vec::new();
    match outcome {
        Ok(code) => params.push(("code".to_owned(), code.to_owned())),
        Err((error, description)) => {
            params.push(("error".to_owned(), error.to_owned()));
            params.push(("error_description".to_owned(), description.to_owned()));
        }
    }
    if let Some(state) = &to.state {
        params.push(("state".to_owned(), state.clone()));
    }
    params.push(("iss".to_owned(), issuer.to_owned()));
    params
}

/// `redirect_uri` with `params` appended to its query (the registered query is kept).
pub fn redirect_url(redirect_uri: &str, params: &[(String, String)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(public: bool) -> Client {
        Client {
            id: "c1".into(),
            brand_id: "b".into(),
            brand_slug: "air".into(),
            name: "Air".into(),
            kind: if public { "public" } else { "confidential" }.into(),
            auth_method: if public { "none" } else { "client_secret_basic" }.into(),
            jwks: None,
            redirect_uris: vec!["https://air.example/cb".into(), "http://127.0.0.1/cb".into()],
            post_logout_redirect_uris: vec![],
            backchannel_logout_uri: None,
            allowed_scopes: ["openid", "profile", "email", "offline_access"].map(String::from).to_vec(),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            subject_type: "public".into(),
            id_token_alg: "RS256".into(),
            access_token_ttl_s: 600,
            id_token_ttl_s: 600,
            refresh_token_ttl_s: 86_400,
            token_rate: crate::oidc::clients::TokenRate::default(),
            created_at: 0,
            updated_at: 0,
            disabled_at: None,
            allow_delegation: false,
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![("client_id", "c1"), ("redirect_uri", "https://air.example/cb"), ("response_type", "code"), ("scope", "openid email"), ("state", "s1")]
    }

    fn error_of(result: Result<AuthRequest, AuthorizeError>) -> &'static str {
        match result {
            Err(AuthorizeError::Redirect { error, .. }) => error,
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_request_is_kept_whole() {
        let mut p = base();
        p.extend([("nonce", "n"), ("prompt", "login consent"), ("max_age", "60"), ("code_challenge", CHALLENGE), ("code_challenge_method", "S256")]);
        let req = check(&params(&p), &client(false)).unwrap();
        assert_eq!(req.scopes, ["openid", "email"]);
        assert_eq!(req.prompt, ["login", "consent"]);
        assert_eq!(req.max_age, Some(60));
        assert_eq!(req.code_challenge.as_deref(), Some(CHALLENGE));
        assert_eq!(req.response_mode, ResponseMode::Query);
    }

    #[test]
    fn redirect_uri_must_match_exactly_and_errors_stay_on_our_page() {
        for bad in ["https://air.example/cb/", "https://air.example/cb?x=1", "https://AIR.example/cb", "https://air.example/c", "http://air.example/cb", "https://air.example/cb#f", ""] {
            let mut p = base();
            p[1] = ("redirect_uri", bad);
            assert!(matches!(check(&params(&p), &client(false)), Err(AuthorizeError::Page(_))), "{bad}");
        }
        let mut p = base();
        p.push(("redirect_uri", "https://air.example/cb"));
        assert!(matches!(check(&params(&p), &client(false)), Err(AuthorizeError::Page(_))));
    }

    #[test]
    fn loopback_port_is_ignored_for_public_clients_only() {
        let mut p = base();
        p[1] = ("redirect_uri", "http://127.0.0.1:53124/cb");
        p.extend([("code_challenge", CHALLENGE), ("code_challenge_method", "S256")]);
        assert!(check(&params(&p), &client(true)).is_ok());
        assert!(matches!(check(&params(&p), &client(false)), Err(AuthorizeError::Page(_))));
        p[1] = ("redirect_uri", "http://127.0.0.1:53124/other");
        assert!(matches!(check(&params(&p), &client(true)), Err(AuthorizeError::Page(_))));
    }

    #[test]
    fn response_type_and_pkce_rules() {
        let mut p = base();
        p.retain(|(k, _)| *k != "response_type");
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_request");
        let mut p = base();
        p[2] = ("response_type", "token");
        assert_eq!(error_of(check(&params(&p), &client(false))), "unsupported_response_type");
        let mut p = base();
        p.extend([("code_challenge", CHALLENGE), ("code_challenge_method", "plain")]);
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_request");
        let mut p = base();
        p.push(("code_challenge", CHALLENGE));
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_request");
        let mut p = base();
        p.push(("code_challenge_method", "S256"));
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_request");
        assert_eq!(error_of(check(&params(&base()), &client(true))), "invalid_request", "public clients need PKCE");
    }

    #[test]
    fn scopes_prompts_and_unsupported_parameters() {
        let mut p = base();
        p[3] = ("scope", "openid phone");
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_scope");
        let mut p = base();
        p.push(("prompt", "none login"));
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_request");
        let mut p = base();
        p.push(("request_uri", "https://x"));
        assert_eq!(error_of(check(&params(&p), &client(false))), "request_uri_not_supported");
        let mut p = base();
        p.push(("max_age", "-1"));
        assert_eq!(error_of(check(&params(&p), &client(false))), "invalid_request");
    }

    #[test]
    fn error_responses_carry_state_and_iss() {
        let mut p = base();
        p[2] = ("response_type", "id_token");
        let Err(AuthorizeError::Redirect { to, error, description }) = check(&params(&p), &client(false)) else { panic!() };
        let url = redirect_url(&to.redirect_uri, &response_params(&to, "https://id.example", Err((error, &description))));
        assert!(url.starts_with("https://air.example/cb?error=unsupported_response_type&"), "{url}");
        assert!(url.contains("state=s1") && url.contains("iss=https%3A%2F%2Fid.example"), "{url}");
    }
}
