//! The 360 page's "Support access" section (`docs/design/admin.md` "Ticket-scoped
//! access"): the agent's requests on this customer and their state, the request form
//! (ticket, reason, what they need), and, while an approval lives, "Open the customer's
//! portal". Staff server functions at `/admin/api/…`.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, failure, field_error, go_to};
use crate::error::AppError;
use crate::i18n::{Time, When};

/// What the customer may let support do, in the order the form lists it, with the
/// words the agent reads.
pub const PERMISSIONS: [(&str, &str); 5] = [
    ("view_profile", "See the profile"),
    ("manage_profile", "Correct the profile"),
    ("manage_consents", "Change consents and preferences"),
    ("manage_loyalty", "Link or unlink loyalty memberships"),
    ("sign_in_at_brands", "Sign in at the brands' sites as the customer (tokens name the agent)"),
];

/// One of the agent's requests on this customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLine {
    pub id: String,
    /// `requested`, `live`, `refused`, `ended`, `expired`, `lapsed`.
    pub state: String,
    pub ticket: String,
    pub permissions: String,
    pub requested: When,
    /// When a request lapses, or a live access ends.
    pub until: When,
}

/// The signed-in agent's requests on `customer` (the last 30 days).
#[server(prefix = "/admin/api", endpoint = "accesses")]
pub async fn admin_accesses(customer: String) -> Result<Vec<AccessLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let list = ctx.identity.my_support_accesses(&principal, &customer).await.map_err(crate::auth::fail)?;
    Ok(list
        .into_iter()
        .map(|a| {
            let shown = if a.granted.is_empty() { &a.requested } else { &a.granted };
            AccessLine {
                permissions: shown.iter().map(|p| PERMISSIONS.iter().find(|(n, _)| *n == p.name()).map_or(p.name(), |(_, w)| w)).collect::<Vec<_>>().join(", "),
                id: a.id,
                state: a.state.as_str().into(),
                ticket: a.ticket,
                requested: crate::i18n::when(a.requested_at),
                until: crate::i18n::when(a.expires_at),
            }
        })
        .collect())
}

/// Asks the customer for access to their portal (mailed to them).
#[server(prefix = "/admin/api", endpoint = "request-access")]
pub async fn admin_request_access(customer: String, ticket: String, reason: String, permissions: Option<HashMap<String, String>>) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let names: Vec<String> = permissions.unwrap_or_default().into_iter().filter(|(_, v)| crate::api::ticked(Some(v.as_str()))).map(|(k, _)| k).collect();
    ctx.identity.request_support_access(&principal, &customer, &ticket, &reason, &names).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// Opens the customer's portal under a live access: the path of the one-time entry.
#[server(prefix = "/admin/api", endpoint = "enter-portal")]
pub async fn admin_enter_portal(access: String) -> Result<String, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let token = ctx.identity.enter_support_access(&principal, &access).await.map_err(crate::auth::fail)?;
    Ok(crate::api::continue_to(format!("/support/enter?token={token}")))
}

fn state_words(state: &str) -> &'static str {
    match state {
        "requested" => "Waiting for the customer",
        "live" => "Approved",
        "refused" => "Refused",
        "ended" => "Ended",
        "expired" => "Expired",
        _ => "Not answered",
    }
}

/// The section: the agent's requests, the portal's door while one lives, the form.
#[component]
pub fn SupportAccessSection(customer: String, ticket: String) -> impl IntoView {
    let request = ServerAction::<AdminRequestAccess>::new();
    let enter = ServerAction::<AdminEnterPortal>::new();
    Effect::new(move || {
        if let Some(Ok(path)) = enter.value().get() {
            go_to(&path);
        }
    });
    let accesses = Resource::new(
        {
            let customer = customer.clone();
            move || (customer.clone(), request.version().get())
        },
        |(customer, _)| admin_accesses(customer),
    );
    let result = request.value();
    view! {
        <section class="card" aria-labelledby="h-access">
            <h2 id="h-access">"Support access"</h2>
            <p class="hint">"To act in the customer's own portal, ask them: they approve from their account (or the mail we send), choose what you may do and for how long (at most an hour), and can end it at any time. Credentials, the email address, export and deletion stay closed."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match accesses.await {
                        Ok(list) if list.is_empty() => view! { <p>"You have not asked this customer for access."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="results">
                                <caption>"Your requests"</caption>
                                <thead><tr><th scope="col">"Ticket"</th><th scope="col">"State"</th><th scope="col">"May"</th><th scope="col">"Until"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                                <tbody>{list.into_iter().map(|a| {
                                    let live = a.state == "live";
                                    view! {
                                        <tr>
                                            <td>{a.ticket.clone()}</td>
                                            <td>{state_words(&a.state)}</td>
                                            <td>{a.permissions.clone()}</td>
                                            <td><Time when=a.until.clone()/></td>
                                            <td>{live.then(|| view! {
                                                <ActionForm action=enter attr:class="inline-form">
                                                    <PageField/>
                                                    <input type="hidden" name="access" value=a.id.clone()/>
                                                    <button type="submit">"Open the customer's portal"</button>
                                                </ActionForm>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || matches!(enter.value().get(), Some(Err(_))).then(|| view! {
                <p class="alert" role="alert">"This access is no longer live: ask the customer again."</p>
            })}
            <ActionForm action=request attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Ask for access"</h3>
                {move || (crate::components::form::done_without_js::<AdminRequestAccess>() || matches!(result.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Asked: the customer has been mailed."</p>
                })}
                <ErrorSummary error=failure(result) pending=request.pending()
                    fields=&[("Reason", "field-access-reason"), ("Ticket", "field-access-ticket"), ("Permissions", "access-view_profile")]/>
                <input type="hidden" name="customer" value=customer.clone()/>
                <Field label="Ticket" name="ticket" id="field-access-ticket" required=true autocomplete="off" value=ticket
                    error=field_error(result, "Ticket")/>
                <Field label="Reason" name="reason" id="field-access-reason" required=true autocomplete="off"
                    hint="What you need to do in their account, in a few words (the customer reads it)." error=field_error(result, "Reason")/>
                <fieldset>
                    <legend>"What you need"</legend>
                    {PERMISSIONS.into_iter().map(|(name, words)| {
                        let id = format!("access-{name}");
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone() name=format!("permissions[{name}]")/>
                                <label for=id>{words}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit">"Ask the customer"</button>
            </ActionForm>
        </section>
    }
}
