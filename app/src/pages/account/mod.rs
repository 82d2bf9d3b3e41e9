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

/// The account pages: path, label, and the permissions of which one opens it to someone
/// acting for the customer (a household delegate or guardian, a support agent with the
/// customer's approval); none: the customer's own page only (credentials, devices,
/// activity, brands, data, household, support access are refused by the core then).
const PAGES: [(&str, &str, &[&str]); 11] = [
    ("/account", "account-nav-profile", &["view_profile", "manage_profile"]),
    ("/account/security", "account-nav-security", &[]),
    ("/account/devices", "account-nav-devices", &[]),
    ("/account/activity", "account-nav-activity", &[]),
    ("/account/brands", "account-nav-brands", &[]),
    ("/account/privacy", "account-nav-privacy", &["manage_consents", "approve_consents"]),
    ("/account/privacy/preferences", "branddata-nav", &["manage_consents"]),
    ("/account/privacy/data", "account-nav-data", &[]),
    ("/account/household", "account-nav-household", &[]),
    ("/account/loyalty", "account-nav-loyalty", &["manage_loyalty"]),
    ("/account/support-access", "support-nav", &[]),
];

/// The account navigation. While someone acts for the customer it lists only the pages
/// their permissions open (`acting_status`, as the banner reads it), so a support agent
/// or a delegate is never offered a page that would refuse them.
#[component]
pub fn AccountNav() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let acting = Resource::new(|| (), |_| crate::api::delegation::acting_status());
    view! {
        <nav aria-label=t("account-nav-label") class="account-nav">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let allowed = match acting.await {
                        Ok(Some(now)) => Some(now.permissions),
                        _ => None,
                    };
                    PAGES
                        .iter()
                        .filter(|(_, _, needs)| allowed.as_ref().is_none_or(|held| needs.iter().any(|n| held.iter().any(|h| h == n))))
                        .map(|&(href, id, _)| {
                            let current = move || (location.pathname.get() == href).then_some("page");
                            view! { <a href=href aria-current=current>{t(id)}</a> }
                        })
                        .collect_view()
                })}
            </Suspense>
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
