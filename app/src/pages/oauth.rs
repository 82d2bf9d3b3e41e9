//! `/oauth2/consent?r=<handle>`: a brand's site asks for the customer's details. The
//! page names the brand, lists what is shared (new scopes first), and answers with
//! **Allow** or **Deny**; the flow then continues at `/oauth2/continue?r=…`, which
//! answers the brand's site. An unconfirmed email is confirmed here first. Every
//! answer is a form post, so the page works before the wasm arrives (a plain post is
//! redirected onwards by the server, or back here with its error).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{ResendVerification, VerifyEmailCode, encode_path};
use crate::api::oidc::{ConsentAct, ConsentDecide, ConsentView, PurposeView, ScopeView, SwitchAccount, consent_details, continue_path};
use crate::components::brand::{BrandBanner, product_name};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error, go_to};
use crate::error::AppError;
use crate::i18n::{t, t_with};

#[component]
pub fn ConsentPage() -> impl IntoView {
    let r = use_query_map().with_untracked(|q| q.get("r")).unwrap_or_default();
    let details = Resource::new({
        let r = r.clone();
        move || r.clone()
    }, consent_details);
    view! {
        <Title text=t("shell-consent-title")/>
        <Suspense fallback=|| view! { <p>{t("common-loading")}</p> }>
            {move || {
                let r = r.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(v) if v.email_verified && !v.acting.is_empty() => chooser(r, v),
                        Ok(v) if v.email_verified => consent(r, v),
                        Ok(v) => confirm_email(r, v),
                        Err(e) => flow_error(&r, e),
                    }
                })
            }}
        </Suspense>
    }
}

/// What a page of the flow behind `r` shows when its facts cannot be loaded: the way to
/// sign in again and come back to the request, or why the flow cannot continue.
pub(crate) fn flow_error(r: &str, error: AppError) -> AnyView {
    match error {
        AppError::SignInRequired => {
            let login = format!("/login?return_to={}", encode_path(&continue_path(r)));
            view! {
                <h1>{t("shell-consent-sign-in-title")}</h1>
                <p role="alert">{t("shell-consent-session-ended")}</p>
                <p><a href=login>{t("shell-sign-in")}</a></p>
            }
            .into_any()
        }
        e => view! {
            <h1>{t("shell-consent-cannot-continue")}</h1>
            <p role="alert">{e.summary()}</p>
        }
        .into_any(),
    }
}

/// Follows the path a successful action returned (the wasm; a plain post was already
/// redirected by the server).
pub(crate) fn follow(result: impl crate::components::form::ActionResult<String>) {
    Effect::new(move || {
        if let Some(Ok(path)) = result.get() {
            go_to(&path);
        }
    });
}

/// "Signed in as … — not you?" with "Use another account" (signs out, then sign-in
/// comes back to this request).
fn signed_in_as(r: String, email: String) -> AnyView {
    let switch = ServerAction::<SwitchAccount>::new();
    follow(switch.value());
    view! {
        <ErrorSummary error=failure(switch.value()) pending=switch.pending()/>
        <ActionForm action=switch attr:class="signed-in-as">
            <PageField/>
            <input type="hidden" name="r" value=r/>
            {t("shell-consent-signed-in-as")} " " <strong>{email}</strong> " " {t("shell-consent-not-you")} " "
            <button type="submit" class="link-button" disabled=move || switch.pending().get()>{t("shell-consent-switch")}</button>
        </ActionForm>
    }
    .into_any()
}

fn scope_items(new: Vec<ScopeView>, approved: Vec<ScopeView>) -> AnyView {
    view! {
        <ul class="consent-list">
            {new.into_iter().map(|s| view! { <li data-scope=s.scope>{s.words}</li> }).collect_view()}
            {approved.into_iter().map(|s| view! {
                <li class="already-shared" data-scope=s.scope>{s.words} " " <span class="badge">{t("shell-consent-already-shared")}</span></li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A purpose's words and its version's text or document.
fn purpose_text(p: &PurposeView) -> AnyView {
    let version = t_with("privacy-purpose-version", &[("version", p.version.to_string())]);
    view! {
        <p class="hint">{p.description.clone()}</p>
        {p.body.clone().map(|body| view! { <details><summary>{t("privacy-purpose-read")}</summary><p class="purpose-body">{body}</p></details> })}
        {p.document_url.clone().map(|href| view! { <p><a href=href rel="noopener" target="_blank">{t("privacy-purpose-document")}</a></p> })}
        <p class="hint">{version}</p>
    }
    .into_any()
}

/// The purposes to decide: required ones (Allow accepts them), then optional ones as
/// unticked boxes inside the Allow form (`optional[i]` = the purpose's id).
fn required_purposes(required: Vec<PurposeView>) -> AnyView {
    if required.is_empty() {
        return ().into_any();
    }
    view! {
        <h2 id="purposes-heading">{t("privacy-purposes-required")}</h2>
        <ul class="consent-list purposes" aria-labelledby="purposes-heading">
            {required.into_iter().map(|p| {
                let changed = p.changed.then(|| view! { " " <span class="badge">{t("privacy-purpose-changed")}</span> });
                view! { <li data-purpose=p.key.clone()><strong>{p.title.clone()}</strong>{changed}{purpose_text(&p)}</li> }
            }).collect_view()}
        </ul>
        <p class="hint">{t("privacy-purposes-deny-ends")}</p>
    }
    .into_any()
}

fn optional_purposes(optional: Vec<PurposeView>) -> AnyView {
    if optional.is_empty() {
        return ().into_any();
    }
    view! {
        <fieldset class="purposes optional">
            <legend>{t("privacy-purposes-optional")}</legend>
            {optional.into_iter().enumerate().map(|(i, p)| {
                let id = format!("purpose-{i}");
                view! {
                    <div class="check">
                        <input type="checkbox" id=id.clone() name=format!("optional[{i}]") value=p.id.clone()/>
                        <label for=id>{p.title.clone()}</label>
                        {purpose_text(&p)}
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}

/// The consent itself: what is shared, the purposes to decide, Allow and Deny.
fn consent(r: String, v: ConsentView) -> AnyView {
    let decide = ServerAction::<ConsentDecide>::new();
    let result = decide.value();
    follow(result);
    let busy = move || decide.pending().get() || matches!(result.get(), Some(Ok(_)));
    let name = v.brand.name.clone();
    let product = product_name();
    let (r_allow, r_deny) = (r.clone(), r.clone());
    view! {
        <BrandBanner brand=v.brand.clone()/>
        <h1>{t_with("shell-consent-heading", &[("brand", name.clone())])}</h1>
        {signed_in_as(r, v.email.clone())}
        <section class="card consent" aria-labelledby="consent-heading">
            <h2 id="consent-heading">{t_with("shell-consent-will-be-able", &[("brand", name.clone()), ("product", product)])}</h2>
            {scope_items(v.new_scopes, v.approved_scopes)}
            {required_purposes(v.required_purposes)}
            <p class="hint">{t_with("shell-consent-requested-by", &[("client", v.client_name.clone()), ("brand", name.clone())])} " "
                <a href="/account/brands">{t("shell-home-brands")}</a>"."</p>
            <ErrorSummary error=failure(result) pending=decide.pending()/>
            <div class="consent-actions">
                <ActionForm action=decide attr:class="inline-form">
                    <PageField/>
                    <input type="hidden" name="r" value=r_allow/>
                    <input type="hidden" name="allow" value="true"/>
                    {optional_purposes(v.optional_purposes)}
                    <button type="submit" class="brand-primary" disabled=busy>{t("shell-consent-allow")}</button>
                </ActionForm>
                <ActionForm action=decide attr:class="inline-form">
                    <PageField/>
                    <input type="hidden" name="r" value=r_deny/>
                    <input type="hidden" name="allow" value="false"/>
                    <button type="submit" class="secondary" disabled=busy>{t("shell-consent-deny")}</button>
                </ActionForm>
            </div>
        </section>
    }
    .into_any()
}

/// The chooser (a client that opted in to delegation, and a customer who may act at its
/// brand for someone): sign in as oneself, or on behalf of a named person. Each choice
/// is its own form, and each says plainly who acts for whom and what the brand sees.
fn chooser(r: String, v: ConsentView) -> AnyView {
    let act = ServerAction::<ConsentAct>::new();
    let result = act.value();
    follow(result);
    let busy = move || act.pending().get() || matches!(result.get(), Some(Ok(_)));
    let brand = v.brand.name.clone();
    let me = v.email.clone();
    let others = v
        .acting
        .into_iter()
        .map(|o| {
            let args = [("brand", brand.clone()), ("name", o.name.clone()), ("me", me.clone())];
            let (label, hint, handle) = (t_with("delegation-chooser-for", &args), t_with("delegation-chooser-for-hint", &args), r.clone());
            view! {
                <li>
                    <ActionForm action=act attr:class="inline-form">
                        <PageField/>
                        <input type="hidden" name="r" value=handle/>
                        <input type="hidden" name="delegation" value=o.delegation_id/>
                        <button type="submit" class="secondary" disabled=busy>{label}</button>
                    </ActionForm>
                    <p class="hint">{hint}</p>
                </li>
            }
        })
        .collect_view();
    let self_args = [("brand", brand.clone()), ("me", me.clone())];
    let (self_label, self_hint) = (t_with("delegation-chooser-self", &self_args), t_with("delegation-chooser-self-hint", &self_args));
    let heading = t_with("delegation-chooser-heading", &[("brand", brand.clone())]);
    let who = signed_in_as(r.clone(), v.email.clone());
    view! {
        <BrandBanner brand=v.brand.clone()/>
        <h1>{heading}</h1>
        {who}
        <section class="card consent" aria-labelledby="chooser-heading">
            <h2 id="chooser-heading">{t("delegation-chooser-question")}</h2>
            <ErrorSummary error=failure(result) pending=act.pending()/>
            <ul class="chooser">
                <li>
                    <ActionForm action=act attr:class="inline-form">
                        <PageField/>
                        <input type="hidden" name="r" value=r.clone()/>
                        <button type="submit" class="brand-primary" disabled=busy>{self_label}</button>
                    </ActionForm>
                    <p class="hint">{self_hint}</p>
                </li>
                {others}
            </ul>
        </section>
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
    let resend = ServerAction::<ResendVerification>::new();
    let resent = resend.value();
    let resent_without_js = done_without_js::<ResendVerification>();
    let cancel = ServerAction::<ConsentDecide>::new();
    follow(cancel.value());
    let name = v.brand.name.clone();
    let email = v.email.clone();
    let sent_to = t_with("shell-confirm-sent-again", &[("email", email.clone())]);
    if done_without_js::<VerifyEmailCode>() {
        // Confirmed by a plain post: the next step is one link away.
        return view! {
            <BrandBanner brand=v.brand.clone()/>
            <h1>{t("shell-confirm-done-title")}</h1>
            <p role="status">{t_with("shell-confirm-done-text", &[("brand", name.clone())])}</p>
            <p><a class="button" href=next>{t_with("shell-confirm-continue-to", &[("brand", name)])}</a></p>
        }
        .into_any();
    }
    view! {
        <BrandBanner brand=v.brand.clone()/>
        <h1>{t_with("shell-confirm-title", &[("brand", name.clone())])}</h1>
        {signed_in_as(r.clone(), v.email.clone())}
        <p>{t_with("shell-confirm-text", &[("brand", name.clone()), ("email", email.clone())])}</p>
        <ActionForm action=verify attr:class="card form" attr:novalidate="true">
            <ErrorSummary error=failure(verified) pending=verify.pending() fields=&[("Code", "field-code")]/>
            <PageField/>
            <input type="hidden" name="email" value=email.clone()/>
            <Field label=t("shell-confirm-code") name="code" autocomplete="one-time-code" hint=t("shell-confirm-code-hint") required=true
                error=field_error(verified, "Code")/>
            <button type="submit" disabled=move || verify.pending().get()>{t("shell-confirm-submit")}</button>
        </ActionForm>
        <div class="card">
            <p>{t("shell-confirm-no-message")}</p>
            <ErrorSummary error=failure(resent) pending=resend.pending()/>
            <ActionForm action=resend attr:class="inline-form">
                <PageField/>
                <button type="submit" class="secondary" disabled=move || resend.pending().get()>{t("shell-confirm-resend")}</button>
            </ActionForm>
            <div role="status" aria-live="polite">
                {move || (resent_without_js || matches!(resent.get(), Some(Ok(())))).then(|| view! { <p>{sent_to.clone()}</p> })}
            </div>
        </div>
        <p><a href=next>{t("shell-confirm-have-confirmed")}</a></p>
        <ActionForm action=cancel attr:class="inline-form">
            <ErrorSummary error=failure(cancel.value()) pending=cancel.pending()/>
            <PageField/>
            <input type="hidden" name="r" value=r/>
            <input type="hidden" name="allow" value="false"/>
            <button type="submit" class="link-button">{t_with("shell-confirm-cancel", &[("brand", name)])}</button>
        </ActionForm>
    }
    .into_any()
}
