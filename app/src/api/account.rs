//! Customer accounts: registration, sign-in and out, verification, recovery.
//! Each function is an adapter: parse the form, call the core, map the error.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in customer as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInCustomer {
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    /// How strongly this session was authenticated (OIDC `acr`).
    pub acr: String,
}

/// Where a completed step leads: `return_to` if it is a page of Foyer's own
/// (`api::return_to`), else `/account`.
#[cfg(feature = "ssr")]
fn safe_return_to(return_to: Option<&str>) -> String {
    match crate::context::server_context() {
        Ok(ctx) => crate::api::return_to::safe_return_to(return_to, &ctx.public_url),
        Err(_) => crate::api::return_to::DEFAULT.to_owned(),
    }
}

#[server(endpoint = "me")]
pub async fn me() -> Result<Option<SignedInCustomer>, AppError> {
    use crate::auth;
    let Some(current) = auth::current().await? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    if current.support.is_some() {
        // A support agent in the customer's portal: the customer's name (what the agent
        // may see), never their address; an ended access reads as signed out.
        let Ok((principal, subject)) = crate::api::acting(&current).await else { return Ok(None) };
        let p = ctx.identity.profile(&principal, &subject).await.map_err(auth::fail)?;
        let name = [p.display_name, p.given_name, p.family_name].into_iter().flatten().find(|n| !n.trim().is_empty()).unwrap_or_default();
        return Ok(Some(SignedInCustomer { email: String::new(), name, email_verified: true, acr: current.acr }));
    }
    let Some(c) = ctx.identity.account_summary(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)? else { return Ok(None) };
    Ok(Some(SignedInCustomer { email: c.email, name: c.name, email_verified: c.email_verified, acr: current.acr }))
}

#[server(endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    given_name: Option<String>,
    family_name: Option<String>,
    accept_terms: Option<String>,
    return_to: Option<String>,
) -> Result<(), AppError> {
    use crate::auth;
    use identity::accounts::register::Registration;
    let ctx = crate::context::server_context()?;
    let input = Registration {
        email,
        password: password.into(),
        given_name,
        family_name,
        accept_terms: crate::api::ticked(accept_terms.as_deref()),
    };
    let address = input.email.trim().to_owned();
    ctx.identity.register(&identity::principal::Principal::Anonymous, input, &auth::sign_up_meta(return_to.as_deref()).await?).await.map_err(auth::fail)?;
    // The "check your email" step can confirm by code without asking for the address again.
    keep_address(REGISTERED_ADDRESS, &address).await
}

/// Session keys for an address the next step needs (never in the URL).
#[cfg(feature = "ssr")]
const REGISTERED_ADDRESS: &str = "auth.registered";
#[cfg(feature = "ssr")]
const CODE_ADDRESS: &str = "auth.code_address";

/// Keeps `address` in this browser's server-side session for the next step.
#[cfg(feature = "ssr")]
async fn keep_address(key: &str, address: &str) -> Result<(), AppError> {
    let session = crate::auth::session().await?;
    session.insert(key, address).await.map_err(|e| {
        tracing::error!(error = %e, "session store failed");
        crate::auth::respond(AppError::Internal)
    })
}

/// The address given (when not empty), else the one this session kept under `key`.
#[cfg(feature = "ssr")]
async fn address_or_kept(given: Option<String>, key: &str) -> Result<String, AppError> {
    if let Some(given) = given.filter(|g| !g.trim().is_empty()) {
        return Ok(given);
    }
    let session = crate::auth::session().await?;
    Ok(session.get::<String>(key).await.ok().flatten().unwrap_or_default())
}

/// The refused sign-in step in the visitor's language.
#[cfg(feature = "ssr")]
fn login_message(e: &identity::accounts::login::LoginError) -> Option<String> {
    use identity::accounts::login::{CodeRefusal, LoginError};
    let id = match e {
        LoginError::Failed => "auth-error-sign-in-failed",
        LoginError::CodeFailed => "auth-error-code-failed",
        LoginError::SecondStep(CodeRefusal::Wrong) => "auth-error-code-wrong",
        LoginError::SecondStep(CodeRefusal::Used) => "auth-error-code-used",
        LoginError::SecondStep(CodeRefusal::Expired) => "auth-error-code-expired",
        LoginError::SecondFactorRequired => "auth-error-second-step-required",
        LoginError::Throttled { .. } | LoginError::Other(_) => return None,
    };
    Some(crate::i18n::t(id))
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String, return_to: Option<String>) -> Result<String, AppError> {
    let ctx = crate::context::server_context()?;
    let device = crate::auth::device_cookie();
    let meta = crate::auth::request_meta_for(return_to.as_deref()).await;
    let outcome = ctx.identity.login(&identity::principal::Principal::Anonymous, &email, password.into(), device.as_deref(), &meta).await;
    next_step(outcome, return_to.as_deref()).await.map(crate::api::continue_to)
}

/// Counts a sign-in outcome for `/metrics`.
#[cfg(feature = "ssr")]
fn count_outcome(outcome: &str) {
    if let Ok(ctx) = crate::context::server_context() {
        ctx.metrics.login_outcomes.get_or_create(&crate::context::OutcomeLabel { outcome: outcome.to_owned() }).inc();
    }
}

/// Where a first sign-in step leads: into the account, or to the second step.
#[cfg(feature = "ssr")]
pub(crate) async fn next_step(
    outcome: Result<identity::accounts::login::LoginStep, identity::accounts::login::LoginError>,
    return_to: Option<&str>,
) -> Result<String, AppError> {
    use identity::accounts::login::LoginStep;
    match outcome {
        Ok(LoginStep::SignedIn(signed)) => signed_in(Ok(signed), false, return_to).await,
        Ok(LoginStep::SecondFactor { customer_id, first }) => {
            let ctx = crate::context::server_context()?;
            // A device remembered after an earlier second step skips it.
            if let Some(token) = crate::auth::read_cookie(crate::auth::Cookie::Remember) {
                let meta = crate::auth::request_meta();
                let device = crate::auth::device_cookie();
                let remembered = ctx.identity.sign_in_remembered(&identity::principal::Principal::Anonymous, &customer_id, first, &token, device.as_deref(), &meta).await;
                match remembered.map_err(crate::auth::fail)? {
                    Some(signed) => return signed_in(Ok(signed), false, return_to).await,
                    None => crate::auth::write_cookie(crate::auth::Cookie::Remember, None),
                }
            }
            crate::auth::begin_second_factor(&customer_id, first, ctx.identity.now()).await?;
            let next = safe_return_to(return_to);
            Ok(format!("/login/second-factor?return_to={}", encode_path(&next)))
        }
        Err(e) => signed_in(Err(e), false, return_to).await,
    }
}

/// A completed sign-in: the session, the device cookie, and where to go; `remember`
/// (after a second step) remembers this device for 30 days. Every refused sign-in
/// step is counted and answered here.
#[cfg(feature = "ssr")]
pub(crate) async fn signed_in(
    outcome: Result<identity::accounts::login::SignedIn, identity::accounts::login::LoginError>,
    remember: bool,
    return_to: Option<&str>,
) -> Result<String, AppError> {
    use identity::accounts::login::LoginError;
    match outcome {
        Ok(signed) => {
            count_outcome("success");
            // An account scheduled for deletion does not open: its page offers to cancel.
            if let Some(page) = crate::api::privacy_data::hold_if_scheduled(&signed, &safe_return_to(return_to)).await? {
                return Ok(page);
            }
            let meta = crate::auth::request_meta();
            let preferences = crate::auth::Preferences { language: signed.preferred_language.as_deref(), zone: signed.zoneinfo.as_deref() };
            crate::auth::sign_in(&signed.customer_id, signed.auth_time, &meta.device, &signed.amr, Some(preferences)).await?;
            crate::auth::set_device_cookie(&signed.device_id);
            if remember {
                let ctx = crate::context::server_context()?;
                let me = identity::principal::Principal::customer(&signed.customer_id, identity::accounts::login::acr_of(&signed.amr));
                let token = ctx.identity.remember_device(&me, &signed.customer_id, &meta).await.map_err(crate::auth::fail)?;
                crate::auth::write_cookie(crate::auth::Cookie::Remember, Some(&token));
            }
            Ok(safe_return_to(return_to))
        }
        Err(e) => {
            count_outcome(match e {
                LoginError::Throttled { .. } => "throttled",
                // A login storm's refusal: nothing was checked, the page tries again.
                LoginError::Other(identity::Error::Busy { .. }) => "busy",
                _ => "failure",
            });
            match login_message(&e) {
                Some(text) => Err(crate::auth::respond(AppError::Message(text))),
                None => Err(crate::auth::fail(e)),
            }
        }
    }
}

/// Percent-encodes a local path for a query parameter.
pub fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The second step of sign-in: a TOTP code, a recovery code, or a mailed code.
#[server(endpoint = "login_second_factor")]
pub async fn login_second_factor(code: String, remember: Option<String>, return_to: Option<String>) -> Result<String, AppError> {
    let ctx = crate::context::server_context()?;
    let pending = crate::auth::require_pending().await?;
    let meta = crate::auth::request_meta_for(return_to.as_deref()).await;
    let device = crate::auth::device_cookie();
    let outcome = ctx.identity.complete_second_factor(&identity::principal::Principal::Anonymous, &pending.customer_id, pending.first, &code, device.as_deref(), &meta).await;
    signed_in(outcome, crate::api::ticked(remember.as_deref()), return_to.as_deref()).await.map(crate::api::continue_to)
}

/// Which second steps the pending sign-in can use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondSteps {
    pub totp: bool,
    pub passkey: bool,
    /// A mailed code (only after a password).
    pub email_code: bool,
}

#[server(endpoint = "second_factor_methods")]
pub async fn second_factor_methods() -> Result<SecondSteps, AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let pending = auth::require_pending().await?;
    let f = ctx.identity.pending_second_steps(&identity::principal::Principal::Anonymous, &pending.customer_id).await.map_err(auth::fail)?;
    Ok(SecondSteps {
        totp: f.totp,
        passkey: f.passkeys > 0,
        email_code: pending.first == identity::accounts::login::FirstStep::Password,
    })
}

/// Mails a code as the fallback second step.
#[server(endpoint = "second_factor_email_code")]
pub async fn second_factor_email_code() -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let pending = auth::require_pending().await?;
    if pending.first == identity::accounts::login::FirstStep::EmailCode {
        return Err(auth::respond(AppError::Message(crate::i18n::t("auth-error-second-step-not-mail"))));
    }
    ctx.identity.send_second_factor_code(&identity::principal::Principal::Anonymous, &pending.customer_id, &auth::request_meta()).await.map_err(auth::fail)
}

/// Asks for a sign-in code by mail (the same answer for every address). The address
/// stays in the session for the code step and "send a new code" (none given: the kept one).
#[server(endpoint = "send_sign_in_code")]
pub async fn send_sign_in_code(email: Option<String>, return_to: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let email = address_or_kept(email, CODE_ADDRESS).await?;
    ctx.identity.send_sign_in_code(&identity::principal::Principal::Anonymous, &email, &auth::request_meta_for(return_to.as_deref()).await).await.map_err(auth::fail)?;
    keep_address(CODE_ADDRESS, email.trim()).await
}

/// Signs in with the mailed code (for the address given, else the one the code was sent to).
#[server(endpoint = "login_with_code")]
pub async fn login_with_code(email: Option<String>, code: String, return_to: Option<String>) -> Result<String, AppError> {
    let ctx = crate::context::server_context()?;
    let email = address_or_kept(email, CODE_ADDRESS).await?;
    let device = crate::auth::device_cookie();
    let meta = crate::auth::request_meta_for(return_to.as_deref()).await;
    let outcome = ctx.identity.login_with_code(&identity::principal::Principal::Anonymous, &email, &code, device.as_deref(), &meta).await;
    next_step(outcome, return_to.as_deref()).await.map(crate::api::continue_to)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::auth::sign_out().await
}

/// What confirming an address did, for the result page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    /// Confirmed in a browser other than the one that created the account: the
    /// password set at sign-up was removed.
    pub password_removed: bool,
}

/// The `confirmed` query parameter of `/verify` that shows the result without wasm.
pub const CONFIRMED_PASSWORD_REMOVED: &str = "password-removed";

impl Confirmed {
    /// `/verify` showing this result.
    pub fn page(self) -> &'static str {
        if self.password_removed { "/verify?confirmed=password-removed" } else { "/verify?confirmed=kept" }
    }

    /// [`Self::page`], keeping a sign-in's `return_to` (a brand's pending request) for
    /// its "Sign in" link.
    pub fn page_with(self, return_to: Option<&str>) -> String {
        match return_to.filter(|r| !r.is_empty()) {
            Some(next) => format!("{}&return_to={}", self.page(), encode_path(next)),
            None => self.page().to_owned(),
        }
    }
}

/// The result of a confirmation by link. A plain HTML form post (no wasm) is sent to
/// the result page; the hydrated form shows the returned value.
#[cfg(feature = "ssr")]
fn confirmed_by_link(c: identity::accounts::register::Confirmed, return_to: Option<&str>) -> Confirmed {
    let out = Confirmed { password_removed: c.password_removed };
    // Only a local path goes along (it becomes the "Sign in" link's `return_to`).
    let next = return_to.filter(|r| !r.is_empty()).map(|r| safe_return_to(Some(r)));
    crate::api::continue_to(out.page_with(next.as_deref()));
    out
}

/// Confirms an address from the mailed link (a button press, never a bare GET, so
/// mail scanners cannot spend the link). The device cookie tells the core whether the
/// browser that created the account confirms it.
#[server(endpoint = "verify_email_link")]
pub async fn verify_email_link(token: String) -> Result<Confirmed, AppError> {
    let ctx = crate::context::server_context()?;
    let device = crate::auth::device_cookie();
    ctx.identity.verify_email_link(&identity::principal::Principal::Anonymous, &token, device.as_deref()).await.map(|c| confirmed_by_link(c, None)).map_err(crate::auth::fail)
}

/// Confirms an address with the mailed code (the address given, else the one this
/// browser just registered).
#[server(endpoint = "verify_email_code")]
pub async fn verify_email_code(email: Option<String>, code: String, return_to: Option<String>) -> Result<Confirmed, AppError> {
    let ctx = crate::context::server_context()?;
    let email = address_or_kept(email, REGISTERED_ADDRESS).await?;
    let device = crate::auth::device_cookie();
    ctx.identity.verify_email_code(&identity::principal::Principal::Anonymous, &email, &code, device.as_deref())
        .await
        .map(|c| confirmed_by_link(c, return_to.as_deref())).map_err(crate::auth::fail)
}

#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.resend_verification(&crate::api::customer(&current), &current.customer_id, &auth::request_meta()).await.map_err(auth::fail)
}

#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String, return_to: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    ctx.identity.request_password_reset(&identity::principal::Principal::Anonymous, &email, &auth::request_meta_for(return_to.as_deref()).await).await.map_err(auth::fail)
}

/// Sets a new password from the mailed link. An account with a second factor sends
/// its code: from the app (`code`) or a recovery code (`recovery_code`, its own field
/// because it has letters).
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, code: Option<String>, recovery_code: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let code = code.filter(|c| !c.trim().is_empty()).or(recovery_code);
    ctx.identity.reset_password(&identity::principal::Principal::Anonymous, &token, password.into(), code.as_deref()).await.map(|_| ()).map_err(auth::fail)?;
    // Whoever holds this browser is not signed in by a reset.
    auth::sign_out().await
}

#[server(endpoint = "unlock_account")]
pub async fn unlock_account(token: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    ctx.identity.unlock(&identity::principal::Principal::Anonymous, &token).await.map_err(crate::auth::fail)
}
