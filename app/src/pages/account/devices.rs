//! `/account/devices`: where the customer is signed in; end any one other session, or
//! all of them after a confirmation. Every form works before the wasm: the
//! confirmation is a page state (`?confirm=others`), reached by a plain GET form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AccountNav, LoadError};
use crate::api::settings::{DeviceView, EndDevice, EndOtherDevices, list_devices};
use crate::components::form::{ErrorSummary, PAGE_FIELD, PageField, done_without_js, failure};
use crate::i18n::{Time, t, t_with};

/// The page, without the confirmation state: where the confirmation form comes back to.
const PAGE: &str = "/account/devices";

#[component]
pub fn DevicesPage() -> impl IntoView {
    let end_one = ServerAction::<EndDevice>::new();
    let end_others = ServerAction::<EndOtherDevices>::new();
    let devices = Resource::new(move || (end_one.version().get(), end_others.version().get()), |_| list_devices());
    let query = use_query_map();
    let ended_one = move || matches!(end_one.value().get(), Some(Ok(_))) || done_without_js::<EndDevice>();
    let ended_others = move || matches!(end_others.value().get(), Some(Ok(_))) || done_without_js::<EndOtherDevices>();
    let confirming = move || query.with(|q| q.get("confirm").as_deref() == Some("others")) && !ended_others();
    view! {
        <Title text=t("account-devices-title")/>
        <h1>{t("account-devices-title")}</h1>
        <AccountNav/>
        <p>{t("account-devices-intro")}</p>
        <ErrorSummary error=failure(end_one.value()) pending=end_one.pending()/>
        <ErrorSummary error=failure(end_others.value()) pending=end_others.pending()/>
        <div role="status">
            {move || ended_one().then(|| view! { <p>{t("account-devices-ended")}</p> })}
            {move || ended_others().then(|| match end_others.value().get() {
                Some(Ok(n)) => view! { <p>{t_with("account-devices-ended-others-count", &[("n", n.to_string())])}</p> }.into_any(),
                _ => view! { <p>{t("account-devices-ended-others")}</p> }.into_any(),
            })}
        </div>
        <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match devices.await {
                    Ok(list) => view! {
                        <ul class="device-list">
                            {list.into_iter().map(|d| device_card(d, end_one)).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
        <Show when=confirming
            fallback=|| view! {
                // Asks first: a plain GET to the confirmation state, with or without the wasm.
                <form method="get" action=PAGE class="inline-form">
                    <input type="hidden" name="confirm" value="others"/>
                    <button type="submit" class="danger">{t("account-devices-end-others")}</button>
                </form>
            }>
            <section class="card confirm" aria-labelledby="end-others-heading">
                <h2 id="end-others-heading">{t("account-devices-end-others-heading")}</h2>
                <p id="end-others-text">{t("account-devices-end-others-text")}</p>
                <ActionForm action=end_others attr:class="inline-form">
                    // Back to the page itself, not to the confirmation state.
                    <input type="hidden" name=PAGE_FIELD value=PAGE/>
                    <button type="submit" class="danger" disabled=move || end_others.pending().get()>{t("account-devices-end-others-confirm")}</button>
                </ActionForm>
                " "
                <a class="button secondary" href=PAGE>{t("account-cancel")}</a>
            </section>
        </Show>
    }
}

/// One signed-in browser: what it is, when it signed in and was last seen, and "Sign
/// out" for any but this one.
fn device_card(d: DeviceView, end_one: ServerAction<EndDevice>) -> AnyView {
    let label = t_with("account-devices-sign-out-label", &[("device", d.device.clone()), ("when", d.last_seen.relative.clone())]);
    view! {
        <li class="card">
            <strong>{d.device.clone()}</strong>
            {d.current.then(|| view! { " " <span class="badge">{t("account-devices-this")}</span> })}
            <p>
                {t("account-devices-signed-in")} " " <Time when=d.signed_in.clone()/>
                " · " {t("account-devices-last-seen")} " " <Time when=d.last_seen.clone()/>
            </p>
            {(!d.current).then(|| view! {
                <ActionForm action=end_one attr:class="inline-form">
                    <PageField/>
                    <input type="hidden" name="id" value=d.id.clone()/>
                    <button type="submit" aria-label=label>{t("account-devices-sign-out")}</button>
                </ActionForm>
            })}
        </li>
    }
    .into_any()
}
