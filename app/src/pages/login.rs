//! `/login`: email and password. A `return_to` query parameter (local paths only) says
//! where to go afterwards; nothing else is remembered in the URL. Every form here also
//! works before the wasm arrives (`components::form`): a plain post ends on the next
//! step's page, or back here with the error summary.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{Login, LoginSecondFactor, LoginWithCode, SecondFactorEmailCode, SendSignInCode, encode_path, second_factor_methods};
use crate::api::passkeys::{passkey_second_factor, passkey_second_factor_options, passkey_sign_in, passkey_sign_in_options};
use crate::components::brand::BrandForReturnTo;
use crate::components::passkey;
use crate::components::form::{ActionResult, ErrorSummary, Field, PageField, busy_retry, done_without_js, failure, field_error, form_alert, go_to};
use crate::i18n::t;

/// The `return_to` query parameter, carried in a hidden input to the server.
fn return_to() -> String {
    use_query_map().with(|q| q.get("return_to")).unwrap_or_default()
}

/// `path`, keeping this page's `return_to` (a brand's pending request, say).
pub(crate) fn with_return_to(path: &str) -> String {
    match use_query_map().with_untracked(|q| q.get("return_to")).filter(|r| !r.is_empty()) {
        Some(next) => format!("{path}?return_to={}", encode_path(&next)),
        None => path.to_owned(),
    }
}

/// An `email` query parameter (a brand's OIDC `login_hint`) only pre-fills the field.
fn hinted_email() -> String {
    use_query_map().with_untracked(|q| q.get("email")).filter(|e| e.len() <= 320).unwrap_or_default()
}

/// Each sign-in step answers with the next path; go there once it succeeds.
fn follow_on_success(result: impl ActionResult<String>) {
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
}

/// "Sign in with a passkey": the button, and passkeys offered in the Email field's
/// autofill (conditional mediation) as soon as the page is interactive.
#[component]
fn PasskeySignIn() -> impl IntoView {
    let sign_in = Action::new_local(move |conditional: &bool| {
        let conditional = *conditional;
        let next = return_to();
        async move {
            passkey::verify_with(passkey_sign_in_options(), conditional, |response| passkey_sign_in(response, Some(next))).await
                .map_err(|e| if conditional { None } else { Some(e) })
        }
    });
    let result = sign_in.value();
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
    // Offer passkeys in autofill once, when the browser can.
    Effect::new(move || {
        leptos::task::spawn_local(async move {
            if passkey::conditional_available().await {
                sign_in.dispatch(true);
            }
        });
    });
    let supported = RwSignal::new(false);
    Effect::new(move || supported.set(passkey::supported()));
    let error = move || match result.get() {
        Some(Err(Some(e))) if !sign_in.pending().get() => Some(view! { <p class="alert" role="alert">{e.summary()}</p> }),
        _ => None,
    };
    view! {
        <Show when=move || supported.get()>
            <div class="passkey-sign-in">
                {error}
                <button type="button" class="secondary" on:click=move |_| { passkey::abort(); sign_in.dispatch(false); }>
                    {t("auth-login-passkey")}
                </button>
            </div>
        </Show>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let result = action.value();
    follow_on_success(result);
    // A login storm: "busy" answers are tried again by themselves, keeping what was typed.
    let retry = busy_retry(action);
    view! {
        <Title text=t("auth-login-title")/>
        <BrandForReturnTo lead=t("auth-sign-in-lead")/>
        <h1>{t("auth-login-title")}</h1>
        <ActionForm action=action attr:class="card form" attr:novalidate="true">
            <ErrorSummary error=retry.unless_retrying(failure(result)) pending=action.pending() fields=&[("Email", "field-email")]/>
            {retry.status()}
            <PageField/>
            <Field label=t("auth-email") name="email" kind="email" autocomplete="username webauthn" required=true error=field_error(result, "Email") value=hinted_email()/>
            <Field label=t("auth-password") name="password" kind="password" autocomplete="current-password" required=true/>
            <input type="hidden" name="return_to" value=return_to/>
            <button type="submit" disabled=move || action.pending().get()>{t("auth-login-submit")}</button>
        </ActionForm>
        <PasskeySignIn/>
        <p><a href=with_return_to("/login/code")>{t("auth-login-code-link")}</a></p>
        <p><a href=with_return_to("/forgot-password")>{t("auth-login-forgot-link")}</a></p>
        <p>{t("auth-login-new-here")} " " <a href=with_return_to("/register")>{t("auth-login-register-link")}</a></p>
    }
}

/// `/login/code`: passwordless sign-in with a 6-digit code sent by mail. Two stages:
/// the address, then the code. The address stays in the server-side session between
/// them (never in the URL), so both stages work as plain posts too.
#[component]
pub fn CodeLoginPage() -> impl IntoView {
    let send = ServerAction::<SendSignInCode>::new();
    let sent = send.value();
    let login = ServerAction::<LoginWithCode>::new();
    let result = login.value();
    follow_on_success(result);
    let email = RwSignal::new(String::new());
    // The code stage: after a code was sent (here, or by a plain post), and while its
    // answer is a refused code.
    let stage_two = RwSignal::new(done_without_js::<SendSignInCode>() || matches!(result.get_untracked(), Some(Err(_))));
    Effect::new(move || {
        if matches!(sent.get(), Some(Ok(()))) {
            stage_two.set(true);
        }
    });
    view! {
        <Title text=t("auth-code-title")/>
        <BrandForReturnTo lead=t("auth-sign-in-lead")/>
        <h1>{t("auth-code-title")}</h1>
        <Show when=move || !stage_two.get()>
            <ActionForm action=send attr:class="card form" attr:novalidate="true">
                <ErrorSummary error=failure(sent) pending=send.pending() fields=&[("Email", "field-email")]/>
                <PageField/>
                <p>{t("auth-code-explain")}</p>
                <Field label=t("auth-email") name="email" kind="email" autocomplete="username" required=true
                    error=field_error(sent, "Email") on_input=Callback::new(move |v| email.set(v))/>
                <button type="submit" disabled=move || send.pending().get()>{t("auth-code-send")}</button>
            </ActionForm>
        </Show>
        <Show when=move || stage_two.get()>
            <ActionForm action=login attr:class="card form" attr:novalidate="true">
                <ErrorSummary error=failure(result) pending=login.pending() fields=&[("Code", "field-code")]/>
                <PageField/>
                <p role="status">{t("auth-code-sent")}</p>
                <input type="hidden" name="email" value=move || email.get()/>
                <Field label=t("auth-code-label") name="code" autocomplete="one-time-code" inputmode="numeric" required=true
                    hint=t("auth-code-six-digits")/>
                <input type="hidden" name="return_to" value=return_to/>
                <button type="submit" disabled=move || login.pending().get()>{t("auth-code-submit")}</button>
            </ActionForm>
            <ActionForm action=send attr:class="inline-form">
                <PageField/>
                {move || (!send.pending().get()).then(|| form_alert(sent))}
                <input type="hidden" name="email" value=move || email.get()/>
                <button type="submit" class="secondary" disabled=move || send.pending().get()>{t("auth-code-resend")}</button>
            </ActionForm>
            <p><a href=with_return_to("/login/code") rel="external">{t("auth-code-other-address")}</a></p>
        </Show>
        <p><a href=with_return_to("/login")>{t("auth-code-other-way")}</a></p>
    }
}

/// `/login/second-factor`: after a correct first step, the code from the authenticator
/// app, a passkey, a recovery code, or (after a password) a code sent by mail.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let action = ServerAction::<LoginSecondFactor>::new();
    let result = action.value();
    follow_on_success(result);
    let methods = Resource::new(|| (), |_| second_factor_methods());
    let remember = RwSignal::new(false);
    let with_passkey = Action::new_local(move |_: &()| {
        let next = return_to();
        let remember = remember.get_untracked().then(|| "on".to_owned());
        async move { passkey::verify_with(passkey_second_factor_options(), false, |r| passkey_second_factor(r, remember, Some(next))).await }
    });
    follow_on_success(with_passkey.value());
    let mail = ServerAction::<SecondFactorEmailCode>::new();
    let mail_sent_plain = done_without_js::<SecondFactorEmailCode>();
    let mail_sent = move || mail_sent_plain || matches!(mail.value().get(), Some(Ok(())));
    view! {
        <Title text=t("auth-second-title")/>
        <BrandForReturnTo lead=t("auth-sign-in-lead")/>
        <h1>{t("auth-second-title")}</h1>
        <div class="field checkbox">
            <input id="remember" name="remember" type="checkbox" value="on" form="second-factor-form"
                aria-describedby="remember-hint" on:change=move |ev| remember.set(event_target_checked(&ev))/>
            <label for="remember">{t("auth-second-remember")}</label>
            <p class="hint" id="remember-hint">{t("auth-second-remember-hint")}</p>
        </div>
        // The passkey needs the wasm: it shows once the methods are known in the browser.
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let m = methods.await.unwrap_or_default();
                m.passkey.then(|| view! {
                    <div class="card">
                        <p>{t("auth-second-passkey-explain")}</p>
                        {form_alert(with_passkey.value())}
                        <button type="button" on:click=move |_| { with_passkey.dispatch(()); }>{t("auth-second-passkey")}</button>
                    </div>
                })
            })}
        </Suspense>
        <p>{t("auth-second-explain")}</p>
        <ActionForm action=action attr:class="card form" attr:novalidate="true" attr:id="second-factor-form">
            <ErrorSummary error=failure(result) pending=action.pending() fields=&[("Code", "field-code")]/>
            <PageField/>
            <Field label=t("auth-second-code") name="code" autocomplete="one-time-code" inputmode="numeric" required=true
                hint=t("auth-second-code-hint")/>
            <input type="hidden" name="return_to" value=return_to/>
            <button type="submit" disabled=move || action.pending().get()>{t("auth-second-submit")}</button>
        </ActionForm>
        // Recovery codes have letters: their own field, with a full keyboard.
        <details class="recovery-code">
            <summary>{t("auth-second-recovery-toggle")}</summary>
            <ActionForm action=action attr:class="card form" attr:novalidate="true">
                <PageField/>
                <Field id="field-recovery-code" label=t("auth-second-recovery") name="code" autocomplete="off" required=true
                    hint=t("auth-second-recovery-hint")/>
                <input type="hidden" name="return_to" value=return_to/>
                <button type="submit" disabled=move || action.pending().get()>{t("auth-second-submit")}</button>
            </ActionForm>
        </details>
        <ActionForm action=mail attr:class="inline-form">
            <PageField/>
            {move || (!mail.pending().get()).then(|| form_alert(mail.value()))}
            <button type="submit" class="secondary" disabled=move || mail.pending().get()>{t("auth-second-mail")}</button>
            {move || mail_sent().then(|| view! { <p role="status">{t("auth-second-mail-sent")}</p> })}
        </ActionForm>
        <p><a href=with_return_to("/login")>{t("auth-second-start-again")}</a></p>
    }
}
