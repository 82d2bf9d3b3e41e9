//! `/account/loyalty`: the customer's loyalty memberships (`docs/design/loyalty.md`) —
//! each with programme, brand, masked number, status and since when, tier and balance
//! as the brand last reported them; the mailed code's form and "send a new code" for a
//! pending `email` link, who decides for the others; unlink (one click); the link form;
//! and for a household owner the pooling of the members' memberships. While acting for
//! someone (a guardian for their managed member) it shows and links theirs. Every form
//! is a plain post that comes back to the page with its result or error, so all of it
//! works before the wasm (or without it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::loyalty::{
    ConfirmLoyaltyCode, LinkLoyalty, LoyaltyView, MembershipView, PoolView, ProgrammeView, ResendLoyaltyCode, SetLoyaltyPooled, UnlinkLoyalty, loyalty_page,
};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::i18n::{Time, t, t_with};
use crate::pages::account::{AccountNav, LoadError};

/// Every action of the page, so one success reloads the list.
#[derive(Clone, Copy)]
struct Actions {
    link: ServerAction<LinkLoyalty>,
    confirm: ServerAction<ConfirmLoyaltyCode>,
    resend: ServerAction<ResendLoyaltyCode>,
    unlink: ServerAction<UnlinkLoyalty>,
    pool: ServerAction<SetLoyaltyPooled>,
}

impl Actions {
    fn new() -> Self {
        Self { link: ServerAction::new(), confirm: ServerAction::new(), resend: ServerAction::new(), unlink: ServerAction::new(), pool: ServerAction::new() }
    }

    fn version(&self) -> usize {
        self.link.version().get() + self.confirm.version().get() + self.resend.version().get() + self.unlink.version().get() + self.pool.version().get()
    }
}

/// The message for a link request's outcome (`verified`, `code-sent`, `pending`).
fn linked_text(outcome: &str) -> String {
    t(match outcome {
        "verified" => "loyalty-done-verified",
        "code-sent" => "loyalty-done-code-sent",
        _ => "loyalty-done-pending",
    })
}

#[component]
pub fn LoyaltyPage() -> impl IntoView {
    let actions = Actions::new();
    let data = Resource::new(move || actions.version(), |_| loyalty_page());
    view! {
        <Title text=t("loyalty-title")/>
        <h1>{t("loyalty-title")}</h1>
        <AccountNav/>
        <p>{t("loyalty-intro")}</p>
        <Status actions=actions/>
        <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => page(v, actions),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the last action did (the latest one wins), with or without the wasm, and the
/// failures of the actions whose forms sit in the list.
#[component]
fn Status(actions: Actions) -> impl IntoView {
    let linked = use_query_map().with_untracked(|q| q.get("linked"));
    let plain = [
        (done_without_js::<ConfirmLoyaltyCode>(), "loyalty-done-confirmed"),
        (done_without_js::<ResendLoyaltyCode>(), "loyalty-done-resent"),
        (done_without_js::<UnlinkLoyalty>(), "loyalty-done-unlinked"),
        (done_without_js::<SetLoyaltyPooled>(), "loyalty-done-pooling"),
    ];
    // The page keeps `?linked=` in its forms' `__page`: a later step's `__ok` wins.
    let first = plain.iter().find(|(done, _)| *done).map(|(_, id)| t(id)).or_else(|| linked.map(|o| linked_text(&o)));
    let said = RwSignal::new(first);
    fn on_success<T: Clone + Send + Sync + 'static>(
        value: impl Get<Value = Option<Result<T, crate::error::AppError>>> + Send + Sync + 'static,
        said: RwSignal<Option<String>>,
        text: impl Fn(T) -> String + Send + Sync + 'static,
    ) {
        Effect::new(move |_| {
            if let Some(Ok(v)) = value.get() {
                said.set(Some(text(v)));
            }
        });
    }
    on_success(actions.link.value(), said, |outcome| linked_text(&outcome));
    on_success(actions.confirm.value(), said, |()| t("loyalty-done-confirmed"));
    on_success(actions.resend.value(), said, |()| t("loyalty-done-resent"));
    on_success(actions.unlink.value(), said, |()| t("loyalty-done-unlinked"));
    on_success(actions.pool.value(), said, |()| t("loyalty-done-pooling"));
    view! {
        <div role="status">{move || said.get().map(|text| view! { <p class="notice">{text}</p> })}</div>
        <ErrorSummary error=failure(actions.confirm.value()) pending=actions.confirm.pending()/>
        <ErrorSummary error=failure(actions.resend.value()) pending=actions.resend.pending()/>
        <ErrorSummary error=failure(actions.unlink.value()) pending=actions.unlink.pending()/>
        <ErrorSummary error=failure(actions.pool.value()) pending=actions.pool.pending()/>
    }
}

fn page(v: LoyaltyView, actions: Actions) -> AnyView {
    let empty = v.memberships.is_empty();
    let list = v.memberships.into_iter().map(|m| membership(m, actions)).collect_view();
    let pools = (!v.pools.is_empty()).then(|| pooling(v.pools, actions));
    view! {
        <section class="card" aria-labelledby="loyalty-list-heading">
            <h2 id="loyalty-list-heading">{t("loyalty-list-heading")}</h2>
            {empty.then(|| view! { <p>{t("loyalty-none")}</p> })}
            <ul class="membership-list">{list}</ul>
        </section>
        <LinkForm programmes=v.programmes actions=actions/>
        {pools}
    }
    .into_any()
}

fn status_label(status: &str) -> String {
    t(match status {
        "verified" => "loyalty-status-verified",
        "rejected" => "loyalty-status-rejected",
        _ => "loyalty-status-pending",
    })
}

fn membership(m: MembershipView, actions: Actions) -> AnyView {
    let heading = format!("membership-{}", m.id);
    let title = t_with("loyalty-membership", &[("programme", m.programme.clone()), ("brand", m.brand.clone())]);
    let live = m.status == "pending" || m.status == "verified";
    let reported = (m.status == "verified").then(|| {
        let tier = m.tier.clone().map(|tier| view! { <p>{t_with("loyalty-tier", &[("tier", tier)])}</p> });
        let points = m.points.map(|p| view! { <p>{t_with("loyalty-points", &[("points", p.to_string())])}</p> });
        let when = m.reported.clone().map(|w| view! { <p class="hint">{t("loyalty-reported")} " " <Time when=w/></p> });
        view! { {tier} {points} {when} }
    });
    let pending = (m.status == "pending").then(|| pending_step(&m, actions));
    let rejected = (m.status == "rejected").then(|| view! { <p>{t_with("loyalty-rejected-note", &[("brand", m.brand.clone())])}</p> });
    let unlink = live.then(|| {
        let (id, label) = (m.id.clone(), t_with("loyalty-unlink", &[("programme", m.programme.clone())]));
        view! {
            <ActionForm action=actions.unlink attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="link_id" value=id/>
                <button type="submit" class="secondary">{label}</button>
            </ActionForm>
        }
    });
    view! {
        <li class="membership">
            <h3 id=heading>{title}</h3>
            <p>{t_with("loyalty-number", &[("number", m.number.clone())])}</p>
            <p>
                <strong>{status_label(&m.status)}</strong> " — " {t("loyalty-since")} " " <Time when=m.since.clone()/>
                {m.pooled.then(|| view! { " — " {t("loyalty-pooled")} })}
            </p>
            {reported}
            {pending}
            {rejected}
            {unlink}
        </li>
    }
    .into_any()
}

/// A pending link: the mailed code's form and "send a new code", or who decides.
fn pending_step(m: &MembershipView, actions: Actions) -> AnyView {
    match m.verification.as_str() {
        "email" => {
            let code_form = m.code_live.then(|| {
                let (id, field) = (m.id.clone(), format!("field-loyalty-code-{}", m.id));
                view! {
                    <ActionForm action=actions.confirm attr:class="form" attr:novalidate="true">
                        <PageField/>
                        <input type="hidden" name="link_id" value=id/>
                        <Field label=t("loyalty-code-label") name="code" id=field autocomplete="one-time-code" inputmode="numeric" required=true
                            hint=t("loyalty-code-hint")/>
                        <button type="submit">{t("loyalty-code-submit")}</button>
                    </ActionForm>
                }
            });
            let resend = m.can_resend.then(|| {
                let id = m.id.clone();
                view! {
                    <ActionForm action=actions.resend attr:class="inline-form">
                        <PageField/>
                        <input type="hidden" name="link_id" value=id/>
                        <button type="submit" class="secondary">{t("loyalty-resend")}</button>
                    </ActionForm>
                }
            });
            let expired = (!m.code_live).then(|| view! { <p>{t("loyalty-code-expired")}</p> });
            view! { {code_form} {expired} {resend} }.into_any()
        }
        "brand-api" => view! { <p>{t_with("loyalty-waiting-brand", &[("brand", m.brand.clone())])}</p> }.into_any(),
        _ => view! { <p>{t("loyalty-waiting-support")}</p> }.into_any(),
    }
}

#[component]
fn LinkForm(programmes: Vec<ProgrammeView>, actions: Actions) -> impl IntoView {
    let link = actions.link;
    // Until the wasm runs the card-code field is always there (with its hint); then
    // only for a programme whose cards carry a code.
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let first = programmes.first().map(|p| p.slug.clone()).unwrap_or_default();
    let chosen = RwSignal::new(first);
    let with_code: Vec<String> = programmes.iter().filter(|p| p.verification == "code").map(|p| p.slug.clone()).collect();
    let show_code = move || !hydrated.get() || chosen.with(|c| with_code.contains(c));
    let options = programmes
        .iter()
        .map(|p| view! { <option value=p.slug.clone()>{t_with("loyalty-membership", &[("programme", p.name.clone()), ("brand", p.brand.clone())])}</option> })
        .collect_view();
    let none = programmes.is_empty();
    view! {
        <section class="card" aria-labelledby="loyalty-link-heading">
            <h2 id="loyalty-link-heading">{t("loyalty-link-heading")}</h2>
            <p>{t("loyalty-link-intro")}</p>
            {none.then(|| view! { <p>{t("loyalty-no-programmes")}</p> })}
            {(!none).then(|| view! {
                <ActionForm action=link attr:class="form" attr:novalidate="true">
                    <PageField/>
                    <ErrorSummary error=failure(link.value()) pending=link.pending()
                        fields=&[("Member number", "field-loyalty-number"), ("Verification code", "field-loyalty-card-code")]/>
                    <div class="field">
                        <label for="field-loyalty-programme">{t("loyalty-programme-label")}</label>
                        <select id="field-loyalty-programme" name="programme" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            {options}
                        </select>
                    </div>
                    <Field label=t("loyalty-number-label") name="number" id="field-loyalty-number" autocomplete="off" required=true
                        error=field_error(link.value(), "Member number")/>
                    <Show when=show_code.clone()>
                        <Field label=t("loyalty-card-code-label") name="card_code" id="field-loyalty-card-code" autocomplete="off"
                            hint=t("loyalty-card-code-hint") error=field_error(link.value(), "Verification code")/>
                    </Show>
                    <button type="submit" disabled=move || link.pending().get()>{t("loyalty-link-submit")}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// The owner's pooling: per household and pooling programme, each member's membership
/// with one button that pools or stops pooling it.
fn pooling(pools: Vec<PoolView>, actions: Actions) -> AnyView {
    let sections = pools
        .into_iter()
        .map(|p| {
            let heading = t_with("loyalty-pool-heading", &[("programme", p.programme.clone()), ("household", p.household.clone())]);
            let members = p
                .members
                .into_iter()
                .map(|m| {
                    let (hid, lid) = (p.household_id.clone(), m.link_id.clone());
                    let args = [("name", m.name.clone())];
                    let (state, label) = if m.pooled { (t("loyalty-pool-in"), t_with("loyalty-pool-stop", &args)) } else { (t("loyalty-pool-out"), t_with("loyalty-pool-start", &args)) };
                    let value = if m.pooled { "false" } else { "true" };
                    view! {
                        <li>
                            {m.name.clone()} " (" {m.number.clone()} ") — " {state}
                            <ActionForm action=actions.pool attr:class="inline-form">
                                <PageField/>
                                <input type="hidden" name="household_id" value=hid/>
                                <input type="hidden" name="link_id" value=lid/>
                                <input type="hidden" name="pooled" value=value/>
                                <button type="submit" class="secondary">{label}</button>
                            </ActionForm>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <h3>{heading}</h3>
                <ul class="pool-list">{members}</ul>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="loyalty-pool-title">
            <h2 id="loyalty-pool-title">{t("loyalty-pool-title")}</h2>
            <p>{t("loyalty-pool-intro")}</p>
            {sections}
        </section>
    }
    .into_any()
}
