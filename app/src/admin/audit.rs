//! `/admin/audit`: the audit log for support leads and operators (`docs/design/admin.md`
//! "Audit log"). A plain GET form (`?actor=…&subject=…&action=…&from=…&to=…&after=…`),
//! so it searches and pages before any wasm runs; the server function builds the staff
//! principal from the staff session on every call and the core decides. "Export CSV"
//! links the same filter to `/admin/audit/export`, a plain axum route in the server
//! (`server::http::audit_export`): a download is a file, not a page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::form::Field;
use crate::error::AppError;
use crate::i18n::t;

/// Where the CSV of the current filter downloads from.
pub const EXPORT_PATH: &str = "/admin/audit/export";

/// One entry as the page shows it (times already in RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRowView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub subject: String,
    pub action: String,
    pub reason: String,
    pub detail: String,
}

/// A page of entries, newest first, and the next (older) page's cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditView {
    pub rows: Vec<AuditRowView>,
    pub next: Option<String>,
}

/// Searches the audit log as the signed-in staff member (support leads and operators).
#[server(prefix = "/admin/api", endpoint = "audit")]
pub async fn admin_audit(actor: String, subject: String, action: String, from: String, to: String, after: String) -> Result<AuditView, AppError> {
    use identity::admin::audit::{AuditQuery, AuditQueryInput};
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let input = AuditQueryInput { actor, subject, action, from, to, cursor: after, limit: String::new() };
    let query = AuditQuery::parse(&input).map_err(crate::auth::fail)?;
    let page = ctx.identity.search_audit(&principal, &query).await.map_err(crate::auth::fail)?;
    let rows = page
        .entries
        .into_iter()
        .map(|e| AuditRowView {
            id: e.id,
            at: identity::clock::format_millis(e.at),
            actor: e.actor,
            subject: e.subject.unwrap_or_default(),
            action: e.action,
            reason: e.reason.unwrap_or_default(),
            detail: e.detail,
        })
        .collect();
    Ok(AuditView { rows, next: page.next })
}

/// The filter as the page's query holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Filter {
    actor: String,
    subject: String,
    action: String,
    from: String,
    to: String,
}

impl Filter {
    /// `actor=…&subject=…` for the non-empty fields (a link's query).
    fn query(&self) -> String {
        [("actor", &self.actor), ("subject", &self.subject), ("action", &self.action), ("from", &self.from), ("to", &self.to)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The search form, the results table, the next page and the export link.
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &str| query.with(|m| m.get(name)).unwrap_or_default();
    let filter = move || Filter { actor: get("actor"), subject: get("subject"), action: get("action"), from: get("from"), to: get("to") };
    let after = move || get("after");
    let results = Resource::new(move || (filter(), after()), |(f, after)| admin_audit(f.actor, f.subject, f.action, f.from, f.to, after));
    // The form's values as the request gave them (the page reloads with each search).
    let f = query.with_untracked(|m| Filter {
        actor: m.get("actor").unwrap_or_default(),
        subject: m.get("subject").unwrap_or_default(),
        action: m.get("action").unwrap_or_default(),
        from: m.get("from").unwrap_or_default(),
        to: m.get("to").unwrap_or_default(),
    });
    let export = move || {
        let q = filter().query();
        if q.is_empty() { EXPORT_PATH.to_owned() } else { format!("{EXPORT_PATH}?{q}") }
    };
    view! {
        <Title text=t("audit-title")/>
        <p><a href="/admin">{t("audit-staff-home")}</a></p>
        <h1>{t("audit-title")}</h1>
        <p>{t("audit-intro")}</p>
        <form method="get" action="/admin/audit" class="card form" role="search" aria-label=t("audit-form-label")>
            <Field label=t("audit-actor") name="actor" id="audit-actor" value=f.actor hint=t("audit-actor-hint") autocomplete="off"/>
            <Field label=t("audit-subject") name="subject" id="audit-subject" value=f.subject hint=t("audit-subject-hint") autocomplete="off"/>
            <Field label=t("audit-action") name="action" id="audit-action" value=f.action hint=t("audit-action-hint") autocomplete="off"/>
            <Field label=t("audit-from") name="from" id="audit-from" kind="date" value=f.from/>
            <Field label=t("audit-to") name="to" id="audit-to" kind="date" value=f.to/>
            <button type="submit">{t("audit-search")}</button>
        </form>
        <Suspense fallback=|| view! { <p>{t("audit-loading")}</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(page) => {
                        let next = page.next.clone().map(|n| {
                            let q = filter().query();
                            if q.is_empty() { format!("/admin/audit?after={n}") } else { format!("/admin/audit?{q}&after={n}") }
                        });
                        view! {
                            <p><a href=export() download="">{t("audit-export")}</a>" "<span class="hint">{t("audit-export-hint")}</span></p>
                            {if page.rows.is_empty() {
                                view! { <p role="status">{t("audit-none")}</p> }.into_any()
                            } else {
                                view! { <AuditTable rows=page.rows/> }.into_any()
                            }}
                            {next.map(|href| view! { <p><a href=href rel="next">{t("audit-next")}</a></p> })}
                        }.into_any()
                    }
                    Err(AppError::SignInRequired) => crate::admin::pages::to_staff_sign_in(t("audit-sign-in")),
                    Err(AppError::Forbidden) => view! { <p class="alert" role="alert">{t("audit-forbidden")}</p> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.summary()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(rows: Vec<AuditRowView>) -> impl IntoView {
    view! {
        <table class="results audit">
            <caption>{t("audit-caption")}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("audit-col-time")}</th>
                    <th scope="col">{t("audit-col-actor")}</th>
                    <th scope="col">{t("audit-col-subject")}</th>
                    <th scope="col">{t("audit-col-action")}</th>
                    <th scope="col">{t("audit-col-reason")}</th>
                    <th scope="col">{t("audit-col-detail")}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr id=format!("audit-{}", r.id)>
                        <td><time datetime=r.at.clone()>{r.at.clone()}</time></td>
                        <td><code>{r.actor}</code></td>
                        <td><code>{r.subject}</code></td>
                        <td>{r.action}</td>
                        <td>{r.reason}</td>
                        <td><code>{r.detail}</code></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `application/x-www-form-urlencoded` for a query value.
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filter_and_only_it() {
        let f = Filter { actor: "staff:s 1".into(), action: "support.".into(), from: "2026-12-01".into(), ..Filter::default() };
        assert_eq!(f.query(), "actor=staff%3As+1&action=support.&from=2026-12-01");
        assert_eq!(Filter::default().query(), "");
    }
}
