//! Who is signed in (server only): the plumbing between the tower-sessions record and
//! the core's session meaning (`identity::session`: keys, absolute lifetime, pending
//! sign-in window), and the helpers server functions use to require a customer or a
//! recent authentication.
//!
//! The session holds only ids and times: `cid` (customer id), `st` (signed in at),
//! `at` (last authentication, moved by re-authentication). Idle expiry is the session
//! layer's; the absolute lifetime is checked on every read.

use std::net::IpAddr;

use identity::accounts::RequestMeta;
use identity::accounts::login::FirstStep;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::context::{ClientIp, ServerContext, server_context};
use crate::error::AppError;

// The keys and windows are the core's (`identity::session`); this module is the
// plumbing that reads and writes them in the tower-sessions record.
pub use identity::session::{
    ACTING_FOR, ACR, AMR, AUTH_TIME, CEREMONY, CUSTOMER, DEVICE, PENDING_AMR, PENDING_CUSTOMER, PENDING_MS, PENDING_SINCE, RECENT_AUTH_MS, SID, SIGNED_IN_AT, SUPPORT_ACCESS,
    SUPPORT_STAFF,
};

/// The signed-in customer of this request.
#[derive(Debug, Clone)]
pub struct Current {
    pub customer_id: String,
    pub auth_time: i64,
    /// SHA-256 of the session id: how the store and "Your devices" know this session.
    pub session_hash: String,
    /// The authentication level (`foyer:pwd`, `foyer:passkey`, `foyer:mfa`).
    pub acr: String,
    /// How it authenticated (OIDC `amr` names).
    pub amr: Vec<String>,
    /// The sign-in's identifier (OIDC `sid`).
    pub sid: String,
    /// The customer this one acts for ("Act for …"), as the session says; whether a
    /// delegation or guardianship still allows it is checked by `api::acting`.
    pub acting_for: Option<String>,
    /// A support agent's session in this customer's portal: `(access id, staff id)`.
    pub support: Option<(String, String)>,
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|_| AppError::Message(crate::i18n::t("error-sessions-unavailable")))
}

fn store_error(e: tower_sessions::session::Error) -> AppError {
    if database_unavailable(&e) {
        return crate::error::fail(AppError::Busy(identity::store::BUSY_RETRY_SECS));
    }
    tracing::error!(error = %e, "session store failed");
    AppError::Message(crate::i18n::t("error-internal"))
}

/// The session store could not reach the database (`identity::session::STORE_UNAVAILABLE`):
/// 503 and a retry, as for the core's `Busy`.
pub(crate) fn database_unavailable(e: &tower_sessions::session::Error) -> bool {
    matches!(e, tower_sessions::session::Error::Store(tower_sessions::session_store::Error::Backend(m)) if identity::session::store_unavailable(m))
}

/// The customer, if signed in and within the absolute lifetime.
pub async fn current() -> Result<Option<Current>, AppError> {
    current_of(&session().await?, &server_context()?.identity).await
}

/// The customer `session` holds, if within the absolute lifetime (a session past it is
/// flushed). Also for the provider's plain axum handlers, which have the session but
/// no Leptos context.
pub async fn current_of(session: &Session, identity: &identity::Identity) -> Result<Option<Current>, AppError> {
    use identity::session::{CustomerReading, RawCustomerSession};
    let raw = RawCustomerSession {
        customer_id: session.get::<String>(CUSTOMER).await.map_err(store_error)?,
        signed_in_at: session.get::<i64>(SIGNED_IN_AT).await.map_err(store_error)?,
        auth_time: session.get::<i64>(AUTH_TIME).await.map_err(store_error)?,
        acr: session.get::<String>(ACR).await.map_err(store_error)?,
        amr: session.get::<Vec<String>>(AMR).await.map_err(store_error)?,
        sid: session.get::<String>(SID).await.map_err(store_error)?,
    };
    let current = match identity::session::customer(raw, identity.now(), identity.settings().session_absolute_ms) {
        CustomerReading::Anonymous => return Ok(None),
        CustomerReading::Expired => {
            session.flush().await.map_err(store_error)?;
            return Ok(None);
        }
        CustomerReading::Current(c) => c,
    };
    let identity::session::CustomerSession { customer_id, auth_time, acr, amr, sid, .. } = current;
    let session_hash = session.id().map(|id| identity::sha256_hex(id.to_string().as_bytes())).unwrap_or_default();
    let sid = match sid {
        Some(sid) => sid,
        None => {
            // Sessions from before sign-in ids existed get one now.
            let sid = identity.new_token();
            session.insert(SID, &sid).await.map_err(store_error)?;
            sid
        }
    };
    let acting_for = session.get::<String>(ACTING_FOR).await.map_err(store_error)?.filter(|a| *a != customer_id);
    let support = match (session.get::<String>(SUPPORT_ACCESS).await.map_err(store_error)?, session.get::<String>(SUPPORT_STAFF).await.map_err(store_error)?) {
        (Some(access), Some(staff)) => Some((access, staff)),
        _ => None,
    };
    Ok(Some(Current { customer_id, auth_time, session_hash, acr, amr, sid, acting_for, support }))
}

impl Current {
    /// The principal of this session on the customer's own account: the customer, or
    /// for a support session a support principal that may do nothing (the pages it may
    /// use ask `api::acting`, which reads the live access).
    pub fn principal(&self) -> identity::principal::Principal {
        match &self.support {
            Some((access, staff)) => identity::principal::Principal::Support {
                staff: staff.clone(),
                customer: self.customer_id.clone(),
                access: access.clone(),
                ticket: String::new(),
                permissions: Vec::new(),
            },
            None => identity::principal::Principal::customer(&self.customer_id, &self.acr),
        }
    }

    /// What an OpenID Connect authorization needs of this sign-in.
    pub fn authentication(self) -> identity::oidc::flow::Authentication {
        identity::oidc::flow::Authentication { customer_id: self.customer_id, sid: self.sid, auth_time: self.auth_time, acr: self.acr, amr: self.amr }
    }
}

/// The signed-in customer, or 401 "Please sign in". While an account page is rendered
/// on the server (its data loads through this), the answer becomes a redirect to
/// `/login?return_to=<the page>` instead, so a signed-out visitor lands on the sign-in
/// page with or without the wasm.
pub async fn require() -> Result<Current, AppError> {
    match current().await? {
        Some(c) => Ok(c),
        None => {
            let refused = respond(AppError::SignInRequired);
            let page = use_context::<http::request::Parts>().and_then(|p| signed_in_page(&p.method, &p.uri));
            if let (Some(page), Some(response)) = (page, use_context::<leptos_axum::ResponseOptions>())
                && let Ok(location) = http::HeaderValue::from_str(&sign_in_path(&page))
            {
                response.insert_header(http::header::LOCATION, location);
                response.set_status(http::StatusCode::SEE_OTHER);
            }
            Err(refused)
        }
    }
}

/// The page (path and query) when `uri` is a GET of a page that needs a signed-in
/// customer: everything under `/account` but the mailed links' pages.
fn signed_in_page(method: &http::Method, uri: &http::Uri) -> Option<String> {
    let path = uri.path();
    let account = path == "/account" || path.starts_with("/account/");
    let mailed_link = ["/account/confirm-email", "/account/undo-email"].contains(&path);
    (method == http::Method::GET && account && !mailed_link).then(|| uri.path_and_query().map_or_else(|| path.to_owned(), |pq| pq.as_str().to_owned()))
}

pub use crate::pages::account::sign_in_path;

/// The signed-in customer who authenticated in the last five minutes, as strongly as
/// the account allows (`identity::accounts::step_up`): with two-step verification on,
/// a password-only session (a remembered device) must step up with the second factor.
pub async fn require_recent() -> Result<Current, AppError> {
    let c = require().await?;
    if c.support.is_some() {
        // Support never steps up as the customer: credentials and the like stay closed.
        return Err(respond(AppError::Forbidden));
    }
    let ctx = server_context()?;
    let identity = &ctx.identity;
    if !identity::session::auth_is_recent(c.auth_time, identity.now()) {
        return Err(respond(AppError::ReauthRequired));
    }
    if !identity.step_up_strong_enough(&c.principal(), &c.customer_id, &c.acr).await.map_err(fail)? {
        return Err(respond(AppError::ReauthRequired));
    }
    Ok(c)
}

/// Starts a signed-in session: a new id (no fixation), then the keys. Signing in again
/// as the same customer keeps the sign-in id (`sid`); as someone else, the brands the
/// previous sign-in reached are logged out first. `preferences`: the profile's language
/// and time zone when the sign-in read them with the account (else they are read here).
pub async fn sign_in(customer_id: &str, auth_time: i64, device: &str, amr: &[&str], preferences: Option<Preferences<'_>>) -> Result<(), AppError> {
    let ctx = server_context()?;
    let session = session().await?;
    let previous = session.get::<String>(CUSTOMER).await.map_err(store_error)?;
    let previous_sid = session.get::<String>(SID).await.map_err(store_error)?;
    let sid = match (previous.as_deref(), previous_sid) {
        (Some(p), Some(sid)) if p == customer_id => sid,
        (Some(p), Some(sid)) => {
            ctx.identity.sign_in_ended(&identity::principal::Principal::customer(p, ""), p, &sid).await.map_err(fail)?;
            ctx.identity.new_token()
        }
        _ => ctx.identity.new_token(),
    };
    session.cycle_id().await.map_err(store_error)?;
    session.insert(SID, &sid).await.map_err(store_error)?;
    let _ = session.remove_value(PENDING_CUSTOMER).await.map_err(store_error)?;
    let _ = session.remove_value(PENDING_SINCE).await.map_err(store_error)?;
    let _ = session.remove_value(PENDING_AMR).await.map_err(store_error)?;
    let _ = session.remove_value(ACTING_FOR).await.map_err(store_error)?;
    let _ = session.remove_value(SUPPORT_ACCESS).await.map_err(store_error)?;
    let _ = session.remove_value(SUPPORT_STAFF).await.map_err(store_error)?;
    session.insert(DEVICE, device).await.map_err(store_error)?;
    session.insert(AMR, amr).await.map_err(store_error)?;
    session.insert(ACR, identity::accounts::login::acr_of(amr)).await.map_err(store_error)?;
    session.insert(CUSTOMER, customer_id).await.map_err(store_error)?;
    session.insert(SIGNED_IN_AT, auth_time).await.map_err(store_error)?;
    session.insert(AUTH_TIME, auth_time).await.map_err(store_error)?;
    // The pages follow the profile's language and time zone from the first page on.
    if let Some(known) = preferences {
        remember_preferences(known.language, known.zone);
        return Ok(());
    }
    let me = identity::principal::Principal::customer(customer_id, identity::accounts::login::acr_of(amr));
    match ctx.identity.profile(&me, customer_id).await {
        Ok(profile) => remember_preferences(profile.preferred_language.as_deref(), profile.zoneinfo.as_deref()),
        Err(e) => tracing::warn!(error = %e, "the profile's language and time zone were not read at sign-in"),
    }
    Ok(())
}

/// The profile's language and time zone, as a sign-in read them with the account.
#[derive(Debug, Clone, Copy)]
pub struct Preferences<'a> {
    pub language: Option<&'a str>,
    pub zone: Option<&'a str>,
}

/// Sets the language (`foyer-lang`) and time-zone (`foyer-tz`) cookies the pages read
/// (`crate::i18n`) to the profile's values; an unset or unknown value leaves its cookie
/// as it is (the switcher's or the browser's choice).
pub fn remember_preferences(language: Option<&str>, zone: Option<&str>) {
    if let Some(locale) = language.and_then(identity::i18n::Locale::parse) {
        write_cookie(Cookie::Language, Some(locale.tag()));
    }
    if let Some(zone) = zone.and_then(identity::i18n::TimeZone::named) {
        write_cookie(Cookie::TimeZone, Some(&zone.name().replace('/', "%2F")));
    }
}

/// Remembers that the first step passed and a second factor is due.
pub async fn begin_second_factor(customer_id: &str, first: FirstStep, now: i64) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_error)?;
    session.insert(PENDING_CUSTOMER, customer_id).await.map_err(store_error)?;
    session.insert(PENDING_SINCE, now).await.map_err(store_error)?;
    session.insert(PENDING_AMR, first.as_str()).await.map_err(store_error)?;
    Ok(())
}

/// A sign-in whose first step passed in the last five minutes.
#[derive(Debug, Clone)]
pub struct Pending {
    pub customer_id: String,
    pub first: FirstStep,
}

/// The sign-in waiting for its second factor, if any.
pub async fn pending_second_factor(now: i64) -> Result<Option<Pending>, AppError> {
    let session = session().await?;
    let since = session.get::<i64>(PENDING_SINCE).await.map_err(store_error)?;
    if !identity::session::pending_is_current(since, now) {
        return Ok(None);
    }
    let Some(customer_id) = session.get::<String>(PENDING_CUSTOMER).await.map_err(store_error)? else { return Ok(None) };
    let first = session.get::<String>(PENDING_AMR).await.map_err(store_error)?.unwrap_or_default();
    Ok(Some(Pending { customer_id, first: FirstStep::parse(&first) }))
}

/// The pending sign-in, or "start again" when it timed out.
pub async fn require_pending() -> Result<Pending, AppError> {
    let now = server_context()?.identity.now();
    pending_second_factor(now).await?.ok_or_else(|| respond(AppError::Message(crate::i18n::t("error-sign-in-timed-out"))))
}

/// Keeps a passkey ceremony's state for its answer (replacing any earlier one).
pub async fn put_ceremony(state: &identity::accounts::passkeys::CeremonyState) -> Result<(), AppError> {
    session().await?.insert(CEREMONY, state).await.map_err(store_error)
}

/// Takes the ceremony state: an answer is checked against it once, never twice.
pub async fn take_ceremony() -> Result<identity::accounts::passkeys::CeremonyState, AppError> {
    let state = session().await?.remove::<identity::accounts::passkeys::CeremonyState>(CEREMONY).await.map_err(store_error)?;
    state.ok_or_else(|| respond(AppError::Message(crate::i18n::t("error-passkey-expired"))))
}

/// Records a re-authentication: a new id and a fresh authentication time.
pub async fn reauthenticated(auth_time: i64) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_error)?;
    session.insert(AUTH_TIME, auth_time).await.map_err(store_error)?;
    Ok(())
}

/// Records a step-up: as [`reauthenticated`], and the session's level rises to what
/// the step-up proved (`amr`) when that is stronger; it never falls.
pub async fn stepped_up(step: &identity::accounts::login::StepUp) -> Result<(), AppError> {
    reauthenticated(step.at).await?;
    raise_level(&step.amr).await
}

/// After a factor was added in this (recent, strong enough) session by proving it —
/// a first code of a new app, a passkey created with user verification — the session
/// has shown its sign-in's factor and the new one: it rises to `foyer:mfa`.
pub async fn proved_new_factor(current: &Current, methods: &[&'static str]) -> Result<(), AppError> {
    let mut amr: Vec<&'static str> =
        current.amr.iter().filter_map(|m| ["pwd", "otp", "hwk", "swk", "user"].into_iter().find(|k| *k == m.as_str())).collect();
    for m in methods.iter().copied().chain(["mfa"]) {
        if !amr.contains(&m) {
            amr.push(m);
        }
    }
    raise_level(&amr).await
}

/// Lifts the session's level to what `amr` proves, when that is stronger.
pub async fn raise_level(amr: &[&'static str]) -> Result<(), AppError> {
    let session = session().await?;
    let acr = session.get::<String>(ACR).await.map_err(store_error)?.unwrap_or_else(|| identity::session::DEFAULT_ACR.to_owned());
    if let Some((acr, amr)) = identity::accounts::step_up::lifted(&acr, amr) {
        session.insert(AMR, &amr).await.map_err(store_error)?;
        session.insert(ACR, acr).await.map_err(store_error)?;
    }
    Ok(())
}

/// Ends the session, and logs out the brands its sign-in reached.
pub async fn sign_out() -> Result<(), AppError> {
    sign_out_of(&session().await?, &server_context()?.identity).await
}

/// Ends `session` and logs out the brands its sign-in reached (also for the provider's
/// RP-initiated logout).
pub async fn sign_out_of(session: &Session, identity: &identity::Identity) -> Result<(), AppError> {
    let customer = session.get::<String>(CUSTOMER).await.map_err(store_error)?;
    let sid = session.get::<String>(SID).await.map_err(store_error)?;
    // Leaving a customer's portal ends the access: the agent asks again if needed.
    if let (Some(access), Some(staff)) = (session.get::<String>(SUPPORT_ACCESS).await.map_err(store_error)?, session.get::<String>(SUPPORT_STAFF).await.map_err(store_error)?) {
        let agent = identity::principal::Principal::Support { staff, customer: customer.clone().unwrap_or_default(), access: access.clone(), ticket: String::new(), permissions: Vec::new() };
        match identity.end_support_access(&agent, &access).await {
            Ok(()) | Err(identity::Error::Conflict(_) | identity::Error::NotFound(_)) => {}
            Err(e) => return Err(fail(e)),
        }
        return session.flush().await.map_err(store_error);
    }
    if let (Some(customer), Some(sid)) = (customer, sid) {
        identity.sign_in_ended(&identity::principal::Principal::customer(&customer, ""), &customer, &sid).await.map_err(fail)?;
    }
    session.flush().await.map_err(store_error)
}

/// The client address, device label and language of this request (mails it causes
/// are in that language unless the customer's profile names another).
pub fn request_meta() -> RequestMeta {
    let parts = use_context::<http::request::Parts>();
    let ip = parts.as_ref().and_then(|p| p.extensions.get::<ClientIp>()).map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
    let ua = parts.as_ref().and_then(|p| p.headers.get(http::header::USER_AGENT)).and_then(|v| v.to_str().ok());
    let request_id = parts.as_ref().and_then(|p| p.headers.get("x-request-id")).and_then(|v| v.to_str().ok());
    RequestMeta::new(ip, ua).with_locale(crate::i18n::request_locale()).with_request_id(request_id)
}

/// [`request_meta`] for a step of a brand's flow: when `return_to` names a pending
/// authorization request of a brand (`api::oidc::handle_in_return_to`), the mails the
/// step causes carry that brand's name and logo. Anything else is no brand.
pub async fn request_meta_for(return_to: Option<&str>) -> RequestMeta {
    let meta = request_meta();
    let Some(handle) = return_to.and_then(crate::api::oidc::handle_in_return_to) else { return meta };
    let Ok(ctx) = server_context() else { return meta };
    let Ok(Some(pending)) = ctx.identity.pending_request(&handle).await else { return meta };
    let brand = match ctx.identity.brand(&pending.client.brand_slug).await {
        Ok(Some(b)) => Some(identity::email::MailBrand { logo: b.logo_type.is_some(), slug: b.slug, name: b.name }),
        _ => None,
    };
    meta.with_brand(brand)
}

/// The one mapping of errors to answers lives in `crate::error`; re-exported so the
/// server functions' `.map_err(auth::fail)` read as before.
pub use crate::error::{fail, respond};

/// Our cookies: `__Host-` prefixed (Secure, path /, no domain) on https.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cookie {
    /// A random id that recognises this browser (new-device mail), 400 days.
    Device,
    /// "Remember this device": skips the second step for 30 days.
    Remember,
    /// The page language (`foyer-lang`, read by `crate::i18n::locale_of`), a year.
    Language,
    /// The time zone (`foyer-tz`, `/` written `%2F`), a year. Not HttpOnly: the wasm
    /// reads it to leave a zone the server set alone (`crate::remember_time_zone`).
    TimeZone,
}

impl Cookie {
    fn base(self) -> &'static str {
        match self {
            Self::Device => "foyer-device",
            Self::Remember => "foyer-remember",
            Self::Language => "foyer-lang",
            Self::TimeZone => "foyer-tz",
        }
    }

    fn max_age_secs(self) -> i64 {
        match self {
            Self::Device => 34_560_000,
            Self::Remember => identity::accounts::remember::REMEMBER_MS / 1000,
            Self::Language | Self::TimeZone => 31_536_000,
        }
    }

    pub fn name(self, ctx: &ServerContext) -> String {
        if ctx.public_url.starts_with("https://") { format!("__Host-{}", self.base()) } else { self.base().to_owned() }
    }
}

/// The value of one of our cookies, if the browser sent it.
pub fn read_cookie(which: Cookie) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let name = which.name(&server_context().ok()?);
    crate::context::request_cookie(&parts.headers, &[name.as_str()]).map(|(_, v)| v)
}

/// Sets one of our cookies (HttpOnly but the time zone, SameSite=Lax, Secure on https);
/// `None` clears it.
pub fn write_cookie(which: Cookie, value: Option<&str>) {
    let (Some(response), Ok(ctx)) = (use_context::<leptos_axum::ResponseOptions>(), server_context()) else { return };
    let secure = if ctx.public_url.starts_with("https://") { "; Secure" } else { "" };
    let http_only = if which == Cookie::TimeZone { "" } else { "; HttpOnly" };
    let (value, max_age) = value.map_or(("", 0), |v| (v, which.max_age_secs()));
    let cookie = format!("{}={value}; Path=/; Max-Age={max_age}{http_only}; SameSite=Lax{secure}", which.name(&ctx));
    if let Ok(v) = http::HeaderValue::from_str(&cookie) {
        response.append_header(http::header::SET_COOKIE, v);
    }
}

/// The device cookie's value, if the browser sent one.
pub fn device_cookie() -> Option<String> {
    read_cookie(Cookie::Device)
}

/// Remembers this browser for new-device detection (a random id, 400 days).
pub fn set_device_cookie(device_id: &str) {
    write_cookie(Cookie::Device, Some(device_id));
}

/// A sign-up's request metadata with this browser's device cookie, set first when the
/// browser has none: the account remembers which browser created it, so a confirmation
/// from another one clears what was set up before (`identity::accounts::provisional`).
/// With `return_to`, the sign-up belongs to that brand's flow ([`request_meta_for`]).
pub async fn sign_up_meta(return_to: Option<&str>) -> Result<RequestMeta, AppError> {
    let device = match device_cookie().filter(|d| identity::accounts::provisional::usable_device_id(d)) {
        Some(d) => d,
        None => server_context()?.identity.new_token(),
    };
    set_device_cookie(&device);
    Ok(request_meta_for(return_to).await.with_device_id(Some(device)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_out_account_pages_go_to_sign_in_with_the_page() {
        let get = http::Method::GET;
        let page = |m: &http::Method, u: &str| signed_in_page(m, &u.parse::<http::Uri>().unwrap_or_default());
        assert_eq!(page(&get, "/account/devices").map(|p| sign_in_path(&p)).as_deref(), Some("/login?return_to=%2Faccount%2Fdevices"));
        assert_eq!(page(&get, "/account?tab=1").map(|p| sign_in_path(&p)).as_deref(), Some("/login?return_to=%2Faccount%3Ftab%3D1"));
        for other in ["/accounts", "/account/confirm-email?token=x", "/account/undo-email", "/api/list_devices", "/login"] {
            assert_eq!(page(&get, other), None, "{other}");
        }
        assert_eq!(page(&http::Method::POST, "/account/devices"), None, "server functions answer 401");
    }
}
