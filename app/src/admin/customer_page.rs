//! `/admin/customers/<id>`: the customer 360 page (`crate::admin::customer` has its
//! types and server functions). Server-rendered whole, plain forms: a reveal posted
//! before the wasm arrives comes back to this page, which then shows the value (the
//! core reads it back through the reveal's audit row, for a minute). `?ticket=` fills
//! the ticket field of every form, so an agent types their ticket once. The support
//! actions' forms are [`crate::admin::customer_actions`]; their results live here, so a
//! success refetches the overview and its status line stays.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::customer::{AdminReveal, CustomerView, MaskedView, admin_customer};
use crate::admin::customer_actions::{SupportActions, SupportActionsSection};
use crate::components::form::{ErrorSummary, Field, PageField, failure, field_error};
use crate::error::AppError;
use crate::i18n::Time;

/// The page: the customer's whole picture, masked, and the reveal form.
#[component]
pub fn AdminCustomerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let ticket = move || query.with(|q| q.get("ticket")).unwrap_or_default();
    let reveal = ServerAction::<AdminReveal>::new();
    let actions = SupportActions::new();
    let customer = Resource::new(move || (id(), reveal.version().get(), actions.changed()), |(id, _, _)| admin_customer(id));
    view! {
        <Title text="Customer"/>
        <nav aria-label="Staff"><p><a href="/admin">"Staff home"</a> " · " <a href="/admin/customers">"Search customers"</a></p></nav>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match customer.await {
                    Ok(c) => view! { <Sections c=c reveal=reveal actions=actions ticket=ticket()/> }.into_any(),
                    Err(AppError::SignInRequired) => crate::admin::pages::to_staff_sign_in("Staff sign-in".into()),
                    Err(AppError::Forbidden) => view! {
                        <h1>"Customer"</h1>
                        <p class="alert" role="alert">"Your role does not include customer records."</p>
                    }.into_any(),
                    Err(AppError::NotFound(_)) => view! {
                        <h1>"Customer"</h1>
                        <p class="alert" role="alert">"There is no customer with this id (an erased account leaves none)."</p>
                    }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[component]
fn Sections(c: CustomerView, reveal: ServerAction<AdminReveal>, actions: SupportActions, ticket: String) -> impl IntoView {
    let state = [
        Some(if c.email_verified { "address confirmed" } else { "address not confirmed" }),
        c.locked.then_some(if c.locked_by_support { "locked by support" } else { "locked after failed sign-ins" }),
        c.managed.then_some("managed household member (no sign-in of their own)"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let hidden: Vec<MaskedView> = c.masked.iter().filter(|m| !m.revealed).cloned().collect();
    view! {
        <h1>{c.name.clone()}</h1>
        <p>"Customer id " <code>{c.id.clone()}</code> " · " {state} " · customer since " <Time when=c.created.clone()/>
            {c.language.clone().map(|l| view! { " · prefers " {l} })}</p>

        <section class="card" aria-labelledby="h-profile">
            <h2 id="h-profile">"Contact details"</h2>
            <dl class="facts">
                {c.masked.iter().map(|m| view! {
                    <dt>{m.label.clone()}</dt>
                    <dd>{m.shown.clone()} {m.revealed.then(|| view! { " " <span class="badge">"revealed to you, for a minute"</span> })}</dd>
                }).collect_view()}
            </dl>
            {(!hidden.is_empty()).then(|| view! { <RevealForm customer=c.id.clone() fields=hidden reveal=reveal ticket=ticket.clone()/> })}
        </section>

        <SupportActionsSection c=c.clone() actions=actions ticket=ticket.clone()/>

        <section class="card" aria-labelledby="h-methods">
            <h2 id="h-methods">"Sign-in methods"</h2>
            <dl class="facts">
                <dt>"Password"</dt><dd>{yes_no(c.password)}</dd>
                <dt>"Authenticator app"</dt><dd>{yes_no(c.authenticator_app)}</dd>
                <dt>"Recovery codes left"</dt><dd>{c.recovery_codes_left}</dd>
                <dt>"Passkeys"</dt><dd>{c.passkeys.len()}</dd>
            </dl>
            {(!c.passkeys.is_empty()).then(|| view! {
                <table class="results">
                    <caption>"Passkeys"</caption>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Added"</th><th scope="col">"Last used"</th></tr></thead>
                    <tbody>{c.passkeys.iter().map(|p| view! {
                        <tr><td>{p.name.clone()}</td><td><Time when=p.added.clone()/></td><td>{p.last_used.clone().map(|w| view! { <Time when=w/> })}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
        </section>

        <section class="card" aria-labelledby="h-sessions">
            <h2 id="h-sessions">"Sessions and devices"</h2>
            {if c.sessions.is_empty() { view! { <p>"No live session."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"Live sessions"</caption>
                    <thead><tr><th scope="col">"Device"</th><th scope="col">"Signed in"</th><th scope="col">"Last seen"</th></tr></thead>
                    <tbody>{c.sessions.iter().map(|s| view! {
                        <tr><td>{s.device.clone()}</td><td><Time when=s.started.clone()/></td><td><Time when=s.last_seen.clone()/></td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>

        <section class="card" aria-labelledby="h-brands">
            <h2 id="h-brands">"Brands used"</h2>
            {if c.brands.is_empty() { view! { <p>"No brand connected."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"Connected brands"</caption>
                    <thead><tr><th scope="col">"Brand"</th><th scope="col">"Receives"</th><th scope="col">"Since"</th><th scope="col">"Last sign-in"</th></tr></thead>
                    <tbody>{c.brands.iter().map(|b| view! {
                        <tr><td>{b.name.clone()}</td><td>{b.scopes.clone()}</td><td><Time when=b.since.clone()/></td>
                            <td>{b.last_used.clone().map(|w| view! { <Time when=w/> })}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>

        <section class="card" aria-labelledby="h-consents">
            <h2 id="h-consents">"Consents"</h2>
            {if c.consents.is_empty() { view! { <p>"No decision recorded."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"Consent history, newest first"</caption>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"For"</th><th scope="col">"What"</th><th scope="col">"Decision"</th><th scope="col">"How"</th><th scope="col">"Recorded by"</th></tr></thead>
                    <tbody>{c.consents.iter().map(|d| view! {
                        <tr><td><Time when=d.at.clone()/></td><td>{d.controller.clone()}</td><td>{d.what.clone()}</td><td>{d.decision.clone()}</td>
                            <td>{d.how.clone()}</td><td>{d.recorded_by.clone()}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>

        <section class="card" aria-labelledby="h-household">
            <h2 id="h-household">"Household and delegations"</h2>
            {if c.households.is_empty() { view! { <p>"Not in a household."</p> }.into_any() } else { view! {
                <ul>{c.households.iter().map(|(name, role)| view! { <li>{name.clone()} " — " {role.clone()}</li> }).collect_view()}</ul>
            }.into_any() }}
            {if c.delegations.is_empty() { view! { <p>"No live delegation."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"Delegations"</caption>
                    <thead><tr><th scope="col">"Direction"</th><th scope="col">"With"</th><th scope="col">"May"</th><th scope="col">"Until"</th></tr></thead>
                    <tbody>{c.delegations.iter().map(|d| view! {
                        <tr><td>{d.direction.clone()}</td><td>{d.other.clone()}</td><td>{d.permissions.clone()}</td><td><Time when=d.expires.clone()/></td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>

        <section class="card" aria-labelledby="h-loyalty">
            <h2 id="h-loyalty">"Loyalty memberships"</h2>
            {if c.loyalty.is_empty() { view! { <p>"No linked membership."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"Linked memberships"</caption>
                    <thead><tr><th scope="col">"Programme"</th><th scope="col">"Number"</th><th scope="col">"Status"</th><th scope="col">"Verified by"</th><th scope="col">"Tier"</th><th scope="col">"Since"</th></tr></thead>
                    <tbody>{c.loyalty.iter().map(|l| view! {
                        <tr><td>{format!("{} ({})", l.programme, l.brand)}</td><td>{l.number.clone()}</td><td>{l.status.clone()}</td>
                            <td>{l.verification.clone()}</td><td>{l.tier.clone()}</td><td><Time when=l.since.clone()/></td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>

        <crate::admin::access::SupportAccessSection customer=c.id.clone() ticket=ticket.clone()/>

        <section class="card" aria-labelledby="h-activity">
            <h2 id="h-activity">"Recent activity"</h2>
            {if c.activity.is_empty() { view! { <p>"Nothing yet."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"The 25 latest events"</caption>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"By"</th></tr></thead>
                    <tbody>{c.activity.iter().map(|a| view! {
                        <tr><td><Time when=a.at.clone()/></td><td><code>{a.action.clone()}</code></td><td><code>{a.actor.clone()}</code></td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>
    }
}

/// Reveal one field: which, why, and the ticket. Each reveal is audited and counted.
#[component]
fn RevealForm(customer: String, fields: Vec<MaskedView>, reveal: ServerAction<AdminReveal>, ticket: String) -> impl IntoView {
    let result = reveal.value();
    view! {
        <ActionForm action=reveal attr:class="form" attr:novalidate="true">
            <PageField/>
            <h3>"Reveal a field"</h3>
            <p class="hint">"Each reveal is recorded with your reason and the ticket, and counted; the value shows here for a minute."</p>
            <ErrorSummary error=failure(result) pending=reveal.pending()
                fields=&[("Field", "reveal-field"), ("Reason", "field-reveal-reason"), ("Ticket", "field-reveal-ticket")]/>
            <input type="hidden" name="customer" value=customer/>
            <div class="field">
                <label for="reveal-field">"Field"</label>
                <select id="reveal-field" name="field">
                    {fields.into_iter().map(|f| view! { <option value=f.field>{f.label}</option> }).collect_view()}
                </select>
            </div>
            <Field label="Reason" name="reason" id="field-reveal-reason" required=true autocomplete="off"
                hint="Why the customer needs this, in a few words (5 to 500 characters)." error=field_error(result, "Reason")/>
            <Field label="Ticket" name="ticket" id="field-reveal-ticket" required=true autocomplete="off" value=ticket
                error=field_error(result, "Ticket")/>
            <button type="submit">"Reveal"</button>
        </ActionForm>
    }
}
