//! `/account/privacy`: the customer's consents. Per controller — the group (the product
//! itself) and each brand the customer uses — every purpose with its state, version and
//! date, one switch per purpose and per channel (withdrawing is one button, as easy as
//! giving), and the history of every decision with its signed receipt to download
//! (`/account/privacy/receipts/<id>`, served by the server with the customer's session).
//! Each switch is its own form, so the page works before the wasm arrives.
//! Sub-pages: `preferences` (per-brand preferences and details), `data` (export and
//! deletion).

pub mod data;
pub mod preferences;

use leptos::prelude::*;
use leptos_meta::Title;

use super::{AccountNav, LoadError};
use crate::api::privacy::{ControllerView, HistoryView, PurposeRowView, SetConsent, StateView, SwitchView, privacy_overview};
use crate::components::brand::product_name;
use crate::components::form::{ErrorSummary, PageField, done_without_js, failure};
use crate::i18n::{Time, t, t_with};

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let set = ServerAction::<SetConsent>::new();
    let overview = Resource::new(move || set.version().get(), |_| privacy_overview());
    let saved = move || matches!(set.value().get(), Some(Ok(()))) || done_without_js::<SetConsent>();
    view! {
        <Title text=t("privacy-title")/>
        <h1>{t("privacy-title")}</h1>
        <AccountNav/>
        <p>{t("privacy-intro")}</p>
        <ErrorSummary error=failure(set.value()) pending=set.pending()/>
        <div role="status">{move || saved().then(|| view! { <p>{t("privacy-saved")}</p> })}</div>
        <Transition fallback=|| view! { <p>{t("account-loading")}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(v) => view! {
                        {if v.controllers.is_empty() { Some(view! { <p>{t("privacy-none")}</p> }) } else { None }}
                        {v.controllers.into_iter().map(|c| controller(c, set)).collect_view()}
                        {history(v.history)}
                    }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn controller(c: ControllerView, set: ServerAction<SetConsent>) -> AnyView {
    let name = c.brand.clone().unwrap_or_else(product_name);
    let heading = if c.brand.is_some() { t_with("privacy-brand-heading", &[("brand", name.clone())]) } else { t_with("privacy-group-heading", &[("product", name.clone())]) };
    view! {
        <section class="privacy-controller">
            <h2>{heading}</h2>
            <ul class="purpose-list">
                {c.purposes.into_iter().map(|p| purpose_card(p, &name, set)).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// "Given on 3 December 2026 (version 2)" and the like.
fn state_text(state: Option<&StateView>) -> AnyView {
    let Some(s) = state else { return view! { <span>{t("privacy-state-none")}</span> }.into_any() };
    let id = match s.decision.as_str() {
        "granted" => "privacy-state-granted",
        "pending" => "privacy-state-pending",
        "withdrawn" => "privacy-state-withdrawn",
        _ => "privacy-state-refused",
    };
    view! { <span>{t(id)} " " <Time when=s.at.clone()/> " " {t_with("privacy-purpose-version", &[("version", s.version.to_string())])}</span> }
        .into_any()
}

fn channel_name(channel: &str) -> String {
    t(match channel {
        "email" => "privacy-channel-email",
        "sms" => "privacy-channel-sms",
        "push" => "privacy-channel-push",
        _ => "privacy-channel-post",
    })
}

/// One switch: a form with the purpose, the channel and the new value.
fn switch(purpose: &str, title: &str, s: &SwitchView, set: ServerAction<SetConsent>) -> AnyView {
    let what = s.channel.as_deref().map_or_else(|| title.to_owned(), |c| format!("{title} – {}", channel_name(c)));
    let on = s.on;
    let label = if on { t_with("privacy-turn-off", &[("what", what)]) } else { t_with("privacy-turn-on", &[("what", what)]) };
    let text = if on { t("privacy-withdraw") } else { t("privacy-give") };
    let (purpose, channel) = (purpose.to_owned(), s.channel.clone().unwrap_or_default());
    let (grant, class) = if on { ("false", "secondary") } else { ("true", "") };
    view! {
        <ActionForm action=set attr:class="inline-form">
            <PageField/>
            <input type="hidden" name="purpose" value=purpose/>
            <input type="hidden" name="channel" value=channel/>
            <input type="hidden" name="grant" value=grant/>
            <button type="submit" class=class aria-label=label disabled=move || set.pending().get()>{text}</button>
        </ActionForm>
    }
    .into_any()
}

fn purpose_card(p: PurposeRowView, owner: &str, set: ServerAction<SetConsent>) -> AnyView {
    let heading_id = format!("purpose-{}", p.purpose.id);
    let title = p.purpose.title.clone();
    let required = p.required.then(|| view! { " " <span class="badge">{t("privacy-required")}</span> });
    let basis = match p.legal_basis.as_str() {
        "contract" => t_with("privacy-basis-contract", &[("brand", owner.to_owned())]),
        "legal_obligation" => t("privacy-basis-legal-obligation"),
        "legitimate_interest" => t("privacy-basis-legitimate-interest"),
        _ => t("privacy-basis-consent"),
    };
    let document = p.purpose.document_url.clone().map(|href| view! { <a href=href rel="noopener" target="_blank">{t("privacy-purpose-document")}</a> });
    let body = p.purpose.body.clone().map(|b| view! { <details><summary>{t("privacy-purpose-read")}</summary><p class="purpose-body">{b}</p></details> });
    let controls = if !p.switchable {
        None
    } else if p.channels.is_empty() {
        Some(switch(&p.purpose.id, &title, &p.whole, set))
    } else {
        let id = p.purpose.id.clone();
        Some(
            view! {
                <ul class="channel-list">
                    {p.channels.iter().map(|c| {
                        let name = channel_name(c.channel.as_deref().unwrap_or_default());
                        view! { <li><span class="channel">{name}</span> " " {state_text(c.state.as_ref())} " " {switch(&id, &title, c, set)}</li> }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        )
    };
    view! {
        <li class="card purpose" aria-labelledby=heading_id.clone()>
            <h3 id=heading_id.clone()>{title.clone()}{required}</h3>
            <p>{p.purpose.description.clone()}</p>
            <p class="hint">{basis}</p>
            <p class="purpose-state">{state_text(p.whole.state.as_ref())}</p>
            {body}
            {document}
            {controls}
        </li>
    }
    .into_any()
}

fn decision_text(decision: &str) -> String {
    t(match decision {
        "granted" => "privacy-decision-granted",
        "pending" => "privacy-decision-pending",
        "withdrawn" => "privacy-decision-withdrawn",
        _ => "privacy-decision-refused",
    })
}

fn history(entries: Vec<HistoryView>) -> AnyView {
    if entries.is_empty() {
        return view! { <section><h2>{t("privacy-history")}</h2><p>{t("privacy-history-none")}</p></section> }.into_any();
    }
    view! {
        <section aria-labelledby="privacy-history">
            <h2 id="privacy-history">{t("privacy-history")}</h2>
            <p class="hint">{t("privacy-history-intro")}</p>
            <table class="history">
                <thead><tr>
                    <th scope="col">{t("privacy-col-when")}</th>
                    <th scope="col">{t("privacy-col-who")}</th>
                    <th scope="col">{t("privacy-col-what")}</th>
                    <th scope="col">{t("privacy-col-decision")}</th>
                    <th scope="col">{t("privacy-col-receipt")}</th>
                </tr></thead>
                <tbody>
                    {entries.into_iter().map(|h| {
                        let what = if h.is_scopes { t_with("privacy-history-scopes", &[("scopes", h.what.clone())]) } else { h.what.clone() };
                        let what = match (&h.channel, h.version) {
                            (Some(c), _) => format!("{what} – {}", channel_name(c)),
                            (None, Some(v)) => format!("{what} ({})", t_with("privacy-purpose-version", &[("version", v.to_string())])),
                            (None, None) => what,
                        };
                        let href = format!("/account/privacy/receipts/{}", h.receipt_id);
                        let label = t_with("privacy-receipt-label", &[("what", what.clone())]);
                        view! {
                            <tr>
                                <td><Time when=h.at.clone()/></td>
                                <td>{h.brand.clone().unwrap_or_else(product_name)}</td>
                                <td>{what}</td>
                                <td>{decision_text(&h.decision)}</td>
                                <td><a href=href download="" aria-label=label rel="external">{t("privacy-receipt")}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
