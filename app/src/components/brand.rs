//! Brand theming for the pages a brand's site sends customers to (sign-in, sign-up,
//! consent): the brand's stylesheet and logo (both served from our origin, so the page
//! CSP is unchanged), its name, and its own links.
//!
//! The stylesheet is a plain `<link>` in the body rather than a `leptos_meta` tag: the
//! brand is known only inside a `Suspense`, which streams after the `<head>` was sent,
//! and a body `<link>` renders and hydrates the same on both sides.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::account::encode_path;
use crate::api::oidc::{BrandView, brand_for_return_to};

/// Only web links reach an `href` (the CLI checks them too).
fn web_link(url: &Option<String>) -> Option<String> {
    url.as_ref().filter(|u| u.starts_with("https://") || u.starts_with("http://")).cloned()
}

/// The brand's stylesheet, logo and name, with an optional line under it.
#[component]
pub fn BrandBanner(
    brand: BrandView,
    /// A sentence under the name ("Sign in to continue to …").
    #[prop(optional, into)]
    lead: Option<String>,
    /// Also show the brand's website, support, terms and privacy links.
    #[prop(optional)]
    links: bool,
) -> impl IntoView {
    let slug = encode_path(&brand.slug);
    let theme = format!("/brands/{slug}/theme.css");
    let logo = brand.has_logo.then(|| {
        let src = format!("/brands/{slug}/logo");
        view! { <img class="brand-logo" src=src alt=brand.name.clone()/> }
    });
    view! {
        <link rel="stylesheet" href=theme/>
        <div class="brand-banner">
            <div class="brand-identity">
                {logo}
                // The logo's alt text already names the brand for screen readers.
                <span class="brand-name" aria-hidden=brand.has_logo.then_some("true")>{brand.name.clone()}</span>
            </div>
            {lead.map(|text| view! { <p class="brand-lead">{text}</p> })}
            {links.then(|| view! { <BrandLinks brand=brand.clone()/> })}
        </div>
    }
}

/// The brand's website, support contact, terms and privacy links (those that are set).
#[component]
pub fn BrandLinks(brand: BrandView) -> impl IntoView {
    let name = brand.name.clone();
    let mut items: Vec<(String, String)> = Vec::new();
    if let Some(url) = web_link(&brand.website_url) {
        items.push((url, format!("{name} website")));
    }
    if let Some(url) = web_link(&brand.support_url) {
        items.push((url, "Help and support".to_owned()));
    } else if let Some(email) = brand.support_email.as_ref().filter(|e| e.contains('@') && !e.contains(['?', '&', '#', ' ', '<', '>', '"'])) {
        items.push((format!("mailto:{email}"), format!("Support: {email}")));
    }
    if let Some(url) = web_link(&brand.terms_url) {
        items.push((url, "Terms of use".to_owned()));
    }
    if let Some(url) = web_link(&brand.privacy_url) {
        items.push((url, "Privacy policy".to_owned()));
    }
    (!items.is_empty()).then(|| {
        view! {
            <nav class="brand-links" aria-label=format!("{name} links")>
                <ul>
                    {items.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect_view()}
                </ul>
            </nav>
        }
    })
}

/// On a sign-in page whose `return_to` query parameter continues an authorization
/// request: the requesting brand's banner with "`lead` <Brand name>". Nothing otherwise.
#[component]
pub fn BrandForReturnTo(
    /// The words before the brand's name ("Sign in to continue to").
    #[prop(into)]
    lead: String,
) -> impl IntoView {
    let return_to = use_query_map().with_untracked(|q| q.get("return_to")).unwrap_or_default();
    if crate::api::oidc::handle_in_return_to(&return_to).is_none() {
        return ().into_any();
    }
    let brand = Resource::new(move || return_to.clone(), |r| brand_for_return_to(Some(r)));
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let lead = lead.clone();
                Suspend::new(async move {
                    brand.await.ok().flatten().map(|b| {
                        let text = format!("{lead} {}", b.name);
                        view! { <BrandBanner brand=b lead=text links=true/> }
                    })
                })
            }}
        </Suspense>
    }
    .into_any()
}
