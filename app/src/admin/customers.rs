//! `/admin/customers`: support's customer search (`docs/design/admin.md` "Search"). A
//! plain GET form (`?q=…&after=…`), so it works and pages before any wasm runs; the
//! server function builds the staff principal from the staff session on every call.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One customer found, as the page shows them (already masked by the core).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub verified: bool,
    pub locked: bool,
    pub managed: bool,
}

/// A page of results and the next page's cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchView {
    pub hits: Vec<HitView>,
    pub next: Option<String>,
}

/// Searches customers as the signed-in staff member (support agents and leads).
#[server(prefix = "/admin/api", endpoint = "search")]
pub async fn admin_search(q: String, after: Option<String>) -> Result<SearchView, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let page = ctx.identity.search_customers(&principal, &q, after.as_deref().filter(|a| !a.is_empty()), 20).await.map_err(crate::auth::fail)?;
    let hits = page
        .hits
        .into_iter()
        .map(|h| HitView { id: h.id, name: h.name, email: h.email_masked, phone: h.phone_masked, verified: h.email_verified, locked: h.locked, managed: h.managed })
        .collect();
    Ok(SearchView { hits, next: page.next })
}

/// The search form and the results table.
#[component]
pub fn AdminCustomersPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q")).unwrap_or_default();
    let after = move || query.with(|m| m.get("after"));
    let results = Resource::new(move || (q(), after()), |(q, after)| async move {
        if q.trim().is_empty() { Ok(None) } else { admin_search(q, after).await.map(Some) }
    });
    view! {
        <Title text="Customers"/>
        <p><a href="/admin">"Staff home"</a></p>
        <h1>"Customers"</h1>
        {query.with_untracked(|m| m.get("entry")).map(|_| view! {
            <p class="alert" role="alert">"The way into the customer's portal was used, expired or no longer approved: open it again from their page."</p>
        })}
        <form method="get" action="/admin/customers" class="card form" role="search">
            <label for="customer-search">"Search by email, name, phone, customer id or loyalty number"</label>
            <input id="customer-search" name="q" type="search" value=q autocomplete="off" required=true minlength="2" maxlength="100"/>
            <button type="submit">"Search"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Searching…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(None) => view! { <p>"Type at least two characters. Addresses and phone numbers are masked."</p> }.into_any(),
                    Ok(Some(page)) if page.hits.is_empty() => view! { <p role="status">"No customer matches."</p> }.into_any(),
                    Ok(Some(page)) => {
                        let next = page.next.clone().map(|n| format!("/admin/customers?q={}&after={n}", urlencoding(&q())));
                        view! {
                            <table class="results">
                                <caption>"Customers found (masked)"</caption>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Phone"</th><th scope="col">"State"</th><th scope="col">"Customer id"</th></tr></thead>
                                <tbody>
                                    {page.hits.into_iter().map(|h| {
                                        let state = [h.verified.then_some("verified"), h.locked.then_some("locked"), h.managed.then_some("managed")]
                                            .into_iter().flatten().collect::<Vec<_>>().join(", ");
                                        view! {
                                            <tr>
                                                <td><a href=format!("/admin/customers/{}", h.id)>{h.name}</a></td>
                                                <td>{h.email}</td>
                                                <td>{h.phone.unwrap_or_default()}</td>
                                                <td>{state}</td>
                                                <td><code>{h.id}</code></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {next.map(|href| view! { <p><a href=href>"Next page"</a></p> })}
                        }.into_any()
                    }
                    Err(AppError::SignInRequired) => crate::admin::pages::to_staff_sign_in("Staff sign-in".into()),
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `application/x-www-form-urlencoded` for a query value.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
