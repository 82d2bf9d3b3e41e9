//! The names customers see and brand theming for the pages a brand's site sends
//! customers to (sign-in, sign-up, second step, consent): the product name
//! (`FOYER_PRODUCT_NAME`), the brand of the flow (from `return_to` or the consent
//! page's `r`), its stylesheet and logo (both served from our origin, so the page CSP
//! is unchanged), its name, and its own links.
//!
//! The stylesheet is a plain `<link>` in the body rather than a `leptos_meta` tag: the
//! brand is known only inside a `Suspense`, which streams after the `<head>` was sent,
//! and a body `<link>` renders and hydrates the same on both sides.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::account::encode_path;
use crate::api::oidc::{BrandView, brand_for_return_to, continue_path, handle_in_return_to};
use crate::i18n::{t, t_with};

/// The `<meta name>` that carries the product name to the browser.
pub const PRODUCT_META: &str = "application-name";

/// The group's privacy notice and terms (`FOYER_PRIVACY_URL`, `FOYER_TERMS_URL`): the
/// server's settings, which the shell writes as `<link rel="privacy-policy">` and
/// `<link rel="terms-of-service">` (RFC 6903 link relations) for the browser.
pub fn legal_links() -> (Option<String>, Option<String>) {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::context::ServerContext>()
            .map(|ctx| (ctx.identity.settings().privacy_url.clone(), ctx.identity.settings().terms_url.clone()))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let href = |rel: &str| document().query_selector(&format!("link[rel=\"{rel}\"]")).ok().flatten().and_then(|e| e.get_attribute("href"));
        (href("privacy-policy"), href("terms-of-service"))
    }
}

/// The name customers know the identity by ("Northwind ID"): the server's setting,
/// which the shell writes into `<meta name="application-name">` for the browser.
pub fn product_name() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::context::ServerContext>().map(|ctx| ctx.identity.settings().product_name.clone()).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .query_selector(&format!("meta[name=\"{PRODUCT_META}\"]"))
            .ok()
            .flatten()
            .and_then(|m| m.get_attribute("content"))
            .unwrap_or_default()
    }
}

/// Only web links reach an `href` (the CLI checks them too).
fn web_link(url: &Option<String>) -> Option<String> {
    url.as_ref().filter(|u| u.starts_with("https://") || u.starts_with("http://")).cloned()
}

/// The `return_to` of the brand flow this page belongs to: the page's own `return_to`
/// when it continues an authorization request, or the consent page's request.
pub fn flow_return_to(path: &str, return_to: Option<String>, r: Option<String>) -> Option<String> {
    if let Some(rt) = return_to.filter(|rt| handle_in_return_to(rt).is_some()) {
        return Some(rt);
    }
    if path == "/oauth2/consent" || path == "/oauth2/profile" {
        return r.map(|r| continue_path(&r)).filter(|rt| handle_in_return_to(rt).is_some());
    }
    None
}

/// The brand of the current flow, shared by the header, the page and the footer.
#[derive(Clone, Copy, Debug)]
pub struct BrandFlow(pub Resource<Option<BrandView>>);

/// Provides [`BrandFlow`] for everything inside (put it inside the `Router`).
#[component]
pub fn BrandScope(children: Children) -> impl IntoView {
    let location = use_location();
    let query = use_query_map();
    let flow = Memo::new(move |_| {
        let path = location.pathname.get();
        query.with(|q| flow_return_to(&path, q.get("return_to"), q.get("r")))
    });
    let brand = Resource::new(move || flow.get(), |rt| async move {
        match rt {
            Some(rt) => brand_for_return_to(Some(rt)).await.ok().flatten(),
            None => None,
        }
    });
    provide_context(BrandFlow(brand));
    children()
}

/// The brand of the current flow, once known (inside a `Suspense`).
pub fn brand_flow() -> Option<Resource<Option<BrandView>>> {
    use_context::<BrandFlow>().map(|b| b.0)
}

/// The brand's stylesheet, logo and name for the header.
#[component]
pub fn BrandMark(brand: BrandView) -> impl IntoView {
    let slug = encode_path(&brand.slug);
    let theme = format!("/brands/{slug}/theme.css");
    let logo = brand.has_logo.then(|| {
        let src = format!("/brands/{slug}/logo");
        view! { <img class="brand-logo" src=src alt=brand.name.clone()/> }
    });
    view! {
        <link rel="stylesheet" href=theme/>
        <span class="brand-mark brand-flow">
            {logo}
            // The logo's alt text already names the brand for screen readers.
            <span class="brand-name" aria-hidden=brand.has_logo.then_some("true")>{brand.name.clone()}</span>
            <span class="product-note">{t_with("shell-brand-with-product", &[("product", product_name())])}</span>
        </span>
    }
}

/// The brand's name with an optional line under it, at the top of a themed page.
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
    view! {
        <div class="brand-banner">
            {match lead {
                Some(text) => view! { <p class="brand-lead">{text}</p> }.into_any(),
                None => view! { <p class="brand-name">{brand.name.clone()}</p> }.into_any(),
            }}
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
        items.push((url, t_with("shell-brand-website", &[("brand", name.clone())])));
    }
    if let Some(url) = web_link(&brand.support_url) {
        items.push((url, t("shell-brand-support")));
    } else if let Some(email) = brand.support_email.as_ref().filter(|e| e.contains('@') && !e.contains(['?', '&', '#', ' ', '<', '>', '"'])) {
        items.push((format!("mailto:{email}"), t_with("shell-brand-support-email", &[("email", email.clone())])));
    }
    if let Some(url) = web_link(&brand.terms_url) {
        items.push((url, t("shell-brand-terms")));
    }
    if let Some(url) = web_link(&brand.privacy_url) {
        items.push((url, t("shell-brand-privacy")));
    }
    (!items.is_empty()).then(|| {
        view! {
            <nav class="brand-links" aria-label=t_with("shell-brand-links", &[("brand", name)])>
                <ul>
                    {items.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect_view()}
                </ul>
            </nav>
        }
    })
}

/// On a sign-in page whose `return_to` query parameter continues an authorization
/// request: "`lead` <Brand name>" (the header shows the brand's logo, the footer its
/// links). Nothing otherwise.
#[component]
pub fn BrandForReturnTo(
    /// The words before the brand's name ("Sign in to continue to").
    #[prop(into)]
    lead: String,
) -> impl IntoView {
    let return_to = use_query_map().with_untracked(|q| q.get("return_to")).unwrap_or_default();
    if handle_in_return_to(&return_to).is_none() {
        return ().into_any();
    }
    let brand = brand_flow().unwrap_or_else(|| {
        Resource::new(move || return_to.clone(), |r| async move { brand_for_return_to(Some(r)).await.ok().flatten() })
    });
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let lead = lead.clone();
                Suspend::new(async move {
                    brand.await.map(|b| {
                        let text = format!("{lead} {}", b.name);
                        view! { <BrandBanner brand=b lead=text/> }
                    })
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_comes_from_return_to_or_the_consent_request() {
        let rt = Some("/oauth2/continue?r=abc".to_owned());
        assert_eq!(flow_return_to("/login", rt.clone(), None), rt);
        assert_eq!(flow_return_to("/oauth2/consent", None, Some("abc".into())), rt);
        assert_eq!(flow_return_to("/login", Some("/account".into()), None), None);
        assert_eq!(flow_return_to("/login", None, Some("abc".into())), None);
        assert_eq!(flow_return_to("/oauth2/consent", None, Some("a/b".into())), None);
    }
}
