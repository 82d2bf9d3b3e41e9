//! `/login`: email and password. A `return_to` query parameter (local paths only) says
//! where to go afterwards; nothing else is remembered in the URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{Login, LoginWithCode, SecondFactorEmailCode, SendSignInCode, encode_path, second_factor_methods};
use crate::api::passkeys::{passkey_second_factor, passkey_second_factor_options, passkey_sign_in, passkey_sign_in_options};
use crate::components::brand::BrandForReturnTo;
use crate::components::passkey;
use crate::components::form::{ActionResult, Field, field_error, form_alert, go_to};

/// The `return_to` query parameter, carried in a hidden input to the server.
fn return_to() -> String {
    use_query_map().with(|q| q.get("return_to")).unwrap_or_default()
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
        Some(Err(Some(e))) => Some(view! { <p class="alert" role="alert">{e.summary()}</p> }),
        _ => None,
    };
    view! {
        <Show when=move || supported.get()>
            <div class="passkey-sign-in">
                {error}
                <button type="button" class="secondary" on:click=move |_| { passkey::abort(); sign_in.dispatch(false); }>
                    "Sign in with a passkey"
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
    view! {
        <Title text="Sign in"/>
        <BrandForReturnTo lead="Sign in to continue to"/>
        <h1>"Sign in"</h1>
        <ActionForm action=action attr:class="card form" attr:novalidate="true">
            {form_alert(result)}
            <Field label="Email" name="email" kind="email" autocomplete="username webauthn" required=true error=field_error(result, "Email") value=hinted_email()/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true/>
            <input type="hidden" name="return_to" value=return_to/>
            <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
        </ActionForm>
        <PasskeySignIn/>
        <p><a href=move || format!("/login/code?return_to={}", encode_path(&return_to()))>"Email me a sign-in code instead"</a></p>
        <p><a href="/forgot-password">"Forgot your password?"</a></p>
        <p>"New here? " <a href=move || match return_to() { next if next.is_empty() => "/register".to_owned(), next => format!("/register?return_to={}", encode_path(&next)) }>"Create an account"</a></p>
    }
}

/// `/login/code`: passwordless sign-in with a 6-digit code sent by mail.
#[component]
pub fn CodeLoginPage() -> impl IntoView {
    let send = ServerAction::<SendSignInCode>::new();
    let sent = send.value();
    let login = ServerAction::<LoginWithCode>::new();
    let result = login.value();
    follow_on_success(result);
    let email = RwSignal::new(String::new());
    view! {
        <Title text="Sign in with a code"/>
        <BrandForReturnTo lead="Sign in to continue to"/>
        <h1>"Sign in with a code"</h1>
        <Show when=move || !matches!(sent.get(), Some(Ok(())))>
            <ActionForm action=send attr:class="card form" attr:novalidate="true">
                <p>"We send a 6-digit code to your email. It works once, for 10 minutes."</p>
                {form_alert(sent)}
                <Field label="Email" name="email" kind="email" autocomplete="username" required=true
                    error=field_error(sent, "Email") on_input=Callback::new(move |v| email.set(v))/>
                <button type="submit" disabled=move || send.pending().get()>"Email me a code"</button>
            </ActionForm>
        </Show>
        <Show when=move || matches!(sent.get(), Some(Ok(())))>
            <ActionForm action=login attr:class="card form" attr:novalidate="true">
                <p role="status">"If an account uses that address, a code is on its way. Check your inbox."</p>
                {form_alert(result)}
                <input type="hidden" name="email" value=move || email.get()/>
                <Field label="Sign-in code" name="code" autocomplete="one-time-code" required=true/>
                <input type="hidden" name="return_to" value=return_to/>
                <button type="submit" disabled=move || login.pending().get()>"Sign in"</button>
            </ActionForm>
        </Show>
        <p><a href="/login">"Sign in another way"</a></p>
    }
}

/// `/login/second-factor`: after a correct first step, the code from the authenticator
/// app, a passkey, a recovery code, or (after a password) a code sent by mail.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let action = ServerAction::<crate::api::account::LoginSecondFactor>::new();
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
    view! {
        <Title text="Two-step verification"/>
        <BrandForReturnTo lead="Sign in to continue to"/>
        <h1>"Two-step verification"</h1>
        <div class="field checkbox">
            <input id="remember" name="remember" type="checkbox" value="on" form="second-factor-form"
                on:change=move |ev| remember.set(event_target_checked(&ev))/>
            <label for="remember">"Remember this device for 30 days"</label>
            <p class="hint">"Only on your own device. Signing out your other devices makes every device ask again."</p>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let m = methods.await.unwrap_or_default();
                view! {
                    {m.passkey.then(|| view! {
                        <div class="card">
                            <p>"Use your passkey to finish signing in."</p>
                            {form_alert(with_passkey.value())}
                            <button type="button" on:click=move |_| { with_passkey.dispatch(()); }>"Use a passkey"</button>
                        </div>
                    })}
                    <p>{if m.totp {
                        "Enter the 6-digit code from your authenticator app. Lost it? Use one of your recovery codes."
                    } else {
                        "Or enter a recovery code, or a code we send to your email."
                    }}</p>
                    {m.email_code.then(|| view! {
                        <ActionForm action=mail attr:class="inline-form">
                            {form_alert(mail.value())}
                            <button type="submit" class="secondary">"Email me a code"</button>
                            {move || matches!(mail.value().get(), Some(Ok(()))).then(|| view! {
                                <p role="status">"We sent a code to your email. It works once, for 10 minutes."</p>
                            })}
                        </ActionForm>
                    })}
                }
            })}
        </Suspense>
        <ActionForm action=action attr:class="card form" attr:novalidate="true" attr:id="second-factor-form">
            {form_alert(result)}
            <Field label="Authentication code" name="code" autocomplete="one-time-code" required=true/>
            <input type="hidden" name="return_to" value=return_to/>
            <button type="submit" disabled=move || action.pending().get()>"Verify"</button>
        </ActionForm>
        <p><a href="/login">"Start again"</a></p>
    }
}
