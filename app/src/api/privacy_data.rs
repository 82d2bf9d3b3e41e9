//! "Your data": the download link (`identity::privacy::export`), the deletion request
//! and, after a sign-in during the grace period, the choice to cancel or sign out
//! (`identity::privacy::deletion`).
//!
//! A sign-in that proves a customer whose account is scheduled for deletion does not
//! open the account ([`hold_if_scheduled`], called by every completed sign-in in
//! `api::account::signed_in`): the session keeps only the proven sign-in, for ten
//! minutes, under [`HELD`], and `/login/deletion` offers "Cancel deletion" (which then
//! signs in) or "Sign out". No account page, and no brand's authorization, sees a
//! customer in such a session.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The page after a sign-in whose account is scheduled for deletion.
pub const HELD_PAGE: &str = "/login/deletion";

/// What the data page needs besides its forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSettings {
    pub grace_days: i64,
}

/// What `/login/deletion` shows: the erasure date of the held sign-in's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledErasure {
    pub erase_at: i64,
    /// The date in the reader's language and time zone.
    pub when: String,
}

/// A sign-in proven while the account is scheduled for deletion (session key [`HELD`]).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Held {
    customer_id: String,
    auth_time: i64,
    amr: Vec<String>,
    device: String,
    return_to: String,
    since: i64,
}

/// The session key of a held sign-in.
#[cfg(feature = "ssr")]
pub const HELD: &str = "foyer.deletion_held";

/// How long a held sign-in may still cancel (then: sign in again).
#[cfg(feature = "ssr")]
const HELD_MS: i64 = 10 * 60_000;

/// Called by every completed sign-in before the session opens: when the account is
/// scheduled for deletion, the sign-in is held (a new session id, nothing signed in)
/// and the answer is the page that offers to cancel. `None`: go on signing in.
#[cfg(feature = "ssr")]
pub(crate) async fn hold_if_scheduled(signed: &identity::accounts::login::SignedIn, return_to: &str) -> Result<Option<String>, AppError> {
    use crate::auth;
    // The sign-in read it with its own write (`SignedIn::erase_at`).
    if signed.erase_at.is_none() {
        return Ok(None);
    }
    let ctx = crate::context::server_context()?;
    let held = Held {
        customer_id: signed.customer_id.clone(),
        auth_time: signed.auth_time,
        amr: signed.amr.iter().map(|m| (*m).to_owned()).collect(),
        device: auth::request_meta().device,
        return_to: return_to.to_owned(),
        since: ctx.identity.now(),
    };
    let session = auth::session().await?;
    // Whoever this browser held before is signed out (their brands told), as a sign-in
    // as someone else would; nothing of a signed-in or half-done sign-in stays.
    let previous = session.get::<String>(auth::CUSTOMER).await.map_err(|_| AppError::Internal)?;
    let previous_sid = session.get::<String>(auth::SID).await.map_err(|_| AppError::Internal)?;
    if let (Some(p), Some(sid)) = (previous, previous_sid) {
        ctx.identity.sign_in_ended(&identity::principal::Principal::customer(&p, ""), &p, &sid).await.map_err(auth::fail)?;
    }
    for key in [auth::CUSTOMER, auth::SID, auth::SIGNED_IN_AT, auth::AUTH_TIME, auth::ACR, auth::AMR, auth::PENDING_CUSTOMER, auth::PENDING_SINCE, auth::PENDING_AMR] {
        let _ = session.remove_value(key).await.map_err(|_| AppError::Internal)?;
    }
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session.insert(HELD, &held).await.map_err(|_| AppError::Internal)?;
    auth::set_device_cookie(&signed.device_id);
    Ok(Some(HELD_PAGE.to_owned()))
}

/// The held sign-in of this session, if still within its ten minutes.
#[cfg(feature = "ssr")]
async fn held() -> Result<Option<Held>, AppError> {
    let ctx = crate::context::server_context()?;
    let session = crate::auth::session().await?;
    let held = session.get::<Held>(HELD).await.map_err(|_| AppError::Internal)?;
    Ok(held.filter(|h| ctx.identity.now().saturating_sub(h.since) < HELD_MS))
}

#[server(endpoint = "data_page_info")]
pub async fn data_page_info() -> Result<DataSettings, AppError> {
    crate::auth::require().await?;
    let ctx = crate::context::server_context()?;
    Ok(DataSettings { grace_days: ctx.identity.settings().deletion_grace_days })
}

/// "Prepare my download": needs a recent, strong enough authentication; answers with
/// the single-use download path. Posted without the wasm, the browser is sent there
/// at once (the file downloads; the page stays).
#[server(endpoint = "create_export")]
pub async fn create_export() -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let link = ctx.identity.create_export_link(&crate::api::customer(&current), &current.customer_id, &auth::request_meta()).await.map_err(auth::fail)?;
    Ok(crate::api::continue_to(format!("/account/privacy/export?token={}", link.token)))
}

/// "Delete my account": a recent, strong enough authentication and the account's
/// address typed as confirmation. Every session ends (this one too); the answer is the
/// page that says when the account goes.
#[server(endpoint = "request_deletion")]
pub async fn request_deletion(confirmation: String) -> Result<String, AppError> {
    use crate::auth;
    let current = auth::require_recent().await?;
    let ctx = crate::context::server_context()?;
    let erase_at = ctx
        .identity
        .request_deletion(&crate::api::customer(&current), &current.customer_id, &confirmation, &auth::request_meta())
        .await
        .map_err(auth::fail)?;
    auth::session().await?.flush().await.map_err(|_| AppError::Internal)?;
    Ok(crate::api::continue_to(format!("{HELD_PAGE}?scheduled={erase_at}")))
}

/// The held sign-in's erasure date, for `/login/deletion` (`None`: nothing held).
#[server(endpoint = "held_deletion")]
pub async fn held_deletion() -> Result<Option<ScheduledErasure>, AppError> {
    use crate::auth;
    let Some(held) = held().await? else { return Ok(None) };
    let ctx = crate::context::server_context()?;
    let me = identity::principal::Principal::customer(&held.customer_id, identity::accounts::login::acr_of(&held.amr));
    let Some(erase_at) = ctx.identity.scheduled_deletion(&me, &held.customer_id).await.map_err(auth::fail)? else { return Ok(None) };
    Ok(Some(ScheduledErasure { erase_at, when: crate::i18n::when(erase_at).absolute }))
}

/// A date for the page after a deletion request (`?scheduled=<ms>`), in the reader's
/// language and time zone; nothing is looked up.
#[server(endpoint = "deletion_date")]
pub async fn deletion_date(at: i64) -> Result<String, AppError> {
    Ok(crate::i18n::when(at).absolute)
}

/// "Cancel deletion" after a held sign-in: cancels (mailed), then signs in and goes
/// where the sign-in was headed.
#[server(endpoint = "cancel_deletion")]
pub async fn cancel_deletion() -> Result<String, AppError> {
    use crate::auth;
    let Some(held) = held().await? else { return Err(auth::respond(AppError::Message(crate::i18n::t("error-sign-in-timed-out")))) };
    let ctx = crate::context::server_context()?;
    let me = identity::principal::Principal::customer(&held.customer_id, identity::accounts::login::acr_of(&held.amr));
    ctx.identity.cancel_deletion(&me, &held.customer_id, &auth::request_meta()).await.map_err(auth::fail)?;
    let session = auth::session().await?;
    let _ = session.remove_value(HELD).await.map_err(|_| AppError::Internal)?;
    let amr: Vec<&str> = held.amr.iter().map(String::as_str).collect();
    auth::sign_in(&held.customer_id, held.auth_time, &held.device, &amr, None).await?;
    Ok(crate::api::continue_to(crate::api::return_to::safe_return_to(Some(&held.return_to), &ctx.public_url)))
}

/// "Sign out" after a held sign-in: forgets it.
#[server(endpoint = "leave_held_deletion")]
pub async fn leave_held_deletion() -> Result<String, AppError> {
    crate::auth::session().await?.flush().await.map_err(|_| AppError::Internal)?;
    Ok(crate::api::continue_to("/login".to_owned()))
}
