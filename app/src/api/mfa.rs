//! Two-step verification: TOTP enrolment, recovery codes, turning it off, and the
//! Security page's summary line. Every change needs an authentication in the last five
//! minutes.
//!
//! Posted without the wasm, the page is rendered again after a redirect, so what a
//! step shows must outlive it: the enrolment (secret and QR code) is opened again from
//! its sealed row until the app is confirmed ([`pending_totp_setup`]); new recovery
//! codes wait in the session, sealed with the master key, until the next render of the
//! page takes them out ([`take_recovery_codes`]): shown once, never reachable again,
//! never in clear in a session row.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorStatus {
    pub totp: bool,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
    pub password: bool,
}

/// What the enrolment step shows: the QR code (SVG markup we rendered) and the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpSetup").field("secret", &"[redacted]").finish_non_exhaustive()
    }
}

/// The session key holding recovery codes a plain post made, until the page shows them.
#[cfg(feature = "ssr")]
const NEW_CODES: &str = "foyer.new_recovery_codes";

/// Keeps new recovery codes for the page a plain post lands on (the wasm gets them in
/// the answer instead).
#[cfg(feature = "ssr")]
pub(crate) async fn keep_codes_for_page(codes: &[String]) -> Result<(), AppError> {
    if crate::api::plain_form_post() {
        let current = crate::auth::require().await?;
        let ctx = crate::context::server_context()?;
        let json = serde_json::to_vec(codes).map_err(|_| AppError::Internal)?;
        let sealed = ctx.identity.seal_for_session(&current.customer_id, &json).map_err(crate::auth::fail)?;
        crate::auth::session().await?.insert(NEW_CODES, sealed).await.map_err(|_| AppError::Internal)?;
    }
    Ok(())
}

#[server(endpoint = "mfa_status")]
pub async fn mfa_status() -> Result<SecondFactorStatus, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let f = ctx.identity.second_factors_of(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(SecondFactorStatus { totp: f.totp, passkeys: f.passkeys, recovery_codes_left: f.recovery_codes_left, password: f.password })
}

/// "Two-step verification on · 1 passkey · 2 signed-in devices", in the person's
/// language (plural forms are formatted here, on the server).
#[server(endpoint = "security_summary")]
pub async fn security_summary() -> Result<String, AppError> {
    use crate::auth;
    use crate::i18n::{t, t_with};
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let who = crate::api::customer(&current);
    let f = ctx.identity.second_factors_of(&who, &current.customer_id).await.map_err(auth::fail)?;
    let devices = ctx.identity.devices(&who, &current.customer_id).await.map_err(auth::fail)?.len();
    let two_step = if f.totp || f.passkeys > 0 { t("security-summary-two-step-on") } else { t("security-summary-two-step-off") };
    Ok([two_step, t_with("security-summary-passkeys", &[("n", f.passkeys.to_string())]), t_with("security-summary-devices", &[("n", devices.to_string())])]
        .join(" · "))
}

#[server(endpoint = "start_totp")]
pub async fn start_totp() -> Result<TotpSetup, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let e = ctx.identity.start_totp(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(TotpSetup { secret: e.secret_base32, qr_svg: e.qr_svg })
}

/// The enrolment in progress, for the page after a plain post (and after a reload):
/// only within the five minutes a change is allowed in.
#[server(endpoint = "pending_totp_setup")]
pub async fn pending_totp_setup() -> Result<Option<TotpSetup>, AppError> {
    use crate::auth;
    let Some(current) = auth::current().await? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    if !identity::session::auth_is_recent(current.auth_time, ctx.identity.now()) {
        return Ok(None);
    }
    let pending = ctx.identity.pending_totp(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(pending.map(|e| TotpSetup { secret: e.secret_base32, qr_svg: e.qr_svg }))
}

/// Turns TOTP on with a first code; returns the recovery codes (shown once).
#[server(endpoint = "confirm_totp")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let codes = ctx.identity.confirm_totp(&crate::api::customer(&current), &current.customer_id, &code).await.map_err(|e| match e {
        identity::Error::TokenInvalid | identity::Error::Invalid(_) => auth::fail(AppError::Fields(vec![crate::error::FieldMessage {
            field: "Code".into(),
            message: crate::i18n::t("security-totp-code-wrong"),
        }])),
        other => auth::fail(other),
    })?;
    keep_codes_for_page(&codes).await?;
    // A recent sign-in plus a correct code of the new app: both factors, just proved.
    auth::proved_new_factor(&current, &["otp"]).await?;
    Ok(codes)
}

#[server(endpoint = "disable_totp")]
pub async fn disable_totp() -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.disable_totp(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)
}

#[server(endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes() -> Result<Vec<String>, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let codes = ctx.identity.regenerate_recovery_codes(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    keep_codes_for_page(&codes).await?;
    Ok(codes)
}

/// The recovery codes a plain post just made, taken out of the session: the page that
/// shows them is the only one that ever can.
#[server(endpoint = "take_recovery_codes")]
pub async fn take_recovery_codes() -> Result<Vec<String>, AppError> {
    use crate::auth;
    let Some(current) = auth::current().await? else { return Ok(Vec::new()) };
    let Some(sealed) = auth::session().await?.remove::<String>(NEW_CODES).await.map_err(|_| AppError::Internal)? else { return Ok(Vec::new()) };
    let ctx = crate::context::server_context()?;
    let json = ctx.identity.open_from_session(&current.customer_id, &sealed).map_err(auth::fail)?;
    Ok(serde_json::from_slice(&json).unwrap_or_default())
}
