//! Pages reached from mailed links. Opening a link changes nothing: the person presses
//! a button (a POST), so mail scanners that fetch links cannot spend them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{CONFIRMED_PASSWORD_REMOVED, Confirmed, ResetPassword, UnlockAccount, VerifyEmailLink};
use crate::api::settings::{ConfirmEmailChange, UndoEmailChange};
use crate::components::form::{Field, form_alert, field_error};
use crate::pages::register::StrengthMeter;

fn token() -> String {
    use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default()
}

/// A one-button page: heading, explanation, button; then a status and a next link.
macro_rules! token_page {
    ($name:ident, $action:ty, $title:literal, $explain:literal, $button:literal, $done:literal, $next_href:literal, $next:literal) => {
        pub fn $name() -> impl IntoView {
            let action = ServerAction::<$action>::new();
            let result = action.value();
            view! {
                <Title text={$title}/>
                <h1>{$title}</h1>
                <Show
                    when=move || matches!(result.get(), Some(Ok(_)))
                    fallback=move || view! {
                        <p>{$explain}</p>
                        <ActionForm action=action attr:class="card form">
                            {form_alert(result)}
                            <input type="hidden" name="token" value=token()/>
                            <button type="submit" disabled=move || action.pending().get()>{$button}</button>
                        </ActionForm>
                    }
                >
                    <p role="status">{$done}</p>
                    <p><a href={$next_href}>{$next}</a></p>
                </Show>
            }
        }
    };
}

/// `/verify`: the mailed confirmation link. Without wasm the form post comes back to
/// `/verify?confirmed=…` (see `api::account::Confirmed::page`).
pub fn verify_page() -> impl IntoView {
    let action = ServerAction::<VerifyEmailLink>::new();
    let result = action.value();
    let from_query = use_query_map()
        .with_untracked(|q| q.get("confirmed"))
        .map(|v| Confirmed { password_removed: v == CONFIRMED_PASSWORD_REMOVED });
    let outcome = move || match result.get() {
        Some(Ok(c)) => Some(c),
        _ => from_query,
    };
    view! {
        <Title text="Confirm your email"/>
        <h1>"Confirm your email"</h1>
        <Show
            when=move || outcome().is_some()
            fallback=move || view! {
                <p>"Press the button to confirm this address for your account."</p>
                <ActionForm action=action attr:class="card form">
                    {form_alert(result)}
                    <input type="hidden" name="token" value=token()/>
                    <button type="submit" disabled=move || action.pending().get()>"Confirm my email"</button>
                </ActionForm>
            }
        >
            {move || outcome().map(|c| view! { <ConfirmedNotice confirmed=c sign_in="/login".to_owned()/> })}
        </Show>
    }
}

/// The result of confirming an address; says plainly when the password set at sign-up
/// was removed and how to get in.
#[component]
pub fn ConfirmedNotice(confirmed: Confirmed, sign_in: String) -> impl IntoView {
    view! {
        <p role="status">"Your email address is confirmed."</p>
        {if confirmed.password_removed {
            view! {
                <p>"Because it was confirmed in a different browser from the one that created the account, \
                    the password set at sign-up was removed for safety."</p>
                <p><a href="/forgot-password">"Set a password"</a></p>
                <p><a href="/login/code">"Sign in with a code by email"</a></p>
            }.into_any()
        } else {
            view! { <p><a href=sign_in>"Sign in"</a></p> }.into_any()
        }}
    }
}
token_page!(unlock_page, UnlockAccount, "Unlock your account", "Your account was locked after too many failed sign-ins. Press the button to unlock it.",
    "Unlock my account", "Your account is unlocked. You can sign in again.", "/login", "Sign in");
token_page!(confirm_email_page, ConfirmEmailChange, "Confirm your new email", "Press the button to make this address your account's email.",
    "Confirm new email", "Your new email address is active.", "/account", "Your account");
token_page!(undo_email_page, UndoEmailChange, "Undo the email change", "This restores your previous email address and signs everyone out of the account.",
    "Undo the change", "Your previous email address is restored and all sessions were ended. Consider resetting your password.", "/forgot-password", "Reset your password");

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<crate::api::account::ForgotPassword>::new();
    let result = action.value();
    view! {
        <Title text="Forgot your password"/>
        <h1>"Forgot your password?"</h1>
        <Show
            when=move || matches!(result.get(), Some(Ok(())))
            fallback=move || view! {
                <p>"Enter your email address. If it belongs to an account, we will send a link to choose a new password."</p>
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    {form_alert(result)}
                    <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(result, "Email")/>
                    <button type="submit" disabled=move || action.pending().get()>"Send reset link"</button>
                </ActionForm>
            }
        >
            <p role="status">"If an account uses this address, a reset link is on its way. It works once, for 30 minutes."</p>
        </Show>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let result = action.value();
    let password = RwSignal::new(String::new());
    view! {
        <Title text="Choose a new password"/>
        <h1>"Choose a new password"</h1>
        <Show
            when=move || matches!(result.get(), Some(Ok(())))
            fallback=move || view! {
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    {form_alert(result)}
                    <input type="hidden" name="token" value=token()/>
                    <Field label="New password" name="password" kind="password" autocomplete="new-password" required=true
                        error=field_error(result, "New password") on_input=Callback::new(move |v| password.set(v))/>
                    <StrengthMeter password=password.into() personal=Signal::derive(Vec::new)/>
                    <Field label="Authentication code" name="code" autocomplete="one-time-code"
                        hint="Only if you use two-step verification: from your app, or a recovery code." error=field_error(result, "Code")/>
                    <button type="submit" disabled=move || action.pending().get()>"Set new password"</button>
                </ActionForm>
            }
        >
            <p role="status">"Your password is changed and every session of your account was ended."</p>
            <p><a href="/login">"Sign in"</a></p>
        </Show>
    }
}
