//! "Confirm it's you": the inline re-authentication sensitive actions ask for. The
//! password, plus the authenticator code when the account has two-step verification;
//! then the interrupted action continues.

use leptos::prelude::*;

use crate::api::settings::reauthenticate;
use crate::components::form::{Field, field_error, form_alert};

#[component]
pub fn StepUp(on_confirmed: Callback<()>) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let confirm = Action::new(move |_: &()| {
        let (pw, code) = (password.get_untracked(), code.get_untracked());
        async move { reauthenticate(pw, (!code.trim().is_empty()).then_some(code)).await }
    });
    let result = confirm.value();
    Effect::new(move || {
        if matches!(result.get(), Some(Ok(()))) {
            on_confirmed.run(());
        }
    });
    view! {
        <form class="form step-up" novalidate on:submit=move |ev| {
            ev.prevent_default();
            confirm.dispatch(());
        }>
            <p role="alert">"For your security, confirm it's you to continue."</p>
            {form_alert(result)}
            <Field label="Password" name="password" id="step-up-password" kind="password" autocomplete="current-password" required=true
                on_input=Callback::new(move |v| password.set(v))/>
            <Field label="Authentication code" name="code" id="step-up-code" autocomplete="one-time-code"
                hint="Only if you use two-step verification: from your app, or a recovery code."
                error=field_error(result, "Code") on_input=Callback::new(move |v| code.set(v))/>
            <button type="submit" disabled=move || confirm.pending().get()>"Confirm and continue"</button>
        </form>
    }
}
