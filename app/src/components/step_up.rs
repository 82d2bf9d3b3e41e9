//! "Confirm it's you": the inline re-authentication sensitive actions ask for. A
//! passkey (the strongest factor), or the password plus the second step when the
//! account has one; then the interrupted action continues.

use leptos::prelude::*;

use crate::api::mfa::mfa_status;
use crate::api::passkeys::{passkey_step_up, passkey_step_up_options};
use crate::api::settings::reauthenticate;
use crate::components::form::{Field, field_error, form_alert};
use crate::components::passkey;

#[component]
pub fn StepUp(on_confirmed: Callback<()>) -> AnyView {
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let confirm = Action::new(move |_: &()| {
        let (pw, code) = (password.get_untracked(), code.get_untracked());
        async move { reauthenticate(pw, (!code.trim().is_empty()).then_some(code)).await }
    });
    let result = confirm.value();
    let with_passkey = Action::new_local(|_: &()| passkey::verify_with(passkey_step_up_options(), false, passkey_step_up));
    Effect::new(move || {
        if matches!(result.get(), Some(Ok(()))) || matches!(with_passkey.value().get(), Some(Ok(()))) {
            on_confirmed.run(());
        }
    });
    let status = Resource::new(|| (), |_| mfa_status());
    let has_passkey = move || status.get().and_then(Result::ok).is_some_and(|s| s.passkeys > 0);
    let has_password = move || status.get().and_then(Result::ok).is_none_or(|s| s.password);
    view! {
        <form class="form step-up" novalidate on:submit=move |ev| {
            ev.prevent_default();
            confirm.dispatch(());
        }>
            <p role="alert">"For your security, confirm it's you to continue."</p>
            <Transition fallback=|| ()>
                <Show when=has_passkey>
                    {form_alert(with_passkey.value())}
                    <button type="button" on:click=move |_| { with_passkey.dispatch(()); }>"Confirm with a passkey"</button>
                    <Show when=has_password><p class="or">"or with your password:"</p></Show>
                </Show>
            </Transition>
            // Accounts without a password (passkey-only) confirm with a passkey alone.
            <Show when=has_password>
                {form_alert(result)}
                <Field label="Password" name="password" id="step-up-password" kind="password" autocomplete="current-password" required=true
                    on_input=Callback::new(move |v| password.set(v))/>
                <Field label="Authentication code" name="code" id="step-up-code" autocomplete="one-time-code"
                    hint="Only if you use two-step verification: from your app, or a recovery code."
                    error=field_error(result, "Code") on_input=Callback::new(move |v| code.set(v))/>
                <button type="submit" disabled=move || confirm.pending().get()>"Confirm and continue"</button>
            </Show>
        </form>
    }
    .into_any()
}
