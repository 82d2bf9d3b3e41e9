//! Pages reached from mailed links. Opening a link changes nothing: the person presses
//! a button (a POST), so mail scanners that fetch links cannot spend them. Every form
//! works before the wasm arrives too (`components::form`): a plain post comes back to
//! the page with its error summary, or with the success state.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{CONFIRMED_PASSWORD_REMOVED, Confirmed, ForgotPassword, ResetPassword, UnlockAccount, VerifyEmailLink};
use crate::api::settings::{ConfirmEmailChange, UndoEmailChange};
use crate::components::form::{ErrorSummary, Field, PageField, busy_retry, done_without_js, failure, field_error};
use crate::i18n::t;
use crate::pages::login::with_return_to;
use crate::pages::register::StrengthMeter;

fn token() -> String {
    use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default()
}

/// A one-button page: heading, explanation, button; then a status and a next link.
/// The words are `auth.ftl` ids: title, explanation, button, done, next link.
macro_rules! token_page {
    ($name:ident, $action:ty, $title:literal, $explain:literal, $button:literal, $done:literal, $next_href:literal, $next:literal) => {
        pub fn $name() -> impl IntoView {
            let action = ServerAction::<$action>::new();
            let result = action.value();
            let done_plain = done_without_js::<$action>();
            view! {
                <Title text=t($title)/>
                <h1>{t($title)}</h1>
                <Show
                    when=move || done_plain || matches!(result.get(), Some(Ok(_)))
                    fallback=move || view! {
                        <p>{t($explain)}</p>
                        <ActionForm action=action attr:class="card form">
                            <ErrorSummary error=failure(result) pending=action.pending()/>
                            <PageField/>
                            <input type="hidden" name="token" value=token()/>
                            <button type="submit" disabled=move || action.pending().get()>{t($button)}</button>
                        </ActionForm>
                    }
                >
                    <p role="status">{t($done)}</p>
                    <p><a href={$next_href}>{t($next)}</a></p>
                </Show>
            }
        }
    };
}

/// `/verify`: the mailed confirmation link. Without wasm the form post comes back to
/// `/verify?confirmed=…` (see `api::account::Confirmed::page`); a `return_to` there
/// (from the code form after registering) carries the pending sign-in on.
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
        <Title text=move || if outcome().is_some() { t("auth-confirmed-title") } else { t("auth-verify-title") }/>
        <Show
            when=move || outcome().is_some()
            fallback=move || view! {
                <h1>{t("auth-verify-title")}</h1>
                <p>{t("auth-verify-explain")}</p>
                <ActionForm action=action attr:class="card form">
                    <ErrorSummary error=failure(result) pending=action.pending()/>
                    <PageField/>
                    <input type="hidden" name="token" value=token()/>
                    <button type="submit" disabled=move || action.pending().get()>{t("auth-verify-submit")}</button>
                </ActionForm>
            }
        >
            {move || outcome().map(|c| view! { <ConfirmedNotice confirmed=c sign_in=with_return_to("/login")/> })}
        </Show>
    }
}

/// The result of confirming an address (heading and status); says plainly when the
/// password set at sign-up was removed and how to get in; otherwise offers to sign in,
/// carrying a pending `return_to` on.
#[component]
pub fn ConfirmedNotice(confirmed: Confirmed, sign_in: String) -> impl IntoView {
    view! {
        <h1>{t("auth-confirmed-title")}</h1>
        <p role="status" class="success">{t("auth-confirmed")}</p>
        {if confirmed.password_removed {
            view! {
                <p>{t("auth-confirmed-password-removed")}</p>
                <p><a href=with_return_to("/forgot-password")>{t("auth-confirmed-set-password")}</a></p>
                <p><a href=with_return_to("/login/code")>{t("auth-confirmed-code")}</a></p>
            }.into_any()
        } else {
            view! { <p><a class="button" href=sign_in>{t("auth-sign-in")}</a></p> }.into_any()
        }}
    }
}
token_page!(unlock_page, UnlockAccount, "auth-unlock-title", "auth-unlock-explain", "auth-unlock-submit", "auth-unlock-done", "/login", "auth-sign-in");
token_page!(confirm_email_page, ConfirmEmailChange, "auth-confirm-new-title", "auth-confirm-new-explain", "auth-confirm-new-submit",
    "auth-confirm-new-done", "/account", "auth-confirm-new-next");
token_page!(undo_email_page, UndoEmailChange, "auth-undo-title", "auth-undo-explain", "auth-undo-submit", "auth-undo-done",
    "/forgot-password", "auth-undo-next");

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let result = action.value();
    let sent_plain = done_without_js::<ForgotPassword>();
    // "Send it again" shows the form once more (with the wasm; without it, a new page).
    let again = RwSignal::new(false);
    Effect::new(move || {
        if action.pending().get() {
            again.set(false);
        }
    });
    view! {
        <Title text=t("auth-forgot-page-title")/>
        <h1>{t("auth-forgot-title")}</h1>
        <Show
            when=move || !again.get() && (sent_plain || matches!(result.get(), Some(Ok(()))))
            fallback=move || view! {
                <p>{t("auth-forgot-explain")}</p>
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    <ErrorSummary error=failure(result) pending=action.pending() fields=&[("Email", "field-email")]/>
                    <PageField/>
                    <Field label=t("auth-email") name="email" kind="email" autocomplete="email" required=true error=field_error(result, "Email")/>
                    // A brand's flow: the reset mail carries the brand (`auth::request_meta_for`).
                    <input type="hidden" name="return_to" value=leptos_router::hooks::use_query_map().with_untracked(|q| q.get("return_to")).unwrap_or_default()/>
                    <button type="submit" disabled=move || action.pending().get()>{t("auth-forgot-submit")}</button>
                </ActionForm>
            }
        >
            <p role="status">{t("auth-forgot-sent")}</p>
            <p>{t("auth-forgot-resend")}</p>
            <p>
                <a href=with_return_to("/forgot-password") rel="external" on:click=move |ev| { ev.prevent_default(); again.set(true); }>
                    {t("auth-forgot-again")}
                </a>
            </p>
        </Show>
        <p><a href=with_return_to("/login")>{t("auth-back-to-sign-in")}</a></p>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let result = action.value();
    let done_plain = done_without_js::<ResetPassword>();
    let password = RwSignal::new(String::new());
    let retry = busy_retry(action);
    view! {
        <Title text=t("auth-reset-title")/>
        <h1>{t("auth-reset-title")}</h1>
        <Show
            when=move || done_plain || matches!(result.get(), Some(Ok(())))
            fallback=move || view! {
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    <ErrorSummary error=retry.unless_retrying(failure(result)) pending=action.pending() fields=&[("New password", "field-password"), ("Code", "field-code")]/>
                    {retry.status()}
                    <PageField/>
                    <input type="hidden" name="token" value=token()/>
                    <Field label=t("auth-reset-password") name="password" kind="password" autocomplete="new-password" required=true
                        error=field_error(result, "New password") on_input=Callback::new(move |v| password.set(v))/>
                    <StrengthMeter password=password.into() personal=Signal::derive(Vec::new)/>
                    <Field label=t("auth-reset-code") name="code" autocomplete="one-time-code" inputmode="numeric"
                        hint=t("auth-reset-code-hint") error=field_error(result, "Code")/>
                    <details class="recovery-code">
                        <summary>{t("auth-second-recovery-toggle")}</summary>
                        <Field label=t("auth-second-recovery") name="recovery_code" autocomplete="off" hint=t("auth-second-recovery-hint")/>
                    </details>
                    <button type="submit" disabled=move || action.pending().get()>{t("auth-reset-submit")}</button>
                </ActionForm>
            }
        >
            <p role="status">{t("auth-reset-done")}</p>
            <p><a href="/login">{t("auth-sign-in")}</a></p>
        </Show>
    }
}
