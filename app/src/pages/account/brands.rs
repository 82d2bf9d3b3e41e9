//! `/account/brands` ("Connected brands"): the brands the customer shares details with,
//! what each receives, since when, and **Disconnect** after a confirmation. The
//! confirmation is a page state (`?disconnect=<brand>`, reached by a GET form), so it works
//! before the wasm; the form then posts back to the page itself.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AccountNav, LoadError};
use crate::api::oidc::{ConnectedBrandView, DisconnectBrand, connected_brands};
use crate::components::form::{ErrorSummary, PAGE_FIELD, done_without_js, failure};
use crate::i18n::{Time, t, t_with};

/// The page, without the confirmation state.
const PAGE: &str = "/account/brands";

#[component]
pub fn BrandsPage() -> impl IntoView {
    let disconnect = ServerAction::<DisconnectBrand>::new();
    let brands = Resource::new(move || disconnect.version().get(), |_| connected_brands());
    let query = use_query_map();
    // The names of the brands as loaded, for the message after one was disconnected.
    let names = StoredValue::new(Vec::<(String, String)>::new());
    let done = move || matches!(disconnect.value().get(), Some(Ok(()))) || done_without_js::<DisconnectBrand>();
    let asked = Signal::derive(move || if done() { None } else { query.with(|q| q.get("disconnect")) });
    view! {
        <Title text=t("account-brands-title")/>
        <h1>{t("account-brands-title")}</h1>
        <AccountNav/>
        <p>{t("account-brands-intro")}</p>
        <ErrorSummary error=failure(disconnect.value()) pending=disconnect.pending()/>
        <div role="status">
            {move || done().then(|| {
                let gone = query.with(|q| q.get("disconnect"));
                let name = gone.and_then(|slug| names.with_value(|n| n.iter().find(|(s, _)| *s == slug).map(|(_, name)| name.clone())));
                match name {
                    Some(brand) => view! { <p>{t_with("account-brands-disconnected", &[("brand", brand)])}</p> }.into_any(),
                    None => view! { <p>{t("account-brands-disconnected-plain")}</p> }.into_any(),
                }
            })}
        </div>
        <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match brands.await {
                    Ok(list) if list.is_empty() => view! { <p>{t("account-brands-none")}</p> }.into_any(),
                    Ok(list) => {
                        names.update_value(|n| n.extend(list.iter().map(|b| (b.slug.clone(), b.name.clone()))));
                        view! {
                            <ul class="brand-list">
                                {list.into_iter().map(|b| brand_card(b, disconnect, asked)).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn brand_card(b: ConnectedBrandView, disconnect: ServerAction<DisconnectBrand>, asked: Signal<Option<String>>) -> AnyView {
    let heading_id = format!("brand-{}", b.slug);
    let labelled_by = heading_id.clone();
    let confirm_id = format!("disconnect-{}", b.slug);
    let website = b.website_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let slug = b.slug.clone();
    let confirming = move || asked.get().as_deref() == Some(slug.as_str());
    let ask_slug = b.slug.clone();
    let name = b.name.clone();
    let (ask_label, heading, text, confirm) = (
        t_with("account-brands-disconnect-label", &[("brand", name.clone())]),
        t_with("account-brands-disconnect-heading", &[("brand", name.clone())]),
        t_with("account-brands-disconnect-text", &[("brand", name.clone())]),
        t_with("account-brands-disconnect-confirm", &[("brand", name.clone())]),
    );
    let slug_value = b.slug.clone();
    view! {
        <li class="card connected-brand" aria-labelledby=labelled_by>
            <h2 id=heading_id>{b.name.clone()}</h2>
            {website.map(|url| view! { <p><a href=url>{t_with("account-brands-website", &[("brand", b.name.clone())])}</a></p> })}
            <p>{t("account-brands-receives")}</p>
            <ul class="consent-list">
                {b.receives.into_iter().map(|what| view! { <li>{what}</li> }).collect_view()}
            </ul>
            <p>{t("account-brands-connected-since")} " " <Time when=b.connected_since/></p>
            {b.last_used.map(|at| view! { <p>{t("account-brands-last-used")} " " <Time when=at/></p> })}
            {move || if confirming() {
                let (slug_value, confirm) = (slug_value.clone(), confirm.clone());
                view! {
                    <section class="confirm" aria-labelledby=confirm_id.clone()>
                        <h3 id=confirm_id.clone()>{heading.clone()}</h3>
                        <p>{text.clone()}</p>
                        <ActionForm action=disconnect attr:class="inline-form">
                            // Back to the page itself, not to the confirmation state.
                            <input type="hidden" name=PAGE_FIELD value=PAGE/>
                            <input type="hidden" name="slug" value=slug_value.clone()/>
                            <button type="submit" class="danger" disabled=move || disconnect.pending().get()>{confirm.clone()}</button>
                        </ActionForm>
                        " "
                        <a class="button secondary" href=PAGE>{t("account-cancel")}</a>
                    </section>
                }.into_any()
            } else {
                // Asks first: a plain GET to the confirmation state, with or without the wasm.
                view! {
                    <form method="get" action=PAGE class="inline-form">
                        <input type="hidden" name="disconnect" value=ask_slug.clone()/>
                        <button type="submit" class="danger" aria-label=ask_label.clone()>{t("account-brands-disconnect")}</button>
                    </form>
                }.into_any()
            }}
        </li>
    }
    .into_any()
}
