//! `/account/devices`: where the customer is signed in; end any or all other sessions.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::settings::{EndDevice, EndOtherDevices, list_devices};
use crate::components::form::form_alert;

#[component]
pub fn DevicesPage() -> impl IntoView {
    let end_one = ServerAction::<EndDevice>::new();
    let end_others = ServerAction::<EndOtherDevices>::new();
    let devices = Resource::new(
        move || (end_one.version().get(), end_others.version().get()),
        |_| list_devices(),
    );
    view! {
        <Title text="Your devices"/>
        <h1>"Your devices"</h1>
        <AccountNav/>
        <p>"These browsers are signed in to your account. Sign out any you do not recognise, then change your password."</p>
        {form_alert(end_one.value())}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match devices.await {
                    Ok(list) => view! {
                        <ul class="device-list">
                            {list.into_iter().map(|d| {
                                let label = format!("Sign out {} (last seen {})", d.device, d.last_seen);
                                view! {
                                    <li class="card">
                                        <strong>{d.device.clone()}</strong>
                                        {d.current.then(|| view! { " " <span class="badge">"This device"</span> })}
                                        <p>"Signed in " <time>{d.signed_in}</time> " · last seen " <time>{d.last_seen.clone()}</time></p>
                                        {(!d.current).then(|| view! {
                                            <ActionForm action=end_one>
                                                <input type="hidden" name="id" value=d.id.clone()/>
                                                <button type="submit" aria-label=label>"Sign out"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
        <ActionForm action=end_others>
            <button type="submit">"Sign out all other devices"</button>
        </ActionForm>
        {move || end_others.value().get().and_then(Result::ok).map(|n| view! {
            <p role="status">{format!("Signed out {n} other session(s).")}</p>
        })}
    }
}
