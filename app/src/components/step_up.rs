//! "Confirm it's you": the inline re-authentication sensitive actions ask for. A
//! passkey (the strongest factor, once the page is interactive), or the password plus
//! the second step when the account has one; then the interrupted action continues.
//!
//! Without the wasm the form is a plain post whose page carries `step_up=<section>`,
//! so the page comes back with this form (and its error) in the same place; after
//! success it says so and the person repeats the action, which now goes through.

use leptos::prelude::*;

use crate::api::mfa::mfa_status;
use crate::api::passkeys::{passkey_step_up, passkey_step_up_options};
use crate::api::settings::Reauthenticate;
use crate::components::form::{ActionResult, ErrorSummary, Field, PAGE_FIELD, done_without_js, failure, field_error};
use crate::components::passkey;
use crate::error::AppError;
use crate::components::password::PasswordTools;
use crate::i18n::t;

/// The query parameter naming the part of the page a plain step-up came from.
pub const STEP_UP_PARAM: &str = "step_up";

/// Whether the page, as loaded, is the answer to a plain step-up post from `section`
/// (its error, or its success).
pub fn step_up_answered(section: &str) -> bool {
    leptos_router::hooks::use_query_map().with_untracked(|q| {
        q.get(STEP_UP_PARAM).as_deref() == Some(section)
            && (q.get("__path").as_deref() == Some(<Reauthenticate as server_fn::ServerFn>::PATH)
                || q.get("__ok").as_deref() == Some(<Reauthenticate as server_fn::ServerFn>::PATH))
    })
}

fn reauth<T>(value: &Option<Result<T, AppError>>) -> bool {
    matches!(value, Some(Err(AppError::ReauthRequired)))
}

/// The failure to show above a form: "confirm it's you" is shown by the step-up itself.
pub fn failure_but_step_up<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    let f = failure(value);
    Signal::derive(move || f.get().filter(|e| *e != AppError::ReauthRequired))
}

/// Whether the step-up of `section` is due: the last answer asked for it, or a plain
/// step-up post of that section just came back.
pub fn step_up_asked<T: Clone + Send + Sync + 'static>(
    result: impl Get<Value = Option<Result<T, AppError>>> + GetUntracked<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    section: &'static str,
) -> RwSignal<bool> {
    let asked = RwSignal::new(reauth(&result.get_untracked()) || step_up_answered(section));
    Effect::new(move |_| {
        if reauth(&result.get()) {
            asked.set(true);
        }
    });
    asked
}

/// The code field's message: the server's, or, when the account has a second step and
/// no code came, that one is needed.
pub fn code_error<T: Clone + Send + Sync + 'static>(result: impl ActionResult<T>) -> Signal<Option<String>> {
    let from_server = field_error(result, "Code");
    Signal::derive(move || match result.get() {
        Some(Err(AppError::SecondFactorRequired)) => Some(t("security-code-required")),
        _ => from_server.get(),
    })
}

#[component]
pub fn StepUp(
    /// Which part of the page asks (`email`, `two-step`, `passkeys`); unique per page.
    section: &'static str,
    on_confirmed: Callback<()>,
) -> AnyView {
    let confirm = ServerAction::<Reauthenticate>::new();
    let result = confirm.value();
    let with_passkey = Action::new_local(|_: &()| passkey::verify_with(passkey_step_up_options(), false, passkey_step_up));
    Effect::new(move || {
        if matches!(result.get(), Some(Ok(()))) || matches!(with_passkey.value().get(), Some(Ok(()))) {
            on_confirmed.run(());
        }
    });
    let status = Resource::new(|| (), |_| mfa_status());
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(passkey::supported()));
    let has_passkey = move || hydrated.get() && status.get().and_then(Result::ok).is_some_and(|s| s.passkeys > 0);
    let has_password = move || status.get().and_then(Result::ok).is_none_or(|s| s.password);
    // This page again, marked as this section's step-up (a plain post comes back here).
    let location = leptos_router::hooks::use_location();
    let page = move || {
        let mut pairs: Vec<String> = location
            .search
            .get()
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("__") && !p.starts_with("step_up="))
            .map(str::to_owned)
            .collect();
        pairs.push(format!("{STEP_UP_PARAM}={section}"));
        format!("{}?{}", location.pathname.get(), pairs.join("&"))
    };
    let page = Signal::derive(page);
    let fields: &'static [(&'static str, &'static str)] = match section {
        "email" => &[("Password", "step-up-password-email"), ("Code", "step-up-code-email")],
        "two-step" => &[("Password", "step-up-password-two-step"), ("Code", "step-up-code-two-step")],
        "export" => &[("Password", "step-up-password-export"), ("Code", "step-up-code-export")],
        "delete" => &[("Password", "step-up-password-delete"), ("Code", "step-up-code-delete")],
        _ => &[("Password", "step-up-password-passkeys"), ("Code", "step-up-code-passkeys")],
    };
    if done_without_js::<Reauthenticate>() && step_up_answered(section) {
        return view! { <p class="step-up" role="status">{t("security-step-up-done")}</p> }.into_any();
    }
    view! {
        <div class="step-up">
            <p role="alert">{t("security-step-up-intro")}</p>
            <Transition fallback=|| ()>
                <Show when=has_passkey>
                    <ErrorSummary error=failure(with_passkey.value()) pending=with_passkey.pending()/>
                    <button type="button" on:click=move |_| { with_passkey.dispatch(()); }>{t("security-step-up-passkey")}</button>
                    <Show when=has_password><p class="or">{t("security-step-up-or-password")}</p></Show>
                </Show>
            </Transition>
            // Accounts without a password (passkey-only) confirm with a passkey alone.
            <Show when=has_password>
                {
                let (password_id, code_id) = (format!("step-up-password-{section}"), format!("step-up-code-{section}"));
                view! {
                <ActionForm action=confirm attr:class="form" attr:novalidate="true">
                    <input type="hidden" name=PAGE_FIELD value=page/>
                    <ErrorSummary error=failure(result) pending=confirm.pending() fields=fields/>
                    <Field label=t("security-step-up-password") name="password" id=password_id.clone() kind="password" autocomplete="current-password" required=true
                        error=field_error(result, "Password")/>
                    <PasswordTools input=password_id.clone()/>
                    <Field label=t("security-code-label") name="code" id=code_id.clone() autocomplete="one-time-code" inputmode="numeric"
                        hint=t("security-step-up-code-hint") error=code_error(result)/>
                    <button type="submit" disabled=move || confirm.pending().get()>{t("security-step-up-submit")}</button>
                </ActionForm>
                }
                }
            </Show>
        </div>
    }
    .into_any()
}
