//! `/account/security`: change the password (needs the current one) and the email
//! (needs an authentication in the last five minutes; asked for inline).

use leptos::prelude::*;
use leptos_meta::Title;

use super::AccountNav;
use crate::api::settings::{ChangePassword, change_email, reauthenticate};
use crate::components::form::{Field, form_alert, field_error};
use crate::error::AppError;
use crate::pages::register::StrengthMeter;

#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <Title text="Security"/>
        <h1>"Security"</h1>
        <AccountNav/>
        <ChangePasswordForm/>
        <ChangeEmailForm/>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let result = action.value();
    let password = RwSignal::new(String::new());
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change your password"</h2>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                {form_alert(result)}
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" required=true/>
                <Field label="New password" name="new_password" kind="password" autocomplete="new-password" required=true
                    error=field_error(result, "New password") on_input=Callback::new(move |v| password.set(v))/>
                <StrengthMeter password=password.into() personal=Signal::derive(Vec::new)/>
                <button type="submit" disabled=move || action.pending().get()>"Change password"</button>
            </ActionForm>
            {move || matches!(result.get(), Some(Ok(()))).then(|| view! {
                <p role="status">"Your password is changed. Your other devices were signed out."</p>
            })}
        </section>
    }
}

/// Email change with an inline password prompt when the last authentication is older
/// than five minutes; the change continues after the password is confirmed.
#[component]
fn ChangeEmailForm() -> impl IntoView {
    let new_email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let change = Action::new(|email: &String| change_email(email.clone()));
    let confirm = Action::new(move |pw: &String| {
        let pw = pw.clone();
        async move {
            reauthenticate(pw).await?;
            change_email(new_email.get_untracked()).await
        }
    });
    let outcome = RwSignal::new(None::<Result<(), AppError>>);
    Effect::new(move || {
        if let Some(r) = change.value().get() {
            outcome.set(Some(r));
        }
    });
    Effect::new(move || {
        if let Some(r) = confirm.value().get() {
            outcome.set(Some(r));
        }
    });
    let needs_password = move || matches!(outcome.get(), Some(Err(AppError::ReauthRequired)));
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Change your email"</h2>
            <p>"We send a confirmation to the new address; your email changes once you confirm it. Your current address is told, with a way to undo."</p>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch(new_email.get_untracked());
            }>
                <Show when=move || !needs_password()>
                    {form_alert(outcome)}
                </Show>
                <Field label="New email" name="new_email" kind="email" autocomplete="email" required=true
                    error=field_error(outcome, "New email") on_input=Callback::new(move |v| new_email.set(v))/>
                <button type="submit">"Change email"</button>
            </form>
            <Show when=needs_password>
                <form class="form reauth" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    confirm.dispatch(password.get_untracked());
                }>
                    <p role="alert">"For your security, confirm your password to continue."</p>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true
                        on_input=Callback::new(move |v| password.set(v))/>
                    <button type="submit">"Confirm and continue"</button>
                </form>
            </Show>
            {move || matches!(outcome.get(), Some(Ok(()))).then(|| view! {
                <p role="status">"Check the new address: we sent it a confirmation link and code."</p>
            })}
        </section>
    }
}
