//! Server functions, one file per feature. Each is an adapter of a few lines over the core.

pub mod account;
pub mod branddata;
pub mod delegation;
pub mod dev_mail;
pub mod household;
pub mod household_managed;
pub mod loyalty;
pub mod mfa;
pub mod oidc;
pub mod passkeys;
pub mod password;
pub mod privacy;
pub mod privacy_data;
#[cfg(feature = "ssr")]
pub mod return_to;
pub mod settings;
pub mod status;
pub mod support_access;

/// An HTML checkbox's value: present and "on" (or "true") when ticked.
#[cfg(feature = "ssr")]
pub(crate) fn ticked(value: Option<&str>) -> bool {
    matches!(value, Some("on" | "true"))
}

/// The principal a signed-in customer's request acts as: the core decides what it may
/// do (`identity::principal`). Requests without a session act as
/// `Principal::Anonymous` (the mailed link or code, or the pending first step, is the
/// proof the core checks).
#[cfg(feature = "ssr")]
pub(crate) fn customer(current: &crate::auth::Current) -> identity::principal::Principal {
    current.principal()
}

/// Whom this request acts on, and as which principal: the signed-in customer on their
/// own account, or — while "acting for" someone (`Current::acting_for`) — that person,
/// as the delegate principal the core builds from a live delegation or guardianship.
/// Checked on every request: once the delegation is revoked or expired, the session
/// forgets the choice and the request is refused (`Forbidden`), so revocation stops the
/// very next request. Used by the pages a delegate may see (profile, privacy); the
/// security, devices, sessions, data and household pages stay the customer's own.
#[cfg(feature = "ssr")]
pub(crate) async fn acting(current: &crate::auth::Current) -> Result<(identity::principal::Principal, String), crate::error::AppError> {
    let ctx = crate::context::server_context()?;
    // A support agent in the customer's portal: what the customer approved, while it lives.
    if let Some((access, staff)) = &current.support {
        return match ctx.identity.support_principal(staff, &current.customer_id, access).await {
            Ok(principal) => Ok((principal, current.customer_id.clone())),
            Err(e) => {
                let session = crate::auth::session().await?;
                if let Err(err) = session.flush().await {
                    tracing::error!(error = %err, "session store failed");
                }
                Err(crate::auth::fail(e))
            }
        };
    }
    let Some(subject) = current.acting_for.as_deref() else { return Ok((customer(current), current.customer_id.clone())) };
    match ctx.identity.act_for(&current.customer_id, &current.acr, subject).await {
        Ok(principal) => Ok((principal, subject.to_owned())),
        Err(e) => {
            let session = crate::auth::session().await?;
            if let Err(err) = session.remove_value(crate::auth::ACTING_FOR).await {
                tracing::error!(error = %err, "session store failed");
            }
            Err(crate::auth::fail(e))
        }
    }
}

/// Whether this request is a plain form post (the page's wasm had not arrived): the
/// browser asked for HTML, not the server function's JSON.
#[cfg(feature = "ssr")]
pub(crate) fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// Where a completed step leads. The wasm follows the returned path itself; a plain
/// form post is redirected there by the server (`server::http::forms` makes it a 303), so the step works
/// before the page is interactive. `path` must already be safe (a local path).
#[cfg(feature = "ssr")]
pub(crate) fn continue_to(path: String) -> String {
    if plain_form_post() {
        leptos_axum::redirect(&path);
    }
    path
}
