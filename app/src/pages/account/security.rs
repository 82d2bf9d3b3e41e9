//! `/account/security`: change the password (needs the current one) and the email,
//! passkeys, and two-step verification. Sensitive changes need an authentication in
//! the last five minutes, asked for inline.

use leptos::prelude::*;
use leptos_meta::Title;

use super::AccountNav;
use crate::api::mfa::{confirm_totp, disable_totp, mfa_status, regenerate_recovery_codes, start_totp};
use crate::api::passkeys::{PasskeyView, list_passkeys, passkey_add, passkey_add_options, remove_passkey, rename_passkey};
use crate::components::passkey;
use crate::api::settings::{ChangePassword, change_email};
use crate::components::form::{Field, field_error, form_alert};
use crate::components::step_up::StepUp;
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
        <PasskeysSection/>
        <TwoStepSection/>
    }
}

#[component]
fn ChangePasswordForm() -> AnyView {
    let action = ServerAction::<ChangePassword>::new();
    let result = action.value();
    let password = RwSignal::new(String::new());
    let status = Resource::new(|| (), |_| mfa_status());
    let passwordless = move || status.get().and_then(Result::ok).is_some_and(|s| !s.password);
    view! {
        <Transition fallback=|| ()>
            <Show when=passwordless>
                <section class="card" aria-labelledby="no-password-heading">
                    <h2 id="no-password-heading">"Password"</h2>
                    <p>"You sign in with passkeys only. To add a password as well, use "
                        <a href="/forgot-password">"Forgot your password?"</a> " to set one by mail."</p>
                </section>
            </Show>
        </Transition>
        <section class="card" aria-labelledby="password-heading" hidden=passwordless>
            <h2 id="password-heading">"Change your password"</h2>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                {form_alert(result)}
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" required=true/>
                <Field label="Authentication code" name="code" id="change-password-code" autocomplete="one-time-code"
                    hint="Only if you use two-step verification." error=field_error(result, "Code")/>
                <Field label="New password" name="new_password" kind="password" autocomplete="new-password" required=true
                    error=field_error(result, "New password") on_input=Callback::new(move |v| password.set(v))/>
                <StrengthMeter password=password.into() personal=Signal::derive(Vec::new)/>
                <div class="field checkbox">
                    <input id="sign_out_apps" name="sign_out_apps" type="checkbox" value="on" checked=true/>
                    <label for="sign_out_apps">"Sign out of connected brands and apps too"</label>
                    <p class="hint">"Ends their access, including apps that stay signed in while you are away."</p>
                </div>
                <button type="submit" disabled=move || action.pending().get()>"Change password"</button>
            </ActionForm>
            {move || matches!(result.get(), Some(Ok(()))).then(|| view! {
                <p role="status">"Your password is changed. Your other devices were signed out."</p>
            })}
        </section>
    }
    .into_any()
}

/// Email change; when the last authentication is older than five minutes the page
/// asks to confirm it's you and then continues the change.
#[component]
fn ChangeEmailForm() -> AnyView {
    let new_email = RwSignal::new(String::new());
    let change = Action::new(|email: &String| change_email(email.clone()));
    let result = change.value();
    let needs_step_up = move || matches!(result.get(), Some(Err(AppError::ReauthRequired)));
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Change your email"</h2>
            <p>"We send a confirmation to the new address; your email changes once you confirm it. Your current address is told, with a way to undo."</p>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch(new_email.get_untracked());
            }>
                <Show when=move || !needs_step_up()>{form_alert(result)}</Show>
                <Field label="New email" name="new_email" kind="email" autocomplete="email" required=true
                    error=field_error(result, "New email") on_input=Callback::new(move |v| new_email.set(v))/>
                <button type="submit">"Change email"</button>
            </form>
            <Show when=needs_step_up>
                <StepUp on_confirmed=Callback::new(move |()| { change.dispatch(new_email.get_untracked()); })/>
            </Show>
            {move || matches!(result.get(), Some(Ok(()))).then(|| view! {
                <p role="status">"Check the new address: we sent it a confirmation link and code."</p>
            })}
        </section>
    }
    .into_any()
}

/// Two-step verification: set up an authenticator app, see and renew recovery codes,
/// turn it off. Each change asks to confirm it's you when the last sign-in is old.
#[component]
fn TwoStepSection() -> AnyView {
    let start = Action::new(|_: &()| start_totp());
    let confirm = Action::new(|code: &String| confirm_totp(code.clone()));
    let disable = Action::new(|_: &()| disable_totp());
    let regenerate = Action::new(|_: &()| regenerate_recovery_codes());
    let status = Resource::new(move || (confirm.version().get(), disable.version().get(), regenerate.version().get()), |_| mfa_status());
    let code = RwSignal::new(String::new());
    // The action that asked for a step-up, to run again once confirmed.
    let interrupted = RwSignal::new(None::<&'static str>);
    Effect::new(move || {
        let reauth = |r: Option<Result<(), AppError>>| matches!(r, Some(Err(AppError::ReauthRequired)));
        if reauth(start.value().get().map(|r| r.map(|_| ()))) {
            interrupted.set(Some("start"));
        } else if reauth(disable.value().get()) {
            interrupted.set(Some("disable"));
        } else if reauth(regenerate.value().get().map(|r| r.map(|_| ()))) {
            interrupted.set(Some("regenerate"));
        } else if reauth(confirm.value().get().map(|r| r.map(|_| ()))) {
            interrupted.set(Some("confirm"));
        }
    });
    let resume = Callback::new(move |()| {
        match interrupted.get_untracked() {
            Some("start") => { start.dispatch(()); }
            Some("disable") => { disable.dispatch(()); }
            Some("regenerate") => { regenerate.dispatch(()); }
            Some("confirm") => { confirm.dispatch(code.get_untracked()); }
            _ => {}
        }
        interrupted.set(None);
    });
    let new_codes = Signal::derive(move || {
        confirm.value().get().and_then(Result::ok).or_else(|| regenerate.value().get().and_then(Result::ok))
    });
    view! {
        <section class="card" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">"Two-step verification"</h2>
            <Show when=move || interrupted.get().is_some()>
                <StepUp on_confirmed=resume/>
            </Show>
            {move || new_codes.get().map(|codes| view! {
                <div class="recovery-codes" role="status">
                    <h3>"Your recovery codes"</h3>
                    <p>"Store these somewhere safe. Each works once, if you lose your authenticator app. They will not be shown again."</p>
                    <ul>{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                </div>
            })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.totp => view! {
                            <p>"Two-step verification is on: signing in with your password asks for a code from your authenticator app."</p>
                            <p>{format!("Recovery codes left: {}", s.recovery_codes_left)}</p>
                            <button type="button" on:click=move |_| { regenerate.dispatch(()); }>"Create new recovery codes"</button>
                            " "
                            <button type="button" on:click=move |_| { disable.dispatch(()); }>"Turn off two-step verification"</button>
                        }.into_any(),
                        Ok(s) => view! {
                            {(s.passkeys > 0).then(|| view! {
                                <p>"Two-step verification is on: signing in with your password asks for your passkey."</p>
                                <p>{format!("Recovery codes left: {}", s.recovery_codes_left)}</p>
                                <button type="button" on:click=move |_| { regenerate.dispatch(()); }>"Create new recovery codes"</button>
                            })}
                            <p>"You can also use a code from an authenticator app on your phone as the second step."</p>
                            {move || match start.value().get() {
                                Some(Ok(setup)) => view! {
                                    <ol class="setup-steps">
                                        <li>
                                            <p>"Scan this code with your authenticator app:"</p>
                                            <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=setup.qr_svg.clone()></div>
                                            <p>"Or type this secret key: " <code class="totp-secret">{setup.secret.clone()}</code></p>
                                        </li>
                                        <li>
                                            <form class="form" novalidate on:submit=move |ev| {
                                                ev.prevent_default();
                                                confirm.dispatch(code.get_untracked());
                                            }>
                                                {form_alert(confirm.value())}
                                                <Field label="Authentication code" name="code" id="totp-setup-code" autocomplete="one-time-code"
                                                    hint="The 6 digits your app shows now." on_input=Callback::new(move |v| code.set(v))/>
                                                <button type="submit">"Turn on two-step verification"</button>
                                            </form>
                                        </li>
                                    </ol>
                                }.into_any(),
                                _ => view! {
                                    {form_alert(start.value())}
                                    <button type="button" on:click=move |_| { start.dispatch(()); }>"Set up an authenticator app"</button>
                                }.into_any(),
                            }}
                        }.into_any(),
                        Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// Passkeys: add (named), rename, remove. Adding and removing ask to confirm it's you
/// when the last authentication is older than five minutes.
#[component]
fn PasskeysSection() -> AnyView {
    let name = RwSignal::new(String::new());
    let add = Action::new_local(move |_: &()| {
        let name = name.get_untracked();
        async move { passkey::create_with(passkey_add_options(), |r| passkey_add(name, r)).await }
    });
    let remove = Action::new(|id: &String| remove_passkey(id.clone()));
    let rename = Action::new(|(id, name): &(String, String)| rename_passkey(id.clone(), name.clone()));
    let list = Resource::new(move || (add.version().get(), remove.version().get(), rename.version().get()), |_| list_passkeys());
    // The change that asked for a step-up: "add", or the id of the passkey to remove.
    let interrupted = RwSignal::new(None::<Option<String>>);
    let last_removed = RwSignal::new(String::new());
    Effect::new(move || {
        if matches!(add.value().get(), Some(Err(AppError::ReauthRequired))) {
            interrupted.set(Some(None));
        }
    });
    Effect::new(move || {
        if matches!(remove.value().get(), Some(Err(AppError::ReauthRequired))) {
            interrupted.set(Some(Some(last_removed.get_untracked())));
        }
    });
    let resume = Callback::new(move |()| {
        match interrupted.get_untracked() {
            Some(None) => { add.dispatch(()); }
            Some(Some(id)) => { remove.dispatch(id); }
            None => {}
        }
        interrupted.set(None);
    });
    let supported = RwSignal::new(true);
    Effect::new(move || supported.set(passkey::supported()));
    let add_error = Signal::derive(move || match add.value().get() {
        Some(Err(AppError::ReauthRequired)) => None,
        other => other,
    });
    let remove_error = Signal::derive(move || match remove.value().get() {
        Some(Err(AppError::ReauthRequired)) => None,
        other => other,
    });
    view! {
        <section class="card" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">"Passkeys"</h2>
            <p>"Sign in with your fingerprint, face or screen lock instead of a password. Passkeys cannot be phished or guessed."</p>
            <Show when=move || interrupted.get().is_some()>
                <StepUp on_confirmed=resume/>
            </Show>
            {form_alert(remove_error)}
            {form_alert(rename.value())}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(keys) if keys.is_empty() => view! { <p>"You have no passkeys yet."</p> }.into_any(),
                        Ok(keys) => view! {
                            <ul class="passkeys">
                                {keys.into_iter().map(|k| view! { <PasskeyItem key=k remove=remove rename=rename last_removed=last_removed/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                    }
                })}
            </Transition>
            {move || add.value().get().and_then(Result::ok).filter(|a| !a.recovery_codes.is_empty()).map(|a| view! {
                <div class="recovery-codes" role="status">
                    <h3>"Your recovery codes"</h3>
                    <p>"Your passkey now also protects sign-ins with your password. Store these codes somewhere safe: each works once if you lose your passkey. They will not be shown again."</p>
                    <ul>{a.recovery_codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                </div>
            })}
            {move || matches!(add.value().get(), Some(Ok(_))).then(|| view! { <p role="status">"Your passkey was added."</p> })}
            <Show when=move || supported.get() fallback=|| view! { <p>"This browser cannot create passkeys."</p> }>
                <form class="form" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    add.dispatch(());
                }>
                    {form_alert(add_error)}
                    <Field label="Passkey name" name="passkey_name" hint="So you can tell your passkeys apart, e.g. \"Work laptop\"."
                        error=field_error(add_error, "Name") on_input=Callback::new(move |v| name.set(v))/>
                    <button type="submit" disabled=move || add.pending().get()>"Add a passkey"</button>
                </form>
            </Show>
        </section>
    }
    .into_any()
}

/// One passkey: its facts, rename in place, remove. (Type-erased: the nested view
/// types are deep enough to exceed the compiler's default limits in wasm.)
#[component]
fn PasskeyItem(
    key: PasskeyView,
    remove: Action<String, Result<(), AppError>>,
    rename: Action<(String, String), Result<(), AppError>>,
    last_removed: RwSignal<String>,
) -> AnyView {
    let new_name = RwSignal::new(key.name.clone());
    let renaming = RwSignal::new(false);
    let (id, id2) = (key.id.clone(), key.id.clone());
    let field_id = format!("rename-{}", key.id);
    let label = format!("New name for {}", key.name);
    view! {
        <li class="passkey">
            <strong>{key.name.clone()}</strong>
            {key.model.clone().map(|m| view! { <span class="muted">{format!(" — {m}")}</span> })}
            {key.synced.then(|| view! { <span class="badge">"synced"</span> })}
            <p class="muted">
                {format!("Added {}", key.created)}
                {format!(" · {}", key.last_used.clone().map_or_else(|| "never used".to_owned(), |t| format!("last used {t}")))}
            </p>
            {key.flagged.then(|| view! {
                <p class="alert" role="alert">"Blocked: this passkey answered like a copy of itself. Remove it and add it again."</p>
            })}
            <Show when=move || renaming.get()
                fallback=move || view! {
                    <button type="button" class="secondary" on:click=move |_| renaming.set(true)>
                        "Rename" <span class="visually-hidden">{format!(" {}", new_name.get_untracked())}</span>
                    </button>
                }>
                <form class="form inline-form" novalidate on:submit={
                    let id = id.clone();
                    move |ev| {
                        ev.prevent_default();
                        rename.dispatch((id.clone(), new_name.get_untracked()));
                        renaming.set(false);
                    }
                }>
                    <Field label=label.clone() name="name" id=field_id.clone() value=new_name.get_untracked()
                        on_input=Callback::new(move |v| new_name.set(v))/>
                    <button type="submit">"Save name"</button>
                </form>
            </Show>
            " "
            <button type="button" class="danger" on:click={
                let id = id2.clone();
                move |_| {
                    last_removed.set(id.clone());
                    remove.dispatch(id.clone());
                }
            }>"Remove" <span class="visually-hidden">{format!(" {}", key.name)}</span></button>
        </li>
    }
    .into_any()
}
