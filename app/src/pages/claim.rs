//! `/claim?token=…`: a managed household member who came of age takes over their
//! account with the link a guardian handed them — an email address and a password
//! (typed twice), then the code mailed to that address. Opening the link changes
//! nothing; both steps are forms that post plainly before the wasm
//! (`identity::households::handover` has the rules).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::household_managed::{CONFIRM_FIELD, FinishClaim, StartClaim, claim_info};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::i18n::{t, t_with};
use crate::pages::register::StrengthMeter;

fn token() -> String {
    use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default()
}

#[component]
pub fn ClaimPage() -> impl IntoView {
    let start = ServerAction::<StartClaim>::new();
    let finish = ServerAction::<FinishClaim>::new();
    let info = Resource::new(|| (), |()| claim_info(token()));
    let finished = move || matches!(finish.value().get(), Some(Ok(()))) || done_without_js::<FinishClaim>();
    let started = move || matches!(start.value().get(), Some(Ok(()))) || done_without_js::<StartClaim>();
    view! {
        <Title text=t("managed-claim-title")/>
        <h1>{t("managed-claim-title")}</h1>
        <Show
            when=finished
            fallback=move || view! {
                <Suspense fallback=|| view! { <p>{t("account-loading")}</p> }>
                    {move || Suspend::new(async move {
                        match info.await {
                            Ok(Some(info)) => {
                                let code_first = info.code_sent || started();
                                view! {
                                    <p>{t_with("managed-claim-intro", &[("name", info.given_name.clone())])}</p>
                                    {code_first.then(|| view! { <CodeForm action=finish/> })}
                                    <AddressForm action=start again=code_first/>
                                }.into_any()
                            }
                            Ok(None) => view! {
                                <p role="alert">{t("managed-claim-link-invalid")}</p>
                                <p>{t("managed-claim-invalid")}</p>
                            }.into_any(),
                            Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        >
            <p role="status">{t("managed-claim-done")}</p>
            <p><a href="/login">{t("managed-claim-sign-in")}</a></p>
        </Show>
    }
}

#[component]
fn CodeForm(action: ServerAction<FinishClaim>) -> impl IntoView {
    let result = action.value();
    view! {
        <section class="card" aria-labelledby="claim-code-heading">
            <h2 id="claim-code-heading">{t("managed-claim-code-heading")}</h2>
            <p role="status">{t("managed-claim-code-intro")}</p>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                <input type="hidden" name="token" value=token()/>
                <ErrorSummary error=failure(result) pending=action.pending()/>
                <Field label=t("managed-claim-code") name="code" id="field-claim-code" autocomplete="one-time-code" inputmode="numeric" required=true/>
                <button type="submit" disabled=move || action.pending().get()>{t("managed-claim-code-submit")}</button>
            </ActionForm>
        </section>
    }
}

/// The address and password. After a code was sent it stays offered, folded, for a
/// typo in the address (a new code goes out; the attempts are not reset).
#[component]
fn AddressForm(action: ServerAction<StartClaim>, again: bool) -> impl IntoView {
    let result = action.value();
    let password = RwSignal::new(String::new());
    let form = view! {
        <ActionForm action=action attr:class="form" attr:novalidate="true">
            <PageField/>
            <input type="hidden" name="token" value=token()/>
            <ErrorSummary error=failure(result) pending=action.pending()
                fields=&[("Email", "field-claim-email"), ("Password", "field-claim-password"), (CONFIRM_FIELD, "field-claim-confirm")]/>
            <Field label=t("managed-claim-email") name="email" id="field-claim-email" kind="email" autocomplete="email" required=true
                hint=t("managed-claim-email-hint") error=field_error(result, "Email")/>
            <Field label=t("managed-claim-password") name="password" id="field-claim-password" kind="password" autocomplete="new-password" required=true
                error=field_error(result, "Password") on_input=Callback::new(move |v| password.set(v))/>
            <StrengthMeter password=password.into() personal=Signal::derive(Vec::new)/>
            <Field label=t("managed-claim-confirm") name="confirm" id="field-claim-confirm" kind="password" autocomplete="new-password" required=true
                error=field_error(result, CONFIRM_FIELD)/>
            <button type="submit" disabled=move || action.pending().get()>{t("managed-claim-submit")}</button>
        </ActionForm>
    };
    if again {
        view! {
            <details class="card">
                <summary>{t("managed-claim-again")}</summary>
                {form}
            </details>
        }
        .into_any()
    } else {
        view! { <section class="card" aria-label=t("managed-claim-address-label")>{form}</section> }.into_any()
    }
}
