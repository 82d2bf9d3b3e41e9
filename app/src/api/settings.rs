//! The signed-in customer's own settings: profile, password, email, devices, activity.

use identity::domain::profile::ProfileForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// An opaque handle (the session id's hash), for "Sign out".
    pub id: String,
    pub device: String,
    pub signed_in: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub at: String,
    pub what: String,
}

#[server(endpoint = "get_profile")]
pub async fn get_profile() -> Result<ProfileForm, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.profile(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)
}

/// Saves the profile; returns the names of the changed fields.
#[server(endpoint = "save_profile")]
pub async fn save_profile(form: ProfileForm) -> Result<Vec<String>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let changed = ctx.identity.update_profile(&crate::api::customer(&current), &current.customer_id, &form).await.map_err(auth::fail)?;
    Ok(changed.into_iter().map(str::to_owned).collect())
}

/// Changes the password; the other sessions end. `sign_out_apps` (a checkbox, ticked
/// by default on the page) also ends every grant at the brands, offline access too.
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String, code: Option<String>, sign_out_apps: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let with_code = code.as_deref().is_some_and(|c| !c.trim().is_empty());
    ctx.identity
        .change_password(
            &crate::api::customer(&current),
            &current.customer_id,
            current_password.into(),
            code.as_deref(),
            new_password.into(),
            Some(&current.session_hash),
            crate::api::ticked(sign_out_apps.as_deref()),
            &auth::request_meta(),
        )
        .await
        .map_err(|e| auth::fail(proof_failed(e, "Current password", with_code)))?;
    auth::reauthenticated(ctx.identity.now()).await
}

/// A failed proof of who is signed in, said about the fields it concerns: the
/// customer is signed in, so "Email or password is incorrect" would be wrong (there is
/// no email field) and there is nothing to hide. The core does not tell a wrong
/// password from a wrong second-step code, so with a code both fields are marked.
/// A missing code stays `SecondFactorRequired` (403); the page puts it on the code field.
#[cfg(feature = "ssr")]
fn proof_failed(e: identity::accounts::login::LoginError, password_field: &str, with_code: bool) -> AppError {
    use crate::error::FieldMessage;
    use crate::i18n::t;
    use identity::accounts::login::LoginError;
    let field = |field: &str, id: &str| FieldMessage { field: field.to_owned(), message: t(id) };
    match e {
        LoginError::Failed if with_code => AppError::Fields(vec![
            field(password_field, "security-password-or-code-wrong"),
            field("Code", "security-password-or-code-wrong-code"),
        ]),
        LoginError::Failed => AppError::Fields(vec![field(password_field, "security-current-password-wrong")]),
        other => other.into(),
    }
}

/// Proves the password again (and the second factor, when the account has one) before
/// a sensitive action; the session's level rises to what was proved.
#[server(endpoint = "reauthenticate")]
pub async fn reauthenticate(password: String, code: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let with_code = code.as_deref().is_some_and(|c| !c.trim().is_empty());
    let step = ctx
        .identity
        .reauthenticate(&crate::api::customer(&current), &current.customer_id, password.into(), code.as_deref(), &auth::request_meta())
        .await
        .map_err(|e| auth::fail(proof_failed(e, "Password", with_code)))?;
    auth::stepped_up(&step).await
}

/// Starts an email change: needs an authentication in the last five minutes.
#[server(endpoint = "change_email")]
pub async fn change_email(new_email: String) -> Result<(), AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.request_email_change(&crate::api::customer(&current), &current.customer_id, &new_email).await.map_err(auth::fail)
}

/// Confirms an email change by the mailed link's token, or by code when signed in.
#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: Option<String>, code: Option<String>) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    let token = token.filter(|t| !t.trim().is_empty());
    let (principal, by_code) = match (&token, code.filter(|c| !c.trim().is_empty())) {
        (None, Some(code)) => {
            let current = auth::require().await?;
            (crate::api::customer(&current), Some((current.customer_id, code)))
        }
        _ => (identity::principal::Principal::Anonymous, None),
    };
    ctx.identity
        .confirm_email_change(&principal, token.as_deref(), by_code.as_ref().map(|(c, k)| (c.as_str(), k.as_str())))
        .await
        .map(|_| ())
        .map_err(auth::fail)
}

#[server(endpoint = "undo_email_change")]
pub async fn undo_email_change(token: String) -> Result<(), AppError> {
    use crate::auth;
    let ctx = crate::context::server_context()?;
    ctx.identity.undo_email_change(&identity::principal::Principal::Anonymous, &token).await.map_err(auth::fail)?;
    auth::sign_out().await
}

#[server(endpoint = "list_devices")]
pub async fn list_devices() -> Result<Vec<DeviceView>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let rows = ctx.identity.devices(&crate::api::customer(&current), &current.customer_id).await.map_err(auth::fail)?;
    Ok(rows
        .into_iter()
        .map(|r| DeviceView {
            current: r.id_hash == current.session_hash,
            id: r.id_hash,
            device: r.device.unwrap_or_else(|| "Unknown browser".into()),
            signed_in: identity::clock::format_millis(r.created_at),
            last_seen: identity::clock::format_millis(r.last_seen_at),
        })
        .collect())
}

#[server(endpoint = "end_device")]
pub async fn end_device(id: String) -> Result<bool, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    if id == current.session_hash {
        auth::sign_out().await?;
        return Ok(true);
    }
    ctx.identity.end_session(&crate::api::customer(&current), &current.customer_id, &id).await.map_err(auth::fail)
}

#[server(endpoint = "end_other_devices")]
pub async fn end_other_devices() -> Result<u64, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    ctx.identity.end_other_sessions(&crate::api::customer(&current), &current.customer_id, &current.session_hash).await.map_err(auth::fail)
}

#[server(endpoint = "activity")]
pub async fn activity() -> Result<Vec<ActivityView>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let rows = ctx.identity.activity(&crate::api::customer(&current), &current.customer_id, 100).await.map_err(auth::fail)?;
    Ok(rows.into_iter().map(|r| ActivityView { at: identity::clock::format_millis(r.at), what: describe(&r.action, &r.detail) }).collect())
}

/// A sentence for an audit action, as the customer should read it.
#[cfg(feature = "ssr")]
fn describe(action: &str, detail: &str) -> String {
    let detail: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let device = detail.get("device").and_then(|d| d.as_str()).unwrap_or("an unknown device");
    match action {
        "customer.registered" => "Account created".into(),
        "customer.imported" => "Account imported".into(),
        "customer.email_verified" => "Email address confirmed".into(),
        "login.succeeded" => {
            let amr: Vec<&str> = detail.get("amr").and_then(|a| a.as_array()).map(|a| a.iter().filter_map(|m| m.as_str()).collect()).unwrap_or_default();
            let how = if amr.contains(&"mfa") {
                " with two steps"
            } else if amr.contains(&"user") {
                " with a passkey"
            } else if amr == ["otp"] {
                " with a code sent by email"
            } else {
                ""
            };
            if detail.get("new_device").and_then(serde_json::Value::as_bool) == Some(true) {
                format!("Signed in{how} from a new device: {device}")
            } else {
                format!("Signed in{how}: {device}")
            }
        }
        "login.failed" => format!("Failed sign-in attempt: {device}"),
        "account.locked" => "Account locked after too many failed sign-ins".into(),
        "account.unlocked" => "Account unlocked".into(),
        "customer.reauthenticated" if detail.get("method").and_then(|m| m.as_str()) == Some("passkey") => "Confirmed it's you with a passkey".into(),
        "customer.reauthenticated" => "Password confirmed".into(),
        "mfa.totp_enabled" => "Authenticator app turned on".into(),
        "mfa.totp_disabled" => "Authenticator app removed".into(),
        "mfa.recovery_codes_regenerated" => "New recovery codes created".into(),
        "mfa.recovery_code_used" => "A recovery code was used".into(),
        "mfa.failed" => "A wrong two-step code was entered".into(),
        "passkey.added" => "Passkey added".into(),
        "passkey.renamed" => "Passkey renamed".into(),
        "passkey.removed" => "Passkey removed".into(),
        "passkey.flagged" => "Passkey blocked: it answered like a copy".into(),
        "device.remembered" => format!("Device remembered for 30 days: {device}"),
        "password.reset_requested" => "Password reset requested".into(),
        "password.reset" => "Password reset".into(),
        "password.changed" => "Password changed".into(),
        "account.provisional_cleared" => "Everything set up before the address was confirmed was removed".into(),
        "email.change_requested" => "Email change requested".into(),
        "email.changed" => "Email address changed".into(),
        "email.change_undone" => "Email change undone".into(),
        "profile.updated" => "Profile updated".into(),
        "session.ended" => "Signed out a device".into(),
        "sessions.ended_others" => "Signed out all other devices".into(),
        other => other.replace(['.', '_'], " "),
    }
}
