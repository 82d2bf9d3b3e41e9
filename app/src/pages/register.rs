//! `/register`: create an account. The answer is the same for a new and an existing
//! address ("check your email"), and the verification code can be entered right here.
//! Both forms work before the wasm arrives (plain posts, `components::form`).

use identity::policy;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{Register, VerifyEmailCode};
use crate::pages::login::with_return_to;
use crate::pages::tokens::ConfirmedNotice;
use crate::api::passkeys::{passkey_sign_up, passkey_sign_up_options};
use crate::components::brand::BrandForReturnTo;
use crate::components::form::{ErrorSummary, Field, PageField, busy_retry, done_without_js, failure, field_error};
use crate::components::passkey;
use crate::i18n::{t, t_with};

/// Where signing in goes afterwards (a brand's pending request, say), kept from the URL.
fn sign_in_link() -> String {
    with_return_to("/login")
}

/// The register form's fields as the summary links them.
const FIELDS: &[(&str, &str)] = &[
    ("Email", "field-email"),
    ("Password", "field-password"),
    ("Given name", "field-given_name"),
    ("Family name", "field-family_name"),
    ("Terms", "accept_terms"),
];

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let result = action.value();
    // Busy (hashing saturated): tried again by itself, keeping what was typed.
    let retry = busy_retry(action);
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
    // The last failure of either way of signing up (the newer one wins).
    let failed = {
        let (a, b) = (retry.unless_retrying(failure(result)), failure(by_passkey));
        Signal::derive(move || if with_passkey.pending().get() { None } else { b.get().or_else(|| a.get()) })
    };
    let registered_plain = done_without_js::<Register>();
    let supported = RwSignal::new(false);
    Effect::new(move || supported.set(passkey::supported()));
    let terms_list = Resource::new(|| (), |_| crate::api::privacy::registration_terms());
    view! {
        <Title text=t("auth-register-title")/>
        <BrandForReturnTo lead=t("auth-register-lead")/>
        <Show
            when=move || registered_plain || matches!(result.get(), Some(Ok(()))) || matches!(by_passkey.get(), Some(Ok(())))
            fallback=move || view! {
                <h1>{t("auth-register-title")}</h1>
                <ActionForm action=action attr:class="card form" attr:novalidate="true">
                    <ErrorSummary error=failed pending=action.pending() fields=FIELDS/>
                    {retry.status()}
                    <PageField/>
                    // A brand's flow: its mails carry the brand (`auth::request_meta_for`).
                    <input type="hidden" name="return_to" value=leptos_router::hooks::use_query_map().with_untracked(|q| q.get("return_to")).unwrap_or_default()/>
                    <Field label=t("auth-email") name="email" kind="email" autocomplete="email" required=true
                        error=error("Email") on_input=Callback::new(move |v| email.set(v))/>
                    <Field label=t("auth-password") name="password" kind="password" autocomplete="new-password" required=true
                        hint=t("auth-register-password-hint")
                        error=field_error(result, "Password") on_input=Callback::new(move |v| password.set(v))/>
                    <StrengthMeter password=password.into() personal=Signal::derive(move || {
                        let (g, f) = names.get();
                        vec![email.get(), g, f]
                    })/>
                    <Field label=t("auth-register-given-name") name="given_name" autocomplete="given-name" error=error("Given name")
                        on_input=Callback::new(move |v| names.update(|n| n.0 = v))/>
                    <Field label=t("auth-register-family-name") name="family_name" autocomplete="family-name" error=error("Family name")
                        on_input=Callback::new(move |v| names.update(|n| n.1 = v))/>
                    <div class="field checkbox">
                        <input id="accept_terms" name="accept_terms" type="checkbox" value="on"
                            checked=crate::components::form::sticky_value("accept_terms") == "on"
                            on:change=move |ev| terms.set(event_target_checked(&ev))
                            aria-invalid=move || error("Terms").get().is_some().then_some("true")
                            aria-describedby=move || error("Terms").get().is_some().then_some("accept_terms-error")/>
                        <label for="accept_terms">{t("auth-register-terms")}</label>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move { accepted_terms(terms_list.await.unwrap_or_default()) })}
                        </Suspense>
                        {move || error("Terms").get().map(|e| view! { <p class="field-error" id="accept_terms-error">{e}</p> })}
                    </div>
                    <button type="submit" disabled=move || action.pending().get()>{t("auth-register-submit")}</button>
                    <Show when=move || supported.get()>
                        <p class="or">{t("auth-register-or-passkey")}</p>
                        <button type="button" class="secondary" disabled=move || with_passkey.pending().get()
                            on:click=move |_| { with_passkey.dispatch(()); }>
                            {t("auth-register-passkey")}
                        </button>
                        <p class="hint">{t("auth-register-passkey-hint")}</p>
                    </Show>
                </ActionForm>
                <p>{t("auth-register-have-account")} " " <a href=sign_in_link()>{t("auth-sign-in")}</a></p>
            }
        >
            <CheckEmail email=email.get_untracked()/>
        </Show>
    }
}

/// What the meter knows about the password being typed.
#[derive(Debug, Clone, PartialEq)]
enum Strength {
    /// Refused by the rules the browser runs itself (length, personal words).
    Local(policy::Assessment),
    /// Waiting for the customer to pause, then for the server's verdict.
    Checking,
    /// The server's verdict (zxcvbn): the same one the form gets on submit.
    Server(policy::Assessment),
    /// The server could not be asked (offline, too many checks): submit decides.
    Unknown,
}

/// The personal inputs the server compares the password with: non-empty, within its limits.
fn personal_inputs(personal: Vec<String>) -> Vec<String> {
    use crate::api::password::{MAX_PERSONAL, MAX_PERSONAL_BYTES};
    personal.into_iter().filter(|p| !p.trim().is_empty() && p.len() <= MAX_PERSONAL_BYTES).take(MAX_PERSONAL).collect()
}

/// The strength meter: the dictionary-free rules at once, in the browser, then the
/// server's full verdict (the policy it enforces) once typing pauses for a moment.
#[component]
pub fn StrengthMeter(password: Signal<String>, personal: Signal<Vec<String>>) -> impl IntoView {
    // The server's answer, with the input it is about (a stale answer is never shown).
    let verdict = RwSignal::new(None::<((String, Vec<String>), Option<policy::Assessment>)>);
    Effect::new(move || {
        let input = (password.get(), personal_inputs(personal.get()));
        let refs: Vec<&str> = input.1.iter().map(String::as_str).collect();
        if input.0.is_empty() || policy::precheck(&input.0, &refs).is_err() {
            return;
        }
        set_timeout(
            move || {
                // The form may be gone by now (submitted, or another page): its signals
                // are disposed, so read and write them with `try_`.
                let (Some(now_password), Some(now_personal)) = (password.try_get_untracked(), personal.try_get_untracked()) else { return };
                if (now_password, personal_inputs(now_personal)) != input {
                    return; // still typing: a later timer asks
                }
                leptos::task::spawn_local(async move {
                    let answer = crate::api::password::assess_password(input.0.clone(), input.1.clone()).await.ok();
                    verdict.try_set(Some((input, answer)));
                });
            },
            std::time::Duration::from_millis(300),
        );
    });
    let strength = Memo::new(move |_| {
        let pw = password.get();
        if pw.is_empty() {
            return None;
        }
        let personal = personal_inputs(personal.get());
        let refs: Vec<&str> = personal.iter().map(String::as_str).collect();
        if let Err(refused) = policy::precheck(&pw, &refs) {
            return Some(Strength::Local(refused));
        }
        Some(verdict.with(|v| match v {
            Some((input, answer)) if input.0 == pw && input.1 == personal => match answer {
                Some(a) => Strength::Server(a.clone()),
                None => Strength::Unknown,
            },
            _ => Strength::Checking,
        }))
    });
    view! {
        <div class="strength" aria-live="polite">
            {move || strength.get().map(|s| {
                // (the class names the level; the words come from `auth.ftl`)
                let (level, problem) = match s {
                    Strength::Local(a) => ("weak", a.problem),
                    Strength::Checking => ("checking", None),
                    Strength::Unknown => ("unknown", Some(t("auth-strength-checked-on-submit"))),
                    Strength::Server(a) if !a.acceptable() => ("weak", a.problem),
                    Strength::Server(a) => (if a.score >= 4 { "very-strong" } else { "strong" }, None),
                };
                let label = t(&format!("auth-strength-{level}"));
                view! {
                    <p id="password-strength" class=format!("strength-{}", if level == "unknown" { "not-checked-yet" } else { level })>
                        {crate::i18n::t_with("auth-strength", &[("label", label)])}
                    </p>
                    {problem.map(|p| view! { <p class="hint">{p}</p> })}
                }
            })}
        </div>
    }
}

/// After registering: confirm with the mailed code (or the link in the mail). The
/// address is the one just typed (with the wasm) or, left empty, the one this
/// browser's session registered (a plain post). A plain post that confirms goes to
/// `/verify` with the result (`api::account::Confirmed::page`).
#[component]
pub fn CheckEmail(email: String) -> impl IntoView {
    let verify = ServerAction::<VerifyEmailCode>::new();
    let result = verify.value();
    let next = use_query_map().with_untracked(|q| q.get("return_to")).unwrap_or_default();
    view! {
        <Show
            when=move || matches!(result.get(), Some(Ok(_)))
            fallback=move || {
                let (email, next) = (email.clone(), next.clone());
                view! {
                    <h1>{t("auth-check-title")}</h1>
                    <p>{t("auth-check-explain")}</p>
                    <p>{t("auth-check-passkey")}</p>
                    <ActionForm action=verify attr:class="card form" attr:novalidate="true">
                        <ErrorSummary error=failure(result) pending=verify.pending() fields=&[("Email", "field-email"), ("Code", "field-code")]/>
                        <PageField/>
                        <Field label=t("auth-email") name="email" kind="email" autocomplete="email" value=email
                            hint=t("auth-check-email-hint") error=field_error(result, "Email")/>
                        <Field label=t("auth-check-code") name="code" autocomplete="one-time-code" inputmode="numeric"
                            hint=t("auth-code-six-digits") error=field_error(result, "Code")/>
                        <input type="hidden" name="return_to" value=next/>
                        <button type="submit" disabled=move || verify.pending().get()>{t("auth-check-submit")}</button>
                    </ActionForm>
                    <p>{t("auth-check-no-mail")} " " <a href=with_return_to("/register") rel="external">{t("auth-check-start-over")}</a></p>
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

/// "You accept: Terms of use (version 2)", each linked to its document when it has one
/// (the group's required purposes, recorded with a receipt when the account is made).
fn accepted_terms(terms: Vec<crate::api::privacy::TermsView>) -> AnyView {
    if terms.is_empty() {
        return ().into_any();
    }
    view! {
        <p class="hint">{t("privacy-register-accepts")} " "
            {terms.into_iter().enumerate().map(|(i, term)| {
                let label = format!("{} {}", term.title, t_with("privacy-purpose-version", &[("version", term.version.to_string())]));
                let separator = (i > 0).then_some(", ");
                match term.document_url {
                    Some(href) => view! { {separator} <a href=href rel="noopener" target="_blank">{label}</a> }.into_any(),
                    None => view! { {separator} <span>{label}</span> }.into_any(),
                }
            }).collect_view()}
        </p>
    }
    .into_any()
}
