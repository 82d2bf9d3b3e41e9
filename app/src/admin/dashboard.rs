//! `/admin/dashboard`: the operator dashboard (`docs/design/admin.md` "Operator
//! dashboard"). This node's sign-ins, refusals and failure rate, lock-outs and refused
//! second steps for the last minute, 15 and 60 minutes and minute by minute, from the
//! same counters `/metrics` exposes; the outbox's backlog and dead letters from the
//! database. Tables with captions, rendered on the server (a plain GET: no wasm
//! needed); the server function builds the staff principal from the staff session and
//! the core decides (`Action::ViewDashboard`: operators only, others get a 403 page).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{t, t_with};

/// The figures of one period or minute, formatted for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiguresView {
    pub sign_ins: u64,
    pub refused: u64,
    /// `25.0 %`, or empty without attempts.
    pub failure_rate: String,
    pub lockouts: u64,
    pub second_factor_failures: u64,
    /// Refused second steps by method, in [`DashboardView::methods`]' order.
    pub by_method: Vec<u64>,
}

/// One of the last 1, 15 and 60 minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowView {
    pub minutes: i64,
    /// Sign-ins per minute over the part of the period this node has been up (`1.5`).
    pub per_minute: String,
    pub figures: FiguresView,
}

/// One clock minute (UTC, `HH:MM`), the one under way marked `partial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteView {
    pub minute: String,
    pub partial: bool,
    pub figures: FiguresView,
}

/// The whole dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// When it was read, and since when this node counts (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub at: String,
    pub since: String,
    pub windows: Vec<WindowView>,
    /// The last 15 minutes, newest first.
    pub minutes: Vec<MinuteView>,
    /// The second-step methods' labels (`code`, `recovery_code`, `passkey`, `other`).
    pub methods: Vec<String>,
    pub outbox_backlog: i64,
    pub dead_letters: i64,
}

#[cfg(feature = "ssr")]
fn figures_view(t: &identity::metrics::Totals) -> FiguresView {
    FiguresView {
        sign_ins: t.sign_ins,
        refused: t.refused,
        failure_rate: t.failure_rate_percent().map(|r| format!("{r:.1} %")).unwrap_or_default(),
        lockouts: t.lockouts,
        second_factor_failures: t.second_factor_total(),
        by_method: identity::metrics::FactorMethod::ALL.iter().map(|m| t.second_factor_failures(*m)).collect(),
    }
}

/// `YYYY-MM-DD HH:MM:SS` of an instant (UTC).
#[cfg(feature = "ssr")]
fn utc_time(at: i64) -> String {
    identity::clock::format_millis(at).chars().take(19).collect::<String>().replace('T', " ")
}

/// The dashboard as the signed-in operator sees it now.
#[server(prefix = "/admin/api", endpoint = "dashboard")]
pub async fn admin_dashboard() -> Result<DashboardView, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let live = ctx.metrics.totals(&ctx.identity);
    let d = ctx.identity.dashboard(&principal, &ctx.metrics.history, live).await.map_err(crate::error::fail)?;
    let f = &d.figures;
    Ok(DashboardView {
        at: utc_time(f.at),
        since: utc_time(f.since),
        windows: f
            .windows
            .iter()
            .map(|w| WindowView { minutes: w.minutes, per_minute: format!("{:.1}", w.sign_ins_per_minute()), figures: figures_view(&w.totals) })
            .collect(),
        minutes: f
            .minutes
            .iter()
            .map(|m| MinuteView { minute: utc_time(m.start).chars().skip(11).take(5).collect(), partial: m.partial, figures: figures_view(&m.totals) })
            .collect(),
        methods: identity::metrics::FactorMethod::ALL.iter().map(|m| m.label().to_owned()).collect(),
        outbox_backlog: d.outbox_backlog,
        dead_letters: d.dead_letters,
    })
}

fn window_label(minutes: i64) -> String {
    if minutes == 1 { t("dashboard-window-one") } else { t_with("dashboard-window-many", &[("minutes", minutes.to_string())]) }
}

fn rate_or_none(rate: String) -> String {
    if rate.is_empty() { t("dashboard-none") } else { rate }
}

/// The page: the tables, or a 403 sentence for a role without the dashboard.
#[component]
pub fn AdminDashboardPage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |()| admin_dashboard());
    view! {
        <Title text=t("dashboard-title")/>
        <p><a href="/admin">{t("dashboard-staff-home")}</a></p>
        <h1>{t("dashboard-title")}</h1>
        <Suspense fallback=|| view! { <p>{t("dashboard-loading")}</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) => view! { <Tables d=d/> }.into_any(),
                    Err(AppError::SignInRequired) => crate::admin::pages::to_staff_sign_in(t("dashboard-sign-in")),
                    Err(AppError::Forbidden) => view! { <p class="alert" role="alert">{t("dashboard-forbidden")}</p> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.summary()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Tables(d: DashboardView) -> impl IntoView {
    let intro = t_with("dashboard-intro", &[("since", d.since.clone()), ("at", d.at.clone())]);
    let windows = d.windows.clone();
    let methods = d.methods.clone();
    view! {
        <p>{intro}</p>
        <p><a href="/admin/dashboard">{t("dashboard-refresh")}</a></p>
        <table class="results dashboard" id="dashboard-windows">
            <caption>{t("dashboard-windows-caption")}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("dashboard-col-window")}</th>
                    <th scope="col">{t("dashboard-col-sign-ins")}</th>
                    <th scope="col">{t("dashboard-col-per-minute")}</th>
                    <th scope="col">{t("dashboard-col-refused")}</th>
                    <th scope="col">{t("dashboard-col-failure-rate")}</th>
                    <th scope="col">{t("dashboard-col-lockouts")}</th>
                    <th scope="col">{t("dashboard-col-second-step")}</th>
                </tr>
            </thead>
            <tbody>
                {d.windows.into_iter().map(|w| view! {
                    <tr id=format!("window-{}", w.minutes)>
                        <th scope="row">{window_label(w.minutes)}</th>
                        <td class="sign-ins">{w.figures.sign_ins}</td>
                        <td class="per-minute">{w.per_minute}</td>
                        <td class="refused">{w.figures.refused}</td>
                        <td class="failure-rate">{rate_or_none(w.figures.failure_rate)}</td>
                        <td class="lockouts">{w.figures.lockouts}</td>
                        <td class="second-step">{w.figures.second_factor_failures}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <table class="results dashboard" id="dashboard-methods">
            <caption>{t("dashboard-methods-caption")}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("dashboard-col-method")}</th>
                    {windows.iter().map(|w| view! { <th scope="col">{window_label(w.minutes)}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {methods.into_iter().enumerate().map(|(i, m)| {
                    let cells: Vec<u64> = windows.iter().map(|w| w.figures.by_method.get(i).copied().unwrap_or(0)).collect();
                    view! {
                        <tr id=format!("method-{m}")>
                            <th scope="row">{t(&format!("dashboard-method-{m}"))}</th>
                            {cells.into_iter().map(|n| view! { <td>{n}</td> }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <table class="results dashboard" id="dashboard-minutes">
            <caption>{t("dashboard-minutes-caption")}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("dashboard-col-minute")}</th>
                    <th scope="col">{t("dashboard-col-sign-ins")}</th>
                    <th scope="col">{t("dashboard-col-refused")}</th>
                    <th scope="col">{t("dashboard-col-failure-rate")}</th>
                    <th scope="col">{t("dashboard-col-lockouts")}</th>
                    <th scope="col">{t("dashboard-col-second-step")}</th>
                </tr>
            </thead>
            <tbody>
                {d.minutes.into_iter().map(|m| {
                    let label = if m.partial { t_with("dashboard-minute-partial", &[("minute", m.minute.clone())]) } else { m.minute.clone() };
                    view! {
                        <tr>
                            <th scope="row">{label}</th>
                            <td class="sign-ins">{m.figures.sign_ins}</td>
                            <td class="refused">{m.figures.refused}</td>
                            <td class="failure-rate">{rate_or_none(m.figures.failure_rate)}</td>
                            <td class="lockouts">{m.figures.lockouts}</td>
                            <td class="second-step">{m.figures.second_factor_failures}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <table class="results dashboard" id="dashboard-outbox">
            <caption>{t("dashboard-outbox-caption")}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("dashboard-col-measure")}</th>
                    <th scope="col">{t("dashboard-col-count")}</th>
                </tr>
            </thead>
            <tbody>
                <tr id="outbox-backlog"><th scope="row">{t("dashboard-outbox-backlog")}</th><td>{d.outbox_backlog}</td></tr>
                <tr id="outbox-dead-letters"><th scope="row">{t("dashboard-outbox-dead")}</th><td>{d.dead_letters}</td></tr>
            </tbody>
        </table>
    }
}
