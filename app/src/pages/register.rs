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
                let (label, problem) = match s {
                    Strength::Local(a) => ("weak", a.problem),
                    Strength::Checking => ("checking…", None),
                    Strength::Unknown => ("not checked yet", Some("It is checked when you submit.".to_owned())),
                    Strength::Server(a) if !a.acceptable() => ("weak", a.problem),
                    Strength::Server(a) => (if a.score >= 4 { "very strong" } else { "strong" }, None),
                };
                view! {
                    <p id="password-strength" class=format!("strength-{}", label.trim_end_matches('…').replace(' ', "-"))>
                        {format!("Password strength: {label}")}
                    </p>
                    {problem.map(|p| view! { <p class="hint">{p}</p> })}
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
