//! `/account/security`: a summary, change the password (needs the current one) and the
//! email, passkeys, and two-step verification. Sensitive changes need an
//! authentication in the last five minutes, asked for inline (`components::step_up`).
//!
//! Every form works before the wasm (`docs/design/platform.md` "Forms before the
//! wasm"): the page's states live in its query, so a plain post comes back to the same
//! state. `?confirm=two-step-off` and `?remove=<passkey id>` ask "Are you sure?" before
//! a destructive action (with the wasm too: the links navigate in place), `?rename=<id>`
//! opens a passkey's rename form, `?step_up=<section>` brings back a plain step-up.
//! After a plain post the enrolment is opened again from its sealed row and new
//! recovery codes come from the session, sealed (`api::mfa`); the route renders whole
//! before answering (`SsrMode::Async`), so taking the codes out of the session is saved. Adding a passkey needs the browser's
//! WebAuthn, so it appears once the page is interactive.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

mod passkeys;

use super::AccountNav;
use passkeys::PasskeysSection;
use crate::api::mfa::{ConfirmTotp, DisableTotp, RegenerateRecoveryCodes, StartTotp, mfa_status, security_summary, take_recovery_codes, pending_totp_setup};
use crate::api::settings::{ChangeEmail, ChangePassword};
use crate::components::form::{ErrorSummary, Field, PageField, busy_retry, done_without_js, failure, field_error};
use crate::components::password::PasswordTools;
use crate::components::step_up::{StepUp, code_error, step_up_answered};
use crate::error::AppError;
use crate::i18n::{t, t_with};
use crate::pages::register::StrengthMeter;

/// This page's path (the links that open and cancel a confirmation).
const PAGE: &str = "/account/security";

/// Bumped after every change, so the summary line is read again.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

fn changed_on_success<T: Clone + Send + Sync + 'static>(value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static) {
    let Some(Changed(changed)) = use_context::<Changed>() else { return };
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
}

/// The page's query parameter `name`.
fn query(name: &'static str) -> Signal<Option<String>> {
    let q = use_query_map();
    Signal::derive(move || q.with(|q| q.get(name)))
}

/// With the wasm, a finished confirmation leaves its state: back to the plain page.
fn leave_state_on_success<T: Clone + Send + Sync + 'static>(value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static) {
    Effect::new(move |previous: Option<bool>| {
        let ok = matches!(value.get(), Some(Ok(_)));
        if ok && previous == Some(false) {
            use_navigate()(PAGE, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
        ok
    });
}

/// A node that takes focus when it appears in the running page (a confirmation opened
/// in place): keyboard and screen reader users land on the question.
fn focus_on_mount() -> NodeRef<leptos::html::Div> {
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let _ = el.focus();
        }
    });
    node
}

fn reauth<T>(value: &Option<Result<T, AppError>>) -> bool {
    matches!(value, Some(Err(AppError::ReauthRequired)))
}

/// The failure to show above a form: "confirm it's you" is shown by the step-up itself.
fn failure_but_step_up<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    let f = failure(value);
    Signal::derive(move || f.get().filter(|e| *e != AppError::ReauthRequired))
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    provide_context(Changed(changed));
    let summary = Resource::new(move || changed.get(), |_| security_summary());
    view! {
        <Title text=t("security-title")/>
        <h1>{t("security-title")}</h1>
        <AccountNav/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                summary.await.ok().map(|s| view! { <p class="security-summary" id="security-summary">{s}</p> })
            })}
        </Transition>
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
    let done_plain = done_without_js::<ChangePassword>();
    changed_on_success(result);
    let retry = busy_retry(action);
    let form = move || view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t("security-change-password-heading")}</h2>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=retry.unless_retrying(failure(result)) pending=action.pending()
                    fields=&[("Current password", "field-current_password"), ("Code", "change-password-code"), ("New password", "field-new_password")]/>
                {retry.status()}
                <Field label=t("security-current-password") name="current_password" kind="password" autocomplete="current-password" required=true
                    error=field_error(result, "Current password")/>
                <PasswordTools input="field-current_password"/>
                <Field label=t("security-code-label") name="code" id="change-password-code" autocomplete="one-time-code" inputmode="numeric"
                    hint=t("security-code-hint-if-two-step") error=code_error(result)/>
                <Field label=t("security-new-password") name="new_password" kind="password" autocomplete="new-password" required=true
                    error=field_error(result, "New password") on_input=Callback::new(move |v| password.set(v))/>
                <PasswordTools input="field-new_password"/>
                <StrengthMeter password=password.into() personal=Signal::derive(Vec::new)/>
                <div class="field checkbox">
                    <input id="sign_out_apps" name="sign_out_apps" type="checkbox" value="on" checked=true/>
                    <label for="sign_out_apps">{t("security-sign-out-apps")}</label>
                    <p class="hint">{t("security-sign-out-apps-hint")}</p>
                </div>
                <button type="submit" disabled=move || action.pending().get()>{t("security-change-password-submit")}</button>
            </ActionForm>
            {move || (matches!(result.get(), Some(Ok(()))) || (done_plain && result.get().is_none())).then(|| view! {
                <p role="status">{t("security-password-changed")}</p>
            })}
        </section>
    };
    view! {
        <Transition fallback=|| ()>
            <Show when=passwordless fallback=form>
                <section class="card" aria-labelledby="no-password-heading">
                    <h2 id="no-password-heading">{t("security-password-heading")}</h2>
                    <p>{t("security-passwordless-before")} " "
                        <a href="/forgot-password">{t("security-passwordless-link")}</a> " " {t("security-passwordless-after")}</p>
                </section>
            </Show>
        </Transition>
    }
    .into_any()
}

/// Email change; when the last authentication is older than five minutes the page
/// asks to confirm it's you and then continues the change.
#[component]
fn ChangeEmailForm() -> AnyView {
    let change = ServerAction::<ChangeEmail>::new();
    let result = change.value();
    let new_email = RwSignal::new(String::new());
    let asked = RwSignal::new(reauth(&result.get_untracked()) || step_up_answered("email"));
    Effect::new(move |_| {
        if reauth(&result.get()) {
            asked.set(true);
        }
    });
    let resume = Callback::new(move |()| {
        asked.set(false);
        change.dispatch(ChangeEmail { new_email: new_email.get_untracked() });
    });
    let done_plain = done_without_js::<ChangeEmail>();
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">{t("security-email-heading")}</h2>
            <p>{t("security-email-intro")}</p>
            <ActionForm action=change attr:class="form" attr:novalidate="true">
                <PageField/>
                <ErrorSummary error=failure_but_step_up(result) pending=change.pending() fields=&[("New email", "field-new_email")]/>
                <Field label=t("security-new-email") name="new_email" kind="email" autocomplete="email" required=true
                    error=field_error(result, "New email") on_input=Callback::new(move |v| new_email.set(v))/>
                <button type="submit" disabled=move || change.pending().get()>{t("security-email-submit")}</button>
            </ActionForm>
            <Show when=move || asked.get()>
                <StepUp section="email" on_confirmed=resume/>
            </Show>
            {move || (matches!(result.get(), Some(Ok(()))) || (done_plain && result.get().is_none())).then(|| view! {
                <p role="status">{t("security-email-sent")}</p>
            })}
        </section>
    }
    .into_any()
}

/// `ABCD EFGH …`: a secret to type, in groups of four (and wrapping between them).
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// Percent-encodes `text` for a `data:` URL.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Puts `text` on the clipboard (the browser's asynchronous Clipboard API).
fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast as _;
        let clipboard = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()));
        if let Ok(clipboard) = clipboard
            && let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()).and_then(|f| f.dyn_into::<js_sys::Function>().map_err(Into::into))
        {
            let _ = write.call1(&clipboard, &text.into());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// New recovery codes, shown once: a list, a download (a `data:` link made from the
/// codes on this page, so no address serves them) and, once interactive, a copy button.
#[component]
fn RecoveryCodes(codes: Vec<String>, #[prop(into)] intro: String) -> impl IntoView {
    let file = format!("{}\n\n{}\n", t("security-codes-file-heading"), codes.join("\n"));
    let href = format!("data:text/plain;charset=utf-8,{}", percent_encoded(&file));
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let copied = RwSignal::new(false);
    let all = codes.join("\n");
    view! {
        <div class="recovery-codes" role="status">
            <h3>{t("security-codes-heading")}</h3>
            <p>{intro}</p>
            <ul>{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
            <p class="actions">
                <a class="button secondary" href=href download=t("security-codes-file-name")>{t("security-codes-download")}</a>
                " "
                <Show when=move || hydrated.get()>
                    <button type="button" class="secondary" on:click={
                        let all = all.clone();
                        move |_| {
                            copy_text(&all);
                            copied.set(true);
                        }
                    }>{t("security-codes-copy")}</button>
                </Show>
                " "
                <span aria-live="polite">{move || copied.get().then(|| t("security-codes-copied"))}</span>
            </p>
        </div>
    }
}

/// Two-step verification: set up an authenticator app, see and renew recovery codes,
/// turn it off (after "Are you sure?"). Each change asks to confirm it's you when the
/// last sign-in is old.
#[component]
fn TwoStepSection() -> AnyView {
    let start = ServerAction::<StartTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let status = Resource::new(move || (confirm.version().get(), disable.version().get(), regenerate.version().get()), |_| mfa_status());
    let setup = Resource::new(move || confirm.version().get(), |_| pending_totp_setup());
    // The set-up the wasm started stays shown until a code confirms it (a later
    // "Set up" starts a new one).
    let confirmed_at = RwSignal::new(0usize);
    Effect::new(move |_| {
        if matches!(confirm.value().get(), Some(Ok(_))) {
            confirmed_at.set(start.version().get_untracked());
        }
    });
    let taken = Resource::new(|| (), |_| take_recovery_codes());
    let code = RwSignal::new(String::new());
    changed_on_success(confirm.value());
    changed_on_success(disable.value());
    leave_state_on_success(disable.value());
    // The action that asked for a step-up, to run again once confirmed ("page": a plain
    // step-up's answer, nothing to resume).
    let initially = [reauth(&start.value().get_untracked()), reauth(&confirm.value().get_untracked()), reauth(&disable.value().get_untracked()), reauth(&regenerate.value().get_untracked())]
        .contains(&true)
        || step_up_answered("two-step");
    let interrupted = RwSignal::new(initially.then_some("page"));
    Effect::new(move |_| if reauth(&start.value().get()) { interrupted.set(Some("start")) });
    Effect::new(move |_| if reauth(&confirm.value().get()) { interrupted.set(Some("confirm")) });
    Effect::new(move |_| if reauth(&disable.value().get()) { interrupted.set(Some("disable")) });
    Effect::new(move |_| if reauth(&regenerate.value().get()) { interrupted.set(Some("regenerate")) });
    let resume = Callback::new(move |()| {
        match interrupted.get_untracked() {
            Some("start") => { start.dispatch(StartTotp {}); }
            Some("disable") => { disable.dispatch(DisableTotp {}); }
            Some("regenerate") => { regenerate.dispatch(RegenerateRecoveryCodes {}); }
            Some("confirm") => { confirm.dispatch(ConfirmTotp { code: code.get_untracked() }); }
            _ => {}
        }
        interrupted.set(None);
    });
    let confirming = query("confirm");
    let disabled_plain = done_without_js::<DisableTotp>();
    let disabled = move || matches!(disable.value().get(), Some(Ok(()))) || (disabled_plain && disable.value().get().is_none());
    let asking = move || confirming.get().as_deref() == Some("two-step-off") && !disabled();
    view! {
        <section class="card" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">{t("security-two-step-heading")}</h2>
            <Show when=move || interrupted.get().is_some()>
                <StepUp section="two-step" on_confirmed=resume/>
            </Show>
            <Transition fallback=|| ()>
                {move || {
                    let fresh = confirm.value().get().and_then(Result::ok).or_else(|| regenerate.value().get().and_then(Result::ok));
                    Suspend::new(async move {
                        let taken = taken.await.unwrap_or_default();
                        fresh.or_else(|| (!taken.is_empty()).then_some(taken))
                            .map(|codes| view! { <RecoveryCodes codes=codes intro=t("security-codes-intro")/> })
                    })
                }}
            </Transition>
            {move || disabled().then(|| view! { <p role="status">{t("security-two-step-turned-off")}</p> })}
            <Transition fallback=|| view! { <p>{t("security-loading")}</p> }>
                {move || {
                    let started = start.value().get().and_then(Result::ok).filter(|_| start.version().get() > confirmed_at.get());
                    Suspend::new(async move {
                        let pending = setup.await.ok().flatten();
                        match status.await {
                            Ok(s) if s.totp => view! {
                                <p>{t("security-two-step-on-app")}</p>
                                <p>{t_with("security-codes-left", &[("n", s.recovery_codes_left.to_string())])}</p>
                                <ActionForm action=regenerate attr:class="inline-form">
                                    <PageField/>
                                    <ErrorSummary error=failure_but_step_up(regenerate.value()) pending=regenerate.pending()/>
                                    <button type="submit" class="secondary">{t("security-codes-regenerate")}</button>
                                </ActionForm>
                                <Show when=asking fallback=|| view! {
                                    <a class="button danger" href=format!("{PAGE}?confirm=two-step-off#two-step-heading")>{t("security-two-step-turn-off")}</a>
                                }>
                                    <div class="confirm" role="group" aria-labelledby="two-step-off-heading" tabindex="-1" node_ref=focus_on_mount()>
                                        <h3 id="two-step-off-heading">{t("security-two-step-off-question")}</h3>
                                        <p>{t("security-two-step-off-explain")}</p>
                                        <ActionForm action=disable attr:class="inline-form">
                                            <PageField/>
                                            <ErrorSummary error=failure_but_step_up(disable.value()) pending=disable.pending()/>
                                            <button type="submit" class="danger" disabled=move || disable.pending().get()>{t("security-two-step-off-confirm")}</button>
                                            " "
                                            <a class="button secondary" href=format!("{PAGE}#two-step-heading")>{t("security-cancel")}</a>
                                        </ActionForm>
                                    </div>
                                </Show>
                            }.into_any(),
                            Ok(s) => {
                                let setup = started.or(pending);
                                view! {
                                    {(s.passkeys > 0).then(|| view! {
                                        <p>{t("security-two-step-on-passkey")}</p>
                                        <p>{t_with("security-codes-left", &[("n", s.recovery_codes_left.to_string())])}</p>
                                        <ActionForm action=regenerate attr:class="inline-form">
                                            <PageField/>
                                            <ErrorSummary error=failure_but_step_up(regenerate.value()) pending=regenerate.pending()/>
                                            <button type="submit" class="secondary">{t("security-codes-regenerate")}</button>
                                        </ActionForm>
                                    })}
                                    <p>{t("security-two-step-app-offer")}</p>
                                    {match setup {
                                        Some(setup) => view! {
                                            <ol class="setup-steps">
                                                <li>
                                                    <p>{t("security-totp-scan")}</p>
                                                    <div class="qr" role="img" aria-label=t("security-totp-qr-label") inner_html=setup.qr_svg.clone()></div>
                                                    <p>{t("security-totp-or-type")} " " <code class="totp-secret">{grouped(&setup.secret)}</code></p>
                                                </li>
                                                <li>
                                                    <ActionForm action=confirm attr:class="form" attr:novalidate="true">
                                                        <PageField/>
                                                        <ErrorSummary error=failure_but_step_up(confirm.value()) pending=confirm.pending() fields=&[("Code", "totp-setup-code")]/>
                                                        <Field label=t("security-code-label") name="code" id="totp-setup-code" autocomplete="one-time-code" inputmode="numeric"
                                                            hint=t("security-totp-code-hint") error=field_error(confirm.value(), "Code")
                                                            on_input=Callback::new(move |v| code.set(v))/>
                                                        <button type="submit" disabled=move || confirm.pending().get()>{t("security-totp-turn-on")}</button>
                                                    </ActionForm>
                                                </li>
                                            </ol>
                                        }.into_any(),
                                        None => view! {
                                            <ActionForm action=start attr:class="inline-form">
                                                <PageField/>
                                                <ErrorSummary error=failure_but_step_up(start.value()) pending=start.pending()/>
                                                <button type="submit" disabled=move || start.pending().get()>{t("security-totp-set-up")}</button>
                                            </ActionForm>
                                        }.into_any(),
                                    }}
                                }.into_any()
                            }
                            Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
    .into_any()
}

