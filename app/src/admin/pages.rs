//! The `/admin` pages: the shell (who is signed in, role, "Sign out"), `/admin/login`
//! and `/admin/enrol`. Rendered on the server before any wasm runs, with plain form
//! posts; the routes use `SsrMode::Async` so a page can still answer with a redirect.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::admin::api::{AdminEnrol, AdminLogin, AdminLogout, EnrolmentView, admin_enrolment, admin_me};
use crate::components::form::{Field, field_error, form_alert, go_to};

/// Sends the browser to `path` from a server-rendered page (302); in the browser, a
/// full navigation.
fn redirect_to(path: &str) {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(path);
    #[cfg(not(feature = "ssr"))]
    go_to(path);
}

/// What a staff page shows to a signed-out browser: rendered on the server, a redirect
/// to `/admin/login`; and the link there, named `label`.
pub fn to_staff_sign_in(label: String) -> AnyView {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect("/admin/login");
    view! { <p><a href="/admin/login">{label}</a></p> }.into_any()
}

/// `/admin`: the staff member's name and role, and "Sign out". Without a staff
/// session: to `/admin/login`.
#[component]
pub fn AdminShellPage() -> impl IntoView {
    let me = Resource::new(|| (), |()| admin_me());
    let logout = ServerAction::<AdminLogout>::new();
    Effect::new(move || {
        if matches!(logout.value().get(), Some(Ok(()))) {
            go_to("/admin/login");
        }
    });
    view! {
        <Title text="Staff"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(staff)) => {
                        let operator = staff.role == "operator";
                        view! {
                            <h1>"Foyer staff"</h1>
                            <section class="card" aria-label="Signed in staff member">
                                <p>"Signed in as " <strong class="staff-name">{staff.name}</strong></p>
                                <p>"Role: " <span class="staff-role">{staff.role}</span></p>
                                <p><a href="/admin/customers">"Search customers"</a></p>
                                <p><a href="/admin/audit">{crate::i18n::t("audit-title")}</a></p>
                                <p><a href="/admin/reveals">"Who reveals most"</a></p>
                                {operator.then(|| view! {
                                    <p><a href="/admin/dashboard">{crate::i18n::t("dashboard-title")}</a></p>
                                })}
                                {staff.brands.then(|| view! { <p><a href="/admin/brands">"Brands"</a></p> })}
                                <ActionForm action=logout attr:class="inline-form">
                                    <button type="submit">"Sign out"</button>
                                </ActionForm>
                            </section>
                            <crate::components::status::StatusCheck/>
                        }.into_any()
                    }
                    _ => {
                        redirect_to("/admin/login");
                        view! { <p><a href="/admin/login">"Staff sign-in"</a></p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/admin/login`: email, password and the authenticator code, in one form.
#[component]
pub fn AdminLoginPage() -> impl IntoView {
    let me = Resource::new(|| (), |()| admin_me());
    let action = ServerAction::<AdminLogin>::new();
    let result = action.value();
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
    view! {
        <Title text="Staff sign-in"/>
        <h1>"Staff sign-in"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if let Ok(Some(_)) = me.await {
                    redirect_to("/admin");
                }
            })}
        </Suspense>
        <ActionForm action=action attr:class="card form" attr:novalidate="true">
            {form_alert(result)}
            <Field label="Email" name="email" kind="email" autocomplete="username" required=true/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true/>
            <Field label="Authenticator code" name="code" autocomplete="one-time-code" required=true/>
            <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
        </ActionForm>
    }
}

/// `/admin/enrol?token=…`: the one-time link from `foyer admin create`. Choose a
/// password and set up the authenticator app (both required).
#[component]
pub fn AdminEnrolPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let enrolment = Resource::new({
        let token = token.clone();
        move || token.clone()
    }, admin_enrolment);
    let action = ServerAction::<AdminEnrol>::new();
    let result = action.value();
    view! {
        <Title text="Set up your staff account"/>
        <h1>"Set up your staff account"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match enrolment.await {
                        Err(_) => view! {
                            <p class="alert" role="alert">"This enrolment link is invalid, used or expired. Ask your operator for a new one."</p>
                        }.into_any(),
                        Ok(e) => view! {
                            <Show when=move || matches!(result.get(), Some(Ok(_)))>
                                <p role="status">"Your account is ready. " <a href="/admin/login">"Sign in"</a></p>
                            </Show>
                            <Show when=move || !matches!(result.get(), Some(Ok(_)))>
                                <EnrolForm action=action token=token.clone() enrolment=e.clone()/>
                            </Show>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The enrolment form: password, the app's key (QR code and text) and its first code.
#[component]
fn EnrolForm(action: ServerAction<AdminEnrol>, token: String, enrolment: EnrolmentView) -> impl IntoView {
    let result = action.value();
    let EnrolmentView { email, secret, qr_svg } = enrolment;
    view! {
        <ActionForm action=action attr:class="card form" attr:novalidate="true">
            {form_alert(result)}
            <p>"Account: " <strong>{email}</strong></p>
            <input type="hidden" name="token" value=token/>
            <Field label="New password" name="password" kind="password" autocomplete="new-password" required=true
                hint="At least 8 characters; a long phrase is best." error=field_error(result, "Password")/>
            <p>"Scan this code with your authenticator app, or enter the key by hand."</p>
            <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=qr_svg></div>
            <p>"Key: " <code class="totp-secret">{secret}</code></p>
            <Field label="Code from the app" name="code" autocomplete="one-time-code" required=true error=field_error(result, "Code")/>
            <button type="submit" disabled=move || action.pending().get()>"Finish setup"</button>
        </ActionForm>
    }
}
