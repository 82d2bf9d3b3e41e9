//! `/account/support-access`: what support asked to do in the customer's account, and
//! what it may do now (`docs/design/admin.md` "Ticket-scoped access"). A request is
//! approved with what support may do and for how long (after a recent authentication,
//! asked inline), or refused; a live access ends with one button. Every form works
//! before the wasm (plain posts come back here).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::support_access::{ApproveSupportAccess, EndSupportAccess, RefuseSupportAccess, SupportRequestView, support_requests};
use crate::components::form::{ErrorSummary, PageField, done_without_js};
use crate::components::step_up::{StepUp, failure_but_step_up, step_up_asked};
use crate::i18n::{Time, t, t_with};

/// The permissions support may be given, in the order the form lists them.
const PERMISSIONS: [&str; 5] = ["view_profile", "manage_profile", "manage_consents", "manage_loyalty", "sign_in_at_brands"];

#[component]
pub fn SupportAccessPage() -> impl IntoView {
    let approve = ServerAction::<ApproveSupportAccess>::new();
    let refuse = ServerAction::<RefuseSupportAccess>::new();
    let end = ServerAction::<EndSupportAccess>::new();
    let list = Resource::new(move || (approve.version().get(), refuse.version().get(), end.version().get()), |_| support_requests());
    let done = move || {
        if matches!(end.value().get(), Some(Ok(()))) || done_without_js::<EndSupportAccess>() {
            Some(t("support-ended"))
        } else if matches!(approve.value().get(), Some(Ok(()))) || done_without_js::<ApproveSupportAccess>() {
            Some(t("support-approved"))
        } else if matches!(refuse.value().get(), Some(Ok(()))) || done_without_js::<RefuseSupportAccess>() {
            Some(t("support-refused"))
        } else {
            None
        }
    };
    view! {
        <Title text=t("support-title")/>
        <AccountNav/>
        <h1>{t("support-title")}</h1>
        <p>{t("support-intro")}</p>
        {move || done().map(|text| view! { <p role="status" class="success">{text}</p> })}
        <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => {
                        let (open, past): (Vec<_>, Vec<_>) = list.into_iter().partition(|r| r.state == "requested" || r.state == "live");
                        view! {
                            {open.is_empty().then(|| view! { <p>{t("support-none")}</p> })}
                            {open.into_iter().map(|r| if r.state == "live" {
                                view! { <LiveAccess r=r end=end/> }.into_any()
                            } else {
                                view! { <OpenRequest r=r approve=approve refuse=refuse/> }.into_any()
                            }).collect_view()}
                            {(!past.is_empty()).then(|| view! { <History past=past/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn permission_words(name: &str) -> String {
    t(&format!("support-permission-{name}"))
}

#[component]
fn LiveAccess(r: SupportRequestView, end: ServerAction<EndSupportAccess>) -> impl IntoView {
    let words = r.granted.iter().map(|p| permission_words(p)).collect::<Vec<_>>().join(", ");
    view! {
        <section class="card" aria-label=t_with("support-requested-by", &[("agent", r.agent.clone()), ("ticket", r.ticket.clone())])>
            <p role="status"><strong>{t_with("support-live", &[("agent", r.agent.clone()), ("ticket", r.ticket.clone()), ("until", r.until.absolute.clone())])}</strong></p>
            <p>{t("support-asks-for")} " " {words}</p>
            <ActionForm action=end attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="access" value=r.id.clone()/>
                <button type="submit" class="danger">{t("support-end")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn OpenRequest(r: SupportRequestView, approve: ServerAction<ApproveSupportAccess>, refuse: ServerAction<RefuseSupportAccess>) -> impl IntoView {
    let result = approve.value();
    let asked = step_up_asked(result, "support");
    let resume = Callback::new(move |()| asked.set(false));
    let SupportRequestView { id, agent, ticket, reason, requested, .. } = r;
    let heading_id = format!("support-{id}");
    let labelled_by = heading_id.clone();
    let refuse_id = id.clone();
    let checks = PERMISSIONS
        .into_iter()
        .filter(|p| requested.iter().any(|x| x == p))
        .map(|name| {
            let field = format!("support-{id}-{name}");
            view! {
                <div class="check">
                    <input type="checkbox" id=field.clone() name=format!("permissions[{name}]") checked=true/>
                    <label for=field>{permission_words(name)}</label>
                </div>
            }
        })
        .collect_view();
    let radios = [15, 30, 60]
        .into_iter()
        .map(|m| {
            let field = format!("support-{id}-{m}");
            view! {
                <div class="check">
                    <input type="radio" id=field.clone() name="minutes" value=m.to_string() checked=m == 30/>
                    <label for=field>{t_with("support-minutes", &[("minutes", m.to_string())])}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{t_with("support-requested-by", &[("agent", agent), ("ticket", ticket)])}</h2>
            <p>{t_with("support-reason", &[("reason", reason)])}</p>
            <ActionForm action=approve attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure_but_step_up(result) pending=approve.pending()/>
                <input type="hidden" name="access" value=id/>
                <fieldset>
                    <legend>{t("support-choose")}</legend>
                    {checks}
                </fieldset>
                <fieldset>
                    <legend>{t("support-duration")}</legend>
                    {radios}
                </fieldset>
                <button type="submit">{t("support-approve")}</button>
            </ActionForm>
            <Show when=move || asked.get()>
                <StepUp section="support" on_confirmed=resume/>
            </Show>
            <ActionForm action=refuse attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="access" value=refuse_id/>
                <button type="submit" class="secondary">{t("support-refuse")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn History(past: Vec<SupportRequestView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="support-history">
            <h2 id="support-history">{t("support-history")}</h2>
            <ul>
                {past.into_iter().map(|r| {
                    let state = t(&format!("support-state-{}", r.state));
                    view! {
                        <li>{t_with("support-requested-by", &[("agent", r.agent), ("ticket", r.ticket)])} " — " {state} " — " <Time when=r.requested_at/></li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
