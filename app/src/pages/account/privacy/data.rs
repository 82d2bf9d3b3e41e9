//! `/account/privacy/data` ("Your data"): download a copy of everything Foyer holds about
//! the customer, and delete the account. Both need a recent, strong enough
//! authentication, asked for inline (`components::step_up`); deleting also needs the
//! account's address typed as confirmation (`identity::privacy::deletion` says why).
//!
//! And `/login/deletion`: after a sign-in to an account scheduled for deletion, "Cancel
//! deletion" or "Sign out" (`api::privacy_data`); after a deletion request
//! (`?scheduled=<ms>`), when the account goes.
//!
//! Every form works before the wasm: "Prepare my download" posted plainly sends the
//! browser to the download itself (the file arrives, the page stays); the others come
//! back through the server's 303 (`docs/design/platform.md` "Forms before the wasm").

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::super::{AccountNav, LoadError};
use crate::api::privacy_data::{CancelDeletion, CreateExport, LeaveHeldDeletion, RequestDeletion, data_page_info, deletion_date, held_deletion};
use crate::components::form::{ErrorSummary, Field, PageField, failure, field_error, go_to};
use crate::components::step_up::{StepUp, failure_but_step_up, step_up_asked};
use crate::i18n::{t, t_with};

#[component]
pub fn DataPage() -> impl IntoView {
    let info = Resource::new(|| (), |()| data_page_info());
    let export_note = use_query_map().with_untracked(|q| q.get("export"));
    view! {
        <Title text=t("data-title")/>
        <h1>{t("data-title")}</h1>
        <AccountNav/>
        <p>{t("data-intro")}</p>
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || {
                let export_note = export_note.clone();
                Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! {
                            <ExportSection note=export_note/>
                            <DeleteSection days=info.grace_days/>
                        }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ExportSection(note: Option<String>) -> impl IntoView {
    let action = ServerAction::<CreateExport>::new();
    let result = action.value();
    let asked = step_up_asked(result, "export");
    let resume = Callback::new(move |()| {
        asked.set(false);
        action.dispatch(CreateExport {});
    });
    let note = match note.as_deref() {
        Some("expired") => Some(t("data-export-expired")),
        Some("failed") => Some(t("data-export-failed")),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="export-heading">
            <h2 id="export-heading">{t("data-export-heading")}</h2>
            <p>{t("data-export-intro")}</p>
            {note.map(|text| view! { <p role="alert">{text}</p> })}
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure_but_step_up(result) pending=action.pending()/>
                <button type="submit" disabled=move || action.pending().get()>{t("data-export-submit")}</button>
            </ActionForm>
            <Show when=move || asked.get()>
                <StepUp section="export" on_confirmed=resume/>
            </Show>
            {move || match result.get() {
                Some(Ok(path)) => Some(view! {
                    <p role="status">{t("data-export-ready")} " " {t("data-export-mailed")}</p>
                    // `download` and `rel=external`: a file, not a page the router should open.
                    <p><a href=path download="" rel="external">{t("data-export-link")}</a></p>
                }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn DeleteSection(days: i64) -> impl IntoView {
    let action = ServerAction::<RequestDeletion>::new();
    let result = action.value();
    let typed = RwSignal::new(String::new());
    let asked = step_up_asked(result, "delete");
    let resume = Callback::new(move |()| {
        asked.set(false);
        action.dispatch(RequestDeletion { confirmation: typed.get_untracked() });
    });
    // Every session ended, this one too: a full load shows the page signed out.
    Effect::new(move |_| {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
    view! {
        <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">{t("data-delete-heading")}</h2>
            <p>{t_with("data-delete-intro", &[("days", days.to_string())])}</p>
            <p>{t("data-delete-ends")}</p>
            <p>{t("data-delete-kept")}</p>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure_but_step_up(result) pending=action.pending() fields=&[("Confirmation", "field-confirmation")]/>
                <Field label=t("data-delete-confirm-label") name="confirmation" kind="email" autocomplete="off" required=true
                    hint=t("data-delete-confirm-hint") error=field_error(result, "Confirmation") on_input=Callback::new(move |v| typed.set(v))/>
                <button type="submit" class="danger" disabled=move || action.pending().get()>{t("data-delete-submit")}</button>
            </ActionForm>
            <Show when=move || asked.get()>
                <StepUp section="delete" on_confirmed=resume/>
            </Show>
        </section>
    }
}

/// `/login/deletion`: the held sign-in's choice, or the date after a request.
#[component]
pub fn DeletionPage() -> impl IntoView {
    let scheduled = use_query_map().with_untracked(|q| q.get("scheduled").and_then(|v| v.parse::<i64>().ok()));
    let held = Resource::new(|| (), |()| held_deletion());
    let date = Resource::new(move || scheduled, |at| async move {
        match at {
            Some(at) => deletion_date(at).await.ok(),
            None => None,
        }
    });
    let cancel = ServerAction::<CancelDeletion>::new();
    let leave = ServerAction::<LeaveHeldDeletion>::new();
    Effect::new(move |_| {
        if let Some(Ok(path)) = cancel.value().get().or_else(|| leave.value().get()) {
            go_to(&path);
        }
    });
    view! {
        <Title text=t("data-held-title")/>
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match (held.await, date.await) {
                    (Ok(Some(h)), _) => view! {
                        <h1>{t("data-held-title")}</h1>
                        <p>{t_with("data-held-body", &[("when", h.when)])}</p>
                        <ErrorSummary error=failure(cancel.value()) pending=cancel.pending()/>
                        <div class="actions">
                            <ActionForm action=cancel attr:class="inline-form">
                                <PageField/>
                                <button type="submit" disabled=move || cancel.pending().get()>{t("data-held-cancel")}</button>
                            </ActionForm>
                            <ActionForm action=leave attr:class="inline-form">
                                <PageField/>
                                <button type="submit" class="secondary" disabled=move || leave.pending().get()>{t("data-held-sign-out")}</button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                    (_, Some(when)) => view! {
                        <h1>{t("data-scheduled-title")}</h1>
                        <p role="status">{t_with("data-scheduled-body", &[("when", when)])}</p>
                        <p>{t("data-scheduled-cancel-hint")}</p>
                        <p><a href="/login">{t("data-scheduled-sign-in")}</a></p>
                    }.into_any(),
                    _ => view! {
                        <h1>{t("data-held-title")}</h1>
                        <p>{t("data-held-none")}</p>
                        <p><a href="/login">{t("data-scheduled-sign-in")}</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
