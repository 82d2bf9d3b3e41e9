//! Foyer's web app: the page shell, routes, pages and server functions (Leptos).
//!
//! Built twice: with `ssr` into the server (rendering and server functions) and with
//! `hydrate` into the browser bundle. Server functions are thin adapters over the
//! `identity` core, reached through [`context::ServerContext`].

pub mod admin;
pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod bundle;
pub mod components;
pub mod error;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod context;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
#[cfg(not(feature = "sign-in-bundle"))]
use leptos_router::components::{Outlet, ParentRoute};
use leptos_router::{SsrMode, path};

use crate::components::brand::BrandScope;
use crate::components::footer::Footer;
use crate::components::header::Header;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    context::set_content_security_policy();
    let locale = i18n::locale();
    // The browser's messages: a file named after its content (cached for a year, sent
    // compressed), fetched in parallel with the wasm; the hydrate entry reads it.
    #[cfg(feature = "ssr")]
    let messages = i18n::messages_path(locale);
    #[cfg(not(feature = "ssr"))]
    let messages = String::new();
    let product = components::brand::product_name();
    let (privacy, terms) = components::brand::legal_links();
    // The sign-in pages link a bundle of their own (`bundle`); the stylesheet is shared.
    #[cfg(feature = "ssr")]
    let scripts = bundle::for_request(options.clone());
    #[cfg(not(feature = "ssr"))]
    let scripts = options.clone();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                // The product name (`FOYER_PRODUCT_NAME`) for the wasm: `components::brand::product_name`.
                <meta name=components::brand::PRODUCT_META content=product/>
                // The group's privacy notice and terms (the footer links them).
                {privacy.map(|href| view! { <link rel="privacy-policy" href=href/> })}
                {terms.map(|href| view! { <link rel="terms-of-service" href=href/> })}
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // First of the preloads: small, and the wasm waits for it before hydrating.
                // `crossorigin` makes it the same request as the wasm's `fetch()`.
                <link rel="preload" id=i18n::MESSAGES_ID href=messages r#as="fetch" r#type="application/json" crossorigin=""/>
                // Deferred: it no longer holds up the first paint, and still runs before the
                // (deferred, later in the document) module script that hydrates.
                <script src="/passkeys.js" defer=true nonce=leptos::nonce::use_nonce().map(|n| n.to_string())></script>
                // `/pkg/foyer.<hash>.css` when the site lists its hashes (see server::http::assets).
                <HashedStylesheet options=options.clone() id="foyer"/>
                <HydrationScripts options=scripts/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Tells the server the browser's time zone (`foyer-tz`, read by `i18n::time_zone`) so
/// the next page shows times in it; a zone saved in the profile replaces it at sign-in.
#[cfg(feature = "hydrate")]
fn remember_time_zone() {
    use wasm_bindgen::JsCast as _;
    let Ok(zone) = js_sys_zone() else { return };
    let https = window().location().protocol().is_ok_and(|p| p == "https:");
    let (name, secure) = if https { ("__Host-foyer-tz", "; Secure") } else { ("foyer-tz", "") };
    let cookie = format!("{name}={}; Path=/; Max-Age=34560000; SameSite=Lax{secure}", zone.replace('/', "%2F"));
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        let current = doc.cookie().unwrap_or_default();
        if !current.contains(&format!("{name}=")) {
            let _ = doc.set_cookie(&cookie);
        }
    }
}

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
#[cfg(feature = "hydrate")]
fn js_sys_zone() -> Result<String, ()> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let options = format.resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|z| z.as_string()).filter(|z| z.len() <= 64 && !z.contains([';', ' ', ','])).ok_or(())
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(i18n::CurrentLocale(i18n::locale()));
    // Effects run only in the browser: this marks the page as interactive, which the
    // end-to-end tests wait for before they click.
    Effect::new(|| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
        #[cfg(feature = "hydrate")]
        remember_time_zone();
    });
    let product = components::brand::product_name();
    view! {
        <Title formatter=move |text: String| if text.is_empty() { product.clone() } else { format!("{text} · {product}") }/>
        // Every page renders whole on the server (`SsrMode::Async`): out-of-order streaming
        // swaps the `Suspense` content in with a script, so without the wasm (before it
        // arrives, or with scripts off) a page would stay on its "Loading…" fallback.
        <Router>
          <BrandScope>
            <a class="skip-link" href="#main">{i18n::t("shell-skip-to-content")}</a>
            <Header/>
            <main id="main" tabindex="-1">
                {routes()}
            </main>
            <Footer/>
          </BrandScope>
        </Router>
    }
}

/// Every page: the server renders them all; each bundle hydrates its own (`bundle`).
#[cfg(feature = "ssr")]
fn routes() -> impl IntoView {
    view! {
        <Routes fallback=bundle::Elsewhere>
            <CustomerRoutes/>
            <DataRoutes/>
            <StaffRoutes/>
        </Routes>
    }
}

/// The full bundle: the customer's pages but the data bundle's; the staff pages are the
/// staff bundle's.
#[cfg(not(any(feature = "ssr", feature = "sign-in-bundle", feature = "data-bundle", feature = "staff-bundle")))]
fn routes() -> impl IntoView {
    view! {
        <Routes fallback=bundle::Elsewhere>
            <CustomerRoutes/>
        </Routes>
    }
}

/// The data bundle: the pages of the customer's data ([`bundle::DATA_PATHS`]).
#[cfg(feature = "data-bundle")]
fn routes() -> impl IntoView {
    view! {
        <Routes fallback=bundle::Elsewhere>
            <DataRoutes/>
        </Routes>
    }
}

/// The staff bundle: the pages under `/admin`.
#[cfg(feature = "staff-bundle")]
fn routes() -> impl IntoView {
    view! {
        <Routes fallback=bundle::Elsewhere>
            <StaffRoutes/>
        </Routes>
    }
}

/// The sign-in bundle's pages ([`bundle::SIGN_IN_PATHS`], the same views as in
/// [`CustomerRoutes`]); any other page is loaded whole from the server.
#[cfg(feature = "sign-in-bundle")]
fn routes() -> impl IntoView {
    use crate::pages::login::{CodeLoginPage, LoginPage, SecondFactorPage};
    view! {
        <Routes fallback=bundle::Elsewhere>
            <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
            <Route path=path!("/login/second-factor") view=SecondFactorPage ssr=SsrMode::Async/>
            <Route path=path!("/login/code") view=CodeLoginPage ssr=SsrMode::Async/>
        </Routes>
    }
}

/// The customer's pages outside `/admin`, but the data bundle's.
#[cfg(not(any(feature = "sign-in-bundle", feature = "data-bundle", feature = "staff-bundle")))]
#[component(transparent)]
fn CustomerRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::pages::claim::ClaimPage;
    use crate::pages::account::{activity::ActivityPage, brands::BrandsPage, devices::DevicesPage, profile::ProfilePage, security::SecurityPage};
    use crate::pages::oauth_profile::ProfileFormPage;
    use crate::pages::tokens::{ForgotPasswordPage, ResetPasswordPage, confirm_email_page, undo_email_page, unlock_page, verify_page};
    use crate::pages::{dev_mail::DevMailPage, help::HelpPage, home::HomePage, login::{CodeLoginPage, LoginPage, SecondFactorPage}, oauth::ConsentPage, register::RegisterPage};
    // One parent route with no path of its own: under `erase_components` (debug builds)
    // a transparent component must return one route, not a list.
    view! {
        <ParentRoute path=path!("") view=Outlet ssr=SsrMode::Async>
            <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
            <Route path=path!("/dev/mail") view=DevMailPage ssr=SsrMode::Async/>
            <Route path=path!("/help") view=HelpPage ssr=SsrMode::Async/>
            <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
            <Route path=path!("/login/second-factor") view=SecondFactorPage ssr=SsrMode::Async/>
            <Route path=path!("/login/code") view=CodeLoginPage ssr=SsrMode::Async/>
            <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
            <Route path=path!("/verify") view=verify_page ssr=SsrMode::Async/>
            <Route path=path!("/unlock") view=unlock_page ssr=SsrMode::Async/>
            <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
            <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
            <Route path=path!("/claim") view=ClaimPage ssr=SsrMode::Async/>
            <Route path=path!("/account") view=ProfilePage ssr=SsrMode::Async/>
            <Route path=path!("/account/security") view=SecurityPage ssr=SsrMode::Async/>
            <Route path=path!("/account/devices") view=DevicesPage ssr=SsrMode::Async/>
            <Route path=path!("/account/activity") view=ActivityPage ssr=SsrMode::Async/>
            <Route path=path!("/account/brands") view=BrandsPage ssr=SsrMode::Async/>
            <Route path=path!("/oauth2/consent") view=ConsentPage ssr=SsrMode::Async/>
            <Route path=path!("/oauth2/profile") view=ProfileFormPage ssr=SsrMode::Async/>
            <Route path=path!("/account/confirm-email") view=confirm_email_page ssr=SsrMode::Async/>
            <Route path=path!("/account/undo-email") view=undo_email_page ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}

/// The pages of the customer's data ([`bundle::DATA_PATHS`]).
#[cfg(any(feature = "ssr", feature = "data-bundle"))]
#[component(transparent)]
fn DataRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::pages::account::household::{HouseholdPage, JoinHouseholdPage};
    use crate::pages::account::loyalty::LoyaltyPage;
    use crate::pages::account::privacy::PrivacyPage;
    use crate::pages::account::privacy::data::{DataPage, DeletionPage};
    use crate::pages::account::privacy::preferences::PreferencesPage;
    use crate::pages::account::support_access::SupportAccessPage;
    view! {
        <ParentRoute path=path!("") view=Outlet ssr=SsrMode::Async>
            <Route path=path!("/account/privacy") view=PrivacyPage ssr=SsrMode::Async/>
            <Route path=path!("/account/privacy/data") view=DataPage ssr=SsrMode::Async/>
            <Route path=path!("/login/deletion") view=DeletionPage ssr=SsrMode::Async/>
            <Route path=path!("/account/privacy/preferences") view=PreferencesPage ssr=SsrMode::Async/>
            <Route path=path!("/account/household") view=HouseholdPage ssr=SsrMode::Async/>
            <Route path=path!("/account/loyalty") view=LoyaltyPage ssr=SsrMode::Async/>
            <Route path=path!("/account/household/join") view=JoinHouseholdPage ssr=SsrMode::Async/>
            <Route path=path!("/account/support-access") view=SupportAccessPage ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}

/// The staff pages (`/admin` and below: `admin`).
#[cfg(any(feature = "ssr", feature = "staff-bundle"))]
#[component(transparent)]
fn StaffRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::admin::audit::AdminAuditPage;
    use crate::admin::brand_page::{AdminBrandPage, AdminBrandsPage};
    use crate::admin::customer_page::AdminCustomerPage;
    use crate::admin::customers::AdminCustomersPage;
    use crate::admin::dashboard::AdminDashboardPage;
    use crate::admin::pages::{AdminEnrolPage, AdminLoginPage, AdminShellPage};
    use crate::admin::reveals::AdminRevealsPage;
    view! {
        <ParentRoute path=path!("/admin") view=Outlet ssr=SsrMode::Async>
            <Route path=path!("") view=AdminShellPage ssr=SsrMode::Async/>
            <Route path=path!("/login") view=AdminLoginPage ssr=SsrMode::Async/>
            <Route path=path!("/enrol") view=AdminEnrolPage ssr=SsrMode::Async/>
            <Route path=path!("/customers") view=AdminCustomersPage ssr=SsrMode::Async/>
            <Route path=path!("/customers/:id") view=AdminCustomerPage ssr=SsrMode::Async/>
            <Route path=path!("/audit") view=AdminAuditPage ssr=SsrMode::Async/>
            <Route path=path!("/reveals") view=AdminRevealsPage ssr=SsrMode::Async/>
            <Route path=path!("/dashboard") view=AdminDashboardPage ssr=SsrMode::Async/>
            <Route path=path!("/brands") view=AdminBrandsPage ssr=SsrMode::Async/>
            <Route path=path!("/brands/:slug") view=AdminBrandPage ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}
