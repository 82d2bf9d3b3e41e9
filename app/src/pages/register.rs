//! `/register`: create an account. The answer is the same for a new and an existing
//! address ("check your email"), and the verification code can be entered right here.

use identity::policy;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::{Register, VerifyEmailCode};
use crate::components::form::{Field, form_alert, field_error};

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let result = action.value();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let names = RwSignal::new((String::new(), String::new()));
    view! {
        <Title text="Create an account"/>
        <Show
            when=move || matches!(result.get(), Some(Ok(())))
            fallback=move || view! {
                <h1>"Create an account"</h1>
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    {form_alert(result)}
                    <Field label="Email" name="email" kind="email" autocomplete="email" required=true
                        error=field_error(result, "Email") on_input=Callback::new(move |v| email.set(v))/>
                    <Field label="Password" name="password" kind="password" autocomplete="new-password" required=true
                        hint="At least 8 characters. A few unrelated words make a strong password."
                        error=field_error(result, "Password") on_input=Callback::new(move |v| password.set(v))/>
                    <StrengthMeter password=password.into() personal=Signal::derive(move || {
                        let (g, f) = names.get();
                        vec![email.get(), g, f]
                    })/>
                    <Field label="Given name" name="given_name" autocomplete="given-name" error=field_error(result, "Given name")
                        on_input=Callback::new(move |v| names.update(|n| n.0 = v))/>
                    <Field label="Family name" name="family_name" autocomplete="family-name" error=field_error(result, "Family name")
                        on_input=Callback::new(move |v| names.update(|n| n.1 = v))/>
                    <div class="field checkbox">
                        <input id="accept_terms" name="accept_terms" type="checkbox" value="on"
                            aria-invalid=move || field_error(result, "Terms").get().is_some().then_some("true")/>
                        <label for="accept_terms">"I accept the terms of use"</label>
                        {move || field_error(result, "Terms").get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                    <button type="submit" disabled=move || action.pending().get()>"Create account"</button>
                </ActionForm>
                <p>"Already have an account? " <a href="/login">"Sign in"</a></p>
            }
        >
            <CheckEmail email=email.get_untracked()/>
        </Show>
    }
}

/// The strength meter: the same policy the server enforces, run in the browser.
#[component]
pub fn StrengthMeter(password: Signal<String>, personal: Signal<Vec<String>>) -> impl IntoView {
    let assessment = Memo::new(move |_| {
        let pw = password.get();
        if pw.is_empty() {
            return None;
        }
        let personal = personal.get();
        let refs: Vec<&str> = personal.iter().map(String::as_str).collect();
        Some(policy::assess(&pw, &refs))
    });
    view! {
        <div class="strength" aria-live="polite">
            {move || assessment.get().map(|a| {
                let label = if !a.acceptable() { "weak" } else if a.score >= 4 { "very strong" } else { "strong" };
                view! {
                    <p id="password-strength" class=format!("strength-{}", label.replace(' ', "-"))>
                        {format!("Password strength: {label}")}
                    </p>
                    {a.problem.map(|p| view! { <p class="hint">{p}</p> })}
                }
            })}
        </div>
    }
}

/// After registering: confirm with the mailed code (or the link in the mail).
#[component]
pub fn CheckEmail(email: String) -> impl IntoView {
    let verify = ServerAction::<VerifyEmailCode>::new();
    let result = verify.value();
    view! {
        <h1>"Check your email"</h1>
        <p>"If this address can be used, we sent a message to it. Open the link in the message, or enter its 6-digit code below. The code works for 10 minutes."</p>
        <Show
            when=move || matches!(result.get(), Some(Ok(())))
            fallback=move || {
                let email = email.clone();
                view! {
                    <ActionForm action=verify attr:class="card form" attr:novalidate="true">
                        {form_alert(result)}
                        <Field label="Email" name="email" kind="email" autocomplete="email" value=email/>
                        <Field label="Code" name="code" autocomplete="one-time-code" hint="6 digits"/>
                        <button type="submit">"Confirm email"</button>
                    </ActionForm>
                }
            }
        >
            <p role="status">"Your email address is confirmed."</p>
            <p><a href="/login">"Sign in"</a></p>
        </Show>
    }
}
