//! Two-step verification: TOTP enrolment, recovery codes, turning it off. Every change
//! needs an authentication in the last five minutes.

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub qr_svg: String,
}

#[server(endpoint = "mfa_status")]
pub async fn mfa_status() -> Result<SecondFactorStatus, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let f = ctx.identity.second_factors_of(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(SecondFactorStatus { totp: f.totp, passkeys: f.passkeys, recovery_codes_left: f.recovery_codes_left, password: f.password })
}

#[server(endpoint = "start_totp")]
pub async fn start_totp() -> Result<TotpSetup, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let e = ctx.identity.start_totp(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(TotpSetup { secret: e.secret_base32, qr_svg: e.qr_svg })
}

/// Turns TOTP on with a first code; returns the recovery codes (shown once).
#[server(endpoint = "confirm_totp")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let codes = ctx.identity.confirm_totp(&crate::api::customer(&current), &current.customer_id, &code).await.map_err(auth::fail)?;
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
    ctx.identity.regenerate_recovery_codes(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)
}
