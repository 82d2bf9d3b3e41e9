//! `/account/activity`: the customer's own security events, newest first, with times
//! in their language and time zone.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::settings::activity;
use crate::i18n::{Time, t};

#[component]
pub fn ActivityPage() -> impl IntoView {
    let events = Resource::new(|| (), |()| activity());
    view! {
        <Title text=t("account-activity-title")/>
        <h1>{t("account-activity-title")}</h1>
        <AccountNav/>
        <p>{t("account-activity-intro")}</p>
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) if list.is_empty() => view! { <p>{t("account-activity-empty")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ol class="activity-list">
                            {list.into_iter().map(|e| view! { <li><Time when=e.at/> " — " {e.what}</li> }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
