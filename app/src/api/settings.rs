//! The signed-in customer's own settings: profile, password, email, devices, activity.

use identity::domain::profile::ProfileForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::When;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// An opaque handle (the session id's hash), for "Sign out".
    pub id: String,
    pub device: String,
    pub signed_in: When,
    pub last_seen: When,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub at: When,
    pub what: String,
}

#[server(endpoint = "get_profile")]
pub async fn get_profile() -> Result<ProfileForm, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let (principal, subject) = crate::api::acting(&current).await?;
    ctx.identity.profile(&principal, &subject).await.map_err(auth::fail)
}

/// Saves the profile; returns the names of the changed fields. The pages follow the
/// saved language and time zone at once (their cookies are set here).
#[server(endpoint = "save_profile")]
pub async fn save_profile(form: ProfileForm) -> Result<Vec<String>, AppError> {
    use crate::auth;
    let current = auth::require().await?;
    let ctx = crate::context::server_context()?;
    let (principal, subject) = crate::api::acting(&current).await?;
    let changed = ctx.identity.update_profile(&principal, &subject, &form).await.map_err(auth::fail)?;
    if subject != current.customer_id {
        // A guardian saved someone else's profile: this browser keeps its own language.
        return Ok(changed.into_iter().map(str::to_owned).collect());
    }
    // Checked by the core: a language we ship and a zone the database knows.
    auth::remember_preferences(form.preferred_language.as_deref(), form.zoneinfo.as_deref().map(str::trim));
    // Set back to "as my browser/device is set": the browser's own choice applies again.
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if changed.contains(&"preferred_language") && blank(&form.preferred_language) {
        auth::write_cookie(auth::Cookie::Language, None);
    }
    if changed.contains(&"zoneinfo") && blank(&form.zoneinfo) {
        auth::write_cookie(auth::Cookie::TimeZone, None);
    }
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

/// A stored device label ("Firefox on Linux", `identity::accounts::sessions`) in the
/// page's language; browser and system names stay as they are.
#[cfg(feature = "ssr")]
fn device_label(stored: &str) -> String {
    use identity::accounts::sessions::{ON, UNKNOWN_BROWSER};
    let browser = |b: &str| if b == UNKNOWN_BROWSER { crate::i18n::t("account-devices-unknown") } else { b.to_owned() };
    match stored.split_once(ON) {
        Some((b, os)) => crate::i18n::t_with("account-device-on", &[("browser", browser(b)), ("os", os.to_owned())]),
        None => browser(stored),
    }
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
            device: r.device.as_deref().map_or_else(|| crate::i18n::t("account-devices-unknown"), device_label),
            signed_in: crate::i18n::when(r.created_at),
            last_seen: crate::i18n::when(r.last_seen_at),
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
    let me = crate::api::customer(&current);
    let rows = ctx.identity.activity(&me, &current.customer_id, 100).await.map_err(auth::fail)?;
    let names = if rows.iter().any(|r| r.detail.contains("\"on_behalf\":true")) {
        ctx.identity.household_names(&me, &current.customer_id).await.map_err(auth::fail)?
    } else {
        Vec::new()
    };
    let mine = format!("customer:{}", current.customer_id);
    Ok(rows
        .into_iter()
        .map(|r| {
            let what = describe(&r.action, &r.detail);
            let what = match on_behalf(&r, &mine, &names) {
                Some(suffix) => format!("{what} ({suffix})"),
                None => what,
            };
            ActivityView { at: crate::i18n::when(r.at), what }
        })
        .collect())
}

/// "by <name> on your behalf" (a delegate or guardian acted on the customer's
/// account) or "on behalf of <name>" (the customer acted for someone), for a row
/// written by a delegate principal; "by support, ticket <ref>" for a row support wrote
/// working a ticket; `None` for the customer's own actions.
#[cfg(feature = "ssr")]
fn on_behalf(row: &identity::store::audit::ActivityRow, mine: &str, names: &[(String, String)]) -> Option<String> {
    use crate::i18n::{t, t_with};
    let detail: serde_json::Value = serde_json::from_str(&row.detail).ok()?;
    // Support, working a ticket: who (staff are named by their role, not their id) and which ticket.
    if row.actor.starts_with("staff:") {
        return detail.get("ticket").and_then(serde_json::Value::as_str).map(|ticket| t_with("support-activity-by", &[("ticket", ticket.to_owned())]));
    }
    if detail.get("on_behalf").and_then(serde_json::Value::as_bool) != Some(true) {
        return None;
    }
    let name_of = |label: &str| {
        let id = label.strip_prefix("customer:").unwrap_or(label);
        names.iter().find(|(i, _)| i == id).map_or_else(|| t("delegation-activity-someone"), |(_, n)| n.clone())
    };
    if row.actor != mine {
        Some(t_with("delegation-activity-by", &[("name", name_of(&row.actor))]))
    } else {
        row.subject.as_deref().map(|s| t_with("delegation-activity-for", &[("name", name_of(s))]))
    }
}

/// A sentence for an audit action, as the customer should read it (`account.ftl`,
/// `account-activity-*`; formatted here, on the server).
#[cfg(feature = "ssr")]
fn describe(action: &str, detail: &str) -> String {
    use crate::i18n::{t, t_with};
    let detail: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let device = detail.get("device").and_then(|d| d.as_str()).map_or_else(|| t("account-activity-unknown-device"), device_label);
    let id = match action {
        "customer.registered" => "account-activity-registered",
        "customer.imported" => "account-activity-imported",
        "customer.email_verified" => "account-activity-email-verified",
        "login.succeeded" => {
            let amr: Vec<&str> = detail.get("amr").and_then(|a| a.as_array()).map(|a| a.iter().filter_map(|m| m.as_str()).collect()).unwrap_or_default();
            let how = if amr.contains(&"mfa") {
                "mfa"
            } else if amr.contains(&"user") {
                "passkey"
            } else if amr == ["otp"] {
                "code"
            } else {
                "password"
            };
            let new = if detail.get("new_device").and_then(serde_json::Value::as_bool) == Some(true) { "yes" } else { "no" };
            return t_with("account-activity-signed-in", &[("how", how.into()), ("new", new.into()), ("device", device)]);
        }
        "login.failed" => return t_with("account-activity-login-failed", &[("device", device)]),
        "account.locked" => "account-activity-locked",
        "account.unlocked" => "account-activity-unlocked",
        "customer.reauthenticated" if detail.get("method").and_then(|m| m.as_str()) == Some("passkey") => "account-activity-reauthenticated-passkey",
        "customer.reauthenticated" => "account-activity-reauthenticated",
        "mfa.totp_enabled" => "account-activity-totp-enabled",
        "mfa.totp_disabled" => "account-activity-totp-disabled",
        "mfa.recovery_codes_regenerated" => "account-activity-recovery-codes-regenerated",
        "mfa.recovery_code_used" => "account-activity-recovery-code-used",
        "mfa.failed" => "account-activity-mfa-failed",
        "passkey.added" => "account-activity-passkey-added",
        "passkey.renamed" => "account-activity-passkey-renamed",
        "passkey.removed" => "account-activity-passkey-removed",
        "passkey.flagged" => "account-activity-passkey-flagged",
        "device.remembered" => return t_with("account-activity-device-remembered", &[("device", device)]),
        "password.reset_requested" => "account-activity-password-reset-requested",
        "password.reset" => "account-activity-password-reset",
        "password.changed" => "account-activity-password-changed",
        "account.provisional_cleared" => "account-activity-provisional-cleared",
        "email.change_requested" => "account-activity-email-change-requested",
        "email.changed" => "account-activity-email-changed",
        "email.change_undone" => "account-activity-email-change-undone",
        "profile.updated" => "account-activity-profile-updated",
        "session.ended" => "account-activity-session-ended",
        "sessions.ended_others" => "account-activity-sessions-ended-others",
        "oauth.consent_granted" => "account-activity-brand-connected",
        "oauth.consent_denied" => "account-activity-brand-declined",
        "oauth.consent_revoked" => "account-activity-brand-disconnected",
        "oauth.logout" => "account-activity-brands-signed-out",
        "oauth.code_replayed" | "oauth.refresh_reused" => "account-activity-token-reused",
        "oauth.refresh_retried" => "account-activity-token-retried",
        "privacy.export_created" => "data-activity-export-created",
        "privacy.export_downloaded" => "data-activity-export-downloaded",
        "privacy.deletion_requested" => "data-activity-deletion-requested",
        "privacy.deletion_cancelled" => "data-activity-deletion-cancelled",
        "delegation.granted" => "delegation-activity-granted",
        "delegation.renewed" => "delegation-activity-renewed",
        "delegation.revoked" => "delegation-activity-revoked",
        "oauth.signed_in_on_behalf" => "delegation-activity-signed-in-on-behalf",
        "oauth.token_exchanged" => "delegation-activity-token-exchanged",
        "support.access_requested" => "support-activity-requested",
        "support.access_approved" => "support-activity-approved",
        "support.access_refused" => "support-activity-refused",
        "support.access_entered" => "support-activity-entered",
        "support.access_ended" => "support-activity-ended",
        "oauth.signed_in_by_support" => "support-activity-signed-in-at-brand",
        "support.revealed" => "support-activity-revealed",
        "support.locked" => "account-activity-support-locked",
        "support.unlocked" => "account-activity-support-unlocked",
        "support.reset_link_sent" => "account-activity-support-reset-link-sent",
        "support.verification_resent" => "account-activity-support-verification-resent",
        "support.sessions_ended" => "account-activity-support-sessions-ended",
        "support.profile_corrected" => "account-activity-support-profile-corrected",
        "support.phone_consent_recorded" => "account-activity-support-phone-consent",
        "support.second_factors_reset" => "account-activity-support-second-factors-reset",
        "support.loyalty_decided" => "account-activity-support-loyalty-decided",
        _ => "account-activity-other",
    };
    t(id)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos::prelude::{Owner, provide_context};

    use super::describe;
    use crate::i18n::{CurrentLocale, Locale};

    /// Every audit action the activity page knows reads as a sentence in every locale
    /// (no `⟦id⟧`): the ids are chosen at run time, so the source scan cannot see them.
    #[test]
    fn every_activity_reads_as_a_sentence_in_every_locale() {
        let actions = [
            "customer.registered", "customer.imported", "customer.email_verified", "login.succeeded", "login.failed", "account.locked",
            "account.unlocked", "customer.reauthenticated", "mfa.totp_enabled", "mfa.totp_disabled", "mfa.recovery_codes_regenerated",
            "mfa.recovery_code_used", "mfa.failed", "passkey.added", "passkey.renamed", "passkey.removed", "passkey.flagged",
            "device.remembered", "password.reset_requested", "password.reset", "password.changed", "account.provisional_cleared",
            "email.change_requested", "email.changed", "email.change_undone", "profile.updated", "session.ended",
            "sessions.ended_others", "oauth.consent_granted", "oauth.consent_denied", "oauth.consent_revoked", "oauth.logout",
            "oauth.code_replayed", "oauth.refresh_reused", "oauth.refresh_retried", "privacy.export_created", "privacy.export_downloaded",
            "privacy.deletion_requested", "privacy.deletion_cancelled", "delegation.granted", "delegation.renewed", "delegation.revoked",
            "oauth.signed_in_on_behalf", "oauth.token_exchanged", "support.locked", "support.unlocked", "support.reset_link_sent",
            "support.verification_resent", "support.sessions_ended", "support.profile_corrected", "support.phone_consent_recorded",
            "support.second_factors_reset", "support.loyalty_decided", "oauth.signed_in_by_support", "something.new",
        ];
        let detail = r#"{"device":"Firefox on Linux","amr":["pwd","otp","mfa"],"new_device":true,"method":"passkey"}"#;
        for locale in Locale::ALL {
            let owner = Owner::new();
            owner.with(|| {
                provide_context(CurrentLocale(locale));
                for action in actions {
                    let text = describe(action, detail);
                    assert!(!text.is_empty() && !text.contains('⟦'), "{action} in {}: {text}", locale.tag());
                }
                let plain = describe("login.succeeded", r#"{"amr":["pwd"]}"#);
                match locale {
                    Locale::En => {
                        assert_eq!(describe("login.succeeded", detail), "Signed in with two steps from a new device: Firefox on Linux");
                        assert_eq!(plain, "Signed in: an unknown device");
                    }
                    Locale::De => {
                        assert_eq!(describe("login.succeeded", detail), "Mit zwei Schritten angemeldet (neues Gerät): Firefox unter Linux");
                        assert_eq!(plain, "Angemeldet: ein unbekanntes Gerät");
                    }
                }
            });
        }
    }
}
