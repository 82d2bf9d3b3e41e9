//! `/admin/reveals`: who reveals most (`docs/design/admin.md` "The 360 view and
//! reveals"), for support leads and operators: each staff member's reveals of masked
//! customer details in the last 7 or 30 days, most first. The reasons are in the audit
//! log (`/admin/audit?action=support.revealed&actor=staff:<id>`). A plain GET page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One staff member's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealLine {
    pub actor: String,
    pub name: String,
    pub role: String,
    pub reveals: i64,
}

/// The reveal counts of the last `days` (7 or 30) days.
#[server(prefix = "/admin/api", endpoint = "reveals")]
pub async fn admin_reveals(days: i64) -> Result<Vec<RevealLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let days = if days == 30 { 30 } else { 7 };
    let since = ctx.identity.now() - days * 86_400_000;
    let list = ctx.identity.reveal_leaders(&principal, since).await.map_err(crate::auth::fail)?;
    Ok(list
        .into_iter()
        .map(|l| RevealLine { name: l.name.unwrap_or_else(|| "(no longer on staff)".into()), role: l.role.unwrap_or_default(), actor: l.actor, reveals: l.reveals })
        .collect())
}

#[component]
pub fn AdminRevealsPage() -> impl IntoView {
    let query = use_query_map();
    let days = move || if query.with(|q| q.get("days")).as_deref() == Some("30") { 30 } else { 7 };
    let list = Resource::new(days, admin_reveals);
    view! {
        <Title text="Who reveals most"/>
        <nav aria-label="Staff"><p><a href="/admin">"Staff home"</a> " · " <a href="/admin/audit">"Audit log"</a></p></nav>
        <h1>"Who reveals most"</h1>
        <p>"Each reveal of a masked email, phone, birth date or address is recorded with its reason and ticket. An agent far above the others is worth a conversation."</p>
        <form method="get" action="/admin/reveals" class="card form">
            <fieldset>
                <legend>"Period"</legend>
                <div class="check"><input type="radio" id="reveals-7" name="days" value="7" checked=move || days() == 7/><label for="reveals-7">"Last 7 days"</label></div>
                <div class="check"><input type="radio" id="reveals-30" name="days" value="30" checked=move || days() == 30/><label for="reveals-30">"Last 30 days"</label></div>
            </fieldset>
            <button type="submit">"Show"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <p role="status">"No reveals in this period."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="results">
                            <caption>{format!("Reveals in the last {} days, most first", days())}</caption>
                            <thead><tr><th scope="col">"Staff member"</th><th scope="col">"Role"</th><th scope="col">"Reveals"</th><th scope="col">"Reasons"</th></tr></thead>
                            <tbody>{list.into_iter().map(|l| {
                                let reasons = format!("/admin/audit?action=support.revealed&actor={}", l.actor);
                                view! {
                                    <tr><td>{l.name}</td><td>{l.role}</td><td>{l.reveals}</td><td><a href=reasons>"In the audit log"</a></td></tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(AppError::SignInRequired) => crate::admin::pages::to_staff_sign_in("Staff sign-in".into()),
                    Err(AppError::Forbidden) => view! { <p class="alert" role="alert">"Reveal statistics are for support leads and operators."</p> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.summary()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
