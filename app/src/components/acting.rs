//! The banner shown on every page while the customer acts for someone else: "You are
//! acting for <name>" and one button back to their own account (a plain form post, so
//! it works before the wasm). It disappears as soon as the delegation or guardianship
//! behind it ends (`api::delegation::acting_status` checks it on each page). In a
//! support agent's session in a customer's portal it says who, for which ticket and
//! until when, with "Leave the customer's account" (which ends the access).

use leptos::prelude::*;

use crate::api::account::Logout;
use crate::api::delegation::{StopActing, acting_status};
use crate::api::delegation::ActingNow;
use crate::components::form::PageField;
use crate::i18n::{t, t_with};

#[component]
pub fn ActingBanner() -> impl IntoView {
    let stop = ServerAction::<StopActing>::new();
    crate::pages::oauth::follow(stop.value());
    let leave = ServerAction::<Logout>::new();
    Effect::new(move || {
        if matches!(leave.value().get(), Some(Ok(()))) {
            crate::components::form::go_to("/admin/customers");
        }
    });
    let status = Resource::new(move || stop.version().get(), |_| acting_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(Some(ActingNow { name, support: Some((ticket, until)), .. })) => view! {
                        <div class="acting-banner support-banner" role="region" aria-label=t("support-title")>
                            <p><strong>{t_with("support-banner", &[("agent", name), ("ticket", ticket), ("until", until.absolute)])}</strong></p>
                            <ActionForm action=leave attr:class="inline-form">
                                <input type="hidden" name="__page" value="/admin/customers"/>
                                <button type="submit">{t("support-banner-leave")}</button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                    Ok(Some(s)) => view! {
                        <div class="acting-banner" role="region" aria-label=t("delegation-banner-label")>
                            <p><strong>{t_with("delegation-banner", &[("name", s.name)])}</strong></p>
                            <ActionForm action=stop attr:class="inline-form">
                                <PageField/>
                                <button type="submit">{t("delegation-banner-back")}</button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}
