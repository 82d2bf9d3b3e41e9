//! Passkey ceremonies. Each has two calls: `…_options` makes the WebAuthn options (the
//! state, challenge included, stays in the server-side session) and the second checks
//! the browser's answer against that state, which it takes out of the session so an
//! answer counts once.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A passkey as "Sign-in and security" lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    pub model: Option<String>,
    pub created: crate::i18n::When,
    pub last_used: Option<crate::i18n::When>,
    pub synced: bool,
    pub flagged: bool,
}

/// What adding a passkey returns: the recovery codes to show once when this passkey
/// turned two-step verification on (empty otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyAdded {
    pub recovery_codes: Vec<String>,
}

#[cfg(feature = "ssr")]
async fn keep(challenge: identity::accounts::passkeys::Challenge) -> Result<String, AppError> {
    crate::auth::put_ceremony(&challenge.state).await?;
    Ok(challenge.options_json)
}

#[server(endpoint = "list_passkeys")]
pub async fn list_passkeys() -> Result<Vec<PasskeyView>, AppError> {
    use crate::auth;
    use crate::i18n::when;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let list = ctx.identity.passkeys_of(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(list
        .into_iter()
        .map(|p| PasskeyView {
            id: p.id,
            name: p.name,
            model: p.model,
            created: when(p.created_at),
            last_used: p.last_used_at.map(when),
            synced: p.synced,
            flagged: p.flagged,
        })
        .collect())
}

#[server(endpoint = "passkey_add_options")]
pub async fn passkey_add_options() -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    keep(ctx.identity.passkey_add_options(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?).await
}

#[server(endpoint = "passkey_add")]
pub async fn passkey_add(name: String, response: String) -> Result<PasskeyAdded, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let state = auth::take_ceremony().await?;
    let ctx = crate::context::server_context()?;
    let (added, recovery_codes) = ctx.identity.passkey_add(&crate::api::customer(&current), &current.customer_id, &state, &response, &name).await.map_err(auth::fail)?;
    // The new passkey was just used, with user verification: the session proved it.
    auth::proved_new_factor(&current, &[if added.synced { "swk" } else { "hwk" }, "user"]).await?;
    Ok(PasskeyAdded { recovery_codes })
}

#[server(endpoint = "rename_passkey")]
pub async fn rename_passkey(id: String, name: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.rename_passkey(&crate::api::customer(&current), &current.customer_id, &id, &name).await.map_err(auth::fail)
}

#[server(endpoint = "remove_passkey")]
pub async fn remove_passkey(id: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.remove_passkey(&crate::api::customer(&current), &current.customer_id, &id).await.map_err(auth::fail)
}

/// Sign-up without a password: checks the form like a password sign-up.
#[server(endpoint = "passkey_sign_up_options")]
pub async fn passkey_sign_up_options(
    email: String,
    given_name: Option<String>,
    family_name: Option<String>,
    accept_terms: Option<String>,
) -> Result<String, AppError> {
    use crate::auth;
    use identity::accounts::register::Registration;
    let ctx = crate::context::server_context()?;
    let input = Registration {
        email,
        password: String::new().into(),
        given_name,
        family_name,
        accept_terms: crate::api::ticked(accept_terms.as_deref()),
    };
    keep(ctx.identity.passkey_sign_up_options(&identity::principal::Principal::Anonymous, &input, &auth::request_meta()).await.map_err(auth::fail)?).await
}

#[server(endpoint = "passkey_sign_up")]
pub async fn passkey_sign_up(response: String) -> Result<(), AppError> {
    use crate::auth;
    let state = auth::take_ceremony().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.passkey_sign_up(&identity::principal::Principal::Anonymous, &state, &response, &auth::sign_up_meta(None).await?).await.map_err(auth::fail)
}

/// Options for passwordless sign-in (the button, and autofill on the Email field).
#[server(endpoint = "passkey_sign_in_options")]
pub async fn passkey_sign_in_options() -> Result<String, AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    keep(ctx.identity.passkey_sign_in_options(&identity::principal::Principal::Anonymous, &auth::request_meta()).await.map_err(auth::fail)?).await
}

/// Signs in with a passkey alone; answers with the path to go to.
#[server(endpoint = "passkey_sign_in")]
pub async fn passkey_sign_in(response: String, return_to: Option<String>) -> Result<String, AppError> {
    use crate::auth;
    let state = auth::take_ceremony().await?;
    let ctx = crate::context::server_context()?;
    let meta = auth::request_meta();
    let device = auth::device_cookie();
    let outcome = ctx.identity.passkey_sign_in(&identity::principal::Principal::Anonymous, &state, &response, device.as_deref(), &meta).await;
    crate::api::account::signed_in(outcome, false, return_to.as_deref()).await
}

/// Options for the second step of a sign-in whose first step passed.
#[server(endpoint = "passkey_second_factor_options")]
pub async fn passkey_second_factor_options() -> Result<String, AppError> {
    use crate::auth;
    let pending = auth::require_pending().await?;
    let ctx = crate::context::server_context()?;
    keep(ctx.identity.passkey_verify_options(&identity::principal::Principal::Anonymous, &pending.customer_id).await.map_err(auth::fail)?).await
}

#[server(endpoint = "passkey_second_factor")]
pub async fn passkey_second_factor(response: String, remember: Option<String>, return_to: Option<String>) -> Result<String, AppError> {
    use crate::auth;
    let pending = auth::require_pending().await?;
    let state = auth::take_ceremony().await?;
    let ctx = crate::context::server_context()?;
    let meta = auth::request_meta();
    let device = auth::device_cookie();
    let outcome = ctx
        .identity
        .complete_second_factor_passkey(&identity::principal::Principal::Anonymous, &pending.customer_id, &[pending.first.amr()], &state, &response, device.as_deref(), &meta)
        .await;
    crate::api::account::signed_in(outcome, crate::api::ticked(remember.as_deref()), return_to.as_deref()).await
}

/// Options to confirm it's you with a passkey before a sensitive action.
#[server(endpoint = "passkey_step_up_options")]
pub async fn passkey_step_up_options() -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    keep(ctx.identity.passkey_verify_options(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?).await
}

#[server(endpoint = "passkey_step_up")]
pub async fn passkey_step_up(response: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let state = auth::take_ceremony().await?;
    let ctx = crate::context::server_context()?;
    let step = ctx.identity.reauthenticate_passkey(&crate::api::customer(&current), &current.customer_id, &state, &response).await.map_err(auth::fail)?;
    auth::stepped_up(&step).await
}
