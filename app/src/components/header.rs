//! The site header: the product's mark (or, on a brand's flow, the brand's logo and
//! name), the language switcher and the session area (who is signed in, sign out).

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::account::{Logout, encode_path, me};
use crate::components::acting::ActingBanner;
use crate::components::brand::{BrandMark, brand_flow, product_name};
use crate::components::form::{PageField, go_to};
use crate::i18n::{Locale, t, t_with};

#[component]
pub fn Header() -> impl IntoView {
    let product = product_name();
    let flow = brand_flow();
    let mark = move || {
        let product = product.clone();
        // Named with where it goes: the product's name alone can read like a header link
        // (a product called "Your account" would clash with the account link).
        let plain = move || {
            let label = t_with("shell-mark-home", &[("product", product.clone())]);
            view! { <a class="brand-mark" href="/" aria-label=label>{product.clone()}</a> }
        };
        match flow {
            Some(brand) => view! {
                <Suspense fallback=plain.clone()>
                    {move || {
                        let plain = plain.clone();
                        Suspend::new(async move {
                            match brand.await {
                                Some(b) => view! { <BrandMark brand=b/> }.into_any(),
                                None => plain().into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
            .into_any(),
            None => plain().into_any(),
        }
    };
    view! {
        <header class="site-header">
            {mark}
            <div class="header-end">
                <LanguageSwitch/>
                <nav aria-label=t("shell-session-nav") class="session-area">
                    <SessionArea/>
                </nav>
            </div>
        </header>
        <ActingBanner/>
    }
}

/// `/language/<tag>?return_to=<this page>` for each shipped language, each named in
/// itself; plain links, so switching works before the wasm (and `rel="external"`, so
/// the router leaves them to the server).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let location = use_location();
    let current = crate::i18n::locale();
    let here = move || {
        let path = location.pathname.get();
        let query = location.search.get();
        let query: String = query.trim_start_matches('?').split('&').filter(|p| !p.is_empty() && !p.starts_with("__")).collect::<Vec<_>>().join("&");
        let page = if query.is_empty() { path } else { format!("{path}?{query}") };
        encode_path(&page)
    };
    view! {
        <nav class="lang-switch" aria-label=t("shell-language-nav")>
            <ul>
                {Locale::ALL.into_iter().map(|l| {
                    let href = move || format!("/language/{}?return_to={}", l.tag(), here());
                    view! {
                        <li>
                            <a href=href rel="external" lang=l.tag() hreflang=l.tag()
                                aria-current=(l == current).then_some("true")>{l.native_name()}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// Signed in: the customer's name, "Your account" and "Sign out". Otherwise "Sign in"
/// and "Create account", both keeping the page's `return_to` (a brand's flow goes on).
#[component]
fn SessionArea() -> impl IntoView {
    let account = Resource::new(|| (), |()| me());
    let logout = ServerAction::<Logout>::new();
    Effect::new(move || {
        if matches!(logout.value().get(), Some(Ok(()))) {
            go_to("/");
        }
    });
    let query = use_query_map();
    let with_return = move |base: &str| match query.with(|q| q.get("return_to")) {
        Some(rt) if rt.starts_with('/') => format!("{base}?return_to={}", encode_path(&rt)),
        _ => base.to_owned(),
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(me)) => view! {
                        <span class="session-state">{me.name}</span>
                        <a href="/account">{t("shell-your-account")}</a>
                        <ActionForm action=logout attr:class="inline-form">
                            <PageField/>
                            <button type="submit" class="link-button">{t("shell-sign-out")}</button>
                        </ActionForm>
                    }.into_any(),
                    _ => view! {
                        <a href=move || with_return("/login")>{t("shell-sign-in")}</a>
                        <a href=move || with_return("/register")>{t("shell-create-account")}</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
