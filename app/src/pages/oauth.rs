//! `/oauth2/consent?r=<handle>`: a brand's site asks for the customer's details. The
//! page names the brand, lists what is shared (new scopes first), and answers with
//! **Allow** or **Deny**; the flow then continues at `/oauth2/continue?r=…`, which
//! answers the brand's site. An unconfirmed email is confirmed here first.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{VerifyEmailCode, encode_path, resend_verification};
use crate::api::oidc::{ConsentDecide, ConsentView, ScopeView, consent_details, continue_path, switch_account};
use crate::components::brand::{BrandBanner, BrandLinks};
use crate::components::form::{Field, form_alert, go_to};
use crate::error::AppError;

#[component]
pub fn ConsentPage() -> impl IntoView {
    let r = use_query_map().with_untracked(|q| q.get("r")).unwrap_or_default();
    let details = Resource::new({
        let r = r.clone();
        move || r.clone()
    }, consent_details);
    view! {
        <Title text="Share your details"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let r = r.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(v) if v.email_verified => consent(r, v),
                        Ok(v) => confirm_email(r, v),
                        Err(AppError::SignInRequired) => {
                            let login = format!("/login?return_to={}", encode_path(&continue_path(&r)));
                            view! {
                                <h1>"Please sign in"</h1>
                                <p role="alert">"Your session ended. Sign in again to continue."</p>
                                <p><a href=login>"Sign in"</a></p>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <h1>"This sign-in cannot continue"</h1>
                            <p role="alert">{e.summary()}</p>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// "Signed in as … — not you?" with "Use another account" (signs out, then sign-in
/// comes back to this request).
fn signed_in_as(r: String, email: String) -> AnyView {
    let switch = Action::new(move |_: &()| switch_account(r.clone()));
    let result = switch.value();
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
    view! {
        <p class="signed-in-as">
            "Signed in as " <strong>{email}</strong> " — not you? "
            <button type="button" class="link-button" disabled=move || switch.pending().get()
                on:click=move |_| { switch.dispatch(()); }>"Use another account"</button>
        </p>
        {form_alert(result)}
    }
    .into_any()
}

fn scope_items(new: Vec<ScopeView>, approved: Vec<ScopeView>) -> AnyView {
    view! {
        <ul class="consent-list">
            {new.into_iter().map(|s| view! { <li data-scope=s.scope>{s.words}</li> }).collect_view()}
            {approved.into_iter().map(|s| view! {
                <li class="already-shared" data-scope=s.scope>{s.words} " " <span class="badge">"already shared"</span></li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The consent itself: what is shared, Allow and Deny.
fn consent(r: String, v: ConsentView) -> AnyView {
    let decide = ServerAction::<ConsentDecide>::new();
    let result = decide.value();
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
    let busy = move || decide.pending().get() || matches!(result.get(), Some(Ok(_)));
    let name = v.brand.name.clone();
    let (r_allow, r_deny) = (r.clone(), r.clone());
    view! {
        <BrandBanner brand=v.brand.clone()/>
        <h1>{format!("{name} wants to access your Foyer account")}</h1>
        {signed_in_as(r, v.email.clone())}
        <section class="card consent" aria-labelledby="consent-heading">
            <h2 id="consent-heading">{format!("{name} will be able to")}</h2>
            {scope_items(v.new_scopes, v.approved_scopes)}
            <p class="hint">{format!("Requested by {}. You can disconnect {name} at any time in ", v.client_name)}
                <a href="/account/brands">"Connected brands"</a>"."</p>
            {form_alert(result)}
            <div class="consent-actions">
                <ActionForm action=decide attr:class="inline-form">
                    <input type="hidden" name="r" value=r_allow/>
                    <input type="hidden" name="allow" value="true"/>
                    <button type="submit" class="brand-primary" disabled=busy>"Allow"</button>
                </ActionForm>
                <ActionForm action=decide attr:class="inline-form">
                    <input type="hidden" name="r" value=r_deny/>
                    <input type="hidden" name="allow" value="false"/>
                    <button type="submit" class="secondary" disabled=busy>"Deny"</button>
                </ActionForm>
            </div>
        </section>
        <BrandLinks brand=v.brand/>
    }
    .into_any()
}

/// The account's email is not confirmed yet: confirm it (code or mailed link), then go on.
fn confirm_email(r: String, v: ConsentView) -> AnyView {
    let verify = ServerAction::<VerifyEmailCode>::new();
    let verified = verify.value();
    let next = continue_path(&r);
    Effect::new({
        let next = next.clone();
        move || {
            if matches!(verified.get(), Some(Ok(_))) {
                go_to(&next);
            }
        }
    });
    let resend = Action::new(|_: &()| resend_verification());
    let resent = resend.value();
    let cancel = ServerAction::<ConsentDecide>::new();
    let cancelled = cancel.value();
    Effect::new(move || {
        if let Some(Ok(path)) = cancelled.get() {
            go_to(&path);
        }
    });
    let name = v.brand.name.clone();
    let email = v.email.clone();
    let sent_to = format!("We sent a new message to {email}.");
    view! {
        <BrandBanner brand=v.brand.clone()/>
        <h1>{format!("Confirm your email to continue to {name}")}</h1>
        {signed_in_as(r.clone(), v.email.clone())}
        <p>{format!("{name} can only use a confirmed address. We sent a message to {email}: open the link in it, or enter its 6-digit code here.")}</p>
        <ActionForm action=verify attr:class="card form" attr:novalidate="true">
            {form_alert(verified)}
            <input type="hidden" name="email" value=email.clone()/>
            <Field label="Code" name="code" autocomplete="one-time-code" hint="6 digits" required=true/>
            <button type="submit" disabled=move || verify.pending().get()>"Confirm email"</button>
        </ActionForm>
        <div class="card">
            <p>"No message? Check your spam folder, or ask for a new one."</p>
            <button type="button" class="secondary" disabled=move || resend.pending().get()
                on:click=move |_| { resend.dispatch(()); }>"Send the email again"</button>
            <div role="status" aria-live="polite">
                {move || matches!(resent.get(), Some(Ok(()))).then(|| view! { <p>{sent_to.clone()}</p> })}
            </div>
            {form_alert(resent)}
        </div>
        <p><a href=next>"I have confirmed it — continue"</a></p>
        <ActionForm action=cancel attr:class="inline-form">
            {form_alert(cancelled)}
            <input type="hidden" name="r" value=r/>
            <input type="hidden" name="allow" value="false"/>
            <button type="submit" class="link-button">{format!("Cancel and go back to {name}")}</button>
        </ActionForm>
        <BrandLinks brand=v.brand/>
    }
    .into_any()
}
