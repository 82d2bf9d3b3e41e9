//! Server functions, one file per feature. Each is an adapter of a few lines over the core.

pub mod account;
pub mod dev_mail;
pub mod mfa;
pub mod oidc;
pub mod passkeys;
pub mod password;
#[cfg(feature = "ssr")]
pub mod return_to;
pub mod settings;
pub mod status;

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
    identity::principal::Principal::customer(&current.customer_id, &current.acr)
}
