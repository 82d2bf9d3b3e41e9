//! `/register`: create an account. The answer is the same for a new and an existing
//! address ("check your email"), and the verification code can be entered right here.

use identity::policy;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{Register, VerifyEmailCode};
use crate::pages::tokens::ConfirmedNotice;
use crate::api::passkeys::{passkey_sign_up, passkey_sign_up_options};
use crate::api::account::encode_path;
use crate::components::brand::BrandForReturnTo;
use crate::components::form::{Field, form_alert, field_error};
use crate::components::passkey;

/// Where signing in goes afterwards (a brand's pending request, say), kept from the URL.
fn sign_in_link() -> String {
    match use_query_map().with_untracked(|q| q.get("return_to")) {
        Some(next) => format!("/login?return_to={}", encode_path(&next)),
        None => "/login".to_owned(),
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let result = action.value();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let names = RwSignal::new((String::new(), String::new()));
    let terms = RwSignal::new(false);
    // Sign-up with a passkey instead of a password: the same fields, no password.
    let with_passkey = Action::new_local(move |_: &()| {
        let (email, (given, family), terms) = (email.get_untracked(), names.get_untracked(), terms.get_untracked());
        async move {
            let options = passkey_sign_up_options(email, Some(given), Some(family), terms.then(|| "on".to_owned()));
            passkey::create_with(options, passkey_sign_up).await
        }
    });
    let by_passkey = with_passkey.value();
    let error = move |field: &'static str| {
        let (a, b) = (field_error(result, field), field_error(by_passkey, field));
        Signal::derive(move || a.get().or_else(|| b.get()))
    };
    let supported = RwSignal::new(false);
    Effect::new(move || supported.set(passkey::supported()));
    view! {
        <Title text="Create an account"/>
        <BrandForReturnTo lead="Create an account to continue to"/>
        <Show
            when=move || matches!(result.get(), Some(Ok(()))) || matches!(by_passkey.get(), Some(Ok(())))
            fallback=move || view! {
                <h1>"Create an account"</h1>
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    {form_alert(result)}
                    {form_alert(by_passkey)}
                    <Field label="Email" name="email" kind="email" autocomplete="email" required=true
                        error=error("Email") on_input=Callback::new(move |v| email.set(v))/>
                    <Field label="Password" name="password" kind="password" autocomplete="new-password" required=true
                        hint="At least 8 characters. A few unrelated words make a strong password."
                        error=field_error(result, "Password") on_input=Callback::new(move |v| password.set(v))/>
                    <StrengthMeter password=password.into() personal=Signal::derive(move || {
                        let (g, f) = names.get();
                        vec![email.get(), g, f]
                    })/>
                    <Field label="Given name" name="given_name" autocomplete="given-name" error=error("Given name")
                        on_input=Callback::new(move |v| names.update(|n| n.0 = v))/>
                    <Field label="Family name" name="family_name" autocomplete="family-name" error=error("Family name")
                        on_input=Callback::new(move |v| names.update(|n| n.1 = v))/>
                    <div class="field checkbox">
                        <input id="accept_terms" name="accept_terms" type="checkbox" value="on"
                            on:change=move |ev| terms.set(event_target_checked(&ev))
                            aria-invalid=move || error("Terms").get().is_some().then_some("true")/>
                        <label for="accept_terms">"I accept the terms of use"</label>
                        {move || error("Terms").get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                    <button type="submit" disabled=move || action.pending().get()>"Create account"</button>
                    <Show when=move || supported.get()>
                        <p class="or">"or, without a password:"</p>
                        <button type="button" class="secondary" disabled=move || with_passkey.pending().get()
                            on:click=move |_| { with_passkey.dispatch(()); }>
                            "Create account with a passkey"
                        </button>
                        <p class="hint">"Your device keeps the passkey; you unlock it with your fingerprint, face or screen lock. Leave the password empty."</p>
                    </Show>
                </ActionForm>
                <p>"Already have an account? " <a href=sign_in_link()>"Sign in"</a></p>
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
        <p>"If you created your account with a passkey, you can sign in with it now."</p>
        <Show
            when=move || matches!(result.get(), Some(Ok(_)))
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
            {move || match result.get() {
                Some(Ok(confirmed)) => Some(view! { <ConfirmedNotice confirmed sign_in=sign_in_link()/> }),
                _ => None,
            }}
        </Show>
    }
}
