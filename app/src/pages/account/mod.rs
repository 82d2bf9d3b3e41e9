//! `/account/*`: the signed-in customer's own pages, with a shared navigation. A
//! signed-out visitor is sent to `/login?return_to=<the page>`: by the server while it
//! renders the page (`crate::auth::require`; the routes render with `SsrMode::Async`
//! so the redirect is a real HTTP answer), by the browser when the session ends later.

pub mod activity;
pub mod brands;
pub mod devices;
pub mod household;
pub mod loyalty;
pub mod privacy;
pub mod profile;
pub mod security;
pub mod support_access;

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::t;

#[component]
pub fn AccountNav() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let link = move |href: &'static str, id: &'static str| {
        let current = move || (location.pathname.get() == href).then_some("page");
        view! { <a href=href aria-current=current>{t(id)}</a> }
    };
    view! {
        <nav aria-label=t("account-nav-label") class="account-nav">
            {link("/account", "account-nav-profile")}
            {link("/account/security", "account-nav-security")}
            {link("/account/devices", "account-nav-devices")}
            {link("/account/activity", "account-nav-activity")}
            {link("/account/brands", "account-nav-brands")}
            {link("/account/privacy", "account-nav-privacy")}
            {link("/account/privacy/preferences", "branddata-nav")}
            {link("/account/privacy/data", "account-nav-data")}
            {link("/account/household", "account-nav-household")}
            {link("/account/loyalty", "account-nav-loyalty")}
            {link("/account/support-access", "support-nav")}
        </nav>
    }
}

/// What an account page shows when loading its data failed. Signed out: the way to
/// sign in and come back (the browser goes there by itself once the wasm runs).
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    match error {
        AppError::SignInRequired => {
            let location = leptos_router::hooks::use_location();
            let page = location.pathname.get_untracked();
            let login = sign_in_path(&page);
            let target = login.clone();
            Effect::new(move || crate::components::form::go_to(&target));
            view! {
                <p role="alert">{t("account-signed-out")}</p>
                <p><a href=login>{t("account-sign-in")}</a></p>
            }
            .into_any()
        }
        other => view! { <p role="alert">{other.summary()}</p> }.into_any(),
    }
}

/// `/login?return_to=<page>`, the page percent-encoded whole (`%2Faccount%2Fdevices`).
pub fn sign_in_path(page: &str) -> String {
    let encoded: String = page
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("/login?return_to={encoded}")
}
