//! `/`: what the customer can do. Signed out: what the account is for, sign in or
//! create one, and the brands it opens. Signed in: shortcuts to the account's pages.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::me;
use crate::api::status::list_brands;
use crate::components::brand::product_name;
use crate::i18n::{t, t_with};

#[component]
pub fn HomePage() -> impl IntoView {
    let account = Resource::new(|| (), |()| me());
    view! {
        <Title text=""/>
        <Suspense fallback=|| view! { <p>{t("common-loading")}</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(me)) => signed_in(me.name).into_any(),
                    _ => signed_out().into_any(),
                }
            })}
        </Suspense>
    }
}

/// One shortcut: a linked heading and what the page is for.
fn shortcut(href: &'static str, title: &'static str, text: &'static str) -> impl IntoView {
    view! {
        <li class="card shortcut">
            <h2><a href=href>{t(title)}</a></h2>
            <p>{t(text)}</p>
        </li>
    }
}

fn signed_in(name: String) -> impl IntoView {
    let heading = if name.trim().is_empty() { t("shell-home-hello") } else { t_with("shell-home-hello-name", &[("name", name)]) };
    view! {
        <h1>{heading}</h1>
        <p class="lead">{t_with("shell-home-signed-in-lead", &[("product", product_name())])}</p>
        <ul class="shortcuts" aria-label=t("shell-home-shortcuts")>
            {shortcut("/account", "shell-home-profile", "shell-home-profile-text")}
            {shortcut("/account/security", "shell-home-security", "shell-home-security-text")}
            {shortcut("/account/devices", "shell-home-devices", "shell-home-devices-text")}
            {shortcut("/account/brands", "shell-home-brands", "shell-home-brands-text")}
            {shortcut("/account/activity", "shell-home-activity", "shell-home-activity-text")}
        </ul>
    }
}

fn signed_out() -> impl IntoView {
    let product = product_name();
    let brands = Resource::new(|| (), |()| list_brands());
    view! {
        <h1>{t("shell-home-welcome")}</h1>
        <p class="lead">{t_with("shell-home-lead", &[("product", product)])}</p>
        <p class="home-actions">
            <a class="button" href="/login">{t("shell-sign-in")}</a>
            <a class="button secondary" href="/register">{t("shell-create-account")}</a>
        </p>
        <section class="card" aria-labelledby="what-heading">
            <h2 id="what-heading">{t("shell-home-what")}</h2>
            <ul>
                <li>{t("shell-home-what-one")}</li>
                <li>{t("shell-home-what-share")}</li>
                <li>{t("shell-home-what-secure")}</li>
            </ul>
        </section>
        <section class="card" aria-labelledby="brands-heading">
            <h2 id="brands-heading">{t("shell-home-brands-heading")}</h2>
            <Suspense fallback=|| view! { <p>{t("common-loading")}</p> }>
                {move || Suspend::new(async move {
                    match brands.await {
                        Ok(list) if list.is_empty() => view! { <p>{t("shell-home-no-brands")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="brand-list">
                                {list.into_iter().map(|b| view! { <li data-slug=b.slug>{b.name}</li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
