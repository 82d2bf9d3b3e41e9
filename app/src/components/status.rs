//! The service status widget of the operator view (`/admin`): a hydrated button that
//! calls a staff-only server function.

use leptos::prelude::*;

use crate::api::status::{StatusReport, service_status};
use crate::i18n::{t, t_with};

#[component]
pub fn StatusCheck() -> impl IntoView {
    let check = Action::new(|_: &()| service_status());
    let pending = check.pending();
    let result = check.value();
    view! {
        <section class="card" aria-labelledby="status-heading">
            <h2 id="status-heading">{t("shell-status-title")}</h2>
            <p>{t("shell-status-lead")}</p>
            <button type="button" on:click=move |_| { check.dispatch(()); } disabled=move || pending.get()>
                {move || if pending.get() { t("shell-status-checking") } else { t("shell-status-check") }}
            </button>
            <div role="status" aria-live="polite" class="status-result">
                {move || result.get().map(|outcome| match outcome {
                    Ok(status) => describe(&status).into_any(),
                    Err(e) => view! { <p class="error">{t_with("shell-status-unavailable", &[("reason", e.summary())])}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

fn describe(status: &StatusReport) -> impl IntoView + use<> {
    let state = if status.ready { t("shell-status-ready") } else { t("shell-status-not-reachable") };
    let db = t_with("shell-status-database", &[("backend", status.backend.clone()), ("state", state)]);
    let backlog = t_with("shell-status-backlog", &[("count", status.outbox_backlog.to_string())]);
    view! {
        <p>{db}</p>
        <p>{backlog}</p>
    }
}
