//! `/login`: email and password. A `return_to` query parameter (local paths only) says
//! where to go afterwards; nothing else is remembered in the URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::Login;
use crate::components::form::{ActionResult, Field, field_error, form_alert, go_to};

/// The `return_to` query parameter, carried in a hidden input to the server.
fn return_to() -> String {
    use_query_map().with(|q| q.get("return_to")).unwrap_or_default()
}

/// Each sign-in step answers with the next path; go there once it succeeds.
fn follow_on_success(result: impl ActionResult<String>) {
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let result = action.value();
    follow_on_success(result);
    view! {
        <Title text="Sign in"/>
        <h1>"Sign in"</h1>
        <ActionForm action=action attr:class="card form" attr:novalidate="true">
            {form_alert(result)}
            <Field label="Email" name="email" kind="email" autocomplete="username" required=true error=field_error(result, "Email")/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true/>
            <input type="hidden" name="return_to" value=return_to/>
            <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
        </ActionForm>
        <p><a href="/forgot-password">"Forgot your password?"</a></p>
        <p>"New here? " <a href="/register">"Create an account"</a></p>
    }
}

/// `/login/second-factor`: the code from the authenticator app (or a recovery code)
/// after a correct password.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let action = ServerAction::<crate::api::account::LoginSecondFactor>::new();
    let result = action.value();
    follow_on_success(result);
    view! {
        <Title text="Two-step verification"/>
        <h1>"Two-step verification"</h1>
        <p>"Enter the 6-digit code from your authenticator app. Lost it? Use one of your recovery codes."</p>
        <ActionForm action=action attr:class="card form" attr:novalidate="true">
            {form_alert(result)}
            <Field label="Authentication code" name="code" autocomplete="one-time-code" required=true/>
            <input type="hidden" name="return_to" value=return_to/>
            <button type="submit" disabled=move || action.pending().get()>"Verify"</button>
        </ActionForm>
        <p><a href="/login">"Start again"</a></p>
    }
}
