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
}

/// Only local paths: `/x` but not `//host`, `/\host`, or anything with a scheme.
pub fn safe_return_to(return_to: Option<&str>) -> String {
    match return_to.map(str::trim) {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains("://") && p.len() <= 512 => p.to_owned(),
        _ => "/account".to_owned(),
    }
}

#[server(endpoint = "me")]
pub async fn me() -> Result<Option<SignedInCustomer>, AppError> {
    use crate::auth;
    let Some(current) = auth::current().await? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let Some(c) = ctx.identity.store.customer_by_id(&current.customer_id).await.map_err(auth::fail)? else { return Ok(None) };
    let name = c.display_name.clone().or_else(|| c.given_name.clone()).unwrap_or_else(|| c.email.clone());
    Ok(Some(SignedInCustomer { email: c.email, name, email_verified: c.email_verified == 1 }))
}

#[server(endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    given_name: Option<String>,
    family_name: Option<String>,
    accept_terms: Option<String>,
) -> Result<(), AppError> {
    use crate::auth;
    use identity::accounts::register::Registration;
    let ctx = crate::context::server_context()?;
    let input = Registration {
        email,
        password: password.into(),
        given_name,
        family_name,
        accept_terms: accept_terms.is_some_and(|v| v == "on" || v == "true"),
    };
    ctx.identity.register(input, &auth::request_meta()).await.map_err(auth::fail)
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String, return_to: Option<String>) -> Result<String, AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let device = auth::device_cookie();
    let meta = auth::request_meta();
    let outcome = ctx.identity.login(&email, password.into(), device.as_deref(), &meta).await;
    let label = |outcome: &str| {
        ctx.metrics.login_outcomes.get_or_create(&crate::context::OutcomeLabel { outcome: outcome.to_owned() }).inc();
    };
    match outcome {
        Ok(identity::accounts::login::LoginStep::SignedIn(signed)) => {
            label("success");
            auth::sign_in(&signed.customer_id, signed.auth_time, &meta.device, &signed.amr).await?;
            auth::set_device_cookie(&signed.device_id);
            Ok(safe_return_to(return_to.as_deref()))
        }
        Ok(identity::accounts::login::LoginStep::SecondFactor { customer_id }) => {
            auth::begin_second_factor(&customer_id, ctx.identity.clock.now()).await?;
            let next = safe_return_to(return_to.as_deref());
            Ok(format!("/login/second-factor?return_to={}", encode_path(&next)))
        }
        Err(e) => {
            label(match &e {
                identity::accounts::login::LoginError::Throttled { .. } => "throttled",
                _ => "failure",
            });
            Err(auth::fail(e))
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

/// The second step of sign-in: a TOTP code or a recovery code.
#[server(endpoint = "login_second_factor")]
pub async fn login_second_factor(code: String, return_to: Option<String>) -> Result<String, AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let Some(customer_id) = auth::pending_second_factor(ctx.identity.clock.now()).await? else {
        return Err(auth::respond(AppError::Message("Your sign-in timed out. Please start again.".into())));
    };
    let meta = auth::request_meta();
    let device = auth::device_cookie();
    let label = |outcome: &str| {
        ctx.metrics.login_outcomes.get_or_create(&crate::context::OutcomeLabel { outcome: outcome.to_owned() }).inc();
    };
    match ctx.identity.complete_second_factor(&customer_id, &code, device.as_deref(), &meta).await {
        Ok(signed) => {
            label("success");
            auth::sign_in(&signed.customer_id, signed.auth_time, &meta.device, &signed.amr).await?;
            auth::set_device_cookie(&signed.device_id);
            Ok(safe_return_to(return_to.as_deref()))
        }
        Err(e) => {
            label("failure");
            Err(auth::fail(e))
        }
    }
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::auth::sign_out().await
}

/// Confirms an address from the mailed link (a button press, never a bare GET, so
/// mail scanners cannot spend the link).
#[server(endpoint = "verify_email_link")]
pub async fn verify_email_link(token: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    ctx.identity.verify_email_link(&token).await.map(|_| ()).map_err(crate::auth::fail)
}

#[server(endpoint = "verify_email_code")]
pub async fn verify_email_code(email: String, code: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    ctx.identity.verify_email_code(&email, &code).await.map(|_| ()).map_err(crate::auth::fail)
}

#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.resend_verification(&current.customer_id).await.map_err(auth::fail)
}

#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    ctx.identity.request_password_reset(&email, &auth::request_meta()).await.map_err(auth::fail)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, code: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    ctx.identity.reset_password(&token, password.into(), code.as_deref()).await.map(|_| ()).map_err(auth::fail)?;
    // Whoever holds this browser is not signed in by a reset.
    auth::sign_out().await
}

#[server(endpoint = "unlock_account")]
pub async fn unlock_account(token: String) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    ctx.identity.unlock(&token).await.map_err(crate::auth::fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_accepts_local_paths_only() {
        assert_eq!(safe_return_to(Some("/account/devices?x=1")), "/account/devices?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "account", ""] {
            assert_eq!(safe_return_to(Some(bad)), "/account", "{bad}");
        }
        assert_eq!(safe_return_to(None), "/account");
    }
}
