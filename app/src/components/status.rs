//! The service status widget: a hydrated button that calls a server function.

use leptos::prelude::*;

use crate::api::status::{StatusReport, service_status};

#[component]
pub fn StatusCheck() -> impl IntoView {
    let check = Action::new(|_: &()| service_status());
    let pending = check.pending();
    let result = check.value();
    view! {
        <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">"Service status"</h2>
            <p>"Ask the server whether its database is reachable."</p>
            <button type="button" on:click=move |_| { check.dispatch(()); } disabled=move || pending.get()>
                {move || if pending.get() { "Checking…" } else { "Check status" }}
            </button>
            <div role="status" aria-live="polite" class="status-result">
                {move || result.get().map(|outcome| match outcome {
                    Ok(status) => describe(&status).into_any(),
                    Err(e) => view! { <p class="error">{format!("Status unavailable: {e}")}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

fn describe(status: &StatusReport) -> impl IntoView + use<> {
    let db = format!("Database: {}, {}", status.backend, if status.ready { "ready" } else { "not reachable" });
    let backlog = format!("Outbox backlog: {}", status.outbox_backlog);
    view! {
        <p>{db}</p>
        <p>{backlog}</p>
    }
}
