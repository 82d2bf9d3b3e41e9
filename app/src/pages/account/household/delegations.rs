//! The household page's delegations section (`<Delegations household=…/>`): the
//! permissions the customer gave and holds in this household, with their end dates;
//! give new ones (member, permissions, brand for "act at a brand", last day, at most a
//! year ahead), renew, revoke or decline; and "Act for <name>" for those whose
//! delegation or guardianship lets the customer act in their account. Every form is a
//! plain HTML form that works before the wasm (a plain post comes back to the page).

use leptos::prelude::*;

use crate::api::delegation::{ActFor, DelegationItem, DelegationsSection, GrantDelegation, RenewDelegation, RevokeDelegation, delegations_view};
use crate::components::form::{ErrorSummary, PageField, done_without_js, failure};
use crate::i18n::{t, t_with};

/// The delegable permissions, in the order the form lists them, with their words.
const PERMISSIONS: [(&str, &str); 4] = [
    ("view_profile", "delegation-permission-view-profile"),
    ("manage_consents", "delegation-permission-manage-consents"),
    ("manage_loyalty", "delegation-permission-manage-loyalty"),
    ("act_at_brand", "delegation-permission-act-at-brand-any"),
];

#[component]
pub fn Delegations(#[prop(into)] household: String) -> impl IntoView {
    let grant = ServerAction::<GrantDelegation>::new();
    let renew = ServerAction::<RenewDelegation>::new();
    let revoke = ServerAction::<RevokeDelegation>::new();
    let act = ServerAction::<ActFor>::new();
    crate::pages::oauth::follow(act.value());
    let view = Resource::new(
        {
            let household = household.clone();
            move || (household.clone(), grant.version().get(), renew.version().get(), revoke.version().get())
        },
        |(household, ..)| delegations_view(household),
    );
    let saved = move || {
        matches!(grant.value().get(), Some(Ok(())))
            || matches!(renew.value().get(), Some(Ok(())))
            || matches!(revoke.value().get(), Some(Ok(())))
            || done_without_js::<GrantDelegation>()
            || done_without_js::<RenewDelegation>()
            || done_without_js::<RevokeDelegation>()
    };
    view! {
        <section class="card delegations" aria-labelledby="delegations-heading">
            <h2 id="delegations-heading">{t("delegation-section-title")}</h2>
            <p>{t("delegation-section-intro")}</p>
            <ErrorSummary error=failure(grant.value()) pending=grant.pending()/>
            <ErrorSummary error=failure(renew.value()) pending=renew.pending()/>
            <ErrorSummary error=failure(revoke.value()) pending=revoke.pending()/>
            <ErrorSummary error=failure(act.value()) pending=act.pending()/>
            <div role="status">{move || saved().then(|| view! { <p>{t("delegation-done")}</p> })}</div>
            <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
                {move || {
                    let household = household.clone();
                    Suspend::new(async move {
                        match view.await {
                            Ok(v) => sections(household, v, renew, revoke, grant, act),
                            Err(e) => view! { <p role="alert">{e.summary()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

fn sections(
    household: String,
    v: DelegationsSection,
    renew: ServerAction<RenewDelegation>,
    revoke: ServerAction<RevokeDelegation>,
    grant: ServerAction<GrantDelegation>,
    act: ServerAction<ActFor>,
) -> AnyView {
    let (min, max) = (v.min_date.clone(), v.max_date.clone());
    let given = if v.given.is_empty() {
        view! { <p>{t("delegation-none-given")}</p> }.into_any()
    } else {
        view! {
            <ul class="delegation-list">
                {v.given.into_iter().map(|d| given_item(d, renew, revoke, &min, &max)).collect_view()}
            </ul>
        }
        .into_any()
    };
    let received = if v.received.is_empty() {
        view! { <p>{t("delegation-none-received")}</p> }.into_any()
    } else {
        view! {
            <ul class="delegation-list">
                {v.received.into_iter().map(|d| received_item(d, revoke)).collect_view()}
            </ul>
        }
        .into_any()
    };
    let switcher = (!v.acting.is_empty()).then(|| {
        view! {
            <h3 id="acting-heading">{t("delegation-act-title")}</h3>
            <ul class="acting-list" aria-labelledby="acting-heading">
                {v.acting.into_iter().map(|o| {
                    let how = match (&o.until, o.guardian) {
                        (_, true) => t_with("delegation-act-via-guardian", &[("name", o.name.clone())]),
                        (Some(until), false) => t_with("delegation-act-via-delegation", &[("date", until.absolute.clone())]),
                        (None, false) => String::new(),
                    };
                    view! {
                        <li>
                            <ActionForm action=act attr:class="inline-form">
                                <PageField/>
                                <input type="hidden" name="customer" value=o.customer_id/>
                                <button type="submit" class="secondary">{t_with("delegation-act-for", &[("name", o.name)])}</button>
                            </ActionForm>
                            " " <span class="hint">{how}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <h3>{t("delegation-given-title")}</h3>
        {given}
        <h3>{t("delegation-received-title")}</h3>
        {received}
        {switcher}
        {grant_form(household, v.members, v.brands, grant, v.min_date, v.max_date)}
    }
    .into_any()
}

fn what(d: &DelegationItem) -> String {
    d.permissions.join(", ")
}

fn given_item(d: DelegationItem, renew: ServerAction<RenewDelegation>, revoke: ServerAction<RevokeDelegation>, min: &str, max: &str) -> impl IntoView {
    let field = format!("renew-{}", d.id);
    let heading = t_with("delegation-to", &[("name", d.name.clone())]);
    let revoke_label = t_with("delegation-revoke-label", &[("name", d.name.clone())]);
    let (permissions, until) = (what(&d), t_with("delegation-until", &[("date", d.until.absolute.clone())]));
    let (min, max, renew_id, revoke_id) = (min.to_owned(), max.to_owned(), d.id.clone(), d.id);
    view! {
        <li class="card">
            <p><strong>{heading}</strong> ": " {permissions}</p>
            <p class="hint">{until}</p>
            <ActionForm action=renew attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="id" value=renew_id/>
                <label for=field.clone()>{t("delegation-renew")}</label> " "
                <input type="date" id=field name="until" required=true min=min max=max/> " "
                <button type="submit" class="secondary">{t("delegation-renew-submit")}</button>
            </ActionForm>
            <ActionForm action=revoke attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="id" value=revoke_id/>
                <button type="submit" class="danger" aria-label=revoke_label>{t("delegation-revoke")}</button>
            </ActionForm>
        </li>
    }
}

fn received_item(d: DelegationItem, revoke: ServerAction<RevokeDelegation>) -> impl IntoView {
    let decline_label = t_with("delegation-decline-label", &[("name", d.name.clone())]);
    let (from, permissions, until) = (t_with("delegation-from", &[("name", d.name.clone())]), what(&d), t_with("delegation-until", &[("date", d.until.absolute.clone())]));
    view! {
        <li class="card">
            <p><strong>{from}</strong> ": " {permissions}</p>
            <p class="hint">{until}</p>
            <ActionForm action=revoke attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="id" value=d.id/>
                <button type="submit" class="secondary" aria-label=decline_label>{t("delegation-decline")}</button>
            </ActionForm>
        </li>
    }
}

fn grant_form(
    household: String,
    members: Vec<crate::api::delegation::MemberChoice>,
    brands: Vec<crate::api::delegation::BrandChoice>,
    grant: ServerAction<GrantDelegation>,
    min: String,
    max: String,
) -> AnyView {
    if members.is_empty() {
        return view! { <h3>{t("delegation-grant-title")}</h3> <p>{t("delegation-grant-no-members")}</p> }.into_any();
    }
    view! {
        <h3 id="grant-heading">{t("delegation-grant-title")}</h3>
        <ActionForm action=grant attr:class="form" attr:aria-labelledby="grant-heading">
            <PageField/>
            <input type="hidden" name="household" value=household/>
            <div class="field">
                <label for="delegation-member">{t("delegation-grant-member")}</label>
                <select id="delegation-member" name="delegate" required=true>
                    {members.into_iter().map(|m| view! { <option value=m.id>{m.name}</option> }).collect_view()}
                </select>
            </div>
            <fieldset>
                <legend>{t("delegation-grant-permissions")}</legend>
                {PERMISSIONS.into_iter().map(|(name, words)| {
                    let id = format!("delegation-permission-{name}");
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone() name=format!("permissions[{name}]")/>
                            <label for=id>{t(words)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="delegation-brand">{t("delegation-grant-brand")}</label>
                <select id="delegation-brand" name="brand">
                    <option value="">{t("delegation-grant-brand-none")}</option>
                    {brands.into_iter().map(|b| view! { <option value=b.slug>{b.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="delegation-until">{t("delegation-grant-until")}</label>
                <input type="date" id="delegation-until" name="until" required=true min=min max=max.clone() value=max/>
            </div>
            <button type="submit" disabled=move || grant.pending().get()>{t("delegation-grant-submit")}</button>
        </ActionForm>
    }
    .into_any()
}
