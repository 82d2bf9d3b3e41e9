//! `/account/activity`: the customer's own security events, newest first.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::settings::activity;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let events = Resource::new(|| (), |()| activity());
    view! {
        <Title text="Account activity"/>
        <h1>"Account activity"</h1>
        <AccountNav/>
        <p>"Sign-ins, failed attempts and changes to your account. Times are UTC."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) if list.is_empty() => view! { <p>"Nothing yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ol class="activity-list">
                            {list.into_iter().map(|e| view! { <li><time>{e.at}</time> " — " {e.what}</li> }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
