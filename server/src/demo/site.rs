//! One demo brand site (docs/design/oidc.md "Demo brand sites"): a plain axum router with
//! its sessions in memory.
//!
//! | route | what it does |
//! |---|---|
//! | `GET /` | signed out: "Sign in with Northwind ID"; signed in: the claims received, "Refresh tokens", "Sign out" |
//! | `GET, POST /login` | 303 to Foyer's authorization endpoint (code flow, PKCE S256, nonce, state bound to this browser by a cookie) |
//! | `GET /callback` | state taken once, `iss` equal to the issuer (RFC 9207), code redeemed, ID token and UserInfo checked, session cookie set |
//! | `POST /refresh` | refresh grant; `invalid_grant` ends the local session |
//! | `POST /logout` | ends the local session, 303 to Foyer's end-session endpoint |
//! | `POST /backchannel-logout` | verifies a logout token and ends the sessions it names (200), or 400 |
//!
//! Cookies ignore ports, so each site has its own cookie name. Tokens are never logged.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, COOKIE, LOCATION, ORIGIN, REFERRER_POLICY, SET_COOKIE, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::{CsrfToken, RefreshToken};
use openidconnect::core::CoreJwsSigningAlgorithm;
use secrecy::SecretString;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

use super::logout_token::{LogoutClaims, LogoutTokenError};
use super::pages::{self, ClaimRow, Home, Notice};
use super::rp::{PendingLogin, RelyingParty, RpError, SignedIn};

/// How the site authenticates at Foyer's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`.
    Basic,
    /// `client_secret_post`.
    Post,
}

impl ClientAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "client_secret_basic",
            Self::Post => "client_secret_post",
        }
    }
}

/// Everything one site needs; the secret is handed over in memory and never printed.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The brand name, e.g. "Northwind Air".
    pub name: String,
    /// The session cookie's name (`nw_air`, `nw_hotels`).
    pub cookie: &'static str,
    /// The brand colour, `#rrggbb`.
    pub colour: &'static str,
    pub addr: SocketAddr,
    /// Without a trailing slash, e.g. `http://127.0.0.1:3001`.
    pub public_url: String,
    /// Foyer's issuer, without a trailing slash.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub auth: ClientAuth,
    pub id_token_alg: CoreJwsSigningAlgorithm,
    pub scopes: Vec<String>,
}

/// Binds `config.addr` and serves until `stop` becomes true.
pub async fn serve(config: SiteConfig, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {} for {}", config.addr, config.name))?;
    run(listener, config, stop).await
}

/// Serves on a bound listener until `stop` becomes true.
pub async fn run(listener: TcpListener, config: SiteConfig, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let name = config.name.clone();
    axum::serve(listener, router(config)?)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await
        .with_context(|| format!("{name} stopped with an error"))
}

/// The site's routes, with headers that keep its pages out of caches and frames.
pub fn router(config: SiteConfig) -> anyhow::Result<Router> {
    let site = Arc::new(Site::new(config)?);
    let header = |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    Ok(Router::new()
        .route("/", get(home))
        .route("/login", get(login).post(login))
        .route("/callback", get(callback))
        .route("/refresh", post(refresh))
        .route("/refresh-lost", post(refresh_lost))
        .route("/logout", post(logout))
        .route("/backchannel-logout", post(backchannel_logout))
        .layer(header(CACHE_CONTROL, "no-store"))
        // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null`
        // on the site's own form POSTs, which the same-origin check must refuse.
        .layer(header(REFERRER_POLICY, "same-origin"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        .layer(header(CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"))
        .with_state(site))
}

/// How long a started sign-in may take, and how many may be in flight.
const LOGIN_TTL: Duration = Duration::from_secs(10 * 60);
const MAX_PENDING: usize = 10_000;

/// A site's state: the relying party and what it remembers in memory.
#[derive(Debug)]
struct Site {
    rp: RelyingParty,
    /// Started sign-ins by `state`.
    pending: Mutex<HashMap<String, (Instant, PendingLogin)>>,
    /// Signed-in browsers by cookie value.
    sessions: Mutex<HashMap<String, SignedIn>>,
    /// Logout-token ids already used, with their expiry (seconds).
    seen_jtis: Mutex<HashMap<String, i64>>,
    /// `state` values sent with RP-initiated logouts.
    logouts: Mutex<HashMap<String, Instant>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Site {
    fn new(config: SiteConfig) -> anyhow::Result<Self> {
        Ok(Self {
            rp: RelyingParty::new(config)?,
            pending: Mutex::default(),
            sessions: Mutex::default(),
            seen_jtis: Mutex::default(),
            logouts: Mutex::default(),
        })
    }

    fn config(&self) -> &SiteConfig {
        &self.rp.config
    }

    fn state_cookie(&self) -> String {
        format!("{}_state", self.config().cookie)
    }

    fn page(&self, status: StatusCode, home: &Home<'_>, notice: Notice<'_>) -> Response {
        (status, Html(pages::home(&self.config().name, self.config().colour, home, notice))).into_response()
    }

    fn message(&self, status: StatusCode, text: &str) -> Response {
        (status, Html(pages::message(&self.config().name, self.config().colour, text))).into_response()
    }

    /// The claims and greeting of the browser's session, if it has one.
    fn signed_in_view(&self, headers: &HeaderMap) -> Option<(String, Vec<ClaimRow>)> {
        let id = cookie(headers, self.config().cookie)?;
        let sessions = locked(&self.sessions);
        let s = sessions.get(&id)?;
        let rows = pages::claim_rows(&s.id_claims, &s.userinfo);
        Some((pages::display_name(&rows), rows))
    }

    fn render_home(&self, status: StatusCode, headers: &HeaderMap, notice: Notice<'_>) -> Response {
        match self.signed_in_view(headers) {
            Some((display, claims)) => self.page(status, &Home::SignedIn { display: &display, claims }, notice),
            None => self.page(status, &Home::SignedOut, notice),
        }
    }

    fn remember_login(&self, state: String, login: PendingLogin) -> bool {
        let mut pending = locked(&self.pending);
        pending.retain(|_, (at, _)| at.elapsed() < LOGIN_TTL);
        if pending.len() >= MAX_PENDING {
            return false;
        }
        pending.insert(state, (Instant::now(), login));
        true
    }

    fn take_login(&self, state: &str) -> Option<PendingLogin> {
        let (at, login) = locked(&self.pending).remove(state)?;
        (at.elapsed() < LOGIN_TTL).then_some(login)
    }

    /// Records a logout token's `jti`; `false` if it was seen before.
    fn first_use_of(&self, jti: &str, exp: i64, now: i64) -> bool {
        let mut seen = locked(&self.seen_jtis);
        seen.retain(|_, until| *until + 120 > now);
        seen.insert(jti.to_owned(), exp).is_none()
    }

    /// Ends the sessions a logout token names: those of its `sid` (and `sub` when given),
    /// or every session of its `sub`.
    fn end_sessions(&self, claims: &LogoutClaims) -> usize {
        let mut sessions = locked(&self.sessions);
        let before = sessions.len();
        sessions.retain(|_, s| !names(claims, &s.sub, s.sid.as_deref()));
        before - sessions.len()
    }
}

/// Whether a logout token names the session of `sub` and `sid`.
fn names(claims: &LogoutClaims, sub: &str, sid: Option<&str>) -> bool {
    let sub_ok = claims.sub.as_deref().is_none_or(|s| s == sub);
    match claims.sid.as_deref() {
        Some(wanted) => sub_ok && sid == Some(wanted),
        None => sub_ok && claims.sub.is_some(),
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(name: &str, value: &str, max_age: Option<u64>) -> String {
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/{age}")
}

fn clear_cookie(name: &str) -> String {
    set_cookie(name, "", Some(0))
}

fn see_other(location: &str, cookies: &[String]) -> Response {
    let Ok(location) = HeaderValue::from_str(location) else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, location);
    for c in cookies.iter().filter_map(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn status_of(e: &RpError) -> StatusCode {
    match e {
        RpError::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// A POST that changes the session must come from the site's own pages (another site on
/// the same host is same-site, so `SameSite=Lax` alone does not stop it).
fn same_origin(site: &Site, headers: &HeaderMap) -> bool {
    headers.get(ORIGIN).is_none_or(|o| o.as_bytes() == site.config().public_url.as_bytes())
}

#[derive(Debug, Deserialize)]
struct HomeQuery {
    notice: Option<String>,
    state: Option<String>,
}

async fn home(State(site): State<Arc<Site>>, headers: HeaderMap, Query(q): Query<HomeQuery>) -> Response {
    let signed_out = q.state.is_some_and(|s| locked(&site.logouts).remove(&s).is_some());
    let notice = match q.notice.as_deref() {
        _ if signed_out => Some(Ok("You signed out of Northwind ID.")),
        Some("refreshed") => Some(Ok("Tokens refreshed")),
        Some("lost") => Some(Ok(
            "Northwind ID answered, and this site threw the answer away, as a phone losing its connection would. \
             Refresh tokens again: the same refresh token is answered once more within Northwind ID's retry window; \
             after it, a second use counts as theft and signs you out.",
        )),
        Some("ended") => Some(Err("Your Northwind ID session has ended. Sign in again.")),
        _ => None,
    };
    site.render_home(StatusCode::OK, &headers, notice)
}

async fn login(State(site): State<Arc<Site>>) -> Response {
    match site.rp.start_login().await {
        Ok((url, state, pending)) => {
            let state = state.secret().clone();
            let cookie = set_cookie(&site.state_cookie(), &state, Some(LOGIN_TTL.as_secs()));
            if !site.remember_login(state, pending) {
                return site.message(StatusCode::SERVICE_UNAVAILABLE, "Too many sign-ins are in progress. Try again in a moment.");
            }
            see_other(url.as_str(), &[cookie])
        }
        Err(e) => site.message(status_of(&e), &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(State(site): State<Arc<Site>>, headers: HeaderMap, Query(q): Query<CallbackQuery>) -> Response {
    let bad = |text: &str| site.message(StatusCode::BAD_REQUEST, text);
    let Some(state) = q.state else { return bad("This sign-in response has no state.") };
    let Some(pending) = site.take_login(&state) else { return bad("This sign-in is unknown or took too long. Start again.") };
    if cookie(&headers, &site.state_cookie()).as_deref() != Some(state.as_str()) {
        return bad("This sign-in was not started in this browser. Start again.");
    }
    // RFC 9207: the response must say it comes from our issuer (mix-up defence).
    if q.iss.as_deref() != Some(site.config().issuer.as_str()) {
        return bad("This sign-in response did not come from Northwind ID.");
    }
    if let Some(error) = q.error {
        let text = match q.error_description {
            Some(d) => format!("Sign-in did not complete ({error}): {d}"),
            None => format!("Sign-in did not complete ({error})."),
        };
        return site.render_home(StatusCode::OK, &headers, Some(Err(&text)));
    }
    let Some(code) = q.code else { return bad("This sign-in response has no code.") };
    match site.rp.finish_login(code, pending).await {
        Ok(signed_in) => {
            let id = random_token();
            let mut sessions = locked(&site.sessions);
            if let Some(old) = cookie(&headers, site.config().cookie) {
                sessions.remove(&old);
            }
            sessions.insert(id.clone(), signed_in);
            drop(sessions);
            tracing::info!(site = %site.config().name, "signed in");
            see_other("/", &[set_cookie(site.config().cookie, &id, None), clear_cookie(&site.state_cookie())])
        }
        Err(e) => site.render_home(status_of(&e), &headers, Some(Err(&e.to_string()))),
    }
}

/// The signed-in visitor's site session id, refresh token and subject, or the answer to
/// send instead (another origin, signed out, no refresh token).
fn refreshable(site: &Site, headers: &HeaderMap) -> Result<(String, RefreshToken, String), Response> {
    if !same_origin(site, headers) {
        return Err(site.message(StatusCode::FORBIDDEN, "This request came from another site."));
    }
    let Some(id) = cookie(headers, site.config().cookie) else { return Err(see_other("/", &[])) };
    let Some((token, sub)) = locked(&site.sessions).get(&id).map(|s| (s.refresh_token.clone(), s.sub.clone())) else {
        return Err(see_other("/", &[clear_cookie(site.config().cookie)]));
    };
    let Some(token) = token else {
        return Err(site.render_home(StatusCode::OK, headers, Some(Err("Northwind ID gave this site no refresh token."))));
    };
    Ok((id, token, sub))
}

/// A refresh whose answer this site throws away, as a phone that lost its connection
/// would: the site keeps its spent refresh token, and the next "Refresh tokens" presents
/// it again (answered within `FOYER_REFRESH_RETRY_SECONDS`, else reuse that ends the
/// grant: `docs/design/oidc.md` "Retrying a refresh whose answer was lost").
async fn refresh_lost(State(site): State<Arc<Site>>, headers: HeaderMap) -> Response {
    let (id, token, sub) = match refreshable(&site, &headers) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match site.rp.refresh(&token, &sub).await {
        Ok(_) => see_other("/?notice=lost", &[]),
        Err(RpError::GrantEnded) => {
            locked(&site.sessions).remove(&id);
            see_other("/?notice=ended", &[clear_cookie(site.config().cookie)])
        }
        Err(e) => site.render_home(status_of(&e), &headers, Some(Err(&e.to_string()))),
    }
}

async fn refresh(State(site): State<Arc<Site>>, headers: HeaderMap) -> Response {
    let (id, token, sub) = match refreshable(&site, &headers) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    match site.rp.refresh(&token, &sub).await {
        Ok(new) => {
            if let Some(s) = locked(&site.sessions).get_mut(&id) {
                s.access_token = new.access_token;
                s.refresh_token = new.refresh_token.or(Some(token));
                if let Some((id_token, claims)) = new.id_token {
                    s.id_token = id_token;
                    s.id_claims = claims;
                }
            }
            see_other("/?notice=refreshed", &[])
        }
        Err(RpError::GrantEnded) => {
            locked(&site.sessions).remove(&id);
            see_other("/?notice=ended", &[clear_cookie(site.config().cookie)])
        }
        Err(e) => site.render_home(status_of(&e), &headers, Some(Err(&e.to_string()))),
    }
}

async fn logout(State(site): State<Arc<Site>>, headers: HeaderMap) -> Response {
    if !same_origin(&site, &headers) {
        return site.message(StatusCode::FORBIDDEN, "This request came from another site.");
    }
    let clear = [clear_cookie(site.config().cookie)];
    let Some(session) = cookie(&headers, site.config().cookie).and_then(|id| locked(&site.sessions).remove(&id)) else {
        return see_other("/", &clear);
    };
    let state = CsrfToken::new_random();
    match site.rp.end_session_url(&session.id_token, state.clone()).await {
        Some(url) => {
            let mut logouts = locked(&site.logouts);
            logouts.retain(|_, at| at.elapsed() < LOGIN_TTL);
            if logouts.len() < MAX_PENDING {
                logouts.insert(state.secret().clone(), Instant::now());
            }
            drop(logouts);
            see_other(url.as_str(), &clear)
        }
        None => see_other("/", &clear),
    }
}

/// The `logout_token` of a form body, present exactly once.
fn logout_token_of(body: &[u8]) -> Option<String> {
    let mut tokens = url::form_urlencoded::parse(body).filter(|(k, _)| k == "logout_token").map(|(_, v)| v.into_owned());
    match (tokens.next(), tokens.next()) {
        (Some(token), None) if !token.is_empty() => Some(token),
        _ => None,
    }
}

async fn backchannel_logout(State(site): State<Arc<Site>>, body: Bytes) -> Response {
    let refuse = |status: StatusCode, e: &LogoutTokenError| {
        tracing::warn!(site = %site.config().name, error = %e, "back-channel logout refused");
        (status, axum::Json(serde_json::json!({ "error": "invalid_request", "error_description": e.to_string() }))).into_response()
    };
    let Some(token) = logout_token_of(&body) else {
        return refuse(StatusCode::BAD_REQUEST, &LogoutTokenError::Malformed("logout_token missing or repeated"));
    };
    let now = unix_now();
    let claims = match site.rp.verify_logout_token(&token, now).await {
        Ok(claims) => claims,
        Err(e @ LogoutTokenError::Unavailable) => return refuse(StatusCode::SERVICE_UNAVAILABLE, &e),
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
    };
    if !site.first_use_of(&claims.jti, claims.exp, now) {
        return refuse(StatusCode::BAD_REQUEST, &LogoutTokenError::Replayed);
    }
    let ended = site.end_sessions(&claims);
    tracing::info!(site = %site.config().name, ended, "back-channel logout");
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("nw_air_state=s1; nw_air=abc; nw_hotels=def"));
        assert_eq!(cookie(&headers, "nw_air").as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "nw_air_state").as_deref(), Some("s1"));
        assert_eq!(cookie(&headers, "nw"), None);
        assert_eq!(set_cookie("nw_air", "v", None), "nw_air=v; HttpOnly; SameSite=Lax; Path=/");
        assert!(clear_cookie("nw_air").ends_with("Max-Age=0"));
    }

    #[test]
    fn the_logout_token_is_taken_once_from_the_form() {
        assert_eq!(logout_token_of(b"logout_token=a.b.c").as_deref(), Some("a.b.c"));
        assert_eq!(logout_token_of(b"logout_token=a&logout_token=b"), None);
        assert_eq!(logout_token_of(b"other=a"), None);
        assert_eq!(logout_token_of(b"logout_token="), None);
    }

    fn claims(sub: Option<&str>, sid: Option<&str>) -> LogoutClaims {
        LogoutClaims { sub: sub.map(Into::into), sid: sid.map(Into::into), jti: "j".into(), exp: 0 }
    }

    #[test]
    fn a_logout_token_names_sessions_by_sid_or_by_sub() {
        let matches = names;
        assert!(matches(&claims(Some("u1"), Some("s1")), "u1", Some("s1")));
        assert!(!matches(&claims(Some("u1"), Some("s1")), "u1", Some("s2")));
        assert!(matches(&claims(None, Some("s1")), "u9", Some("s1")));
        assert!(matches(&claims(Some("u1"), None), "u1", Some("s2")));
        assert!(!matches(&claims(Some("u1"), None), "u2", None));
    }
}
